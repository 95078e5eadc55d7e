"""LiteRT plug-in: ai-edge-litert or tflite-runtime, whichever is installed; XNNPACK on CPU, EdgeTPU delegate.

The interpreter is not thread-safe: runs are serialised by the base lock. Tensors follow the
model's own input order (the order the exporter passed arguments in).

Execution precision: XNNPACK computes float operations in f32 (fp16 artifacts' weights are widened)
unless the model carries reduced-precision metadata or the app forces fp16 through the delegate's
flags, which the Python interpreters do not expose; so LiteRT runs f32 only.
"""
from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np

from vidlite.backends.base import Backend, Session, TensorInfo
from vidlite.backends.precision import F32
from vidlite.device.runtimes import _litert_module
from vidlite.errors import BackendError

_DELEGATE_LIBS = {"EdgeTPU": "libedgetpu.so.1"}


def _info(d) -> TensorInfo:
    sig = d.get("shape_signature", d["shape"])
    scale, zero_point = d.get("quantization", (0.0, 0))
    quant = (float(scale), int(zero_point)) if scale else None  # fully-int8 models: int8 in, int8 out
    return TensorInfo(d["name"], np.dtype(d["dtype"]).name, tuple(int(x) if x >= 0 else None for x in sig), quant)


class LiteRtSession(Session):
    backend = "litert"

    def __init__(self, interp, device):
        self._interp = interp
        self._in = interp.get_input_details()
        self._out = interp.get_output_details()
        super().__init__(device, [_info(d) for d in self._in], [_info(d) for d in self._out])

    def _run(self, feeds):
        interp = self._interp
        resized = False
        for d in self._in:
            x = feeds[d["name"]]
            if tuple(x.shape) != tuple(d["shape"]):
                interp.resize_tensor_input(d["index"], list(x.shape), strict=False)
                resized = True
        if resized:
            interp.allocate_tensors()
            self._in, self._out = interp.get_input_details(), interp.get_output_details()
        for d in self._in:
            x = feeds[d["name"]]
            if x.dtype != d["dtype"]:
                raise BackendError(f"litert: input {d['name']!r} must be {np.dtype(d['dtype']).name}, got {x.dtype} "
                                   "(set the artifact's io_dtypes)")
            interp.set_tensor(d["index"], np.ascontiguousarray(x))
        interp.invoke()
        return {t.name: interp.get_tensor(d["index"]).copy() for t, d in zip(self.outputs, self._out)}

    def _close(self):
        self._interp = None


class LiteRtBackend(Backend):
    name = "litert"
    formats = ("tflite",)
    default_device = "CPU"

    def load(self, path: Path, device: str | None = None, options: dict | None = None,
             execution: str = F32) -> Session:
        device = device or self.default_device
        options = dict(options or {})
        if execution != F32:
            raise BackendError(f"litert cannot compute in {execution}: the LiteRT Python interpreter cannot ask "
                               "XNNPACK for reduced precision; export an fp16 or int8 artifact instead")
        module = _litert_module()
        if module is None:
            raise BackendError("litert: neither ai-edge-litert nor tflite-runtime is installed")
        mod = importlib.import_module(f"{module}.interpreter")
        kwargs = {"model_path": str(path)}
        if "num_threads" in options:
            kwargs["num_threads"] = int(options.pop("num_threads"))
        if device != "CPU":
            lib = _DELEGATE_LIBS.get(device)
            if lib is None:
                raise BackendError(f"litert: unknown device {device!r}; expected CPU or one of {sorted(_DELEGATE_LIBS)}")
            try:
                kwargs["experimental_delegates"] = [mod.load_delegate(lib)]
            except Exception as e:
                raise BackendError(f"litert: the {device} delegate ({lib}) did not load: {e}") from e
        if options:
            raise BackendError(f"litert: unknown option(s) {sorted(options)}; expected num_threads")
        try:
            interp = mod.Interpreter(**kwargs)
            interp.allocate_tensors()
        except Exception as e:
            raise BackendError(f"litert could not load {Path(path).name}: {e}") from e
        return LiteRtSession(interp, device)


BACKEND = LiteRtBackend()
