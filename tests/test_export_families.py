"""The four family specs as data, and (slow) the full export of every reference family for every
target, held to the bars: every runnable artifact passes its gate; fp32/fp16 cosine ≥ 0.999; int8
keeps the task metric within 1 % of fp32, and a format's int8 artifacts together are ≤ 30 % of their
fp32 sum (judged per bundle and format, not per artifact)."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")

from vidlite_export.specs import FAMILIES, get_spec  # noqa: E402
from vidlite.bundle.contract import FORMATS, PRECISIONS  # noqa: E402

TARGETS = ["raspberrypi", "jetson", "android", "ios", "x86"]
COMPONENTS = {
    "caption": {"encoder", "decoder"},
    "understand": {"events", "detector", "recognizer", "text_classifier"},
    "generate": {"generator"},
    "retrieve": {"video_encoder", "text_encoder"},
}


@pytest.mark.parametrize("family", FAMILIES)
def test_spec_is_well_formed(family):
    spec = get_spec(family)
    assert spec.task == family
    assert {c.name for c in spec.components} == COMPONENTS[family]
    for c in spec.components:
        names = [t.name for t in c.inputs] + [t.name for t in c.outputs]
        assert len(names) == len(set(names)), c.name
        assert set(c.int8) <= set(FORMATS) and set(c.int8.values()) <= set(PRECISIONS)
        assert set(c.dynamic) <= {d for t in (*c.inputs, *c.outputs) for d in t.shape if isinstance(d, str)}
    from vidlite.preprocess import PreprocessSpec
    PreprocessSpec.from_dict(dict(spec.preprocess))  # the runtime accepts the spec's preprocess


def test_specs_are_data_and_import_no_training_code():
    """Importing the four specs (a fresh interpreter: the suite has imported everything by now) loads
    neither the training recipes nor torch or OpenCV: what a spec needs from the world it reads when called."""
    import subprocess
    import sys

    code = ("import sys; from vidlite_export.specs import FAMILIES, get_spec; [get_spec(f) for f in FAMILIES]; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'cv2') "
            "or m.startswith(('vidlite_export.train', 'vidlite_export.models', 'vidlite_export.world'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_decoders_and_transformers_never_get_static_int8():
    for family, comp in (("caption", "decoder"), ("retrieve", "text_encoder"), ("understand", "text_classifier")):
        assert "int8-static" not in get_spec(family).component(comp).int8.values()


def test_a_bundle_is_stale_when_its_components_or_weights_are_not_the_current_ones(reference_bundle, tmp_path):
    """What lets the demo reuse exported bundles without serving one an older exporter made (an
    understand bundle from before text_classifier would read no sentiment)."""
    import shutil

    from vidlite_export import stale_reason

    src = reference_bundle("generate")
    assert stale_reason("generate", src) is None
    old = shutil.copytree(src, tmp_path / "old")
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["source"]["sha256"] = "0" * 64
    (old / "manifest.json").write_text(json.dumps(manifest))
    assert stale_reason("generate", old) == "it was exported from other weights"
    manifest["components"]["restorer"] = manifest["components"].pop("generator")
    (old / "manifest.json").write_text(json.dumps(manifest))
    assert "components ['restorer'], the generate spec exports ['generator']" in stale_reason("generate", old)
    (old / "manifest.json").unlink()
    assert "cannot be read" in stale_reason("generate", old)


def test_unknown_family_is_refused():
    from vidlite_export.specs import SpecError
    with pytest.raises(SpecError, match="unknown family 'captions'"):
        get_spec("captions")


def test_checkpoint_of_another_family_is_refused(tmp_path):
    from vidlite_export import export
    from vidlite_export.specs import SpecError
    from vidlite_export.train.common import WEIGHTS_ROOT
    weights = WEIGHTS_ROOT / "generate" / "model.safetensors"
    if not weights.is_file():
        pytest.skip(f"no committed generate weights at {weights}")
    with pytest.raises(SpecError, match=r"does not fit the caption spec.*not caption weights"):
        export("caption", checkpoint=weights, formats=["onnx"], out=tmp_path / "b")
    assert not (tmp_path / "b").exists()


@pytest.mark.slow
@pytest.mark.parametrize("family", FAMILIES)
def test_reference_family_exports_for_all_targets(family, tmp_path):
    from vidlite_export import export
    from vidlite_export.api import INT8_SIZE_BAR
    from vidlite_export.train.common import WEIGHTS_ROOT
    if not (WEIGHTS_ROOT / family / "model.safetensors").is_file():
        pytest.skip(f"no committed {family} reference weights")
    report = export(family, targets=TARGETS, out=tmp_path / family)
    manifest = json.loads((tmp_path / family / "manifest.json").read_text())
    # every family reaches all four formats (PP-OCR, third-party ONNX, only ONNX and OpenVINO: reported)
    assert {a["format"] for c in manifest["components"].values() for a in c["artifacts"]} == set(FORMATS)
    assert set(report.skipped) <= {"detector", "recognizer"}
    for r in report.rows:
        assert r.verified in ("numeric", "structural"), (r.component, r.format, r.precision, r.reason)
        if r.verified != "numeric":
            continue
        if r.precision in ("fp32", "fp16"):
            assert r.cosine >= 0.999, (r.component, r.format, r.precision, r.cosine)
        else:
            assert r.metric[1] >= r.metric_fp32 * 0.99 - 1e-9, (r.component, r.format, r.precision, r.metric)
    for fmt, ratio in report.int8_size_ratios().items():
        assert ratio <= INT8_SIZE_BAR, (family, fmt, ratio)
