"""Bad input never crashes: the facade, the NumPy reference and the raw binding raise TypeError or
ValueError naming the argument; specs validate against the bundle manifest schema."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import vidlite
from vidlite import native
from vidlite.preprocess import PreprocessSpec, Preprocessor

HAS_NATIVE = native.AVAILABLE and hasattr(native.ext, "Preprocessor")
BACKENDS = [False, True] if HAS_NATIVE else [False]
SCHEMA = Path(vidlite.__file__).parent / "bundle" / "manifest.schema.json"


@pytest.fixture(params=BACKENDS, ids=lambda n: "native" if n else "numpy")
def pp(request):
    return Preprocessor(PreprocessSpec(16, 12), use_native=request.param)


def huge_view(h: int, w: int, c: int = 3) -> np.ndarray:
    """A (h, w, c) uint8 view over a few bytes: absurd sizes without the memory."""
    return np.lib.stride_tricks.as_strided(np.zeros(c, np.uint8), (h, w, c), (0, 0, 1))


@pytest.mark.parametrize("frame,fmt,exc,words", [
    ([[1, 2, 3]], "bgr", TypeError, "numpy.ndarray"),
    (np.zeros((8, 8, 3), np.float32), "bgr", TypeError, "uint8"),
    (np.zeros((8, 8), np.uint8), "bgr", ValueError, "(H, W, 3)"),
    (np.zeros((8, 8, 4), np.uint8), "bgr", ValueError, "(H, W, 3)"),
    (np.zeros((2, 2, 8, 8, 3), np.uint8), "rgb", ValueError, "shape"),
    (np.zeros((0, 8, 3), np.uint8), "bgr", ValueError, "empty"),
    (np.zeros((8, 8, 3), np.uint8), "yuyv", ValueError, "fmt"),
    (np.zeros((15, 9), np.uint8), "nv12", ValueError, "even"),  # odd width
    (np.zeros((10, 10), np.uint8), "i420", ValueError, "multiple of 3"),
    (np.zeros((8, 8, 3), np.uint8)[::-1], "bgr", ValueError, "negative strides"),
    (np.zeros((8, 8, 3), np.uint8)[:, ::2], "bgr", ValueError, "contiguous pixels"),
    (np.zeros((8, 8, 3), np.uint8)[:, :, ::-1], "bgr", ValueError, "negative strides"),
    (huge_view(40000, 40000), "bgr", ValueError, "pixels"),
    ((np.zeros((8, 8), np.uint8),), "nv12", ValueError, "planes"),
    ((np.zeros((8, 8), np.uint8), np.zeros((4, 3, 2), np.uint8)), "nv12", ValueError, "plane uv"),
    ((np.zeros((8, 8), np.uint8), np.zeros((4, 4), np.uint8), np.zeros((4, 4), np.int16)), "i420", TypeError, "uint8"),
])
def test_bad_frames(pp, frame, fmt, exc, words):
    with pytest.raises(exc) as err:
        pp(frame, fmt=fmt)
    assert words in str(err.value)


def test_odd_yuv_height(pp):
    # One buffer always has an even height (H*3/2 rows); separate planes can carry an odd one.
    with pytest.raises(ValueError, match="even"):
        pp((np.zeros((7, 10), np.uint8), np.zeros((3, 5, 2), np.uint8)), fmt="nv12")


@pytest.mark.parametrize("out,exc,words", [
    (np.empty((3, 12, 16), np.float64), TypeError, "float32"),
    (np.empty((3, 12, 15), np.float32), ValueError, "shape"),
    (np.empty((12, 16, 3), np.float32), ValueError, "shape"),
    (np.empty((3, 12, 32), np.float32)[:, :, ::2], ValueError, "C-contiguous"),
    ("buffer", TypeError, "numpy.ndarray"),
])
def test_bad_out(pp, out, exc, words):
    with pytest.raises(exc) as err:
        pp(np.zeros((24, 32, 3), np.uint8), fmt="bgr", out=out)
    assert words in str(err.value)


def test_readonly_out(pp):
    out = np.empty((3, 12, 16), np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="writeable"):
        pp(np.zeros((24, 32, 3), np.uint8), fmt="bgr", out=out)


@pytest.mark.parametrize("kwargs,exc,words", [
    ({"roi": (0, 0, 40, 10)}, ValueError, "roi"),
    ({"roi": (-1, 0, 4, 4)}, ValueError, "roi"),
    ({"roi": (0, 0, 0, 4)}, ValueError, "roi"),
    ({"roi": (0, 0, 4)}, TypeError, "roi"),
    ({"roi": (0.5, 0, 4, 4)}, TypeError, "roi"),
    ({"color_matrix": "bt2020"}, ValueError, "color_matrix"),
    ({"color_range": "tv"}, ValueError, "color_range"),
])
def test_bad_call_arguments(pp, kwargs, exc, words):
    with pytest.raises(exc) as err:
        pp(np.zeros((24, 32, 3), np.uint8), fmt="bgr", **kwargs)
    assert words in str(err.value)


@pytest.mark.parametrize("kwargs,exc,words", [
    ({"width": 0}, ValueError, "width"),
    ({"width": 100000}, ValueError, "width"),
    ({"width": 2.5}, TypeError, "width"),
    ({"resize": "cubic"}, ValueError, "resize"),
    ({"resize": "pil-lanczos"}, ValueError, "resize"),
    ({"shortest_edge": 32}, ValueError, "center_crop"),
    ({"fit": "center_crop", "shortest_edge": 8}, ValueError, ">= the crop"),
    ({"fit": "center_crop", "shortest_edge": 100000}, ValueError, "shortest_edge"),
    ({"fit": "center_crop", "shortest_edge": "32"}, TypeError, "shortest_edge"),
    ({"fit": "fill"}, ValueError, "fit"),
    ({"layout": "chw"}, ValueError, "layout"),
    ({"dtype": "float64"}, ValueError, "dtype"),
    ({"std": (1, 0, 1)}, ValueError, "std"),
    ({"std": 1e-45}, ValueError, "std must be in 1e-06..1e+06"),  # 1 / (255 std) overflowed to inf
    ({"std": (0.2, -0.2, 0.2)}, ValueError, "std must be in"),
    ({"std": (0.2, float("inf"), 0.2)}, TypeError, "std[1]"),
    ({"mean": 1e300}, ValueError, "mean must be in -1e+06..1e+06"),
    ({"mean": float("-inf")}, TypeError, "mean[0] must be a finite number"),
    ({"mean": (0, 0)}, ValueError, "mean"),
    ({"mean": (0, float("nan"), 0)}, TypeError, "mean"),
    ({"pad_value": 300}, ValueError, "pad_value"),
    ({"dtype": "int8"}, ValueError, "quant"),
    ({"dtype": "float32", "quant": {"scale": 0.1, "zero_point": 0}}, ValueError, "quant"),
    ({"dtype": "uint8", "quant": {"scale": 0, "zero_point": 0}}, ValueError, "scale"),
    ({"dtype": "int8", "quant": {"scale": 0.1, "zero_point": 200}}, ValueError, "zero_point"),
    ({"dtype": "uint8", "mean": (0.5, 0.5, 0.5)}, ValueError, "uint8"),
    ({"frames_per_clip": 0}, ValueError, "frames_per_clip"),
    ({"sample_fps": -1}, ValueError, "sample_fps"),
])
def test_bad_specs(kwargs, exc, words):
    args = {"width": 16, "height": 16, **kwargs}
    with pytest.raises(exc) as err:
        PreprocessSpec(**args)
    assert words in str(err.value)


def test_spec_dict_round_trip_and_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SCHEMA.read_text())
    sub = {"$defs": schema["$defs"], "$ref": "#/$defs/preprocess"}
    specs = [PreprocessSpec(224, 224),
             PreprocessSpec(160, 96, resize="area", fit="letterbox", pad_value=114, mean=[0.5], std=[0.25],
                            channel_order="gray", layout="nhwc", dtype="int8",
                            quant={"scale": 0.02, "zero_point": -3}, frames_per_clip=8, sample_fps=2.5),
             PreprocessSpec(224, 224, resize="pil-bicubic", fit="center_crop", shortest_edge=256,
                            mean=(0.481, 0.458, 0.408), std=(0.269, 0.261, 0.276))]
    for spec in specs:
        d = spec.to_dict()
        jsonschema.validate(d, sub)
        assert PreprocessSpec.from_dict(json.loads(json.dumps(d))) == spec
    with pytest.raises(ValueError, match="unknown keys"):
        PreprocessSpec.from_dict({"width": 1, "height": 1, "colour": "rgb"})
    with pytest.raises(ValueError, match="missing"):
        PreprocessSpec.from_dict({"width": 1})


@pytest.mark.skipif(not HAS_NATIVE, reason="vidlite._native is not built")
class TestRawBinding:
    """vidlite._native.Preprocessor checks everything itself: it may be called without the facade."""

    def kernel(self, **spec):
        return native.ext.Preprocessor({"width": 8, "height": 6, **spec}, 1)

    def test_bad_spec_dicts(self):
        for spec, exc in [({"width": "8"}, TypeError), ({"dtype": "f32"}, ValueError), ({"std": [1, 0, 1]}, ValueError),
                          ({"mean": "abc"}, TypeError), ({"dtype": "int8"}, ValueError),
                          ({"quant": {"scale": 1.0}}, ValueError), ({"resize": "pil-lanczos"}, ValueError),
                          ({"shortest_edge": 16}, ValueError), ({"fit": "center_crop", "shortest_edge": 7}, ValueError),
                          ({"fit": "center_crop", "shortest_edge": 0}, ValueError),
                          ({"fit": "center_crop", "shortest_edge": 2 ** 70}, ValueError),
                          ({"fit": "center_crop", "shortest_edge": 16.0}, TypeError)]:
            with pytest.raises(exc):
                self.kernel(**spec)
        with pytest.raises(ValueError, match="height"):
            native.ext.Preprocessor({"width": 8}, 1)
        with pytest.raises(ValueError, match="threads"):
            native.ext.Preprocessor({"width": 8, "height": 8}, 0)

    def test_bad_planes_and_out(self):
        k = self.kernel()
        out = np.empty((1, 3, 6, 8), np.float32)
        img = np.zeros((1, 12, 16, 3), np.uint8)
        k.run([img], "bgr", out)  # the good call works
        cases = [
            (([img, img], "bgr", out), ValueError, "planes"),
            (("abc", "bgr", out), ValueError, "planes"),
            (([img[0]], "bgr", out), ValueError, "batch axis"),  # (H, W, C) without N
            (([img.astype(np.int8)], "bgr", out), TypeError, "uint8"),
            (([[1, 2]], "bgr", out), TypeError, "numpy"),
            (([img], "bgra", out), ValueError, "shape"),
            (([img[:, ::-1]], "bgr", out), ValueError, "row stride"),
            (([img[:, :, ::2]], "bgr", out), ValueError, "contiguous pixels"),
            (([np.zeros((1, 12, 15), np.uint8), np.zeros((1, 6, 7, 2), np.uint8)], "nv12", out), ValueError, "even"),
            (([np.zeros((1, 12, 16), np.uint8), np.zeros((1, 6, 8, 2), np.uint8)], "i420", out), ValueError, "planes"),
            (([np.zeros((1, 12, 16), np.uint8), np.zeros((1, 6, 7, 2), np.uint8)], "nv12", out), ValueError, "shape"),
            (([np.zeros((1, 0, 16, 3), np.uint8)], "bgr", out), ValueError, "empty"),
            (([img], "bgr", np.empty((2, 3, 6, 8), np.float32)), ValueError, "shape"),
            (([img], "bgr", np.empty((1, 3, 6, 8), np.float16)), TypeError, "float32"),
            (([img], "bgr", np.empty((1, 3, 6, 16), np.float32)[..., ::2]), ValueError, "C-contiguous"),
            (([img], "bgr", out, (0, 0, 17, 1)), ValueError, "roi"),
            (([img], "bgr", out, (0, 0, 1)), TypeError, "roi"),
        ]
        for args, exc, words in cases:
            with pytest.raises(exc) as err:
                k.run(*args)
            assert words in str(err.value), (args[1:], str(err.value))
        huge = np.lib.stride_tricks.as_strided(np.zeros(3, np.uint8), (1, 30000, 30000, 3), (0, 0, 3, 1))
        with pytest.raises(ValueError, match="too large"):
            k.run([huge], "bgr", out)
        with pytest.raises(ValueError, match="color_matrix"):
            k.run([img], "bgr", out, None, "bt2020", "limited")


@pytest.mark.parametrize("std, mean", [([1e-45] * 3, [0.0] * 3), ([-0.2] * 3, [0.0] * 3), ([0.2] * 3, [1e9] * 3)])
def test_native_binding_bounds_mean_and_std_as_the_spec_does(std, mean):
    """The binding is reachable without PreprocessSpec: std 1e-45 gave inf/NaN, a negative std an inverted image."""
    from vidlite import native

    if not native.AVAILABLE:
        pytest.skip("the native extension is not built")
    with pytest.raises(ValueError, match=r"std must be in 1e-6\.\.1e6 and mean in -1e6\.\.1e6"):
        native.ext.Preprocessor({"width": 8, "height": 8, "mean": mean, "std": std}, 1)


def test_native_binding_refuses_integers_past_64_bits():
    """pybind11's cast of 2**70 raised a bare RuntimeError (found by tests/fuzz)."""
    from vidlite import native

    if not native.AVAILABLE:
        pytest.skip("the native extension is not built")
    pp = native.ext.Preprocessor({"width": 8, "height": 8}, 1)
    frame, out = np.zeros((1, 16, 16, 3), np.uint8), np.empty((1, 3, 8, 8), np.float32)
    with pytest.raises(ValueError, match=r"roi\[0\] is out of range"):
        pp.run([frame], "bgr", out, (2 ** 70, 0, 4, 4), "bt601", "limited")
    # x + width past int: refused, computed without overflow (UBSan flagged the int sum, tests/fuzz)
    with pytest.raises(ValueError, match="roi must be non-empty and inside the frame"):
        pp.run([frame], "bgr", out, (2 ** 30, 0, 2 ** 30, 4), "bt601", "limited")
