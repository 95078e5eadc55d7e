"""The runtime must stay light: importing vidlite (and, where bundles exist, running one) never pulls
in the export-time frameworks. Checked in a fresh interpreter, since this test process may have them."""
import json
import subprocess
import sys
from pathlib import Path

HEAVY = ["torch", "tensorflow", "coremltools", "litert_torch", "nncf", "ai_edge_quantizer", "transformers"]


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_import_vidlite_pulls_no_heavy_framework():
    loaded = _modules_after("import vidlite")
    assert "vidlite" in loaded
    assert not [m for m in HEAVY if m in loaded]


def test_native_extension_loaded():
    import vidlite

    assert vidlite.native.AVAILABLE, "the compiled extension vidlite._native did not load"


def test_cli_version_and_module_entry():
    import vidlite

    script = Path(sys.executable).with_name("vidlite")  # the console script of this environment
    for cmd in ([str(script), "--version"], [sys.executable, "-m", "vidlite", "--version"]):
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        assert out.strip() == f"vidlite {vidlite.__version__}"
