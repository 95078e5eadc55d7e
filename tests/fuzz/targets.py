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

    def rest(self) -> bytes:
        return self.data[self.pos:]


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


_FORMATS = {"bgr": 3, "rgb": 3, "bgra": 4, "rgba": 4, "gray": 0, "nv12": 2, "nv21": 2, "i420": 1}


def _plane(r: Reader, n: int, h: int, w: int, c: int) -> np.ndarray:
    """A uint8 plane of shape (n, h, w[, c]), often a strided view, sometimes of the wrong shape."""
    shape = (n, h, w) + ((c,) if c else ())
    pad = r.int(0, 3)
    base = np.frombuffer(r.take(16), np.uint8).repeat(1 + np.prod([s + pad for s in shape]) // 16)
    base = base[:int(np.prod([s + pad for s in shape]))].reshape([s + pad for s in shape])
    view = base[tuple(slice(0, s) for s in shape)]  # padded rows / frames / channels: real strides
    mode = r.int(0, 11)
    if mode == 0:
        view = view[:, ::-1]  # negative row stride
    elif mode == 1:
        view = view.astype(np.float32)
    elif mode == 2:
        view = view.reshape(-1)
    elif mode == 3 and view.ndim > 3:
        view = np.swapaxes(view, 2, 3)
    return view


def native(data: bytes) -> None:
    """The native kernels through their binding, with the facade's checks bypassed: random spec,
    format, size, strides, batch, ROI and output buffer."""
    from vidlite import native as nat

    r = Reader(data)
    spec = {"width": r.int(-2, 70), "height": r.int(-2, 70),
            "resize": r.choice(["bilinear", "area", "nearest"]), "fit": r.choice(["stretch", "center_crop", "letterbox"]),
            "pad_value": r.float(), "mean": [r.float() for _ in range(3)], "std": [r.float() for _ in range(3)],
            "channel_order": r.choice(["rgb", "bgr", "gray"]), "layout": r.choice(["nchw", "nhwc"]),
            "dtype": r.choice(["float32", "float16", "uint8", "int8"])}
    if spec["dtype"] in ("uint8", "int8") and r.int(0, 1):
        spec["quant"] = {"scale": r.float(), "zero_point": r.int(-300, 300)}
    fmt = r.choice(list(_FORMATS) + ["yuyv"])
    n, h, w = r.int(1, 3), r.int(1, 90), r.int(1, 90)
    c = _FORMATS.get(fmt, 3)
    if fmt == "nv12" or fmt == "nv21":
        planes = [_plane(r, n, h, w, 0), _plane(r, n, h // 2, w // 2, 2)]
    elif fmt == "i420":
        planes = [_plane(r, n, h, w, 0)] + [_plane(r, n, h // 2, w // 2, 0) for _ in range(2)]
    else:
        planes = [_plane(r, n, h, w, c if fmt != "gray" else 0)]
    extreme = [2 ** 31 - 1, 2 ** 31, 2 ** 63, 2 ** 70, -2 ** 63, 1 << 30]
    roi = None if r.int(0, 2) else tuple(r.choice(extreme) if r.int(0, 7) == 0 else r.int(-5, 100) for _ in range(4))
    pp = nat.ext.Preprocessor(spec, r.int(1, 3))
    ch = 1 if spec["channel_order"] == "gray" else 3
    oh, ow = max(spec["height"], 1), max(spec["width"], 1)
    shape = (n, ch, oh, ow) if spec["layout"] == "nchw" else (n, oh, ow, ch)
    if r.int(0, 9) == 0:
        shape = shape[:-1] + (shape[-1] + 1,)
    out = np.empty(shape, r.choice([spec["dtype"]] * 5 + ["float64"]))
    pp.run(planes, fmt, out, roi, r.choice(["bt601", "bt709", "bt2020"]), r.choice(["limited", "full", "pc"]))


# name → (target, the errors it may raise)
TARGETS = {
    "manifest": (manifest, (VidliteError,)),
    "zip": (zip_bundle, (VidliteError,)),
    "srt": (srt, (ValueError,)),
    "vtt": (vtt, (ValueError,)),
    "index": (index, (VidliteError,)),
    "spec": (spec, (ValueError, TypeError)),  # json.JSONDecodeError is a ValueError
    "native": (native, (ValueError, TypeError)),
}


def run_one(name: str, data: bytes) -> None:
    """Run target `name` on `data`; re-raise only what the target does not document."""
    target, expected = TARGETS[name]
    try:
        target(data)
    except expected:
        pass
