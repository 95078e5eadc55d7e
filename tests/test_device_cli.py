"""`vidlite devices`: the probe and, with --explain, the selection as tables or JSON."""
import json

from vidlite.cli import main


def test_devices_json_with_explain(runtime_bundle, capsys):
    assert main(["devices", "--json", "--explain", str(runtime_bundle), "--profile", "x86-amd"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["profile"] == "x86-amd"
    assert out["device"]["runtimes"]["onnxruntime"]["installed"] is True
    chosen = [r for r in out["selection"] if r["result"] == "chosen"]
    assert [r["component"] for r in chosen] == ["encoder", "text"]
    assert (chosen[0]["backend"], chosen[0]["precision"]) == ("onnxruntime", "int8-static")


def test_devices_table_with_pin(runtime_bundle, capsys):
    assert main(["devices", "--explain", str(runtime_bundle), "--backend", "litert"]) == 0
    out = capsys.readouterr().out
    for text in ("runtimes", "onnxruntime", "selection for runtime-test", "litert@CPU tflite/int8-static", "chosen"):
        assert text in out


def test_devices_reports_user_errors(tmp_path, capsys):
    assert main(["devices", "--explain", str(tmp_path / "missing")]) == 2
    assert f"bundle not found: {tmp_path / 'missing'}" in capsys.readouterr().err
