"""Backend selection: profiles × artifacts → candidates, smoke-tested, explained, pinned, falling back."""
import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest

import vidlite
from vidlite.device import RuntimeInfo, probe
from vidlite.errors import IntegrityError, NoUsableBackendError, PinError
from vidlite.runtime import Pin, get_profile, match_profile, plan

FIXTURES = Path(__file__).parent / "fixtures" / "devices"
ALL = ("onnxruntime", "openvino", "litert")


def fixture_device(name, **devices):
    """A fixture probe with runtimes installed as given: name → EPs/devices (None = unknown)."""
    rts = {rt: RuntimeInfo(rt, True, module=rt, devices=devs) for rt, devs in devices.items()}
    rts["coreml"] = RuntimeInfo("coreml", False, reason="Core ML runs only on macOS and iOS (this is linux)")
    for rt in ALL:
        rts.setdefault(rt, RuntimeInfo(rt, False, reason=f"not installed (pip install {rt})"))
    return dataclasses.replace(probe(FIXTURES / name), runtimes=rts)


def _smoke(bundle, name):
    z = np.load(bundle / f"{name}_smoke.npz")
    return {k[3:]: z[k] for k in z.files if k.startswith("in/")}, {k[4:]: z[k] for k in z.files if k.startswith("out/")}


def _within(got, want, tol):
    got, want = got.ravel().astype(np.float64), want.ravel().astype(np.float64)
    cosine = got @ want / (np.linalg.norm(got) * np.linalg.norm(want))
    return np.abs(got - want).max() <= tol.get("max_abs_err", np.inf) and cosine >= tol.get("min_cosine", -1)


def _first_available(cands):
    return next(c for c in cands if c.status == "planned")


def _manifest(bundle):
    return json.loads((bundle / "manifest.json").read_text())


# --- planning against fixture probes (no EP needed) ---

@pytest.mark.parametrize("fixture, runtimes, profile, first", [
    ("raspberrypi5", {"litert": ("CPU",), "onnxruntime": ("CPUExecutionProvider",)}, "raspberrypi",
     ("litert", "CPU", "tflite", "int8-static", {"num_threads": 4})),
    ("raspberrypi4", {"onnxruntime": ("CPUExecutionProvider",)}, "raspberrypi",  # no LiteRT installed there
     ("onnxruntime", "CPUExecutionProvider", "onnx", "int8-static", {"intra_op_num_threads": 4})),
    ("jetson-orin-nano", {"onnxruntime": ("TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider")}, "jetson",
     ("onnxruntime", "TensorrtExecutionProvider", "onnx", "fp32", None)),
    ("jetson-nano", {"onnxruntime": ("CUDAExecutionProvider", "CPUExecutionProvider")}, "jetson",
     ("onnxruntime", "CUDAExecutionProvider", "onnx", "fp32", {})),
    ("x86-intel-laptop", {rt: None for rt in ALL}, "x86-intel", ("openvino", "CPU", "openvino", "fp32",
                                                                 {"performance_hint": "LATENCY"})),
    ("x86-amd-desktop", {rt: None for rt in ALL}, "x86-amd", ("onnxruntime", "CPUExecutionProvider", "onnx", "int8-static", {})),
])
def test_fixture_probe_selects_profile_and_first_candidate(runtime_bundle, fixture, runtimes, profile, first):
    device = fixture_device(fixture, **runtimes)
    prof = match_profile(device)
    assert prof.name == profile
    cands = plan("encoder", _manifest(runtime_bundle)["components"]["encoder"]["artifacts"], prof, device)
    c = _first_available(cands)
    assert (c.backend, c.device, c.format, c.precision) == first[:4]
    if first[4] is not None:
        assert c.options == first[4]
    else:  # TensorRT: fp16 engines, named as the execution precision, with an engine cache under the home directory
        assert c.execution == "f16" and "trt_fp16_enable" not in c.options["provider_options"]
        assert c.options["provider_options"]["trt_engine_cache_path"].startswith(str(Path.home()))
    if c.device != "TensorrtExecutionProvider":
        assert c.execution == "f32"  # no profile lowers a CPU's precision by default
    for u in cands:  # anything skipped before the first says why
        if cands.index(u) < cands.index(c):
            assert u.status == "unavailable" and u.reason


def test_jetson_without_tensorrt_marks_it_unavailable(runtime_bundle):
    device = fixture_device("jetson-nano", onnxruntime=("CUDAExecutionProvider", "CPUExecutionProvider"))
    cands = plan("encoder", _manifest(runtime_bundle)["components"]["encoder"]["artifacts"], get_profile("jetson"), device)
    trt = [c for c in cands if c.device == "TensorrtExecutionProvider"]
    assert trt and all(c.status == "unavailable" and "TensorrtExecutionProvider is not available" in c.reason for c in trt)
    assert any(c.backend == "litert" and "not installed" in c.reason for c in cands)


# --- real selection on this machine ---

@pytest.mark.parametrize("profile, chosen", [("x86-intel", ("openvino", "openvino", "fp32")),
                                             ("x86-amd", ("onnxruntime", "onnx", "int8-static")),
                                             ("raspberrypi", ("litert", "tflite", "int8-static")),
                                             ("generic", ("onnxruntime", "onnx", "fp32"))])
def test_bundle_with_all_formats_selects_per_profile_and_explains(runtime_bundle, profile, chosen):
    with vidlite.load(runtime_bundle, profile=profile, backend="auto") as model:
        enc = model["encoder"]
        assert (enc.backend, enc.artifact["format"], enc.artifact["precision"]) == chosen
        text = model.explain()
        assert f"profile: {profile}" in text
        rows = model.decisions()
        enc_rows = [r for r in rows if r["component"] == "encoder"]
        # every artifact × capable backend appears, the chosen one with its smoke measures
        assert {(r["format"], r["precision"]) for r in enc_rows} == {(a["format"], a["precision"]) for a in model.manifest["components"]["encoder"]["artifacts"]}
        chosen_rows = [r for r in enc_rows if r["result"] == "chosen"]
        assert len(chosen_rows) == 1 and "smoke max|err|" in chosen_rows[0]["why"]
        # after the chosen one: not tried, or already unavailable when planned (e.g. f16 on a CPU without it)
        assert all(r["result"] in ("not tried", "unavailable") for r in enc_rows[enc_rows.index(chosen_rows[0]) + 1:])
        for r in rows:
            assert r["from"]  # where each candidate came from
            assert r["backend"] in text and r["result"] in text


PINS = ["onnxruntime", "onnxruntime:fp32", "openvino", "openvino:fp32", "litert", "litert:fp32"]


@pytest.mark.parametrize("pin", PINS)
def test_pinning_each_backend_gives_matching_outputs(runtime_bundle, pin):
    inputs, expected = _smoke(runtime_bundle, "encoder")
    with vidlite.load(runtime_bundle, backend=pin, options={"threads": 1}) as model:
        enc = model["encoder"]
        assert enc.backend == pin.split(":")[0]
        if ":" in pin:
            assert enc.artifact["precision"] == pin.split(":")[1]
        out = enc.run(inputs)["logits"]
        assert _within(out, expected["logits"], enc.artifact["smoke_tolerance"])
        tin, texp = _smoke(runtime_bundle, "text")
        emb = model["text"].run(tin)["embedding"]  # int64 tokens in, even where the artifact takes int32
        assert emb.dtype == np.float32
        np.testing.assert_allclose(emb, texp["embedding"], atol=1e-5)
        assert all(c.source.startswith(f"pin {pin}") for cs in model.candidates.values() for c in cs)


@pytest.mark.parametrize("pin", ["onnxruntime:int8", "openvino:int8", "openvino:fp16", "litert:int8-dynamic",
                                 "litert:int8-static"])
def test_reduced_precision_pins_stay_within_their_tolerance(bundle_copy, pin):
    m = _manifest(bundle_copy)
    del m["components"]["text"]  # these precisions exist for the encoder only; a pin never substitutes precision
    (bundle_copy / "manifest.json").write_text(json.dumps(m))
    inputs, expected = _smoke(bundle_copy, "encoder")
    with vidlite.load(bundle_copy, backend=pin) as model:
        enc = model["encoder"]
        assert enc.backend == pin.split(":")[0] and enc.artifact["precision"].startswith(pin.split(":")[1])
        out = model.run(inputs)["logits"]
        assert out.dtype == np.float32 and _within(out, expected["logits"], enc.artifact["smoke_tolerance"])
        if pin == "litert:int8-static":  # int8 in and out: float inputs are quantized, outputs dequantized
            assert enc.session.inputs[0].dtype == "int8" and enc.session.inputs[0].quant is not None
            scale, zero_point = enc.session.inputs[0].quant
            q = np.clip(np.rint(inputs["image"] / scale) + zero_point, -128, 127).astype(np.int8)
            np.testing.assert_array_equal(model.run({"image": q})["logits"], out)  # int8 passes straight through


def test_env_pin_and_pins_that_cannot_be_honoured(runtime_bundle, monkeypatch):
    monkeypatch.setenv("VIDLITE_BACKEND", "litert")
    with vidlite.load(runtime_bundle) as model:
        assert model["encoder"].backend == "litert" and str(model.pin) == "litert"
    with vidlite.load(runtime_bundle, backend="auto", profile="x86-amd") as model:  # "auto" overrides the env
        assert model["encoder"].backend == "onnxruntime"
    monkeypatch.delenv("VIDLITE_BACKEND")
    with pytest.raises(PinError, match="Core ML runs only on macOS"):
        vidlite.load(runtime_bundle, backend="coreml")
    with pytest.raises(PinError, match="no artifact openvino can open at that precision"):
        vidlite.load(runtime_bundle, backend="openvino:int8-dynamic")
    with pytest.raises(PinError, match="silently fell back"):
        vidlite.load(runtime_bundle, backend="onnxruntime@CUDAExecutionProvider")
    for bad, msg in (("tensorrt", "unknown backend"), ("onnxruntime:int4", "unknown precision"), ("onnx runtime", "expected backend")):
        with pytest.raises(PinError, match=msg):
            vidlite.load(runtime_bundle, backend=bad)


# --- falling back, with the reason shown ---

def test_flipped_byte_in_artifact_refuses_the_bundle_unless_partial_use_is_asked_for(bundle_copy):
    path = bundle_copy / "onnx/encoder.int8.onnx"
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF
    path.write_bytes(bytes(data))
    for backend in ("auto", "onnxruntime:int8"):  # never a silent fall-back to another artifact
        with pytest.raises(IntegrityError, match=r"damaged or altered.*onnx/encoder\.int8\.onnx: sha256.*allow_partial_bundle"):
            vidlite.load(bundle_copy, profile="x86-amd", backend=backend)
    with vidlite.load(bundle_copy, profile="x86-amd", allow_partial_bundle=True) as model:
        first, second = model.candidates["encoder"][:2]
        assert first.status == "rejected" and first.reason.startswith("DAMAGED") and "sha256" in first.reason
        assert second.status == "chosen" and (second.backend, second.format, second.precision) == ("onnxruntime", "onnx", "fp32")
        assert model.damaged() and "WARNING: this bundle is damaged; 1 artifact(s) skipped" in model.explain()
    with pytest.raises(PinError, match="sha256"):  # the pin's only artifact is the damaged one
        vidlite.load(bundle_copy, backend="onnxruntime:int8", allow_partial_bundle=True)


def test_missing_artifact_refuses_the_bundle_unless_partial_use_is_asked_for(bundle_copy):
    (bundle_copy / "openvino/encoder.bin").unlink()
    with pytest.raises(IntegrityError, match="openvino/encoder.bin: listed in the manifest but missing"):
        vidlite.load(bundle_copy, profile="x86-intel")
    with vidlite.load(bundle_copy, profile="x86-intel", allow_partial_bundle=True) as model:
        first = model.candidates["encoder"][0]
        assert (first.format, first.precision, first.status) == ("openvino", "fp32", "rejected")
        assert "openvino/encoder.bin: listed in the manifest but missing" in first.reason
        assert model["encoder"].artifact["precision"] == "fp16"
        assert "missing" in model.explain() and "DAMAGED" in model.explain()


def test_failing_provider_falls_back_with_the_reason(runtime_bundle):
    # A Jetson Orin probe planned here: TensorRT and CUDA are claimed but this onnxruntime lacks them,
    # so ORT would silently run on CPU — each is rejected, and LiteRT int8 (next in the profile) wins.
    device = fixture_device("jetson-orin-nano", onnxruntime=None, litert=None)
    with vidlite.load(runtime_bundle, device=device) as model:
        cands = model.candidates["encoder"]
        gpu = [c for c in cands if c.device in ("TensorrtExecutionProvider", "CUDAExecutionProvider")]
        assert gpu and all(c.status == "rejected" and "silently fell back to CPUExecutionProvider" in c.reason for c in gpu)
        assert (model["encoder"].backend, model["encoder"].artifact["precision"]) == ("litert", "int8-static")
        assert model.profile.name == "jetson"


def test_backend_not_installed_and_failed_smoke_fall_back(bundle_copy):
    m = _manifest(bundle_copy)
    for art in m["components"]["encoder"]["artifacts"]:
        if (art["format"], art["precision"]) == ("onnx", "int8-static"):
            art["smoke_tolerance"] = {"max_abs_err": 1e-9}  # int8 cannot meet this
    (bundle_copy / "manifest.json").write_text(json.dumps(m))
    device = fixture_device("x86-amd-desktop", onnxruntime=None, litert=None)  # no OpenVINO on that machine
    with vidlite.load(bundle_copy, device=device) as model:
        cands = model.candidates["encoder"]
        assert "smoke test failed: output 'logits': max abs error" in cands[0].reason
        assert all("not installed" in c.reason for c in cands if c.backend == "openvino")
        assert model["encoder"].artifact["precision"] == "fp32" and model["encoder"].backend == "onnxruntime"


def test_failed_export_verification_is_not_tried(bundle_copy):
    m = _manifest(bundle_copy)
    for art in m["components"]["encoder"]["artifacts"]:
        art.update(verified="failed", verified_reason="parity 0.3 over budget")
    (bundle_copy / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(NoUsableBackendError, match="parity 0.3 over budget"):
        vidlite.load(bundle_copy)


def test_nothing_usable_says_why(runtime_bundle):
    device = fixture_device("raspberrypi4")  # no runtime installed at all
    with pytest.raises(NoUsableBackendError, match="not installed") as e:
        vidlite.load(runtime_bundle, device=device)
    assert "profile: raspberrypi" in str(e.value)


# --- the Model object ---

def test_model_api(runtime_bundle):
    model = vidlite.load(runtime_bundle, backend="onnxruntime")
    assert model.task == "generate" and model.root == runtime_bundle and model.components == ["encoder", "text"]
    assert model.component("encoder") is model["encoder"]
    assert [t["name"] for t in model["encoder"].inputs] == ["image"] and model["text"].artifact["format"] == "onnx"
    assert model.file("encoder_smoke.npz").is_file()
    assert (model.preprocess.width, model.preprocess.layout) == (32, "nchw")
    with pytest.raises(KeyError, match="no component 'decoder'"):
        model["decoder"]
    with pytest.raises(vidlite.errors.VidliteError, match="single-component"):
        model.run({})
    with pytest.raises(vidlite.errors.VidliteError, match=r"unknown key\(s\) \['thread'\]"):
        vidlite.load(runtime_bundle, options={"thread": 2})
    with pytest.raises(vidlite.errors.BackendError, match="must be float32"):
        model["encoder"].run({"image": np.zeros((1, 3, 32, 32), np.int64)})
    with pytest.raises(vidlite.errors.BackendError, match="missing input"):
        model["encoder"].run({"img": np.zeros((1, 3, 32, 32), np.float32)})
    assert "Model('runtime-test'" in repr(model)
    model.close()
    with pytest.raises(vidlite.errors.BackendError, match="closed"):
        model["encoder"].run(_smoke(runtime_bundle, "encoder")[0])


def test_auto_selection_on_this_machine(runtime_bundle):
    with vidlite.load(runtime_bundle, backend="auto") as model:
        assert model.profile.name == match_profile(probe(deep=False)).name
        assert all(r.candidate.status == "chosen" for r in (model["encoder"], model["text"]))


def test_load_a_zipped_bundle(runtime_bundle, tmp_path, monkeypatch):
    import shutil

    monkeypatch.setenv("VIDLITE_CACHE", str(tmp_path / "cache"))
    zpath = shutil.make_archive(str(tmp_path / "packed"), "zip", runtime_bundle)
    inputs, expected = _smoke(runtime_bundle, "encoder")
    with vidlite.load(zpath, backend="onnxruntime:fp32") as model:
        assert model.root.is_relative_to(tmp_path / "cache")
        np.testing.assert_allclose(model["encoder"].run(inputs)["logits"], expected["logits"], atol=1e-5)


def test_profiles_are_well_formed_and_bad_ones_are_named(tmp_path, monkeypatch):
    from vidlite.errors import VidliteError
    from vidlite.runtime import all_profiles

    names = {p.name for p in all_profiles()}
    assert names == {"raspberrypi", "jetson", "android", "ios", "macos", "x86-intel", "x86-amd", "generic"}
    for p in all_profiles():
        assert Path(p.path).parent.name == p.name and p.candidates and (Path(p.path).parent / "README.md").is_file()
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd/profile.json").write_text(json.dumps(
        {"name": "odd", "match": {}, "candidates": [{"backend": "litert", "format": "onnx", "precision": "fp32"}]}))
    monkeypatch.setenv("VIDLITE_PLATFORMS", str(tmp_path))
    with pytest.raises(VidliteError, match=r"odd/profile.json candidates\[0\]: backend litert does not open format 'onnx'"):
        all_profiles()


def test_artifact_whose_io_disagrees_with_the_manifest_is_rejected(bundle_copy):
    m = _manifest(bundle_copy)
    m["components"]["text"]["inputs"].append({"name": "lengths", "dtype": "int64", "shape": [1]})
    (bundle_copy / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(PinError, match=r"does not match the manifest: .*lists inputs \['tokens', 'lengths'\]"):
        vidlite.load(bundle_copy, backend="onnxruntime")


def test_unranked_artifacts_try_the_backends_own_format_first():
    # int8-weight-only is ranked by no profile: a pinned OpenVINO must still get its own IR, not the ONNX file.
    arts = [{"format": fmt, "precision": "int8-weight-only", "verified": "numeric"} for fmt in ("onnx", "openvino")]
    device = fixture_device("x86-intel-laptop", openvino=("CPU",), onnxruntime=("CPUExecutionProvider",))
    cands = plan("text_encoder", arts, get_profile("x86-intel"), device, pin=Pin.parse("openvino:int8"))
    assert [(c.backend, c.format) for c in cands] == [("openvino", "openvino"), ("openvino", "onnx")]
    assert all("not ranked by x86-intel" in c.source for c in cands)
