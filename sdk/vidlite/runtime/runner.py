"""A loaded component: manifest tensor names and dtypes on the outside, the backend's on the inside."""
from __future__ import annotations

import numpy as np

from vidlite.errors import BackendError


def _pairing(spec_names: list[str], session_names: list[str], what: str, label: str) -> dict[str, str]:
    """manifest name → session name: by name when they agree, else by position (converters rename I/O)."""
    if set(spec_names) <= set(session_names):
        return {n: n for n in spec_names}
    if len(spec_names) != len(session_names):
        raise BackendError(f"{label}: the manifest lists {what} {spec_names} but the model has {session_names}")
    return dict(zip(spec_names, session_names))


class Runner:
    """`run({input_name: array}) -> {output_name: array}`; safe to share across threads (see backends.base)."""

    def __init__(self, name: str, component: dict, candidate, session):
        self.name = name
        self.inputs = component["inputs"]
        self.outputs = component["outputs"]
        self.artifact = candidate.artifact
        self.backend = candidate.backend
        self.device = candidate.device
        self.candidate = candidate
        self.session = session
        label = f"{name} ({candidate.label()})"
        self._in = _pairing([t["name"] for t in self.inputs], [t.name for t in session.inputs], "inputs", label)
        self._out = _pairing([t["name"] for t in self.outputs], [t.name for t in session.outputs], "outputs", label)
        io = self.artifact.get("io_dtypes", {})
        self._in_dtype = {t["name"]: np.dtype(io.get(t["name"], t["dtype"])) for t in self.inputs}
        self._out_dtype = {t["name"]: np.dtype(t["dtype"]) for t in self.outputs}
        by_name = {t.name: t for t in (*session.inputs, *session.outputs)}
        self._in_quant = {n: by_name[s].quant for n, s in self._in.items()}
        self._out_quant = {n: by_name[s].quant for n, s in self._out.items()}
        self._label = label

    def _cast(self, name: str, x) -> np.ndarray:
        x = np.asarray(x)
        want = self._in_dtype[name]
        if x.dtype == want:
            return x
        quant = self._in_quant[name]
        if quant and x.dtype.kind == "f" and want.kind in "iu":  # float in, quantized model: quantize here
            scale, zero_point = quant
            info = np.iinfo(want)
            return np.clip(np.rint(x / scale) + zero_point, info.min, info.max).astype(want)
        same_kind = (x.dtype.kind in "iu" and want.kind in "iu") or (x.dtype.kind == "f" and want.kind == "f")
        if not same_kind:
            raise BackendError(f"{self.name}: input {name!r} must be {want} (got {x.dtype})")
        return x.astype(want)

    def _uncast(self, name: str, y) -> np.ndarray:
        y, want = np.asarray(y), self._out_dtype[name]
        quant = self._out_quant[name]
        if quant and y.dtype.kind in "iu" and want.kind == "f":  # quantized output: back to real values
            scale, zero_point = quant
            return ((y.astype(np.float32) - zero_point) * scale).astype(want, copy=False)
        return y.astype(want, copy=False)

    def run(self, feeds: dict) -> dict[str, np.ndarray]:
        missing = [n for n in self._in if n not in feeds]
        if missing:
            raise BackendError(f"{self.name}: missing input(s) {missing}; expected {list(self._in)}")
        out = self.session.run({self._in[n]: self._cast(n, feeds[n]) for n in self._in})
        return {n: self._uncast(n, out[s]) for n, s in self._out.items()}

    __call__ = run

    def close(self) -> None:
        self.session.close()

    def __repr__(self) -> str:
        return f"Runner({self._label})"
