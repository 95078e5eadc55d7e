"""Core ML plug-in (macOS / iOS only): an .mlpackage or .mlmodel run through coremltools' MLModel.

Elsewhere the device probe reports Core ML as unavailable with the reason, and this module never
imports coremltools. Predictions are serialised by the base lock.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from vidlite.backends.base import Backend, Session, TensorInfo
from vidlite.errors import BackendError

_UNITS = {"ALL", "CPU_ONLY", "CPU_AND_GPU", "CPU_AND_NE"}


class CoreMlSession(Session):
    backend = "coreml"

    def __init__(self, model, device):
        spec = model.get_spec().description
        super().__init__(device, [TensorInfo(i.name, "float32", ()) for i in spec.input],
                         [TensorInfo(o.name, "float32", ()) for o in spec.output])
        self._model = model

    def _run(self, feeds):
        out = self._model.predict({t.name: feeds[t.name] for t in self.inputs})
        return {t.name: np.asarray(out[t.name]) for t in self.outputs}

    def _close(self):
        self._model = None


class CoreMlBackend(Backend):
    name = "coreml"
    formats = ("coreml",)
    default_device = "ALL"

    def load(self, path: Path, device: str | None = None, options: dict | None = None) -> Session:
        device = device or self.default_device
        if device not in _UNITS:
            raise BackendError(f"coreml: device must be one of {sorted(_UNITS)} (compute units), got {device!r}")
        if options:
            raise BackendError(f"coreml: unknown option(s) {sorted(options)}")
        import platform

        if platform.system() != "Darwin":
            raise BackendError(f"Core ML runs only on macOS and iOS (this is {platform.system()})")
        import coremltools as ct

        try:
            model = ct.models.MLModel(str(path), compute_units=getattr(ct.ComputeUnit, device))
        except Exception as e:
            raise BackendError(f"Core ML could not load {Path(path).name}: {e}") from e
        return CoreMlSession(model, device)


BACKEND = CoreMlBackend()
