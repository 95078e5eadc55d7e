"""vidlite.Preprocessor: camera/decoder frames → model input tensors, per a PreprocessSpec.

Runs the native fused kernels (vidlite._native) when the extension is built, else the NumPy
reference; both take the same arguments and produce the same values (within the bounds the tests state).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from vidlite import native
from vidlite.preprocess import frames as framesmod
from vidlite.preprocess import reference
from vidlite.preprocess.spec import PreprocessSpec


class Preprocessor:
    """``pp = Preprocessor(spec)``; ``pp(frame, fmt="bgr")`` → (C, H, W) or (H, W, C);
    ``pp(batch, fmt="nv12", out=buf)`` → (N, ...) written into ``buf``.

    fmt: bgr, rgb, bgra, rgba, gray (packed arrays, single or batched) or nv12, nv21, i420 (one
    (H*3/2, W) buffer, or a tuple of planes). roi=(x, y, w, h) crops before the spec's fit.
    color_matrix (bt601|bt709) and color_range (limited|full) describe YUV sources.
    threads: worker threads for batches (native only).
    """

    def __init__(self, spec: PreprocessSpec, threads: int = 1, use_native: bool | None = None):
        if not isinstance(spec, PreprocessSpec):
            raise TypeError(f"spec must be a PreprocessSpec; got {type(spec).__name__}")
        if isinstance(threads, bool) or not isinstance(threads, int) or not 1 <= threads <= 64:
            raise ValueError(f"threads must be an integer in 1..64; got {threads!r}")
        has_native = native.AVAILABLE and hasattr(native.ext, "Preprocessor")
        if use_native and not has_native:
            raise RuntimeError("use_native=True but the vidlite._native extension is not built")
        self.spec = spec
        self.threads = threads
        self._shape = spec.shape
        want_native = has_native if use_native is None else use_native
        self._kernel = native.ext.Preprocessor(spec.to_dict(), threads) if want_native else None
        self._reference = None if want_native else reference.Preprocessor(spec)

    @property
    def backend(self) -> str:
        return "native" if self._kernel is not None else "numpy"

    def __call__(self, frame: Any, fmt: str = "bgr", out: np.ndarray | None = None, roi: Any = None,
                 color_matrix: str = "bt601", color_range: str = "limited") -> np.ndarray:
        if self._kernel is None:
            return self._reference(frame, fmt, out=out, roi=roi, color_matrix=color_matrix,
                                   color_range=color_range)
        fr = framesmod.describe(frame, fmt)
        framesmod.check_color(color_matrix, color_range)
        region = framesmod.check_roi(roi, fr.width, fr.height)
        shape = ((fr.count,) if fr.batched else ()) + self._shape
        if out is None:
            out = np.empty(shape, self.spec.dtype)
        else:
            framesmod.check_out(out, shape, self.spec.dtype)
        batch_view = out if fr.batched else out[None]
        self._kernel.run(list(fr.planes), fr.fmt, batch_view, region, color_matrix, color_range)
        return out

    def __repr__(self) -> str:
        return f"Preprocessor({self.spec!r}, backend={self.backend!r}, threads={self.threads})"
