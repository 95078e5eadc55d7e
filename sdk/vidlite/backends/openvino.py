"""OpenVINO plug-in: IR (.xml + .bin) or ONNX on CPU / GPU / NPU with performance hints.

The execution precision is always set, never left to the plug-in: OpenVINO's default computes in bf16
on CPUs with AVX-512 BF16 or AMX, in f16 on ARM CPUs with fp16 arithmetic and on GPUs, so an fp32
artifact would run in a precision nobody chose. After compiling, the precision the plug-in reports is
read back; a device that cannot compute in the precision asked for is a load failure.
"""
from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from vidlite.backends.base import Backend, Session, TensorInfo
from vidlite.backends.precision import BF16, F16, F32
from vidlite.bundle.archive import cache_dir
from vidlite.errors import BackendError

# Friendly profile keys → OpenVINO property names; upper-case keys pass through as raw properties.
_PROPERTIES = {"performance_hint": "PERFORMANCE_HINT", "num_threads": "INFERENCE_NUM_THREADS",
               "num_streams": "NUM_STREAMS", "cache_dir": "CACHE_DIR"}
_PRECISION_HINT = "INFERENCE_PRECISION_HINT"
# execution precision → the OPTIMIZATION_CAPABILITIES entry a device must list to compute in it
_CAPABILITY = {BF16: "BF16", F16: "FP16"}


def precision_hint(execution: str) -> dict:
    """The compile property that makes OpenVINO compute in `execution` (the exporter verifies with it too)."""
    return {_PRECISION_HINT: execution}


def _execution_in_force(compiled) -> str:
    """What the compiled model computes its float operations in, as OpenVINO reports it."""
    return compiled.get_property(_PRECISION_HINT).get_type_name()


@functools.lru_cache(maxsize=1)
def _core():
    import openvino as ov

    return ov.Core()


def _default_cache() -> str:
    path = cache_dir("openvino")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return ""  # a read-only home: compile every time rather than fail
    return str(path) if os.access(path, os.W_OK) else ""


def _info(port, i: int, kind: str) -> TensorInfo:
    shape = tuple(d.get_length() if d.is_static else None for d in port.get_partial_shape())
    names = port.get_names()
    name = port.get_any_name() if names else f"{kind}_{i}"  # unnamed ports: matched by position
    return TensorInfo(name, np.dtype(port.get_element_type().to_dtype()).name, shape)


class OvSession(Session):
    backend = "openvino"  # an InferRequest is single-threaded: runs are serialised by the base lock

    def __init__(self, compiled, device):
        super().__init__(device, [_info(p, i, "input") for i, p in enumerate(compiled.inputs)],
                         [_info(p, i, "output") for i, p in enumerate(compiled.outputs)], _execution_in_force(compiled))
        self._compiled = compiled
        self._request = compiled.create_infer_request()

    def _run(self, feeds):
        result = self._request.infer([feeds[t.name] for t in self.inputs])
        return {t.name: np.array(result[port], copy=True) for t, port in zip(self.outputs, self._compiled.outputs)}

    def _close(self):
        self._request = self._compiled = None


class OpenVinoBackend(Backend):
    name = "openvino"
    formats = ("openvino", "onnx")

    def load(self, path: Path, device: str | None = None, options: dict | None = None,
             execution: str = F32) -> Session:
        device = device or self.default_device
        core = _core()
        base = device.split(".")[0].split(":")[-1]
        if base not in ("AUTO", "HETERO", "MULTI") and device not in core.available_devices:
            raise BackendError(f"OpenVINO device {device} is not available here (available: {', '.join(core.available_devices)})")
        if execution in _CAPABILITY and base not in ("AUTO", "HETERO", "MULTI"):
            capabilities = core.get_property(device, "OPTIMIZATION_CAPABILITIES")
            if _CAPABILITY[execution] not in capabilities:
                raise BackendError(f"OpenVINO {device} cannot compute in {execution} here "
                                   f"(its capabilities: {', '.join(capabilities)})")
        # Compiled-model cache (a third of a small model's start-up); "cache_dir": "" turns it off.
        options = {"cache_dir": _default_cache(), **(options or {})}
        if not options["cache_dir"]:
            del options["cache_dir"]
        config = {}
        for key, value in options.items():
            prop = _PROPERTIES.get(key, key if key.isupper() else None)
            if prop is None:
                raise BackendError(f"openvino: unknown option {key!r}; expected one of {sorted(_PROPERTIES)} or an OpenVINO property name")
            if prop == _PRECISION_HINT:
                raise BackendError(f"openvino: {key!r} is not an option: name the execution precision instead "
                                   f"(pin 'openvino:fp32@bf16', load(options={{'execution_precision': 'bf16'}}) "
                                   f"or a profile candidate's \"execution\")")
            config[prop] = str(value)
        config.update(precision_hint(execution))
        try:
            compiled = core.compile_model(str(path), device, config)  # by path, so the cache can skip reading it
        except Exception as e:
            raise BackendError(f"OpenVINO could not compile {Path(path).name} for {device}: {e}") from e
        session = OvSession(compiled, device)
        if session.execution != execution:
            session.close()
            raise BackendError(f"OpenVINO {device} was asked to compute in {execution} but reports {session.execution}")
        return session


BACKEND = OpenVinoBackend()
