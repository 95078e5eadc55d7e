"""Where output pixels come from: the crop/letterbox rectangles and the resize filter taps.

The native library computes the same tables with the same double-precision formulas
(native/src/geometry.cc); the NumPy reference uses these, so both sample the same source pixels.
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np


class Rect(NamedTuple):
    x: int
    y: int
    w: int
    h: int


class Taps(NamedTuple):
    """Output index d reads source indices start[d] .. start[d]+T-1 with weights[d] (all in range)."""

    start: np.ndarray  # int64 (dst,)
    weights: np.ndarray  # float32 (dst, T)


def _round_div(num: int, den: int) -> int:
    return (2 * num + den) // (2 * den)


def layout(fit: str, roi: Rect, out_w: int, out_h: int) -> tuple[Rect, Rect]:
    """(source rectangle to resample, output rectangle it fills); the rest of the output is padding."""
    w, h = roi.w, roi.h
    wider = w * out_h > h * out_w
    if fit == "center_crop":
        if wider:
            cw = min(max(_round_div(h * out_w, out_h), 1), w)
            return Rect(roi.x + (w - cw) // 2, roi.y, cw, h), Rect(0, 0, out_w, out_h)
        ch = min(max(_round_div(w * out_h, out_w), 1), h)
        return Rect(roi.x, roi.y + (h - ch) // 2, w, ch), Rect(0, 0, out_w, out_h)
    if fit == "letterbox":
        if wider:
            cw, ch = out_w, min(max(_round_div(h * out_w, w), 1), out_h)
        else:
            cw, ch = min(max(_round_div(w * out_h, h), 1), out_w), out_h
        return roi, Rect((out_w - cw) // 2, (out_h - ch) // 2, cw, ch)
    return roi, Rect(0, 0, out_w, out_h)


# Bilinear weights are multiples of 1/BILINEAR_ONE (OpenCV rounds its 8-bit ones to 2^-11), so a
# weighted pair of 8-bit pixels is exact in float32: the native kernels may then filter in integers.
BILINEAR_ONE = 16384


def bilinear_taps(src: int, dst: int) -> Taps:
    """OpenCV INTER_LINEAR geometry: half-pixel centers, edge taps clamped, weights on a 2^-14 grid."""
    if src == 1:
        return Taps(np.zeros(dst, np.int64), np.ones((dst, 1), np.float32))
    scale = src / dst
    start = np.empty(dst, np.int64)
    weights = np.empty((dst, 2), np.float32)
    for d in range(dst):
        f = (d + 0.5) * scale - 0.5
        s = math.floor(f)
        f -= s
        if s < 0:
            s, f = 0, 0.0
        if s >= src - 1:
            s, f = src - 2, 1.0  # same value as (src-1, weight 1) but keeps both taps in range
        f = round(f * BILINEAR_ONE) / BILINEAR_ONE
        start[d] = s
        weights[d] = (1.0 - f, f)
    return Taps(start, weights)


def area_taps(src: int, dst: int) -> Taps:
    """Box filter: each output averages the source interval it covers (bilinear when upscaling)."""
    if src <= dst:
        return bilinear_taps(src, dst)
    scale = src / dst
    spans = []
    for d in range(dst):
        a, b = d * scale, (d + 1) * scale
        s0, s1 = math.floor(a), min(math.ceil(b), src)
        spans.append((a, b, s0, s1))
    t = max(s1 - s0 for _, _, s0, s1 in spans)
    start = np.empty(dst, np.int64)
    weights = np.zeros((dst, t), np.float32)
    for d, (a, b, s0, s1) in enumerate(spans):
        base = min(s0, src - t)
        start[d] = base
        for i in range(s0, s1):
            weights[d, i - base] = (min(b, i + 1) - max(a, i)) / scale
    return Taps(start, weights)


def taps(resize: str, src: int, dst: int) -> Taps:
    return area_taps(src, dst) if resize == "area" else bilinear_taps(src, dst)
