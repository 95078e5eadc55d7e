"""The one interface every backend plug-in implements.

A plug-in is a module holding `BACKEND`, an object with `name`, `formats`, `unavailable(device)` and
`load(path, device, options, execution) -> Session`. `execution` is the execution precision to compute
in (backends/precision.py): a backend makes its runtime compute in exactly that, reports what the
runtime says it computes in as `Session.execution`, and raises BackendError where it cannot. Sessions
take and return numpy arrays keyed by the model's own tensor names. Thread safety: a session whose runtime allows concurrent runs sets
`concurrent = True`; every other session serialises `run` with a lock, so any session may be shared
between threads. `run` after `close` raises BackendError.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidlite.backends.precision import F32
from vidlite.errors import BackendError


@dataclass(frozen=True)
class TensorInfo:
    name: str
    dtype: str                         # numpy dtype name
    shape: tuple                       # ints; None or a name for dynamic dims
    quant: tuple[float, int] | None = None  # (scale, zero_point) of a quantized integer tensor


class Session:
    """Base session: subclasses fill in `_run`, `_close`, `inputs`, `outputs`."""

    backend = "?"
    concurrent = False

    def __init__(self, device: str, inputs: list[TensorInfo], outputs: list[TensorInfo], execution: str = F32):
        self.device = device
        self.execution = execution
        self.inputs = inputs
        self.outputs = outputs
        self._lock = threading.Lock()
        self._closed = False

    def run(self, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        if self._closed:
            raise BackendError(f"{self.backend} session is closed")
        missing = [t.name for t in self.inputs if t.name not in feeds]
        if missing:
            raise BackendError(f"{self.backend}: missing input(s) {missing}; the model takes {[t.name for t in self.inputs]}")
        if self.concurrent:
            return self._run(feeds)
        with self._lock:
            return self._run(feeds)

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._close()

    def _run(self, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        raise NotImplementedError

    def _close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class Backend:
    name = "?"
    formats: tuple[str, ...] = ()
    default_device = "CPU"

    def unavailable(self, device) -> str | None:
        """Why this backend cannot run on `device` (a DeviceInfo), or None if it can be tried."""
        rt = device.runtime(self.name)
        return None if rt.installed else (rt.reason or f"{self.name} is not installed")

    def load(self, path: Path, device: str | None = None, options: dict | None = None,
             execution: str = F32) -> Session:
        raise NotImplementedError
