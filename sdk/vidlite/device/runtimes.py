"""Installed inference runtimes and what each can really use.

A quick probe (`deep=False`) only checks that each runtime's module can be found, so selection does
not import runtimes it will not use (versions and devices then read as unknown); a deep probe imports each one and lists its execution providers / devices /
delegates. Neither ever raises: a runtime that fails to import is recorded with the reason.
"""
from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RuntimeInfo:
    name: str
    installed: bool
    version: str | None = None
    module: str | None = None                 # the import name that provides it
    devices: tuple[str, ...] | None = None    # EPs / devices / delegates; None = not probed (deep=False)
    details: dict = field(default_factory=dict)
    reason: str = ""                          # why it is absent or limited


def _version(*dists: str) -> tuple[str | None, str | None]:
    import importlib.metadata as md  # scanning installed distributions is slow: deep probes only

    for dist in dists:
        try:
            return md.version(dist), dist
        except md.PackageNotFoundError:
            continue
    return None, None


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _absent(name: str, reason: str) -> RuntimeInfo:
    return RuntimeInfo(name, False, reason=reason)


def probe_onnxruntime(os_name: str, deep: bool) -> RuntimeInfo:
    if not _has_module("onnxruntime"):
        return _absent("onnxruntime", "not installed (pip install onnxruntime)")
    if not deep:
        return RuntimeInfo("onnxruntime", True, module="onnxruntime")
    version, dist = _version("onnxruntime", "onnxruntime-gpu", "onnxruntime-openvino", "onnxruntime-directml",
                             "onnxruntime-qnn", "onnxruntime-silicon")
    ort = importlib.import_module("onnxruntime")
    return RuntimeInfo("onnxruntime", True, ort.__version__, "onnxruntime", tuple(ort.get_available_providers()),
                       {"distribution": dist, "device": ort.get_device()})


def probe_openvino(os_name: str, deep: bool) -> RuntimeInfo:
    if not _has_module("openvino"):
        return _absent("openvino", "not installed (pip install openvino)")
    if not deep:
        return RuntimeInfo("openvino", True, module="openvino")
    ov = importlib.import_module("openvino")
    core = ov.Core()
    names = {}
    for dev in core.available_devices:
        try:
            names[dev] = core.get_property(dev, "FULL_DEVICE_NAME")
        except Exception as e:  # a device plug-in that cannot answer is still listed
            names[dev] = f"(name unavailable: {e})"
    return RuntimeInfo("openvino", True, ov.get_version().split("-")[0], "openvino", tuple(core.available_devices),
                       {"device_names": names})


def _litert_module() -> str | None:
    for module in ("ai_edge_litert", "tflite_runtime"):
        if _has_module(module):
            return module
    return None


def probe_litert(os_name: str, deep: bool) -> RuntimeInfo:
    module = _litert_module()
    if module is None:
        return _absent("litert", "not installed (pip install ai-edge-litert, or tflite-runtime with numpy<2)")
    if not deep:
        return RuntimeInfo("litert", True, module=module)
    version, dist = _version("ai-edge-litert", "ai-edge-litert-nightly") if module == "ai_edge_litert" else _version("tflite-runtime")
    try:
        importlib.import_module(f"{module}.interpreter")
    except Exception as e:  # tflite-runtime 2.14 with numpy 2: "_ARRAY_API not found"
        return RuntimeInfo("litert", False, version, module, reason=f"{module} is installed but fails to import: {e}")
    import ctypes.util

    devices = ["CPU"]  # CPU runs through XNNPACK, built into the interpreter
    if ctypes.util.find_library("edgetpu"):
        devices.append("EdgeTPU")
    return RuntimeInfo("litert", True, version, module, tuple(devices), {"distribution": dist, "cpu_delegate": "XNNPACK"})


def probe_coreml(os_name: str, deep: bool) -> RuntimeInfo:
    if os_name not in ("macos", "ios"):
        return _absent("coreml", f"Core ML runs only on macOS and iOS (this is {os_name})")
    if not _has_module("CoreML"):
        return _absent("coreml", "the Core ML binding is not installed (pip install 'vidlite[coreml]')")
    if not deep:
        return RuntimeInfo("coreml", True, module="CoreML")
    return RuntimeInfo("coreml", True, _version("pyobjc-framework-CoreML")[0], "CoreML",
                       ("ALL", "CPU_ONLY", "CPU_AND_GPU", "CPU_AND_NE"))


PROBES = {"onnxruntime": probe_onnxruntime, "openvino": probe_openvino, "litert": probe_litert, "coreml": probe_coreml}


def probe_runtimes(os_name: str, deep: bool) -> dict[str, RuntimeInfo]:
    out = {}
    for name, fn in PROBES.items():
        try:
            out[name] = fn(os_name, deep)
        except Exception as e:
            out[name] = _absent(name, f"probe failed: {type(e).__name__}: {e}")
    return out
