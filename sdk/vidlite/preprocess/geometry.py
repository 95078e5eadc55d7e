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


def layout(fit: str, roi: Rect, out_w: int, out_h: int,
           shortest_edge: int | None = None) -> tuple[Rect, Rect, tuple[int, int]]:
    """(source rectangle to resample, output rectangle it fills, resized size (w, h)); the rest of the
    output is padding. The source rectangle is resampled to the resized size, of which the centre
    dst.w x dst.h outputs are kept, from (resized - dst) // 2 on (`kept`).

    shortest_edge (fit center_crop): the processors' geometry (transformers' CLIP/ViT/VideoMAE image
    processors, torchvision Resize(S) + CenterCrop): the shorter side becomes S, the longer
    int(S * long / short), then the centre out_w x out_h is cropped (transformers' offsets, floor).
    """
    w, h = roi.w, roi.h
    if shortest_edge is not None:
        short, long = min(w, h), max(w, h)
        new_long = int(shortest_edge * long / short)
        full = (shortest_edge, new_long) if w <= h else (new_long, shortest_edge)
        return roi, Rect(0, 0, out_w, out_h), full
    wider = w * out_h > h * out_w
    if fit == "center_crop":
        if wider:
            cw = min(max(_round_div(h * out_w, out_h), 1), w)
            return Rect(roi.x + (w - cw) // 2, roi.y, cw, h), Rect(0, 0, out_w, out_h), (out_w, out_h)
        ch = min(max(_round_div(w * out_h, out_w), 1), h)
        return Rect(roi.x, roi.y + (h - ch) // 2, w, ch), Rect(0, 0, out_w, out_h), (out_w, out_h)
    if fit == "letterbox":
        if wider:
            cw, ch = out_w, min(max(_round_div(h * out_w, w), 1), out_h)
        else:
            cw, ch = min(max(_round_div(w * out_h, h), 1), out_w), out_h
        return roi, Rect((out_w - cw) // 2, (out_h - ch) // 2, cw, ch), (cw, ch)
    return roi, Rect(0, 0, out_w, out_h), (out_w, out_h)


def kept(full: int, n: int) -> int:
    """The first of the n resized outputs a centre crop keeps (transformers' center_crop: floor)."""
    return (full - n) // 2


# Bilinear weights are multiples of 1/BILINEAR_ONE (OpenCV rounds its 8-bit ones to 2^-11), so a
# weighted pair of 8-bit pixels is exact in float32: the native kernels may then filter in integers.
BILINEAR_ONE = 16384


def bilinear_taps(src: int, dst: int, first: int = 0, count: int | None = None) -> Taps:
    """OpenCV INTER_LINEAR geometry: half-pixel centers, edge taps clamped, weights on a 2^-14 grid.
    Outputs first .. first + count - 1 of the dst (default: all)."""
    count = dst - first if count is None else count
    if src == 1:
        return Taps(np.zeros(count, np.int64), np.ones((count, 1), np.float32))
    scale = src / dst
    start = np.empty(count, np.int64)
    weights = np.empty((count, 2), np.float32)
    for i in range(count):
        d = first + i
        f = (d + 0.5) * scale - 0.5
        s = math.floor(f)
        f -= s
        if s < 0:
            s, f = 0, 0.0
        if s >= src - 1:
            s, f = src - 2, 1.0  # same value as (src-1, weight 1) but keeps both taps in range
        f = round(f * BILINEAR_ONE) / BILINEAR_ONE
        start[i] = s
        weights[i] = (1.0 - f, f)
    return Taps(start, weights)


def area_taps(src: int, dst: int, first: int = 0, count: int | None = None) -> Taps:
    """Box filter: each output averages the source interval it covers (bilinear when upscaling).
    Outputs first .. first + count - 1 of the dst (default: all)."""
    if src <= dst:
        return bilinear_taps(src, dst, first, count)
    count = dst - first if count is None else count
    scale = src / dst
    spans = []
    for d in range(first, first + count):
        a, b = d * scale, (d + 1) * scale
        s0, s1 = math.floor(a), min(math.ceil(b), src)
        spans.append((a, b, s0, s1))
    t = max(s1 - s0 for _, _, s0, s1 in spans)
    start = np.empty(count, np.int64)
    weights = np.zeros((count, t), np.float32)
    for d, (a, b, s0, s1) in enumerate(spans):
        base = min(s0, src - t)
        start[d] = base
        for i in range(s0, s1):
            weights[d, i - base] = (min(b, i + 1) - max(a, i)) / scale
    return Taps(start, weights)


def taps(resize: str, src: int, dst: int, first: int = 0, count: int | None = None) -> Taps:
    """Taps of outputs first .. first + count - 1 of a src -> dst resize ("bilinear" or "area"; the
    Pillow modes have integer taps: vidlite.preprocess.pil)."""
    return (area_taps if resize == "area" else bilinear_taps)(src, dst, first, count)
