"""Loading and running a bundle on every backend pulls in no export-time framework (fresh interpreter)."""
import json
import subprocess
import sys

HEAVY = ["torch", "tensorflow", "coremltools", "litert_torch", "nncf", "ai_edge_quantizer", "transformers", "jax"]

CODE = """
import json, sys
import numpy as np
import vidlite
bundle = sys.argv[1]
z = np.load(bundle + "/encoder_smoke.npz")
used = []
for pin in ("auto", "onnxruntime:fp32", "openvino:fp32", "litert:fp32"):
    with vidlite.load(bundle, backend=pin) as model:
        out = model["encoder"].run({"image": z["in/image"]})["logits"]
        assert np.allclose(out, z["out/logits"], atol=1e-4), pin
        used.append(model["encoder"].backend)
print(json.dumps({"used": used, "modules": sorted(sys.modules)}))
"""


def test_running_a_bundle_on_every_backend_stays_light(runtime_bundle, tmp_path):
    env = {"VIDLITE_CACHE": str(tmp_path), "PATH": "", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-c", CODE, str(runtime_bundle)], capture_output=True, text=True, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert set(result["used"][1:]) == {"onnxruntime", "openvino", "litert"}
    loaded = set(result["modules"])
    assert {"onnxruntime", "openvino", "ai_edge_litert"} <= {m.split(".")[0] for m in loaded}
    assert not [m for m in HEAVY if m in loaded]
