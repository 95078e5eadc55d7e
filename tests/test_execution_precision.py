"""Execution precision: the precision a bundle names is the precision the device computes in.

OpenVINO's CPU plug-in computes in bf16 by default on CPUs with AVX-512 BF16 / AMX (f16 on ARM with
fp16 arithmetic), so whether a library default would lower precision depends on the host. These
tests say which host feature they depend on and test both ways where the host allows: OpenVINO's
own default forced to bf16 and to f32, and a named bf16 pin that runs where the CPU has bf16 and is
refused, with the reason, where it has not.
"""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import vidlite
from vidlite.backends import get_backend
from vidlite.backends.precision import cpu_lacks, normalize
from vidlite.errors import BackendError, PinError, VidliteError
from vidlite.runtime.plan import Pin, plan
from vidlite.runtime.profiles import Profile, get_profile
from vidlite.runtime.smoke import compare, load_smoke

from test_selection import _manifest, fixture_device

ALL = {rt: None for rt in ("onnxruntime", "openvino", "litert")}


def _ov_capabilities() -> list[str]:
    ov = pytest.importorskip("openvino")
    return list(ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES"))


def _host_has_bf16() -> bool:
    return "BF16" in _ov_capabilities()


# --- the vocabulary and the pin -------------------------------------------------------------------

@pytest.mark.parametrize("text, want", [
    ("openvino:fp32@bf16", Pin("openvino", "fp32", None, "bf16")),
    ("openvino:fp32@bf16@CPU", Pin("openvino", "fp32", "CPU", "bf16")),
    ("openvino:fp32@CPU@BF16", Pin("openvino", "fp32", "CPU", "bf16")),
    ("onnxruntime:fp32@CUDAExecutionProvider", Pin("onnxruntime", "fp32", "CUDAExecutionProvider", None)),
    ("coreml:fp16@fp16@ALL", Pin("coreml", "fp16", "ALL", "f16")),
    ("litert", Pin("litert")),
])
def test_pin_names_the_execution_precision_beside_the_device(text, want):
    pin = Pin.parse(text)
    assert pin == want
    assert Pin.parse(str(pin)) == pin  # printed as it is parsed


@pytest.mark.parametrize("text, match", [("openvino:fp32@bf16@f16", "two execution precisions"),
                                         ("openvino:fp32@CPU@GPU", "two devices"),
                                         ("openvino:fp32@bf16@CPU@GPU", "expected backend")])
def test_pin_with_two_of_a_kind_is_refused(text, match):
    with pytest.raises(PinError, match=match):
        Pin.parse(text)


def test_execution_precision_names_and_cpu_features():
    assert normalize("bfloat16") == "bf16" and normalize("FP16") == "f16" and normalize("fp32") == "f32"
    with pytest.raises(VidliteError, match=r"'int8'.*expected one of \['f32', 'bf16', 'f16'\]"):
        normalize("int8")
    assert cpu_lacks("bf16", ("avx2", "avx512_bf16")) is None and cpu_lacks("bf16", ("amx_bf16",)) is None
    assert "no bf16 arithmetic" in cpu_lacks("bf16", ("avx2", "avx512f"))
    assert "no f16 arithmetic" in cpu_lacks("f16", ("neon", "dotprod")) and cpu_lacks("f16", ("neon", "fp16")) is None
    assert cpu_lacks("f32", ()) is None


# --- planning: reduced precision only where named, only where the CPU has it ------------------------

def test_no_profile_lowers_a_cpu_candidate_without_naming_it(runtime_bundle):
    arts = _manifest(runtime_bundle)["components"]["encoder"]["artifacts"]
    for fixture, profile in [("x86-intel-laptop", "x86-intel"), ("x86-amd-desktop", "x86-amd"),
                             ("raspberrypi5", "raspberrypi"), ("android-pixel8", "android")]:
        device = fixture_device(fixture, **ALL)
        for c in plan("encoder", arts, get_profile(profile), device):
            entry = get_profile(profile).candidates[int(c.source.split("#")[1]) - 1] if "#" in c.source else {}
            assert c.execution == entry.get("execution", "f32"), (profile, c.label())


def test_bf16_candidates_are_unavailable_where_the_cpu_has_no_bf16(runtime_bundle):
    arts = _manifest(runtime_bundle)["components"]["encoder"]["artifacts"]
    plain = fixture_device("x86-amd-desktop", **ALL)
    assert "avx512_bf16" not in plain.cpu.features
    with_bf16 = dataclasses.replace(plain, cpu=dataclasses.replace(plain.cpu, features=(*plain.cpu.features, "avx512_bf16")))
    pin = Pin.parse("openvino:fp32@bf16")
    refused = plan("encoder", arts, get_profile("x86-amd"), plain, pin)
    assert refused and all(c.status == "unavailable" and "no bf16 arithmetic" in c.reason for c in refused)
    offered = plan("encoder", arts, get_profile("x86-amd"), with_bf16, pin)
    assert offered[0].status == "planned" and offered[0].execution == "bf16" and "in bf16" in offered[0].label()


def test_a_pin_that_names_no_execution_precision_gets_f32_even_where_a_profile_ranks_bf16(runtime_bundle):
    arts = _manifest(runtime_bundle)["components"]["encoder"]["artifacts"]
    device = fixture_device("x86-intel-laptop", **ALL)
    device = dataclasses.replace(device, cpu=dataclasses.replace(device.cpu, features=(*device.cpu.features, "amx_bf16")))
    ranked = Profile("bf16-first", "", {}, (
        {"backend": "openvino", "format": "openvino", "precision": ["fp32"], "device": "CPU", "execution": "bf16"},
        {"backend": "openvino", "format": "openvino", "precision": ["fp32"], "device": "CPU"}), "-")
    auto = plan("encoder", arts, ranked, device)
    assert [c.execution for c in auto[:2]] == ["bf16", "f32"]  # the profile names bf16 first
    pinned = plan("encoder", arts, ranked, device, Pin.parse("openvino:fp32"))
    assert {c.execution for c in pinned} == {"f32"}
    named = plan("encoder", arts, ranked, device, options={"execution_precision": "bfloat16"})
    assert {c.execution for c in named} == {"bf16"}


# --- OpenVINO on this host ------------------------------------------------------------------------

@pytest.mark.parametrize("library_default", ["bf16", "f32"])
def test_openvino_computes_fp32_artifacts_in_f32_whatever_its_own_default(runtime_bundle, library_default):
    """Host-dependent: OpenVINO's default is bf16 on AVX-512 BF16 / AMX CPUs. Forced on and off here."""
    if library_default == "bf16" and not _host_has_bf16():
        pytest.skip(f"this CPU has no BF16 (OpenVINO capabilities: {_ov_capabilities()}): its default cannot be bf16")
    from vidlite.backends.openvino import _core

    ort = get_backend("onnxruntime").load(runtime_bundle / "onnx/encoder.onnx")
    inputs, _ = load_smoke(runtime_bundle / "encoder_smoke.npz")
    want = ort.run(inputs)["logits"]
    core = _core()
    before = core.get_property("CPU", "INFERENCE_PRECISION_HINT")
    try:
        core.set_property("CPU", {"INFERENCE_PRECISION_HINT": library_default})
        for path in ("openvino/encoder.xml", "onnx/encoder.onnx"):
            with get_backend("openvino").load(runtime_bundle / path, "CPU", {"cache_dir": ""}) as session:
                assert session.execution == "f32"
                got = session.run(inputs)["logits"]
            assert np.abs(got - want).max() < 1e-5, (path, library_default)
    finally:
        core.set_property("CPU", {"INFERENCE_PRECISION_HINT": before})


def test_named_bf16_runs_where_the_cpu_has_it_and_is_refused_where_not(runtime_bundle):
    """Host-dependent: with BF16 the pin loads, computes in bf16 (read back) and stays within its
    tolerance; without, it is refused naming the missing arithmetic."""
    if not _host_has_bf16():
        with pytest.raises(PinError, match="no bf16 arithmetic"):
            vidlite.load(runtime_bundle, backend="openvino:fp32@bf16")
        return
    with vidlite.load(runtime_bundle, backend="openvino:fp32@bf16") as model, \
            vidlite.load(runtime_bundle, backend="openvino:fp32") as exact:
        enc = model["encoder"]
        assert enc.session.execution == "bf16" and exact["encoder"].session.execution == "f32"
        row = next(r for r in model.decisions() if r["component"] == "encoder" and r["result"] == "chosen")
        assert row["execution"] == "bf16" and "openvino:fp32@bf16" in row["from"]
        assert " bf16 " in model.explain()
        inputs, _ = load_smoke(runtime_bundle / "encoder_smoke.npz")
        reduced, full = enc.run(inputs)["logits"], exact["encoder"].run(inputs)["logits"]
        m = compare(reduced, full)
        assert m["max_abs_err"] > 0, "bf16 execution gave bit-identical results: it did not run in bf16"
        assert m["cosine"] >= 0.995


def test_openvino_refuses_a_precision_property_passed_as_an_option(runtime_bundle):
    with pytest.raises(BackendError, match="name the execution precision instead"):
        get_backend("openvino").load(runtime_bundle / "openvino/encoder.xml", "CPU", {"INFERENCE_PRECISION_HINT": "bf16"})
    with pytest.raises(BackendError, match="unknown option 'inference_precision'"):
        get_backend("openvino").load(runtime_bundle / "openvino/encoder.xml", "CPU", {"inference_precision": "f32"})


# --- the other backends ---------------------------------------------------------------------------

def test_onnxruntime_and_litert_refuse_what_they_cannot_compute_in(runtime_bundle):
    with pytest.raises(BackendError, match="CPU provider cannot compute in bf16"):
        get_backend("onnxruntime").load(runtime_bundle / "onnx/encoder.onnx", execution="bf16")
    with pytest.raises(BackendError, match="litert cannot compute in f16"):
        get_backend("litert").load(runtime_bundle / "tflite/encoder.tflite", execution="f16")
    with get_backend("onnxruntime").load(runtime_bundle / "onnx/encoder.onnx") as s:
        assert s.execution == "f32"
    # the planner refuses first where the CPU has no bf16 at all; LiteRT itself refuses where it has
    with pytest.raises(PinError, match="litert cannot compute in bf16|this CPU has no bf16 arithmetic"):
        vidlite.load(runtime_bundle, backend="litert:fp32@bf16")


def test_onnxruntime_precision_options_per_provider():
    from vidlite.backends.onnxruntime import execution_options

    assert execution_options("TensorrtExecutionProvider", "f16") == (
        {}, {"trt_fp16_enable": "True", "trt_bf16_enable": "False"})
    assert execution_options("TensorrtExecutionProvider", "f32")[1]["trt_fp16_enable"] == "False"
    assert execution_options("CUDAExecutionProvider", "f32") == ({}, {"use_tf32": "0"})  # TF32 is CUDA's default
    assert execution_options("CPUExecutionProvider", "bf16", machine="aarch64") == (
        {"mlas.enable_gemm_fastmath_arm64_bfloat16": "1"}, {})
    with pytest.raises(BackendError, match="bf16 GEMMs exist only on ARM64"):
        execution_options("CPUExecutionProvider", "bf16", machine="x86_64")


def test_onnxruntime_refuses_precision_set_through_provider_options(runtime_bundle):
    """Checked before the provider is asked for: CUDA's TF32 switch in a profile's options would lower f32."""
    with pytest.raises(BackendError, match=r"\['use_tf32'\] set the precision; name the execution precision"):
        get_backend("onnxruntime").load(runtime_bundle / "onnx/encoder.onnx", "CUDAExecutionProvider",
                                        {"provider_options": {"use_tf32": "1"}}, "f32")


def test_coreml_keeps_f32_off_the_neural_engine():
    from vidlite.backends.coreml import check_units

    check_units("CPU_AND_GPU", "f32")
    check_units("ALL", "f16")
    with pytest.raises(BackendError, match="Neural Engine, which computes only in f16"):
        check_units("ALL", "f32")
    with pytest.raises(BackendError, match="f32 or f16, not bf16"):
        check_units("CPU_ONLY", "bf16")
    assert get_backend("coreml").default_device == "CPU_AND_GPU"


def test_raspberry_pi_profile_names_f16_only_where_the_core_has_it(runtime_bundle):
    arts = _manifest(runtime_bundle)["components"]["encoder"]["artifacts"]
    for fixture, has_fp16 in [("raspberrypi5", True), ("raspberrypi4", False)]:
        device = fixture_device(fixture, **ALL)
        assert ("fp16" in device.cpu.features) is has_fp16
        ov = [c for c in plan("encoder", arts, get_profile("raspberrypi"), device) if c.backend == "openvino"]
        f16 = [c for c in ov if c.execution == "f16"]
        assert f16 and ov.index(f16[0]) < ov.index(next(c for c in ov if c.execution == "f32"))
        for c in f16:
            assert (c.status == "planned") if has_fp16 else ("no f16 arithmetic" in c.reason)
