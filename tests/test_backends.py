"""Each backend plug-in on real artifacts: load, describe I/O, run, share across threads, close."""
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from vidlite.backends import PLUGINS, backends_for, get_backend
from vidlite.device import probe
from vidlite.errors import BackendError

CASES = [  # backend, artifact file, device, options, max abs error vs torch
    ("onnxruntime", "onnx/encoder.onnx", "CPUExecutionProvider", {"intra_op_num_threads": 1}, 1e-5),
    ("openvino", "openvino/encoder.xml", "CPU", {"performance_hint": "LATENCY"}, 1e-5),
    ("openvino", "onnx/encoder.onnx", "CPU", {"num_threads": 1}, 1e-5),
    ("litert", "tflite/encoder.tflite", "CPU", {"num_threads": 2}, 1e-5),
]


def _smoke(bundle, name="encoder"):
    z = np.load(bundle / f"{name}_smoke.npz")
    return {k[3:]: z[k] for k in z.files if k.startswith("in/")}, {k[4:]: z[k] for k in z.files if k.startswith("out/")}


@pytest.mark.parametrize("backend, rel, device, options, tol", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_backend_runs_artifact(runtime_bundle, backend, rel, device, options, tol):
    inputs, expected = _smoke(runtime_bundle)
    with get_backend(backend).load(runtime_bundle / rel, device, options) as sess:
        assert sess.device == device
        assert [t.shape for t in sess.inputs] == [(1, 3, 32, 32)] and sess.inputs[0].dtype == "float32"
        assert [t.dtype for t in sess.outputs] == ["float32"]
        out = sess.run({sess.inputs[0].name: inputs["image"]})
        got = out[sess.outputs[0].name]
        assert got.shape == (1, 4)
        np.testing.assert_allclose(got, expected["logits"], atol=tol)
        with pytest.raises(BackendError, match="missing input"):
            sess.run({})
    with pytest.raises(BackendError, match="closed"):
        sess.run({sess.inputs[0].name: inputs["image"]})


@pytest.mark.parametrize("backend, rel", [("onnxruntime", "onnx/encoder.onnx"), ("openvino", "openvino/encoder.xml"),
                                          ("litert", "tflite/encoder.tflite")])
def test_sessions_can_be_shared_between_threads(runtime_bundle, backend, rel):
    sess = get_backend(backend).load(runtime_bundle / rel)
    name = sess.inputs[0].name
    rng = np.random.default_rng(1)
    batch = [rng.standard_normal((1, 3, 32, 32)).astype(np.float32) for _ in range(16)]
    serial = [sess.run({name: x})[sess.outputs[0].name] for x in batch]
    with ThreadPoolExecutor(4) as pool:
        parallel = list(pool.map(lambda x: sess.run({name: x})[sess.outputs[0].name], batch))
    for a, b in zip(serial, parallel):
        np.testing.assert_array_equal(a, b)
    assert sess.concurrent == (backend == "onnxruntime")  # the others serialise runs with a lock
    sess.close()
    sess.close()  # closing twice is harmless


def test_onnxruntime_silent_cpu_fallback_is_a_failure(runtime_bundle):
    with pytest.raises(BackendError, match="silently fell back to CPUExecutionProvider: CUDAExecutionProvider was requested"):
        get_backend("onnxruntime").load(runtime_bundle / "onnx/encoder.onnx", "CUDAExecutionProvider")


def test_bad_devices_and_options_are_named(runtime_bundle):
    with pytest.raises(BackendError, match="OpenVINO device NPU is not available"):
        get_backend("openvino").load(runtime_bundle / "openvino/encoder.xml", "NPU")
    with pytest.raises(BackendError, match="unknown option 'threads'"):
        get_backend("openvino").load(runtime_bundle / "openvino/encoder.xml", "CPU", {"threads": 2})
    with pytest.raises(BackendError, match="unknown option"):
        get_backend("onnxruntime").load(runtime_bundle / "onnx/encoder.onnx", None, {"num_threads": 2})
    with pytest.raises(BackendError, match="unknown device 'GPU'"):
        get_backend("litert").load(runtime_bundle / "tflite/encoder.tflite", "GPU")
    with pytest.raises(BackendError, match="could not load"):
        get_backend("litert").load(runtime_bundle / "onnx/encoder.onnx")
    with pytest.raises(BackendError, match="unknown backend 'tensorrt'"):
        get_backend("tensorrt")


def test_litert_takes_int32_where_the_model_said_int64(runtime_bundle):
    inputs, expected = _smoke(runtime_bundle, "text")
    sess = get_backend("litert").load(runtime_bundle / "tflite/text.tflite")
    assert sess.inputs[0].dtype == "int32"
    with pytest.raises(BackendError, match="must be int32, got int64"):
        sess.run({sess.inputs[0].name: inputs["tokens"]})
    out = sess.run({sess.inputs[0].name: inputs["tokens"].astype(np.int32)})
    np.testing.assert_allclose(out[sess.outputs[0].name], expected["embedding"], atol=1e-5)


@pytest.mark.skipif(sys.platform == "darwin", reason="checks how Core ML reports itself off Apple platforms")
def test_coreml_is_unavailable_off_apple_with_the_reason(runtime_bundle):
    coreml = get_backend("coreml")
    assert "only on macOS" in coreml.unavailable(probe(deep=False))
    with pytest.raises(BackendError, match="only on macOS"):
        coreml.load(runtime_bundle / "onnx/encoder.onnx")


def test_coreml_wraps_arrays_in_place_with_element_strides():
    """What the Core ML plug-in hands MLMultiArray (the framework itself runs only on a Mac)."""
    from vidlite.backends.coreml import MULTIARRAY_DTYPES, multiarray_layout

    a = np.zeros((2, 3, 4), np.float32)
    code, shape, strides = multiarray_layout(a)
    assert MULTIARRAY_DTYPES[code] == "float32" and shape == [2, 3, 4] and strides == [12, 4, 1]
    assert multiarray_layout(a.transpose(2, 0, 1))[2] == [1, 12, 4]
    assert MULTIARRAY_DTYPES[multiarray_layout(np.zeros(3, np.int32))[0]] == "int32"
    with pytest.raises(BackendError, match="int64"):
        multiarray_layout(np.zeros(3, np.int64))
    with pytest.raises(BackendError, match="non-negative"):
        multiarray_layout(a[:, :, ::-1])


def test_plugin_registry():
    assert set(PLUGINS) == {"onnxruntime", "openvino", "litert", "coreml"}
    assert backends_for("onnx") == ["onnxruntime", "openvino"]
    assert backends_for("tflite") == ["litert"] and backends_for("coreml") == ["coreml"]


def test_openvino_caches_compiled_models(runtime_bundle, tmp_path, monkeypatch):
    monkeypatch.setenv("VIDLITE_CACHE", str(tmp_path))
    get_backend("openvino").load(runtime_bundle / "openvino/encoder.xml").close()
    assert any((tmp_path / "openvino").glob("*.blob"))
    get_backend("openvino").load(runtime_bundle / "openvino/encoder.fp16.xml", options={"cache_dir": ""}).close()
    assert len(list((tmp_path / "openvino").glob("*.blob"))) == 1


def test_running_onnx_runtime_writes_nothing_in_the_home_folder(runtime_bundle, tmp_path):
    """ONNX Runtime's import writes ~/.cache/Microsoft/DeveloperTools/.onnxruntime/{deviceid,onnxruntime.db}
    unless ORT_DISABLE_TELEMETRY is set; importing vidlite sets it (an app's own value wins)."""
    import subprocess
    import sys

    home = tmp_path / "home"
    home.mkdir()
    env = {"HOME": str(home), "VIDLITE_CACHE": str(tmp_path / "cache"), "PATH": ""}
    code = ("import sys, vidlite; m = vidlite.load(sys.argv[1], backend='onnxruntime'); "
            "assert m['encoder'].backend == 'onnxruntime'; m.close()")
    proc = subprocess.run([sys.executable, "-c", code, str(runtime_bundle)], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == []
