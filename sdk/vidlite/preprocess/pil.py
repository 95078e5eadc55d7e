"""Pillow-exact antialiased resize (``resize="pil-bilinear"`` / ``"pil-bicubic"``): the NumPy reference.

Models trained through transformers' image processors (CLIP, ViT, VideoMAE, ...), torchvision's PIL
path or timm saw frames resized by Pillow's ``Image.resize`` (``reducing_gap=None``), which widens the
filter by the downscale factor and averages every source pixel under it. This module reproduces
Pillow's ``ImagingResample`` for 8-bit images (``src/libImaging/Resample.c``) operation for operation,
so a uint8 result equals Pillow's bit for bit; the native kernels compute the same integers.

- Filters: BILINEAR is the triangle filter (support 1), BICUBIC the cubic convolution with a = -0.5
  (support 2), evaluated in double exactly as Pillow writes them.
- Coefficients (``precompute_coeffs``): scale = in / out, filterscale = max(scale, 1), support =
  filter support x filterscale; output d is centred on (d + 0.5) x scale; it reads source pixels
  xmin = int(centre - support + 0.5) .. int(centre + support + 0.5) - 1 (clamped to the image), weighs
  each with filter((x - centre + 0.5) / filterscale) and divides by their sum, then rounds each weight
  to an integer of PRECISION_BITS = 22 fractional bits away from zero (``normalize_coeffs_8bpc``).
- Arithmetic: each output is clip8((2^21 + sum k_t p_t) >> 22) in 32-bit integers (the sum fits: the
  absolute coefficients of one output add up to well under 2 x 2^22), so the first pass is rounded and
  clipped to uint8 before the second, as Pillow does.
- Pass order (``ImagingResampleInner``): Pillow 13 filters vertically first when the height shrinks by
  more pixels than twice the width does (``horizontal_first``), else horizontally first; Pillow 12 and
  earlier always filtered horizontally first. The two orders differ only by that intermediate rounding
  (on random noise at most 1 level with BILINEAR, up to 19 with BICUBIC); this module follows Pillow 13
  (the tests' reference).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from vidlite.preprocess.geometry import Rect

PRECISION_BITS = 32 - 8 - 2  # Pillow's: 8 bits of result, 2 for the filter's overshoot, and the sign
RESIZES = ("pil-bilinear", "pil-bicubic")
# PIL.Image.Resampling values (preprocessor_config.json "resample") -> the resize reproducing them.
PIL_RESAMPLE = {2: "pil-bilinear", 3: "pil-bicubic"}
_PIL_NAMES = {0: "NEAREST", 1: "LANCZOS", 2: "BILINEAR", 3: "BICUBIC", 4: "BOX", 5: "HAMMING"}


def resize_for_pil_resample(resample: int) -> str:
    """The ``PreprocessSpec.resize`` that reproduces Pillow's ``resample`` (a ``PIL.Image.Resampling``
    value, as a transformers ``preprocessor_config.json`` stores it): 2 (BILINEAR) -> "pil-bilinear",
    3 (BICUBIC) -> "pil-bicubic". Other filters raise ValueError naming them."""
    if isinstance(resample, bool) or not isinstance(resample, (int, np.integer)):
        raise TypeError(f"resample must be a PIL.Image.Resampling integer; got {resample!r}")
    if int(resample) not in PIL_RESAMPLE:
        name = _PIL_NAMES.get(int(resample), "unknown")
        raise ValueError(f"Pillow resample {resample} ({name}) has no vidlite resize; supported: "
                         + ", ".join(f"{k} ({_PIL_NAMES[k]}) -> {v!r}" for k, v in PIL_RESAMPLE.items()))
    return PIL_RESAMPLE[int(resample)]


def _bilinear(x: float) -> float:
    if x < 0.0:
        x = -x
    if x < 1.0:
        return 1.0 - x
    return 0.0


def _bicubic(x: float) -> float:
    a = -0.5
    if x < 0.0:
        x = -x
    if x < 1.0:
        return ((a + 2.0) * x - (a + 3.0)) * x * x + 1
    if x < 2.0:
        return (((x - 5) * x + 8) * x - 4) * a
    return 0.0


_FILTERS = {"pil-bilinear": (_bilinear, 1.0), "pil-bicubic": (_bicubic, 2.0)}


class IntTaps(NamedTuple):
    """Output i reads source pixels start[i] .. start[i] + T - 1 with integer weights k[i] (x 2^-22);
    taps past an output's own window carry weight 0."""

    start: np.ndarray  # int64 (count,)
    k: np.ndarray  # int32 (count, T)


def coefficients(resize: str, in_size: int, out_size: int, first: int = 0, count: int | None = None) -> IntTaps:
    """Pillow's integer coefficients of outputs first .. first + count - 1 of an in_size -> out_size resize."""
    fn, support = _FILTERS[resize]
    count = out_size - first if count is None else count
    # Pillow takes the box (0, 0, w, h) as C floats: (double)(in1 - in0) / outSize.
    scale = float(np.float32(in_size)) / out_size
    filterscale = max(scale, 1.0)
    support = support * filterscale
    inv = 1.0 / filterscale
    windows = []
    for xx in range(first, first + count):
        center = (xx + 0.5) * scale
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), in_size) - xmin
        w = [fn((x + xmin - center + 0.5) * inv) for x in range(xmax)]
        ww = 0.0
        for v in w:
            ww += v
        if ww != 0.0:
            w = [v / ww for v in w]
        k = [int(-0.5 + v * (1 << PRECISION_BITS)) if v < 0 else int(0.5 + v * (1 << PRECISION_BITS)) for v in w]
        windows.append((xmin, k))
    taps = max(len(k) for _, k in windows)
    start = np.empty(count, np.int64)
    coef = np.zeros((count, taps), np.int32)
    for i, (xmin, k) in enumerate(windows):
        s = min(xmin, in_size - taps)  # keep every tap inside the image; leading weights stay 0
        start[i] = s
        coef[i, xmin - s: xmin - s + len(k)] = k
    return IntTaps(start, coef)


def horizontal_first(in_w: int, in_h: int, out_w: int, out_h: int) -> bool:
    """Pillow 13's pass order for an in_w x in_h -> out_w x out_h resize (the whole resized size)."""
    return not (in_h - out_h > 0 and in_h - out_h > (in_w - out_w) * 2)


def _clip8(acc: np.ndarray) -> np.ndarray:
    return np.clip(acc >> PRECISION_BITS, 0, 255).astype(np.uint8)


def _filter(img: np.ndarray, taps: IntTaps, axis: int) -> np.ndarray:
    """One pass along `axis` of uint8 (N, H, W, C): 32-bit wrapping sums as Pillow's int accumulators
    (they never wrap: see the module docstring), rounded and clipped to uint8."""
    x = img.astype(np.int32)
    shape = [1] * 4
    shape[axis] = len(taps.start)
    acc = np.full(x.shape[:axis] + (len(taps.start),) + x.shape[axis + 1:], 1 << (PRECISION_BITS - 1), np.int32)
    for t in range(taps.k.shape[1]):
        acc += np.take(x, taps.start + t, axis=axis) * taps.k[:, t].reshape(shape)
    return _clip8(acc)


def resample(img: np.ndarray, resize: str, src: Rect, full: tuple[int, int], dst: Rect,
             first: tuple[int, int]) -> np.ndarray:
    """uint8 (N, H, W, C) -> uint8 (N, dst.h, dst.w, C): Pillow's resize of the source rectangle to
    `full` (w, h), outputs first[0] .. first[0] + dst.w - 1 across and first[1] .. down."""
    ty = coefficients(resize, src.h, full[1], first[1], dst.h)
    tx = coefficients(resize, src.w, full[0], first[0], dst.w)
    # Only the source rows and columns some tap reads: the taps re-indexed into them.
    rows = np.unique(ty.start[:, None] + np.arange(ty.k.shape[1]))
    cols = np.unique(tx.start[:, None] + np.arange(tx.k.shape[1]))
    ty = IntTaps(np.searchsorted(rows, ty.start), ty.k)  # taps of one output are consecutive in rows/cols
    tx = IntTaps(np.searchsorted(cols, tx.start), tx.k)
    crop = img[:, src.y + rows][:, :, src.x + cols]
    if horizontal_first(src.w, src.h, *full):
        return _filter(_filter(crop, tx, 2), ty, 1)
    return _filter(_filter(crop, ty, 1), tx, 2)
