"""The Pillow-exact resize modes ("pil-bilinear", "pil-bicubic") against Pillow itself.

Stated tolerances (fidelity is a correctness property; speed is measured in bench/preprocess.py):
- RGB/BGR/RGBA/GRAY sources, uint8 output: equal to ``PIL.Image.resize(..., BILINEAR / BICUBIC,
  reducing_gap=None)`` bit for bit (0 levels), native and NumPy reference alike, for downscales,
  upscales, crops, letterboxes and the processors' shortest-edge + centre-crop geometry; float32
  output before normalization (mean 0, std 1) equals Pillow's uint8 / 255 to float32 rounding.
- 4:2:0 sources: equal bit for bit to Pillow's resize of the YCbCr image (Y, U, V with the chroma
  replicated 2x2) converted per output pixel with the integer yuv_to_rgb; against Pillow on the frame
  converted to RGB first, within 3 levels on smooth in-gamut frames (bench/yuv_fidelity.py states the
  bound on world frames with saturated edges: mean 0.40, p99.9 2, max 21 levels for BILINEAR).
- Pillow 13 filters vertically first when the height shrinks by more than twice the width does:
  followed (portrait frames are covered below).
"""
from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image

from vidlite import native
from vidlite.preprocess import PreprocessSpec, Preprocessor, geometry, pil, reference
from vidlite.preprocess import frames as framesmod

FILTERS = {"pil-bilinear": Image.Resampling.BILINEAR, "pil-bicubic": Image.Resampling.BICUBIC}
BACKENDS = [False, True] if native.AVAILABLE and hasattr(native.ext, "Preprocessor") else [False]


def natural(rng: np.random.Generator, w: int, h: int) -> np.ndarray:
    """A natural-ish RGB frame: smooth shading at several scales, hard-edged shapes, fine texture."""
    img = np.zeros((h, w, 3), np.float32)
    for cell, amp in ((max(w, h) // 8, 60), (12, 30), (2, 20)):  # noise smoothly interpolated from coarse grids
        coarse = rng.standard_normal((max(h // cell, 2), max(w // cell, 2), 3)).astype(np.float32)
        img += amp * cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC)
    for _ in range(6):
        x, y = rng.integers(0, w), rng.integers(0, h)
        cv2.rectangle(img, (int(x), int(y)), (int(x + w // 5), int(y + h // 7)), rng.uniform(-120, 120, 3).tolist(), -1)
    return np.clip(img + 128, 0, 255).astype(np.uint8)


def world(w: int, h: int, clip: int = 0) -> np.ndarray:
    from vidlite_export.world import SPLIT_SEEDS, WorldConfig, generate_clip

    return generate_clip(SPLIT_SEEDS["test"], clip, WorldConfig(width=w, height=h, overlay_prob=1.0)).frames[3]


def pillow_resize(rgb: np.ndarray, size: tuple[int, int], resize: str, shortest_edge: int | None = None) -> np.ndarray:
    """Pillow as transformers' image processors call it: resize (to the shortest edge), then centre crop."""
    img = Image.fromarray(rgb)
    if shortest_edge is None:
        return np.asarray(img.resize(size, FILTERS[resize], reducing_gap=None))
    w, h = img.size
    long = int(shortest_edge * max(w, h) / min(w, h))
    r = np.asarray(img.resize((shortest_edge, long) if w <= h else (long, shortest_edge), FILTERS[resize],
                              reducing_gap=None))
    top, left = (r.shape[0] - size[1]) // 2, (r.shape[1] - size[0]) // 2
    return r[top: top + size[1], left: left + size[0]]


GEOMETRIES = [  # (source w, h), (out w, h), shortest_edge
    ((1920, 1080), (224, 224), None), ((1920, 1080), (224, 224), 256), ((1080, 1920), (224, 224), 224),
    ((720, 1280), (224, 224), None),  # portrait: Pillow 13 filters vertically first
    ((640, 480), (320, 96), None), ((97, 61), (31, 23), None), ((64, 48), (150, 100), None), ((40, 30), (41, 29), None),
    ((333, 517), (256, 256), 300),
]


@pytest.mark.parametrize("use_native", BACKENDS)
@pytest.mark.parametrize("resize", list(FILTERS))
@pytest.mark.parametrize("src,dst,se", GEOMETRIES)
def test_rgb_equals_pillow_bit_for_bit(use_native, resize, src, dst, se):
    rng = np.random.default_rng(src[0] * 7 + dst[0])
    rgb = natural(rng, *src)
    spec = PreprocessSpec(*dst, resize=resize, fit="center_crop" if se else "stretch", shortest_edge=se,
                          layout="nhwc", dtype="uint8")
    want = pillow_resize(rgb, dst, resize, se)
    assert np.array_equal(Preprocessor(spec, use_native=use_native)(rgb, fmt="rgb"), want)
    bgr = np.ascontiguousarray(rgb[..., ::-1])
    assert np.array_equal(Preprocessor(spec, use_native=use_native)(bgr, fmt="bgr"), want)


@pytest.mark.parametrize("use_native", BACKENDS)
@pytest.mark.parametrize("resize", list(FILTERS))
def test_world_frames_equal_pillow_and_float_is_pixel_over_255(use_native, resize):
    frame_bgr = world(1280, 720)
    want = pillow_resize(cv2.cvtColor(frame_bgr, cv2.COLOR_BGR2RGB), (224, 224), resize, 256)
    spec = dict(resize=resize, fit="center_crop", shortest_edge=256, layout="nhwc")
    got = Preprocessor(PreprocessSpec(224, 224, dtype="uint8", **spec), use_native=use_native)(frame_bgr, fmt="bgr")
    assert np.array_equal(got, want)
    f32 = Preprocessor(PreprocessSpec(224, 224, **spec), use_native=use_native)(frame_bgr, fmt="bgr")
    assert np.abs(f32 - want / np.float32(255)).max() <= 1e-6  # <= 1/255 asked; this is float32 rounding


@pytest.mark.parametrize("use_native", BACKENDS)
@pytest.mark.parametrize("fmt", ["rgba", "bgra", "gray"])
def test_other_packed_sources_equal_pillow(use_native, fmt):
    rgb = natural(np.random.default_rng(3), 500, 300)
    if fmt == "gray":
        frame = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        want = np.asarray(Image.fromarray(frame).resize((70, 50), Image.Resampling.BICUBIC, reducing_gap=None))[..., None]
    else:
        frame = cv2.cvtColor(rgb, cv2.COLOR_RGB2RGBA if fmt == "rgba" else cv2.COLOR_RGB2BGRA)
        frame[..., 3] = 17  # alpha is ignored (Pillow's "RGB" image of the colour channels)
        want = pillow_resize(rgb, (70, 50), "pil-bicubic")
    spec = PreprocessSpec(70, 50, resize="pil-bicubic", layout="nhwc", dtype="uint8",
                          channel_order="gray" if fmt == "gray" else "rgb")
    assert np.array_equal(Preprocessor(spec, use_native=use_native)(frame, fmt=fmt), want)


def _nv12(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    i420 = cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420)
    chroma = i420[h:].reshape(2, h // 2, w // 2)  # U then V, (h/2) x (w/2) each
    return np.concatenate([i420[:h], np.stack([chroma[0], chroma[1]], -1).reshape(h // 2, w)])


@pytest.mark.parametrize("use_native", BACKENDS)
@pytest.mark.parametrize("resize", list(FILTERS))
@pytest.mark.parametrize("src,dst,se", [((1280, 720), (224, 224), 256), ((720, 1280), (224, 224), None),
                                        ((130, 74), (41, 29), None)])
def test_yuv_is_pillow_on_the_ycbcr_image(use_native, resize, src, dst, se):
    # The definition, checked against Pillow itself: Y, U, V (chroma replicated 2x2) resized as Pillow
    # resizes a YCbCr image, then converted per output pixel with the integer yuv_to_rgb.
    buf = _nv12(natural(np.random.default_rng(5), *src))
    ycbcr = reference.yuv_planes(framesmod.describe(buf, "nv12"))[0]
    resized = pillow_resize(ycbcr, dst, resize, se)  # channel-wise, the mode is irrelevant to resampling
    want = reference.yuv_to_rgb(resized[..., 0], resized[..., 1], resized[..., 2], "bt601", "limited")
    spec = PreprocessSpec(*dst, resize=resize, fit="center_crop" if se else "stretch", shortest_edge=se,
                          layout="nhwc", dtype="uint8")
    assert np.array_equal(Preprocessor(spec, use_native=use_native)(buf, fmt="nv12"), want)


@pytest.mark.parametrize("resize", list(FILTERS))
def test_yuv_within_3_levels_of_pillow_on_the_converted_frame(resize):
    rgb = cv2.GaussianBlur(natural(np.random.default_rng(6), 1280, 720), (0, 0), 2)  # smooth: in gamut
    buf = _nv12(rgb)
    want = pillow_resize(cv2.cvtColor(buf, cv2.COLOR_YUV2RGB_NV12), (224, 224), resize)
    got = Preprocessor(PreprocessSpec(224, 224, resize=resize, layout="nhwc", dtype="uint8"))(buf, fmt="nv12")
    d = np.abs(got.astype(int) - want)
    assert d.max() <= 3 and d.mean() < 0.5


def test_pass_order_follows_pillow_13():
    assert pil.horizontal_first(1920, 1080, 224, 224)
    assert not pil.horizontal_first(720, 1280, 224, 224)  # 1056 rows lost > 2 x 496 columns
    assert pil.horizontal_first(64, 48, 150, 100)  # upscales


def test_coefficients_match_pillow_filters_on_an_impulse():
    # One bright pixel resized by each filter: its spread is the coefficient column Pillow uses.
    img = np.zeros((1, 40), np.uint8)
    img[0, 17] = 255
    for resize, f in FILTERS.items():
        want = np.asarray(Image.fromarray(img).resize((9, 1), f, reducing_gap=None))[0].astype(np.int64)
        taps = pil.coefficients(resize, 40, 9)
        acc = np.full(9, 1 << 21, np.int64)
        for d in range(9):
            t = 17 - taps.start[d]
            if 0 <= t < taps.k.shape[1]:
                acc[d] += 255 * int(taps.k[d, t])
        assert np.array_equal(np.clip(acc >> 22, 0, 255), want)


def test_resize_for_pil_resample_maps_processor_configs():
    assert pil.resize_for_pil_resample(2) == "pil-bilinear"
    assert pil.resize_for_pil_resample(Image.Resampling.BICUBIC) == "pil-bicubic"
    for bad in (0, 1, 4, 5):
        with pytest.raises(ValueError, match="no vidlite resize"):
            pil.resize_for_pil_resample(bad)
    with pytest.raises(TypeError):
        pil.resize_for_pil_resample("bicubic")


def test_spec_round_trip_and_validation():
    spec = PreprocessSpec(224, 224, resize="PIL-Bicubic", fit="center_crop", shortest_edge=256)
    assert spec.resize == "pil-bicubic" and spec.to_dict()["shortest_edge"] == 256
    assert PreprocessSpec.from_dict(spec.to_dict()) == spec
    assert "shortest_edge" not in PreprocessSpec(224, 224).to_dict()  # absent: existing manifests unchanged
    with pytest.raises(ValueError, match="center_crop"):
        PreprocessSpec(224, 224, resize="pil-bilinear", shortest_edge=256)
    with pytest.raises(ValueError, match=">= the crop"):
        PreprocessSpec(224, 224, fit="center_crop", shortest_edge=200)
    with pytest.raises(TypeError):
        PreprocessSpec(224, 224, fit="center_crop", shortest_edge=256.5)


def test_manifest_schema_accepts_the_pil_modes():
    import json
    from pathlib import Path

    from jsonschema import Draft202012Validator

    schema = json.loads((Path(__file__).parents[1] / "sdk/vidlite/bundle/manifest.schema.json").read_text())
    pre = Draft202012Validator(schema["$defs"]["preprocess"])
    for resize in ("pil-bilinear", "pil-bicubic"):
        assert pre.is_valid(PreprocessSpec(224, 224, resize=resize, fit="center_crop", shortest_edge=256).to_dict())
    assert not pre.is_valid({"width": 8, "height": 8, "resize": "pil-lanczos"})


@pytest.mark.parametrize("resize", ["bilinear", "area"])
def test_shortest_edge_with_the_other_resizes_is_the_crop_of_the_full_resize(resize):
    # The kept window of the full resize, computed without resizing the rest.
    rgb = natural(np.random.default_rng(8), 300, 200)
    full = PreprocessSpec(96, 64, resize=resize, layout="nhwc")
    crop = PreprocessSpec(40, 30, resize=resize, layout="nhwc", fit="center_crop", shortest_edge=64)
    whole = reference.Preprocessor(full)(rgb, fmt="rgb")
    assert np.array_equal(reference.Preprocessor(crop)(rgb, fmt="rgb"), whole[17:47, 28:68])
    assert geometry.kept(96, 40) == 28 and geometry.kept(64, 30) == 17


@pytest.mark.parametrize("use_native", BACKENDS)
@pytest.mark.parametrize("fmt,shape", [("bgr", (1, 1, 3)), ("bgr", (1, 300, 3)), ("rgba", (257, 1, 4)), ("gray", (3, 5)),
                                       ("nv12", (3, 2)), ("i420", (6, 2)), ("nv21", (30, 400))])
def test_degenerate_frames_run_and_agree(use_native, fmt, shape):
    # Frames narrower than a SIMD step, a single row or column, 4:2:0 of one chroma sample: no crash,
    # the same bytes as the reference, for every geometry including a huge shortest-edge resize.
    frame = np.random.default_rng(9).integers(0, 256, shape, np.uint8)
    for spec in (PreprocessSpec(7, 5, resize="pil-bicubic", dtype="uint8"),
                 PreprocessSpec(33, 17, resize="pil-bilinear", fit="letterbox"),
                 PreprocessSpec(16, 16, resize="pil-bicubic", fit="center_crop", shortest_edge=16384, channel_order="gray")):
        got = Preprocessor(spec, use_native=use_native)(frame, fmt=fmt)
        assert got.tobytes() == reference.Preprocessor(spec)(frame, fmt=fmt).tobytes()


@pytest.mark.skipif(len(BACKENDS) < 2, reason="vidlite._native is not built")
@pytest.mark.parametrize("fmt", ["bgr", "nv12"])
def test_threads_give_identical_batches(fmt):
    # Few frames on several threads split each frame into row bands, each with its own row ring.
    rgb = natural(np.random.default_rng(10), 640, 360)
    frame = _nv12(rgb) if fmt == "nv12" else rgb
    for n in (1, 3):
        batch = np.stack([frame] * n)
        spec = PreprocessSpec(96, 80, resize="pil-bicubic", fit="center_crop", shortest_edge=100)
        one = Preprocessor(spec, threads=1)(batch, fmt=fmt)
        for threads in (2, 3):
            assert np.array_equal(one, Preprocessor(spec, threads=threads)(batch, fmt=fmt))
