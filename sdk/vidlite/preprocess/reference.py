"""Pure NumPy preprocessing: the fallback when the native extension is absent, and the test oracle.

Written for clarity, one stage at a time over whole frames; the native kernels fuse the same stages
and compute only the source pixels the output needs. Definition of every stage:

1. Colour, packed sources: pick R, G, B bytes; RGB → gray with OpenCV's 14-bit BT.601 luma weights.
   YUV 4:2:0 (chroma replicated 2×2) to colour output: filtered as three planes Y, U, V (stage 3),
   then converted once per output pixel in float32 (`yuv_float_to_rgb`: the 14-bit coefficients
   / 2^14, each product and sum rounded to float32 in a fixed order, clamped to [0, 255]). Being
   affine, the conversion commutes with the filter; what differs from converting every source pixel
   first (as OpenCV's cvtColor + resize does) is only that no intermediate RGB is rounded to 8 bits
   or clamped. YUV to gray output: every source pixel to 8-bit RGB (integer `yuv_to_rgb`), then gray.
2. Geometry (geometry.py): crop (roi, then center_crop, or resize the shortest edge then crop the
   centre) or letterbox, separable resize taps.
3. Filter in float32: horizontal taps first, then vertical (each product and sum rounded to float32
   in tap order — the native kernels do exactly this, so results agree bit for bit).
   The Pillow modes ("pil-bilinear", "pil-bicubic": pil.py) instead filter the 8-bit channels with
   Pillow's integer arithmetic, to uint8 as Pillow does. A 4:2:0 source is then Pillow's resize of
   its Y, U, V planes (chroma replicated 2×2, i.e. Pillow on the YCbCr image), converted to 8-bit RGB
   per output pixel with the integer `yuv_to_rgb`.
4. value = pixel * scale_c + bias_c  with scale_c = 1/(255 std_c), bias_c = -mean_c/std_c.
5. float32 / float16 (round to nearest even) / quantized: clip(rint(value / scale) + zero_point);
   uint8 without quant keeps clip(rint(pixel)).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from vidlite.preprocess import frames as framesmod
from vidlite.preprocess import pil
from vidlite.preprocess.geometry import Rect, kept, layout, taps
from vidlite.preprocess.spec import PreprocessSpec

SHIFT = 14
# (Kr, Kb) luma weights of each matrix.
_MATRICES = {"bt601": (0.299, 0.114), "bt709": (0.2126, 0.0722)}
GRAY_WEIGHTS = (4899, 9617, 1868)  # R, G, B; sum 1 << 14 (OpenCV's cvtColor RGB2GRAY)


def yuv_coefficients(matrix: str, color_range: str) -> dict[str, int]:
    """Integer coefficients (× 2^14) of R, G, B from (Y - y_offset), (U - 128), (V - 128)."""
    kr, kb = _MATRICES[matrix]
    kg = 1.0 - kr - kb
    cy, cc, y0 = (255 / 219, 255 / 224, 16) if color_range == "limited" else (1.0, 1.0, 0)
    one = 1 << SHIFT
    return {
        "y_offset": y0,
        "y": round(cy * one),
        "rv": round(cc * 2 * (1 - kr) * one),
        "gu": round(cc * 2 * kb * (1 - kb) / kg * one),
        "gv": round(cc * 2 * kr * (1 - kr) / kg * one),
        "bu": round(cc * 2 * (1 - kb) * one),
    }


def yuv_to_rgb(y: np.ndarray, u: np.ndarray, v: np.ndarray, matrix: str, color_range: str) -> np.ndarray:
    """uint8 Y/U/V of equal shape → uint8 RGB (..., 3)."""
    k = yuv_coefficients(matrix, color_range)
    # Y below the limited-range black level is clamped to black, as OpenCV does.
    yy = np.maximum(y.astype(np.int32) - k["y_offset"], 0) * k["y"] + (1 << (SHIFT - 1))
    uu = u.astype(np.int32) - 128
    vv = v.astype(np.int32) - 128
    r = (yy + k["rv"] * vv) >> SHIFT
    g = (yy - k["gu"] * uu - k["gv"] * vv) >> SHIFT
    b = (yy + k["bu"] * uu) >> SHIFT
    return np.clip(np.stack([r, g, b], axis=-1), 0, 255).astype(np.uint8)


def yuv_float_to_rgb(yuv: np.ndarray, matrix: str, color_range: str) -> np.ndarray:
    """Filtered float32 Y, U, V (..., 3) → float32 RGB (..., 3) in [0, 255]; the native kernels'
    YuvFloatPixel, operation for operation (all float32, no fused multiply-add)."""
    k = yuv_coefficients(matrix, color_range)
    c = {name: np.float32(k[name] / (1 << SHIFT)) for name in ("y", "rv", "gu", "gv", "bu")}
    zero, c128 = np.float32(0), np.float32(128)
    y = np.maximum(yuv[..., 0] - np.float32(k["y_offset"]), zero) * c["y"]
    u, v = yuv[..., 1] - c128, yuv[..., 2] - c128
    rgb = np.stack([y + c["rv"] * v, y - c["gu"] * u - c["gv"] * v, y + c["bu"] * u], axis=-1)
    return np.minimum(np.maximum(rgb, zero), np.float32(255))


def rgb_to_gray(rgb: np.ndarray) -> np.ndarray:
    wr, wg, wb = GRAY_WEIGHTS
    p = rgb.astype(np.int32)
    return ((p[..., 0] * wr + p[..., 1] * wg + p[..., 2] * wb + (1 << (SHIFT - 1))) >> SHIFT).astype(np.uint8)


def _upsample(p: np.ndarray) -> np.ndarray:
    return p.repeat(2, axis=-2).repeat(2, axis=-1)


def yuv_planes(fr: framesmod.Frames) -> np.ndarray:
    """A 4:2:0 batch as uint8 (N, H, W, 3) of Y, U, V, chroma replicated 2×2."""
    y = fr.planes[0]
    if fr.fmt == "i420":
        u, v = fr.planes[1], fr.planes[2]
    else:
        uv = fr.planes[1]
        u, v = (uv[..., 0], uv[..., 1]) if fr.fmt == "nv12" else (uv[..., 1], uv[..., 0])
    return np.stack([y, _upsample(u), _upsample(v)], axis=-1)


def filters_yuv(fr: framesmod.Frames, order: str) -> bool:
    """Whether stage 1 filters Y, U, V and converts per output pixel (4:2:0 to colour output)."""
    return fr.fmt in framesmod.YUV_FORMATS and order != "gray"


def to_channels(fr: framesmod.Frames, order: str, matrix: str, color_range: str) -> np.ndarray:
    """All frames as uint8 (N, H, W, C) in the output channel order (C = 1 for gray), every source
    pixel converted on its own (4:2:0 to colour output filters the planes instead: see `run`)."""
    fmt = fr.fmt
    if fmt in framesmod.YUV_FORMATS:
        yuv = yuv_planes(fr)
        rgb = yuv_to_rgb(yuv[..., 0], yuv[..., 1], yuv[..., 2], matrix, color_range)
    elif fmt == "gray":
        g = fr.planes[0][..., None]
        return g if order == "gray" else np.repeat(g, 3, axis=-1)
    else:
        p = fr.planes[0]
        rgb = p[..., [2, 1, 0]] if fmt in ("bgr", "bgra") else p[..., :3]
    if order == "gray":
        return rgb_to_gray(rgb)[..., None]
    return rgb[..., ::-1] if order == "bgr" else rgb


def resample(img: np.ndarray, spec: PreprocessSpec, src: Rect, dst: Rect, full: tuple[int, int]) -> np.ndarray:
    """uint8 (N, H, W, C) → float32 (N, dst.h, dst.w, C) from the source rectangle resized to `full`
    (the centre dst.w × dst.h outputs): horizontal taps first (on the source rows the vertical taps
    use), then vertical, each accumulated in tap order."""
    ty = taps(spec.resize, src.h, full[1], kept(full[1], dst.h), dst.h)
    tx = taps(spec.resize, src.w, full[0], kept(full[0], dst.w), dst.w)
    needed = np.unique(ty.start[:, None] + np.arange(ty.weights.shape[1]))
    crop = img[:, src.y + needed][:, :, src.x: src.x + src.w].astype(np.float32)
    cols = tx.weights[None, None, :, 0, None] * crop[:, :, tx.start]
    for j in range(1, tx.weights.shape[1]):
        cols += tx.weights[None, None, :, j, None] * crop[:, :, tx.start + j]
    row_of = np.searchsorted(needed, ty.start)  # taps of one output row are consecutive in `needed`
    out = ty.weights[None, :, 0, None, None] * cols[:, row_of]
    for j in range(1, ty.weights.shape[1]):
        out += ty.weights[None, :, j, None, None] * cols[:, row_of + j]
    return out


def resample_pil(img: np.ndarray, spec: PreprocessSpec, src: Rect, dst: Rect, full: tuple[int, int]) -> np.ndarray:
    """The Pillow modes' resample: uint8 (N, H, W, C) → uint8 (N, dst.h, dst.w, C)."""
    return pil.resample(img, spec.resize, src, full, dst, (kept(full[0], dst.w), kept(full[1], dst.h)))


def finish(pixels: np.ndarray, spec: PreprocessSpec) -> np.ndarray:
    """float32 pixels (0..255 scale, last axis = channels) → spec.dtype values."""
    if spec.dtype == "uint8" and spec.quant is None:
        return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)
    scale, bias = spec.channel_affine()
    value = pixels * np.asarray(scale, np.float32) + np.asarray(bias, np.float32)
    if spec.dtype == "float32":
        return value
    if spec.dtype == "float16":
        return value.astype(np.float16)
    lo, hi = (0, 255) if spec.dtype == "uint8" else (-128, 127)
    q = np.rint(value / np.float32(spec.quant.scale)) + spec.quant.zero_point
    return np.clip(q, lo, hi).astype(spec.dtype)


def run(spec: PreprocessSpec, fr: framesmod.Frames, roi: Rect, matrix: str, color_range: str) -> np.ndarray:
    """Preprocess validated frames → (N, *spec.shape) array."""
    src, dst, full = layout(spec.fit, roi, spec.width, spec.height, spec.shortest_edge)
    if spec.resize in pil.RESIZES:
        if filters_yuv(fr, spec.channel_order):
            yuv = resample_pil(yuv_planes(fr), spec, src, dst, full)
            rgb = yuv_to_rgb(yuv[..., 0], yuv[..., 1], yuv[..., 2], matrix, color_range)
            pixels = (rgb[..., ::-1] if spec.channel_order == "bgr" else rgb).astype(np.float32)
        else:
            pixels = resample_pil(to_channels(fr, spec.channel_order, matrix, color_range), spec, src, dst,
                                  full).astype(np.float32)
    elif filters_yuv(fr, spec.channel_order):
        pixels = yuv_float_to_rgb(resample(yuv_planes(fr), spec, src, dst, full), matrix, color_range)
        if spec.channel_order == "bgr":
            pixels = pixels[..., ::-1]
    else:
        pixels = resample(to_channels(fr, spec.channel_order, matrix, color_range), spec, src, dst, full)
    c = spec.channels
    canvas = np.full((fr.count, spec.height, spec.width, c), spec.pad_value, np.float32)
    canvas[:, dst.y: dst.y + dst.h, dst.x: dst.x + dst.w] = pixels
    out = finish(canvas, spec)
    return np.ascontiguousarray(out.transpose(0, 3, 1, 2) if spec.layout == "nchw" else out)


class Preprocessor:
    """NumPy implementation of ``vidlite.Preprocessor`` (same call)."""

    backend = "numpy"

    def __init__(self, spec: PreprocessSpec):
        if not isinstance(spec, PreprocessSpec):
            raise TypeError(f"spec must be a PreprocessSpec; got {type(spec).__name__}")
        self.spec = spec

    def __call__(self, frame: Any, fmt: str = "bgr", out: np.ndarray | None = None, roi: Any = None,
                 color_matrix: str = "bt601", color_range: str = "limited") -> np.ndarray:
        fr = framesmod.describe(frame, fmt)
        matrix, rng = framesmod.check_color(color_matrix, color_range)
        region = Rect(*framesmod.check_roi(roi, fr.width, fr.height))
        shape = ((fr.count,) if fr.batched else ()) + self.spec.shape
        if out is not None:
            framesmod.check_out(out, shape, self.spec.dtype)
        result = run(self.spec, fr, region, matrix, rng).reshape(shape)
        if out is None:
            return result
        out[...] = result
        return out


def preprocess(spec: PreprocessSpec, frame: Any, fmt: str = "bgr", **kwargs: Any) -> np.ndarray:
    return Preprocessor(spec)(frame, fmt, **kwargs)
