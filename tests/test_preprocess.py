"""Preprocessor (native kernels) against the NumPy reference, OpenCV, and itself across variants.

Stated tolerances:
- native vs NumPy reference: bit-identical for every format x resize x fit x layout x dtype x channel
  order (both round each float multiply and add in the same order; colour conversion is integer; the
  Pillow modes are integer throughout; against Pillow itself: tests/test_preprocess_pil.py).
- every SIMD variant vs the scalar reference: bit-identical (VIDLITE_CPU_MASK / set_cpu_mask).
- bilinear vs cv2.resize INTER_LINEAR, and area vs INTER_AREA on integer-ratio downscales: within 1
  grey level on uint8 output (OpenCV interpolates 8-bit images with 11-bit fixed-point weights).
- YUV -> RGB vs cv2.cvtColor (BT.601 limited): within 1 level (14-bit vs OpenCV's 20-bit coefficients).
- 4:2:0 to colour output filters Y, U, V and converts once per output pixel, with no intermediate
  8-bit RGB (reference.py, stage 1). Against OpenCV cvtColor + resize(INTER_LINEAR), which rounds
  and clamps every source pixel first: within 2 levels on uint8 output for frames whose source pixels
  are all in the RGB gamut (smooth, camera-like content); where the source holds YUV values outside
  it, the results differ by what OpenCV's per-pixel clamp cut off. Against OpenCV's float resize of
  the Y, U, V planes and the exact BT.601/BT.709 formulas, for any content: within 0.02 level plus
  what the bilinear weight grid allows (below).
- bilinear weights lie on a 2^-14 grid (geometry.BILINEAR_ONE; the native two-row kernels filter in
  integers on it): each is within 2^-15 of the exact weight, so a filtered 8-bit plane moves by at
  most 255 * 2^-15 = 0.008 level, times the conversion's coefficients for YUV sources.
"""
from __future__ import annotations

import dataclasses
import itertools
import os
import subprocess
import sys

import cv2
import numpy as np
import pytest

import vidlite
from vidlite import native
from vidlite.preprocess import PreprocessSpec, Preprocessor, geometry, reference
from vidlite.preprocess import frames as framesmod

needs_native = pytest.mark.skipif(not (native.AVAILABLE and hasattr(native.ext, "Preprocessor")),
                                  reason="vidlite._native is not built in this environment")

FORMATS = ("bgr", "rgb", "bgra", "rgba", "gray", "nv12", "nv21", "i420")
QUANT = {"uint8": {"scale": 0.0187, "zero_point": 114}, "int8": {"scale": 0.0187, "zero_point": -14}}


def spec_for(resize, fit, layout, dtype, order, w=31, h=23):
    return PreprocessSpec(w, h, resize=resize, fit=fit, layout=layout, dtype=dtype, channel_order=order,
                          mean=(0.485, 0.456, 0.406), std=(0.229, 0.224, 0.225), quant=QUANT.get(dtype),
                          pad_value=114)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8))


@needs_native
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("resize", ["bilinear", "area", "pil-bilinear", "pil-bicubic"])
@pytest.mark.parametrize("fit", ["stretch", "center_crop", "letterbox", "shortest_edge"])
@pytest.mark.parametrize("layout", ["nchw", "nhwc"])
@pytest.mark.parametrize("dtype", ["float32", "float16", "uint8", "int8"])
def test_native_matches_reference(make_frame, fmt, resize, fit, layout, dtype):
    # Odd output sizes: 70x46 -> 31x23 downscales both axes, 70x46 -> 17x61 upscales one.
    batch = make_frame(fmt, 70, 46, n=2)
    for order, (w, h) in itertools.product(("rgb", "bgr", "gray"), ((31, 23), (17, 61))):
        spec = spec_for(resize, "center_crop" if fit == "shortest_edge" else fit, layout, dtype, order, w, h)
        if fit == "shortest_edge":  # the processors' geometry: resize the shorter side, crop the centre
            spec = dataclasses.replace(spec, shortest_edge=max(w, h) + 5)
        got = Preprocessor(spec)(batch, fmt=fmt)
        want = reference.Preprocessor(spec)(batch, fmt=fmt)
        assert got.shape == (2,) + spec.shape and got.dtype == np.dtype(dtype)
        assert same_bits(got, want), (order, w, h)


@needs_native
def test_default_uses_native_and_single_frame_shapes(make_frame):
    spec = PreprocessSpec(224, 224)
    pp = vidlite.Preprocessor(spec)
    assert pp.backend == "native"
    out = pp(make_frame("bgr", 320, 240), fmt="bgr")
    assert out.shape == (3, 224, 224) and out.dtype == np.float32
    nhwc = vidlite.Preprocessor(PreprocessSpec(64, 48, layout="nhwc", channel_order="gray"))
    assert nhwc(make_frame("nv12", 320, 240), fmt="nv12").shape == (48, 64, 1)


@needs_native
def test_out_buffer_is_filled_in_place(make_frame):
    spec = PreprocessSpec(40, 30, dtype="float16")
    batch = make_frame("bgr", 96, 64, n=3)
    buf = np.empty((3,) + spec.shape, np.float16)
    res = Preprocessor(spec)(batch, fmt="bgr", out=buf)
    assert res is buf
    assert same_bits(buf, reference.Preprocessor(spec)(batch, fmt="bgr"))


@needs_native
def test_strided_views_and_roi(make_frame):
    big = make_frame("bgra", 101, 77)
    view = big[3:70:2, 5:96]  # every other row, a column window: row stride 2*101*4, unaligned start
    spec = spec_for("bilinear", "center_crop", "nhwc", "float32", "bgr")
    roi = (4, 3, 60, 25)
    got = Preprocessor(spec)(view, fmt="bgra", roi=roi)
    want = reference.Preprocessor(spec)(np.ascontiguousarray(view[3:28, 4:64]), fmt="bgra")
    assert same_bits(got, want)


@needs_native
@pytest.mark.parametrize("fmt", ["nv12", "nv21", "i420"])
def test_yuv_planes_equal_one_buffer(make_frame, fmt):
    w, h = 64, 36
    buf = make_frame(fmt, w, h)
    spec = spec_for("area", "letterbox", "nchw", "float32", "rgb")
    one = Preprocessor(spec)(buf, fmt=fmt, color_matrix="bt709", color_range="full")
    y = buf[:h]
    if fmt == "i420":
        flat = buf.reshape(-1)
        q = (w // 2) * (h // 2)
        u = flat[w * h: w * h + q].reshape(h // 2, w // 2)
        v = flat[w * h + q:].reshape(h // 2, w // 2)
        # Separate planes living in padded buffers (decoder-style strides).
        pad_u = np.zeros((h // 2, w // 2 + 7), np.uint8)
        pad_u[:, : w // 2] = u
        planes = (y, pad_u[:, : w // 2], v.copy())
    else:
        planes = (y.copy(), buf[h:].reshape(h // 2, w // 2, 2))
    assert same_bits(one, Preprocessor(spec)(planes, fmt=fmt, color_matrix="bt709", color_range="full"))


@needs_native
def test_every_simd_variant_matches_scalar(make_frame):
    detected = native.ext.cpu_features_detected()
    variants = [m for m in (native.ext.CPU_AVX2 | native.ext.CPU_FMA | native.ext.CPU_F16C, native.ext.CPU_NEON)
                if detected & m == m]
    if not variants:
        pytest.skip("this CPU has no SIMD variant; the scalar path is the only one")
    frames = {fmt: make_frame(fmt, 130, 74, n=2) for fmt in FORMATS}
    specs = [spec_for(r, f, "nchw", d, o) for r, f, d, o in
             itertools.product(("bilinear", "area", "pil-bilinear", "pil-bicubic"), ("stretch", "letterbox"),
                               ("float32", "float16", "int8"),
                               ("rgb", "gray"))]
    try:
        native.ext.set_cpu_mask(0)
        assert native.ext.kernels() == "scalar"
        scalar = [[Preprocessor(s)(f, fmt=fmt) for s in specs] for fmt, f in frames.items()]
        for mask in variants:
            native.ext.set_cpu_mask(mask)
            assert native.ext.kernels() != "scalar"
            simd = [[Preprocessor(s)(f, fmt=fmt) for s in specs] for fmt, f in frames.items()]
            assert all(same_bits(a, b) for ra, rb in zip(scalar, simd) for a, b in zip(ra, rb))
    finally:
        native.ext.set_cpu_mask(0xFFFFFFFF)


@needs_native
def test_threads_give_identical_batches(make_frame):
    spec = spec_for("bilinear", "stretch", "nchw", "float32", "rgb", 96, 80)
    for n in (1, 5):
        batch = make_frame("nv12", 320, 180, n=n)
        one = Preprocessor(spec, threads=1)(batch, fmt="nv12")
        assert same_bits(one, Preprocessor(spec, threads=2)(batch, fmt="nv12"))
        assert same_bits(one, Preprocessor(spec, threads=3)(batch, fmt="nv12"))


@pytest.mark.parametrize("src,dst", [((97, 61), (31, 23)), ((64, 48), (128, 96)), ((40, 30), (41, 29)),
                                     ((1920, 1080), (224, 224)), ((3, 5), (7, 2))])
@pytest.mark.parametrize("use_native", [False, True])
def test_bilinear_agrees_with_opencv(rng, src, dst, use_native):
    if use_native and not native.AVAILABLE:
        pytest.skip("vidlite._native is not built")
    img = rng.integers(0, 256, (src[1], src[0], 3), np.uint8)
    spec = PreprocessSpec(dst[0], dst[1], layout="nhwc", dtype="uint8", channel_order="bgr")
    ours = Preprocessor(spec, use_native=use_native)(img, fmt="bgr")
    cv = cv2.resize(img, dst, interpolation=cv2.INTER_LINEAR)
    assert np.abs(ours.astype(int) - cv).max() <= 1


@pytest.mark.parametrize("src,dst", [(1920, 224), (1080, 224), (7, 3), (224, 640), (2, 5)])
def test_bilinear_weights_lie_on_the_grid(src, dst):
    # Within 2^-15 of OpenCV's exact weights, on a 2^-14 grid (the native kernels' integer path).
    taps = geometry.bilinear_taps(src, dst)
    k = taps.weights.astype(np.float64) * geometry.BILINEAR_ONE
    assert np.array_equal(k, np.round(k)) and np.all(taps.weights.sum(axis=1) == 1)
    scale = src / dst
    f = np.clip((np.arange(dst) + 0.5) * scale - 0.5 - taps.start, 0, 1)
    assert np.abs(taps.weights[:, -1] - f).max() <= 2.0 ** -15


@pytest.mark.parametrize("src,dst", [((96, 64), (32, 16)), ((120, 90), (30, 45)), ((1920, 1080), (480, 270))])
def test_area_agrees_with_opencv(rng, src, dst):
    img = rng.integers(0, 256, (src[1], src[0]), np.uint8)
    spec = PreprocessSpec(dst[0], dst[1], resize="area", layout="nhwc", dtype="uint8", channel_order="gray")
    ours = Preprocessor(spec)(img, fmt="gray")[..., 0]
    cv = cv2.resize(img, dst, interpolation=cv2.INTER_AREA)
    assert np.abs(ours.astype(int) - cv).max() <= 1


@pytest.mark.parametrize("fmt,code", [("nv12", cv2.COLOR_YUV2RGB_NV12), ("nv21", cv2.COLOR_YUV2RGB_NV21),
                                      ("i420", cv2.COLOR_YUV2RGB_I420)])
def test_yuv_conversion_agrees_with_opencv(make_frame, fmt, code):
    buf = make_frame(fmt, 64, 48)
    ours = reference.to_channels(framesmod.describe(buf, fmt), "rgb", "bt601", "limited")[0]
    assert np.abs(ours.astype(int) - cv2.cvtColor(buf, code)).max() <= 1
    # At identity geometry the filter passes pixels through: the float conversion, rounded once,
    # is within 1 level of the integer one and of OpenCV's.
    spec = PreprocessSpec(64, 48, layout="nhwc", dtype="uint8")
    got = Preprocessor(spec)(buf, fmt=fmt)
    assert np.abs(got.astype(int) - ours).max() <= 1
    assert np.abs(got.astype(int) - cv2.cvtColor(buf, code)).max() <= 1


def _smooth_yuv(rng, fmt: str, w: int, h: int) -> np.ndarray:
    """A camera-like 4:2:0 frame: blurred random colours through OpenCV's RGB -> I420 (in gamut)."""
    rgb = cv2.GaussianBlur(rng.integers(0, 256, (h, w, 3), np.uint8), (0, 0), 3)
    i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
    if fmt == "i420":
        return i420
    q = (w // 2) * (h // 2)
    u, v = i420[h:].reshape(-1)[:q], i420[h:].reshape(-1)[q:]
    out = i420.copy()
    out[h:].reshape(-1)[0::2], out[h:].reshape(-1)[1::2] = (u, v) if fmt == "nv12" else (v, u)
    return out


_YUV2RGB = {"nv12": cv2.COLOR_YUV2RGB_NV12, "nv21": cv2.COLOR_YUV2RGB_NV21, "i420": cv2.COLOR_YUV2RGB_I420}


@pytest.mark.parametrize("fmt", ["nv12", "nv21", "i420"])
@pytest.mark.parametrize("src,dst", [((320, 240), (97, 61)), ((64, 48), (128, 96)), ((1920, 1080), (224, 224))])
@pytest.mark.parametrize("use_native", [False, True])
def test_yuv_bilinear_agrees_with_opencv_in_gamut(rng, fmt, src, dst, use_native):
    if use_native and not native.AVAILABLE:
        pytest.skip("vidlite._native is not built")
    buf = _smooth_yuv(rng, fmt, *src)
    spec = PreprocessSpec(dst[0], dst[1], layout="nhwc", dtype="uint8")
    ours = Preprocessor(spec, use_native=use_native)(buf, fmt=fmt)
    cv = cv2.resize(cv2.cvtColor(buf, _YUV2RGB[fmt]), dst, interpolation=cv2.INTER_LINEAR)
    assert np.abs(ours.astype(int) - cv).max() <= 2


@pytest.mark.parametrize("fmt", ["nv12", "i420"])
@pytest.mark.parametrize("matrix,kr,kb", [("bt601", 0.299, 0.114), ("bt709", 0.2126, 0.0722)])
@pytest.mark.parametrize("color_range", ["limited", "full"])
@pytest.mark.parametrize("use_native", [False, True])
def test_yuv_filter_then_convert_definition(make_frame, fmt, matrix, kr, kb, color_range, use_native):
    # Random YUV (much of it outside the RGB gamut): OpenCV's float resize of the Y, U, V planes
    # (chroma replicated 2x2), then the exact conversion formulas, clamped to 0..255.
    if use_native and not native.AVAILABLE:
        pytest.skip("vidlite._native is not built")
    w, h, dst = 130, 74, (41, 29)
    buf = make_frame(fmt, w, h)
    planes = reference.yuv_planes(framesmod.describe(buf, fmt))[0].astype(np.float32)
    y, u, v = (cv2.resize(np.ascontiguousarray(planes[..., i]), dst, interpolation=cv2.INTER_LINEAR).astype(np.float64)
               for i in range(3))
    kg = 1 - kr - kb
    cy, cc, y0 = (255 / 219, 255 / 224, 16) if color_range == "limited" else (1.0, 1.0, 0)
    yy, uu, vv = cy * np.maximum(y - y0, 0), cc * (u - 128), cc * (v - 128)
    want = np.stack([yy + 2 * (1 - kr) * vv, yy - 2 * kb * (1 - kb) / kg * uu - 2 * kr * (1 - kr) / kg * vv,
                     yy + 2 * (1 - kb) * uu], axis=-1).clip(0, 255)
    spec = PreprocessSpec(dst[0], dst[1], layout="nhwc", mean=(0, 0, 0), std=(1 / 255,) * 3)  # value = pixel
    got = Preprocessor(spec, use_native=use_native)(buf, fmt=fmt, color_matrix=matrix, color_range=color_range)
    # The weight grid moves each filtered plane by <= 255 * 2^-15; R, G, B sum their coefficients' share.
    gain = max(cy + cc * 2 * (1 - kr), cy + cc * (2 * kb * (1 - kb) + 2 * kr * (1 - kr)) / kg, cy + cc * 2 * (1 - kb))
    assert np.abs(got - want).max() <= 0.02 + gain * 255 / (2 * geometry.BILINEAR_ONE)


def test_letterbox_and_normalization_values():
    frame = np.zeros((20, 80, 3), np.uint8)
    frame[...] = (10, 20, 30)  # BGR
    spec = PreprocessSpec(40, 40, fit="letterbox", pad_value=114, mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25))
    for use_native in ([False, True] if native.AVAILABLE else [False]):
        out = Preprocessor(spec, use_native=use_native)(frame, fmt="bgr")
        pad = (114 / 255 - 0.5) / 0.25
        assert np.allclose(out[:, :15], pad) and np.allclose(out[:, 25:], pad)  # 40x10 content centred
        rgb = np.array([30, 20, 10])[:, None, None]
        assert np.allclose(out[:, 15:25], (rgb / 255 - 0.5) / 0.25, atol=1e-5)


def test_reference_runs_without_extension(make_frame, monkeypatch):
    monkeypatch.setattr(native, "AVAILABLE", False)
    pp = Preprocessor(PreprocessSpec(32, 32))
    assert pp.backend == "numpy"
    assert pp(make_frame("bgr", 64, 48), fmt="bgr").shape == (3, 32, 32)


@needs_native
def test_cpu_mask_environment_variable_selects_scalar():
    code = "from vidlite import native; print(native.ext.kernels())"
    env = {**os.environ, "VIDLITE_CPU_MASK": "0"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "scalar"
