"""Checks caller frames and describes them as planes, so every backend sees one validated form.

A single frame or a batch, packed (BGR/RGB/BGRA/RGBA/GRAY) or YUV 4:2:0 (NV12/NV21/I420) as one
buffer of H*3/2 rows or as separate planes, becomes a list of uint8 plane views, each with a
leading batch axis (no copies):

- packed: (N, H, W, C) with C = 3 or 4; gray: (N, H, W)
- nv12/nv21: Y (N, H, W) and interleaved chroma (N, H/2, W/2, 2)
- i420: Y (N, H, W), U (N, H/2, W/2), V (N, H/2, W/2)
"""
from __future__ import annotations

from typing import Any, NamedTuple, Sequence

import numpy as np

PACKED_CHANNELS = {"bgr": 3, "rgb": 3, "bgra": 4, "rgba": 4, "gray": 1}
YUV_FORMATS = ("nv12", "nv21", "i420")
FORMATS = tuple(PACKED_CHANNELS) + YUV_FORMATS
COLOR_MATRICES = ("bt601", "bt709")
COLOR_RANGES = ("limited", "full")
# Frames beyond this many pixels are far larger than any camera or decoder produces (16K video).
MAX_PIXELS = 1 << 28


class Frames(NamedTuple):
    fmt: str
    planes: tuple[np.ndarray, ...]
    width: int
    height: int
    batched: bool

    @property
    def count(self) -> int:
        return self.planes[0].shape[0]


def _check_fmt(fmt: Any) -> str:
    if not isinstance(fmt, str) or fmt.lower() not in FORMATS:
        raise ValueError(f"fmt must be one of {', '.join(FORMATS)}; got {fmt!r}")
    return fmt.lower()


def _as_uint8(name: str, a: Any) -> np.ndarray:
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray of uint8; got {type(a).__name__}")
    if a.dtype != np.uint8:
        raise TypeError(f"{name} must have dtype uint8; got {a.dtype}")
    if a.strides and min(a.strides) < 0:
        raise ValueError(f"{name} has negative strides {a.strides}; pass np.ascontiguousarray({name})")
    if a.size == 0:
        raise ValueError(f"{name} is empty (shape {a.shape})")
    return a


def _check_size(name: str, w: int, h: int, yuv: bool) -> None:
    if w * h > MAX_PIXELS:
        raise ValueError(f"{name} is {w}x{h}: more than {MAX_PIXELS} pixels per frame is not a video frame")
    if yuv and (w % 2 or h % 2):
        raise ValueError(f"{name} is {w}x{h}: 4:2:0 YUV frames need an even width and height")


def _packed(fmt: str, a: np.ndarray) -> Frames:
    c = PACKED_CHANNELS[fmt]
    if c == 1:
        if a.ndim == 2 or (a.ndim == 3 and a.shape[2] == 1):
            batched = False
        elif a.ndim == 3 or (a.ndim == 4 and a.shape[3] == 1):
            batched = True
        else:
            raise ValueError(f"frame for fmt='gray' must be (H, W), (H, W, 1) or a batch (N, H, W[, 1]); "
                             f"got shape {a.shape}")
        if a.ndim == (4 if batched else 3):
            a = a[..., 0]
        planes = a if batched else a[None]
    else:
        if a.ndim not in (3, 4) or a.shape[-1] != c:
            raise ValueError(f"frame for fmt={fmt!r} must be (H, W, {c}) or a batch (N, H, W, {c}); "
                             f"got shape {a.shape}")
        batched = a.ndim == 4
        planes = a if batched else a[None]
        if planes.strides[3] != 1 or planes.strides[2] != c:
            raise ValueError(f"frame for fmt={fmt!r} must have contiguous pixels (strides (..., {c}, 1)); "
                             f"got strides {a.strides}")
    if planes.strides[-1] != 1:
        raise ValueError(f"frame rows must be contiguous (last stride 1); got strides {a.strides}")
    n, h, w = planes.shape[:3]
    _check_size("frame", w, h, yuv=False)
    return Frames(fmt, (planes,), w, h, batched)


def _yuv_buffer(fmt: str, a: np.ndarray) -> Frames:
    if a.ndim not in (2, 3):
        raise ValueError(f"frame for fmt={fmt!r} as one buffer must be (H*3/2, W) or a batch "
                         f"(N, H*3/2, W); got shape {a.shape}")
    batched = a.ndim == 3
    b = a if batched else a[None]
    rows, w = b.shape[1:]
    if rows % 3:
        raise ValueError(f"frame for fmt={fmt!r} must have H*3/2 rows (a multiple of 3); got {rows} rows")
    h = rows * 2 // 3
    _check_size("frame", w, h, yuv=True)
    if b.strides[2] != 1:
        raise ValueError(f"frame rows must be contiguous (last stride 1); got strides {a.strides}")
    y = b[:, :h]
    if fmt == "i420":
        # The chroma planes are packed after Y at W/2 bytes per row: only a row-contiguous buffer has them.
        if b.strides[1] != w:
            raise ValueError(f"an i420 frame given as one buffer must be row-contiguous (row stride {w}); "
                             f"got strides {a.strides}: pass the planes (y, u, v) separately instead")
        flat = b.reshape(b.shape[0], -1)
        q = (w // 2) * (h // 2)
        u = flat[:, h * w: h * w + q].reshape(-1, h // 2, w // 2)
        v = flat[:, h * w + q: h * w + 2 * q].reshape(-1, h // 2, w // 2)
        return Frames(fmt, (y, u, v), w, h, batched)
    uv = b[:, h:].reshape(b.shape[0], h // 2, w // 2, 2)
    return Frames(fmt, (y, uv), w, h, batched)


def _yuv_planes(fmt: str, planes: Sequence[Any]) -> Frames:
    want = 3 if fmt == "i420" else 2
    names = ("y", "u", "v") if fmt == "i420" else ("y", "uv")
    if len(planes) != want:
        raise ValueError(f"frame for fmt={fmt!r} as planes must be a tuple {names}; got {len(planes)} planes")
    arrs = [_as_uint8(f"frame plane {n}", p) for n, p in zip(names, planes)]
    y = arrs[0]
    if y.ndim not in (2, 3):
        raise ValueError(f"frame plane y must be (H, W) or a batch (N, H, W); got shape {y.shape}")
    batched = y.ndim == 3
    y = y if batched else y[None]
    n, h, w = y.shape
    _check_size("frame plane y", w, h, yuv=True)
    out = [y]
    for name, p in zip(names[1:], arrs[1:]):
        p = p if batched else p[None]
        if fmt == "i420":
            expect = (n, h // 2, w // 2)
        else:
            if p.ndim == 3 and p.shape[2] == w:  # interleaved chroma given as (N, H/2, W) bytes
                if p.strides[2] != 1:
                    raise ValueError(f"frame plane {name} rows must be contiguous; got strides {p.strides}")
                p = p.reshape(n, h // 2, w // 2, 2) if p.shape[:2] == (n, h // 2) else p
            expect = (n, h // 2, w // 2, 2)
        if p.shape != expect:
            shown = expect if batched else expect[1:]
            raise ValueError(f"frame plane {name} must have shape {shown} for a {w}x{h} y plane; "
                             f"got {p.shape if batched else p.shape[1:]}")
        out.append(p)
    for name, p in zip(names, out):
        inner = p.strides[-2:] if p.ndim == 4 else p.strides[-1:]
        if inner[-1] != 1 or (p.ndim == 4 and inner[0] != 2):
            raise ValueError(f"frame plane {name} must have contiguous pixels; got strides {p.strides}")
    return Frames(fmt, tuple(out), w, h, batched)


def describe(frame: Any, fmt: str) -> Frames:
    """Validate `frame` for `fmt` and return its planes (views) with a leading batch axis."""
    fmt = _check_fmt(fmt)
    if fmt in YUV_FORMATS and isinstance(frame, (tuple, list)):
        return _yuv_planes(fmt, frame)
    a = _as_uint8("frame", frame)
    return _yuv_buffer(fmt, a) if fmt in YUV_FORMATS else _packed(fmt, a)


def check_roi(roi: Any, width: int, height: int) -> tuple[int, int, int, int]:
    """roi = (x, y, w, h) in source pixels; None means the whole frame."""
    if roi is None:
        return (0, 0, width, height)
    try:
        x, y, w, h = (int(v) for v in roi)
        if any(int(v) != v for v in roi):
            raise ValueError
    except (TypeError, ValueError):
        raise TypeError(f"roi must be four integers (x, y, w, h); got {roi!r}") from None
    if w < 1 or h < 1 or x < 0 or y < 0 or x + w > width or y + h > height:
        raise ValueError(f"roi {(x, y, w, h)} must be non-empty and inside the {width}x{height} frame")
    return (x, y, w, h)


def check_color(color_matrix: Any, color_range: Any) -> tuple[str, str]:
    if color_matrix not in COLOR_MATRICES:
        raise ValueError(f"color_matrix must be one of {', '.join(COLOR_MATRICES)}; got {color_matrix!r}")
    if color_range not in COLOR_RANGES:
        raise ValueError(f"color_range must be one of {', '.join(COLOR_RANGES)}; got {color_range!r}")
    return color_matrix, color_range


def check_out(out: Any, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    if not isinstance(out, np.ndarray):
        raise TypeError(f"out must be a numpy.ndarray; got {type(out).__name__}")
    if out.dtype != np.dtype(dtype):
        raise TypeError(f"out must have dtype {dtype}; got {out.dtype}")
    if out.shape != shape:
        raise ValueError(f"out must have shape {shape}; got {out.shape}")
    if not out.flags.c_contiguous or not out.flags.writeable:
        raise ValueError("out must be a writeable C-contiguous array")
    return out
