"""Fuzz targets: each takes arbitrary bytes and drives one surface that reads untrusted input.

A target may raise only the errors that surface documents (``EXPECTED[name]``): anything else — another
exception type, a hang, a crash of the interpreter — is a finding. The same functions serve the
bounded run in the test suite (tests/test_fuzz.py, a seeded mutator over the committed corpus) and the
long coverage-guided runs (``scripts/fuzz``, atheris; the native target also under ASan + UBSan).
"""
from __future__ import annotations

import json
import os
import struct
import sys
import tempfile
from pathlib import Path

import numpy as np

from vidlite.errors import VidliteError

_SCRATCH = Path(tempfile.mkdtemp(prefix="vidlite-fuzz-"))
os.environ.setdefault("VIDLITE_CACHE", str(_SCRATCH / "cache"))


class Reader:
    """Draws typed values from the input bytes (zeros once they run out), so every input is valid to draw from."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk.ljust(n, b"\0")

    def int(self, lo: int, hi: int) -> int:
        return lo + struct.unpack("<I", self.take(4))[0] % (hi - lo + 1)

    def choice(self, options):
        return options[self.int(0, len(options) - 1)]

    def float(self) -> float:
        """Mostly ordinary numbers, sometimes the extremes a hostile input would pick."""
        kind = self.int(0, 9)
        if kind == 0:
            return self.choice([0.0, -0.0, 1e-45, -1.0, 1e38, float("inf"), float("-inf"), float("nan")])
        return struct.unpack("<f", self.take(4))[0] if kind == 1 else self.int(-1000, 1000) / 100.0

    def usually(self, ordinary: list, hostile):
        """One of `ordinary` 31 times in 32, else `hostile()`: with a dozen such draws per input, most
        inputs still get past the argument checks to the code behind them."""
        return hostile() if self.int(0, 31) == 31 else self.choice(ordinary)  # past the input's end: ordinary


def _write(name: str, data: bytes) -> Path:
    path = _SCRATCH / name
    path.write_bytes(data)
    return path


# --- bundles --------------------------------------------------------------------------------------

def manifest(data: bytes) -> None:
    """A bundle folder whose manifest.json is the input (beside one real file it may reference)."""
    from vidlite.bundle import open_bundle

    root = _SCRATCH / "bundle"
    root.mkdir(exist_ok=True)
    (root / "model.onnx").write_bytes(b"onnx")
    (root / "manifest.json").write_bytes(data)
    open_bundle(root).verify_all()


def zip_bundle(data: bytes) -> None:
    """A packed bundle: the input is the .zip file."""
    from vidlite.bundle import open_bundle

    open_bundle(_write("bundle.zip", data)).verify_all()


# --- subtitles ------------------------------------------------------------------------------------

def srt(data: bytes) -> None:
    from vidlite.subtitles import parse_srt

    parse_srt(data.decode("utf-8", errors="replace"))


def vtt(data: bytes) -> None:
    from vidlite.subtitles import parse_vtt

    parse_vtt(data.decode("utf-8", errors="replace"))


def subtitle_writers(data: bytes) -> None:
    """Segments with any text (newlines, '-->', control characters, any script) written as SRT, WebVTT
    and JSON must read back with the project's own strict parsers, one cue per segment."""
    from vidlite.subtitles import Segment, open_subtitles, parse_srt, parse_vtt

    r = Reader(data)
    t, segments = 0.0, []
    for _ in range(r.int(1, 4)):
        start = t + r.int(0, 5000) / 1000
        t = start + r.int(1, 5000) / 1000
        segments.append(Segment(start, t, r.take(r.int(0, 40)).decode("utf-8", errors="replace")))
    out = {fmt: _SCRATCH / f"subs.{fmt}" for fmt in ("srt", "vtt", "json")}
    with open_subtitles(out) as sink:
        for seg in segments:
            sink.add(seg)
    got = (len(parse_srt(out["srt"].read_text("utf-8"))), len(parse_vtt(out["vtt"].read_text("utf-8"))),
           len(json.loads(out["json"].read_text("utf-8"))))
    if got != (len(sink.segments),) * 3:
        raise AssertionError(f"{len(sink.segments)} segments written, read back {got} (srt, vtt, json)")


# --- the retrieval index ------------------------------------------------------------------------

def index(data: bytes) -> None:
    """The input is the index file: searched read-only, then opened for writing on a copy."""
    from vidlite.index.store import ClipIndex

    path = _write("lib.vlindex", data)
    for leftover in path.parent.glob("lib.vlindex-*"):  # -wal/-shm of the previous input
        leftover.unlink()
    for read_only in (True, False):
        with ClipIndex(path, read_only=read_only) as ix:
            # the query is the caller's: sized by the index when it is sane, else a plain mismatch
            ix.search(np.ones(ix.dim if ix.dim and ix.dim <= 4096 else 8, np.float32), k=3)


# --- preprocessing --------------------------------------------------------------------------------

def spec(data: bytes) -> None:
    """A manifest's "preprocess" section (JSON) → PreprocessSpec → a Preprocessor run on a small frame."""
    from vidlite import PreprocessSpec, Preprocessor

    d = json.loads(data.decode("utf-8", errors="replace") or "null")
    pp = Preprocessor(PreprocessSpec.from_dict(d))
    pp(np.zeros((6, 8, 3), np.uint8), fmt="bgr")


def frames(data: bytes) -> None:
    """The Preprocessor facade, as an app calls it: any array (dtype, rank, shape, strides) with any
    format and ROI. Native and NumPy reference backends must both take or both refuse it, and agree."""
    from vidlite import PreprocessSpec, Preprocessor
    from vidlite import native as nat

    r = Reader(data)
    spec = PreprocessSpec(r.int(1, 24), r.int(1, 24), resize=r.choice(["bilinear", "area", "pil-bilinear", "pil-bicubic"]),
                          fit=r.choice(["stretch", "center_crop", "letterbox"]), layout=r.choice(["nchw", "nhwc"]),
                          channel_order=r.choice(["rgb", "bgr", "gray"]))
    fmt = r.usually(list(_FORMATS), lambda: r.choice(["yuv", "", "BGR"]))
    shape = [r.int(0, 3) if r.int(0, 15) == 15 else r.int(1, 40) for _ in range(r.int(2, 5))]
    if r.int(0, 1):  # the shape the format wants, often
        h, w = 2 * r.int(1, 20), 2 * r.int(1, 20)
        shape = {"gray": [h, w], "nv12": [h * 3 // 2, w], "nv21": [h * 3 // 2, w], "i420": [h * 3 // 2, w]}.get(
            fmt, [h, w, _FORMATS.get(fmt, 3)])
    frame = np.frombuffer(r.take(8), np.uint8).repeat(1 + int(np.prod(shape)) // 8)[:int(np.prod(shape))].reshape(shape)
    frame = frame.astype(r.usually([np.uint8], lambda: np.float32))
    if frame.ndim >= 2 and r.int(0, 7) == 7:
        frame = frame[:, ::-1]
    roi = None if r.int(0, 3) else tuple(r.int(-2, 30) for _ in range(4))
    results = []
    for use_native in ([True, False] if nat.AVAILABLE else [False]):
        try:
            results.append(Preprocessor(spec, use_native=use_native)(frame, fmt=fmt, roi=roi))
        except (ValueError, TypeError) as e:
            results.append(type(e))
    if len(results) == 2:
        a, b = results
        if isinstance(a, type) or isinstance(b, type):
            if a is not b:
                raise AssertionError(f"native gave {a if isinstance(a, type) else 'a result'}, the reference "
                                     f"{b if isinstance(b, type) else 'a result'}")
        elif not np.allclose(a, b, atol=2e-3, rtol=0):
            raise AssertionError(f"native and reference differ by {np.abs(a - b).max():.3g}")


native_calls = 0  # inputs that reached the kernels, reported by the long runs (scripts/fuzz)
_FORMATS = {"bgr": 3, "rgb": 3, "bgra": 4, "rgba": 4, "gray": 0, "nv12": 2, "nv21": 2, "i420": 1}


def _plane(r: Reader, n: int, h: int, w: int, c: int) -> np.ndarray:
    """A uint8 plane of shape (n, h, w[, c]), often a strided view, sometimes of the wrong shape."""
    shape = (n, h, w) + ((c,) if c else ())
    pad = r.int(0, 3)
    padded = [s + pad for s in shape[:3]] + list(shape[3:])  # padded frames, rows and row ends: real strides
    base = np.frombuffer(r.take(16), np.uint8).repeat(1 + int(np.prod(padded)) // 16)[:int(np.prod(padded))]
    view = base.reshape(padded)[tuple(slice(0, s) for s in shape)]
    mode = r.int(0, 47)  # the hostile layouts at the top: an input that ran out of bytes draws 0
    if mode == 44:
        view = view[:, ::-1]  # negative row stride
    elif mode == 45:
        view = view.astype(np.float32)
    elif mode == 46:
        view = view.reshape(-1)
    elif mode == 47 and view.ndim > 3:
        view = np.swapaxes(view, 2, 3)
    return view


def native(data: bytes) -> None:
    """The native kernels through their binding, with the facade's checks bypassed: random spec,
    format, size, strides, batch, ROI and output buffer."""
    from vidlite import native as nat

    global native_calls
    r = Reader(data)
    spec = {"width": r.usually(list(range(1, 70)), lambda: r.int(-2, 2)),
            "height": r.usually(list(range(1, 70)), lambda: r.int(-2, 2)),
            "resize": r.usually(["bilinear", "area", "pil-bilinear", "pil-bicubic"], lambda: "nearest"),
            "fit": r.choice(["stretch", "center_crop", "letterbox"]), "pad_value": r.usually([0.0, 114.0], r.float),
            "mean": [r.usually([0.0, 0.485, 0.5], r.float) for _ in range(3)],
            "std": [r.usually([1.0, 0.229, 0.5], r.float) for _ in range(3)],
            "channel_order": r.choice(["rgb", "bgr", "gray"]), "layout": r.choice(["nchw", "nhwc"]),
            "dtype": r.choice(["float32", "float16", "uint8", "int8"])}
    if spec["fit"] == "center_crop" and r.int(0, 1):  # the image processors' shortest edge, then crop
        spec["shortest_edge"] = r.usually(list(range(1, 90)), lambda: r.choice([0, -1, 2 ** 30]))
    if spec["dtype"] in ("uint8", "int8"):
        spec["mean"], spec["std"] = [0.0] * 3, [1.0] * 3  # raw pixels unless quantized
        if spec["dtype"] == "int8" or r.int(0, 1):
            spec["quant"] = {"scale": r.usually([0.02, 1 / 255], r.float), "zero_point": r.usually([0, 3], lambda: r.int(-300, 300))}
    fmt = r.usually(list(_FORMATS), lambda: "yuyv")
    n, h, w = r.int(1, 3), r.int(1, 90), r.int(1, 90)
    c = _FORMATS.get(fmt, 3)
    if fmt in ("nv12", "nv21", "i420"):  # 4:2:0 needs even sizes; an odd one now and then
        h, w = r.usually([h + h % 2], lambda: h), r.usually([w + w % 2], lambda: w)
    if fmt == "nv12" or fmt == "nv21":
        planes = [_plane(r, n, h, w, 0), _plane(r, n, h // 2, w // 2, 2)]
    elif fmt == "i420":
        planes = [_plane(r, n, h, w, 0)] + [_plane(r, n, h // 2, w // 2, 0) for _ in range(2)]
    else:
        planes = [_plane(r, n, h, w, c if fmt != "gray" else 0)]
    extreme = [2 ** 31 - 1, 2 ** 31, 2 ** 63, 2 ** 70, -2 ** 63, 1 << 30]
    x, y = r.int(0, w - 1), r.int(0, h - 1)
    inside = (x, y, r.int(1, w - x), r.int(1, h - y))
    roi = None if r.int(0, 2) == 0 else tuple(r.usually([v], lambda: r.choice(extreme + [-1, 0, 100])) for v in inside)
    pp = nat.ext.Preprocessor(spec, r.int(1, 3))
    ch = 1 if spec["channel_order"] == "gray" else 3
    oh, ow = max(spec["height"], 1), max(spec["width"], 1)
    shape = (n, ch, oh, ow) if spec["layout"] == "nchw" else (n, oh, ow, ch)
    if r.int(0, 31) == 31:
        shape = shape[:-1] + (shape[-1] + 1,)
    out = np.empty(shape, r.usually([spec["dtype"]], lambda: "float64"))
    pp.run(planes, fmt, out, roi, r.usually(["bt601", "bt709"], lambda: "bt2020"), r.usually(["limited", "full"], lambda: "pc"))
    native_calls += 1  # the kernels ran on this input (every check before them passed)
    if native_calls % 50_000 == 0:
        print(f"[fuzz] native: {native_calls} kernel calls", file=sys.stderr, flush=True)


# name → (target, the errors it may raise)
TARGETS = {
    "manifest": (manifest, (VidliteError,)),
    "zip": (zip_bundle, (VidliteError,)),
    "srt": (srt, (ValueError,)),
    "vtt": (vtt, (ValueError,)),
    "subtitle_writers": (subtitle_writers, ()),  # every text must be written so that it reads back
    "index": (index, (VidliteError,)),
    "spec": (spec, (ValueError, TypeError)),  # json.JSONDecodeError is a ValueError
    "frames": (frames, ()),  # it catches the documented errors itself, to compare the two backends
    "native": (native, (ValueError, TypeError)),
}


def run_one(name: str, data: bytes) -> None:
    """Run target `name` on `data`; re-raise only what the target does not document."""
    target, expected = TARGETS[name]
    try:
        target(data)
    except expected:
        pass
