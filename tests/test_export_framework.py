"""Exporter framework on a tiny stand-in model: real converters, real runtimes, real quantization,
the bundle contract, and the refusal paths (each a clear error and no half-written bundle)."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("onnxruntime")

import torch  # noqa: E402

import _export_toy as toy  # noqa: E402
from vidlite_export import export  # noqa: E402
from vidlite_export.calibration import CalibrationError  # noqa: E402
from vidlite_export.converters import ConversionError  # noqa: E402
from vidlite_export.specs import SpecError  # noqa: E402
from vidlite_export.specs.base import Tolerance  # noqa: E402
from vidlite_export.targets import TargetError, requested  # noqa: E402
from vidlite_export.verify import VerificationError  # noqa: E402


def leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if ".tmp-" in p.name or ".old-" in p.name)


@pytest.fixture(scope="module")
def videos(tmp_path_factory):
    d = tmp_path_factory.mktemp("videos")
    toy.write_videos(d)
    return d


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, videos):
    out = tmp_path_factory.mktemp("bundles") / "toy"
    report = export(toy.spec(), formats=["onnx", "openvino", "tflite"], precisions=["fp32", "int8"],
                    calibration=videos, out=out)
    return out, report


def test_export_writes_a_valid_verified_bundle(bundle):
    from vidlite.bundle import validate_manifest
    out, report = bundle
    manifest = json.loads((out / "manifest.json").read_text())
    validate_manifest(manifest)
    arts = manifest["components"]["generator"]["artifacts"]
    got = {(a["format"], a["precision"]) for a in arts}
    assert got == {(f, p) for f in ("onnx", "openvino", "tflite") for p in ("fp32", "int8-static")}
    for a in arts:
        assert a["verified"] == "numeric", a
        assert a["parity"]["cosine"] >= (0.999 if a["precision"] == "fp32" else 0.98)
        if a["precision"] == "fp32":  # verified in f32 on every host (OpenVINO's default is bf16 on AVX-512 BF16 / AMX)
            assert a["parity"]["max_abs_err"] <= 1e-4, a
        assert a["parity"]["metric"]["name"] == "psnr_db"
        assert a["latency_ms"] > 0 and a["peak_mem_mb"] >= 0
        for f in a["files"]:
            assert (out / f["path"]).stat().st_size == f["bytes"]
        if a["precision"] != "fp32":
            assert a["quantization"]["samples"] == 6 and "videos" in a["quantization"]["calibration"]
    assert not leftovers(out.parent)
    assert len(report.rows) == 6 and not report.failures


def test_export_stages_run_one_by_one(videos):
    """The pipeline's stages share one context and each can be run (and inspected) on its own."""
    from vidlite_export import api
    ctx = api.ExportContext(toy.spec(), None, None, None, [("onnx", "fp32"), ("onnx", "int8-static")], False,
                            api.ExportReport(None, "generate"))
    api.load(ctx)
    assert ctx.plans == {"generator": [("onnx", "fp32"), ("onnx", "int8-static")]}
    api.samples(ctx, videos)
    assert len(ctx.calibration["generator"]) == 6 and len(ctx.held["generator"]) == 4
    api.reference(ctx)
    assert ctx.ref_metrics["generator"][0] == "psnr_db" and len(ctx.ref_out["generator"]) == 4
    assert list(ctx.report.stages) == ["load model", "calibration and held-out samples", "PyTorch fp32 reference"]
    assert ctx.steps == 2 and ctx.total_steps == 4


def test_int8_size_bar_is_judged_per_bundle_and_format():
    """A small component's int8 artifact may be over 30 % of its fp32 (fixed graph overhead) as long as
    the format's int8 artifacts together stay within 30 % of their fp32 sum."""
    from vidlite_export.api import INT8_SIZE_BAR, ArtifactRow, ExportReport

    def row(comp, fmt, prec, size, fp32):
        return ArtifactRow(comp, fmt, prec, size, fp32, None, None, None, None, None, None, "numeric", "", 0.0)
    report = ExportReport(None, "caption", rows=[
        row("encoder", "openvino", "fp32", 9000, 9000), row("encoder", "openvino", "int8-static", 2000, 9000),
        row("decoder", "openvino", "fp32", 1000, 1000), row("decoder", "openvino", "int8-weight-only", 320, 1000),
        row("decoder", "onnx", "fp32", 1000, 1000), row("decoder", "onnx", "int8-dynamic", 310, 1000),
        row("decoder", "coreml", "fp16", 500, None)])
    assert report.int8_size_ratios() == {"openvino": 0.232, "onnx": 0.31}
    assert report.int8_size_ratios()["openvino"] <= INT8_SIZE_BAR < report.int8_size_ratios()["onnx"]


def test_bundle_loads_in_the_runtime_and_passes_its_smoke(bundle):
    vidlite = pytest.importorskip("vidlite")
    out, _ = bundle
    for pin in ("onnxruntime:int8-static", "openvino:fp32", "litert:int8-static"):
        with vidlite.load(out, backend=pin) as model:
            runner = model["generator"]
            x = np.load(out / "smoke" / "generator.npz")["in/frames"]
            y = runner.run({"frames": x})["restored"]
            ref = np.load(out / "smoke" / "generator.npz")["out/restored"]
            assert np.corrcoef(y.ravel(), ref.ravel())[0, 1] > 0.98, pin


def test_artifacts_carry_no_debug_bulk(bundle):
    """Small models' IR topology and TFLite tensor names weigh as much as a quarter of their int8
    weights: OpenVINO XML is written without indentation and with equal constants shared, TFLite
    keeps names only on its inputs and outputs (what runtimes feed by)."""
    from ai_edge_litert.tools import flatbuffer_utils
    import xml.etree.ElementTree as ET
    out, _ = bundle
    manifest = json.loads((out / "manifest.json").read_text())
    for a in manifest["components"]["generator"]["artifacts"]:
        entry = out / a["entry"]
        if a["format"] == "openvino":
            text = entry.read_text()
            assert "\n\t" not in text and "><layer" in text
            consts = [(d.get("offset"), d.get("size"), d.get("element_type"), d.get("shape"))
                      for d in ET.fromstring(text).iter("data") if d.get("offset") is not None]
            assert len(consts) == len(set(consts)), "equal constants must be one IR layer"
        elif a["format"] == "tflite":
            sg = flatbuffer_utils.read_model(str(entry)).subgraphs[0]
            io = {*sg.inputs, *sg.outputs}
            assert all(t.name for i, t in enumerate(sg.tensors) if i in io)
            assert not any(t.name for i, t in enumerate(sg.tensors) if i not in io)


def test_coreml_is_verified_structurally_with_int8_weights_checked(tmp_path, videos):
    pytest.importorskip("coremltools")
    report = export(toy.spec(), formats=["coreml"], precisions=["fp16", "int8"], out=tmp_path / "b",
                    calibration=videos)
    rows = {r.precision: r for r in report.rows}
    assert set(rows) == {"fp16", "int8-weight-only"}
    assert all(r.verified == "structural" for r in rows.values())
    assert "cannot run on Linux" in rows["fp16"].reason
    assert "int8 weight tensors dequantized" in rows["int8-weight-only"].reason
    assert rows["int8-weight-only"].bytes < rows["fp16"].bytes
    packages = list((tmp_path / "b").rglob("*.mlpackage"))
    assert len(packages) == 2  # only what the package manifest lists: no converter debug leftovers
    assert all({p.name for p in pkg.iterdir()} == {"Manifest.json", "Data"} for pkg in packages)


def test_model_that_does_not_fit_the_spec_is_refused(tmp_path, videos):
    wrong = toy.ToyModel(torch.nn.Conv2d(3, 4, 3, padding=1))  # 4 output channels, the spec says 3
    out = tmp_path / "b"
    with pytest.raises(SpecError, match=r"component 'generator' output 'restored'.*float32\[1, 4, 32, 32\]"):
        export(toy.spec(), model=wrong, formats=["onnx"], precisions=["fp32"], calibration=videos, out=out)
    assert not out.exists() and not leftovers(tmp_path)


def test_dynamic_dims_take_any_size_and_fixed_ones_refuse_it():
    """A dynamic dim's preset is the traced size, not a limit: a text line wider than the recognizer's
    320 px example is a valid sample."""
    from vidlite_export.api import _fit
    from vidlite_export.specs.base import ComponentSpec, TensorSpec
    comp = ComponentSpec(name="rec", inputs=(TensorSpec("x", "float32", ("batch", 3, "width")),),
                         outputs=(TensorSpec("y", "float32", ("batch", "width")),),
                         dims={"batch": 1, "width": 320}, dynamic=("batch", "width"))
    wide = {"x": np.zeros((1, 3, 321), np.float32)}
    assert _fit(comp, lambda s: {"y": s["x"].sum(1)}, wide).dims["width"] == 320
    with pytest.raises(SpecError, match=r"component 'rec' input 'x': got float32\[1, 3, 321\]"):
        _fit(replace(comp, dynamic=("batch",)), lambda s: {"y": s["x"].sum(1)}, wide)


def test_missing_component_is_named(tmp_path, videos):
    class Empty:
        pass
    with pytest.raises(SpecError, match="no component 'generator'.*attribute 'generator'"):
        export(toy.spec(), model=Empty(), formats=["onnx"], calibration=videos, out=tmp_path / "b")


class _Unsupported(torch.nn.Module):
    def forward(self, x):
        return x + torch.linalg.svdvals(x.flatten(2)).mean() * 0


def test_unsupported_op_names_the_component_and_op(tmp_path, videos):
    out = tmp_path / "b"
    with pytest.raises(ConversionError, match=r"component 'generator': ONNX export failed.*svd"):
        export(toy.spec(), model=toy.ToyModel(_Unsupported()), formats=["onnx"], precisions=["fp32"],
               calibration=videos, out=out)
    assert not out.exists() and not leftovers(tmp_path)


def test_corrupt_onnx_source_is_refused(tmp_path, videos):
    bad = tmp_path / "det.onnx"
    bad.write_bytes(b"\x08\x07not really a protobuf" * 10)
    model = toy.ToyModel()
    model.generator = bad
    out = tmp_path / "b"
    with pytest.raises((ConversionError, SpecError), match=r"det\.onnx"):
        export(toy.spec(), model=model, formats=["onnx"], precisions=["fp32"], calibration=videos, out=out)
    assert not out.exists() and not leftovers(tmp_path)


def test_calibration_folder_without_readable_video(tmp_path):
    cal = tmp_path / "cal"
    cal.mkdir()
    (cal / "broken.mp4").write_bytes(b"\x00" * 512)
    (cal / "notes.txt").write_text("not a video")
    out = tmp_path / "b"
    with pytest.raises(CalibrationError, match=r"no readable video in .*cal.*broken\.mp4"):
        export(toy.spec(), formats=["onnx"], precisions=["int8"], calibration=cal, out=out)
    assert not out.exists() and not leftovers(tmp_path)


def test_failed_gate_aborts_or_is_kept_marked_failed(tmp_path, videos):
    strict = replace(toy.GENERATOR, tolerances={"fp32": Tolerance(0.999), "fp16": Tolerance(0.999),
                                                "int8": Tolerance(0.99999999, metric_rel=1e-9)})
    spec = toy.spec(components=(strict,))
    out = tmp_path / "b"
    with pytest.raises(VerificationError, match=r"generator onnx int8-static: cosine 0\.\d+ < 0\.99999999"):
        export(spec, formats=["onnx"], precisions=["fp32", "int8"], calibration=videos, out=out)
    assert not out.exists() and not leftovers(tmp_path)

    report = export(spec, formats=["onnx"], precisions=["fp32", "int8"], calibration=videos, out=out,
                    keep_failed=True)
    arts = {a["precision"]: a for a in json.loads((out / "manifest.json").read_text())
            ["components"]["generator"]["artifacts"]}
    assert arts["int8-static"]["verified"] == "failed" and "cosine" in arts["int8-static"]["verified_reason"]
    assert arts["fp32"]["verified"] == "numeric"
    assert [r.precision for r in report.failures] == ["int8-static"]


def test_targets_come_from_platform_profiles():
    pairs = requested(["x86"])
    assert ("openvino", "int8-static") in pairs and ("onnx", "fp32") in pairs
    assert {f for f, _ in requested(["ios"])} >= {"coreml", "onnx"}
    assert requested(["x86"], formats=["tflite"], precisions=["int8"]) == [("tflite", "int8")]
    with pytest.raises(TargetError, match="unknown target 'toaster'"):
        requested(["toaster"])
    with pytest.raises(TargetError, match="unknown format 'tensorrt'"):
        requested(["x86"], formats=["tensorrt"])


def test_cli_export_help_and_bad_family(capsys):
    from vidlite.cli import main
    with pytest.raises(SystemExit) as e:
        main(["export", "--help"])
    assert e.value.code == 0
    assert "--targets" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["export", "nonsense"])
