"""Frame preprocessing: vidlite's fused native kernels against what a user could pick instead.

Cases (one thread unless stated; random frames, fixed seed):
  1. NV12 1920x1080 -> 224x224 RGB float32 NCHW, ImageNet mean/std, bilinear:
     vidlite  vs  OpenCV (cvtColorTwoPlane or cvtColor, then dnn.blobFromImageWithParams, per-channel
     scale = its best path)  vs  libyuv (system libyuv.so: NV12ToARGB + ARGBScale bilinear, NumPy normalize).
  2. BGR 1920x1080 -> 224x224 float32 NCHW (pixel/255, RGB): vidlite vs cv2.dnn.blobFromImage;
     the same with the area filter vs cv2.resize(INTER_AREA) + blobFromImage.
  3. Letterbox BGR 1920x1080 -> 640x640 (pad 114): vidlite vs blobFromImageWithParams(DNN_PMODE_LETTERBOX).
  4. Batch of 8 NV12 1080p frames -> 224 float32 on 1 and 2 threads (vidlite thread pool).
  1b. Case 1 for vidlite alone on a stream of distinct frames, as a decode loop calls it: the
     per-frame goal (<= 0.5 ms) is judged here. (+ NV12 -> 224 with area resize, informational.)
  5. Pillow-exact resize (resize "pil-bilinear" / "pil-bicubic"; uint8 results equal Pillow's, see
     tests/test_preprocess_pil.py): NV12 and BGR 1080p -> 224x224 float32 NCHW, ImageNet mean/std,
     stretch and shortest edge 256 + centre crop 224 (the CLIP/VideoMAE processors' geometry), vs
     Pillow's Image.resize(reducing_gap=None) of the RGB frame (already a PIL image: Pillow is timed
     resizing only, no conversion, crop or normalization), round-robin: goal >= 10x Pillow. The
     per-frame goals (<= 0.6 ms bilinear, <= 1.0 ms bicubic) are judged as case 1b's: vidlite alone
     on a stream of 16 distinct frames (`*_stream`).

The machines these run on are shared, so every figure is the median (and min) over many repetitions,
after warm-up, with the implementations of a case timed round-robin (one call each per round) so load
bursts hit them alike. Single-thread cases report the calling thread's CPU time (time.thread_time_ns:
time spent descheduled by neighbours is excluded); ratios use medians of that (min-based ratios are
in the JSON too). The batch case needs wall time (the pool's threads are not the caller's).

    python bench/preprocess.py [--reps 300] [--json out.json]
"""
from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import itertools
import json
import os
import platform
import statistics
import sys
import time
from typing import Callable

import cv2
import numpy as np

import vidlite
from vidlite import native

MEAN = (0.485, 0.456, 0.406)
STD = (0.229, 0.224, 0.225)
GOALS = {  # case -> (competitor, minimum speedup) ; plus absolute per-frame goals below
    "nv12_224": [("opencv", 4.0), ("libyuv+numpy", 1.2)],
    "bgr_224": [("opencv", 2.0)],
}
# The per-frame goal is vidlite's own cost in a decode loop (case 1b); the round-robin figure of case 1
# also pays for the 14 MB of buffers the competitors write just before each call (their write-backs
# and evictions).
ABS_GOAL_MS = {"nv12_224_stream": 0.5}
# Case 5: (vidlite resize, fit kwargs, Pillow filter, Pillow size or None) per case; goals ms and x Pillow.
PIL_CASES = {
    "pil_bilinear_224": ("pil-bilinear", {}, "BILINEAR", (224, 224)),
    "pil_bicubic_224": ("pil-bicubic", {}, "BICUBIC", (224, 224)),
    "pil_bilinear_256c224": ("pil-bilinear", {"fit": "center_crop", "shortest_edge": 256}, "BILINEAR", (455, 256)),
    "pil_bicubic_256c224": ("pil-bicubic", {"fit": "center_crop", "shortest_edge": 256}, "BICUBIC", (455, 256)),
}
GOALS.update({f"{fmt}_{case}": [("pillow", 10.0)] for case in PIL_CASES for fmt in ("nv12", "bgr")})
ABS_GOAL_MS.update({f"{fmt}_{case}_stream": 1.0 if PIL_CASES[case][0] == "pil-bicubic" else 0.6
                    for case in PIL_CASES for fmt in ("nv12", "bgr")})


def timed(fns: dict[str, Callable[[], object]], reps: int, clock: str) -> dict[str, dict]:
    """Time several implementations of one case round-robin (one call of each per round), so a
    neighbour's load burst hits all of them alike; returns per-implementation median/min ms."""
    for fn in fns.values():
        for _ in range(max(3, reps // 20)):
            fn()
    now = time.thread_time_ns if clock == "cpu" else time.perf_counter_ns
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(reps):
        for name, fn in fns.items():
            t0 = now()
            fn()
            samples[name].append((now() - t0) / 1e6)
    return {name: {"median_ms": statistics.median(v), "min_ms": min(v), "reps": reps, "clock": clock}
            for name, v in samples.items()}


class LibYuv:
    """NV12 -> ARGB -> scaled ARGB with the system libyuv, then NumPy normalization."""

    FILTER_BILINEAR = 2

    def __init__(self) -> None:
        path = ctypes.util.find_library("yuv") or "libyuv.so.0"
        self.lib = ctypes.CDLL(path)
        p, i = ctypes.c_void_p, ctypes.c_int
        self.lib.NV12ToARGB.argtypes = [p, i, p, i, p, i, i, i]
        self.lib.ARGBScale.argtypes = [p, i, i, i, p, i, i, i, i]
        self.path = path

    def nv12_to_tensor(self, y: np.ndarray, uv: np.ndarray, w: int, h: int, ow: int, oh: int,
                       argb: np.ndarray, small: np.ndarray, out: np.ndarray, scale: np.ndarray,
                       bias: np.ndarray) -> np.ndarray:
        self.lib.NV12ToARGB(y.ctypes.data, w, uv.ctypes.data, w, argb.ctypes.data, 4 * w, w, h)
        self.lib.ARGBScale(argb.ctypes.data, 4 * w, w, h, small.ctypes.data, 4 * ow, ow, oh, self.FILTER_BILINEAR)
        rgb = small.transpose(2, 0, 1)[2::-1]  # libyuv ARGB is B, G, R, A in memory
        np.multiply(rgb, scale, out=out, casting="unsafe")
        np.add(out, bias, out=out)
        return out


def opencv_params(size, scale, mean, mode=cv2.dnn.DNN_PMODE_NULL, border=(0, 0, 0), swap_rb=True):
    return cv2.dnn.Image2BlobParams(scalefactor=scale, size=size, mean=mean, swapRB=swap_rb, ddepth=cv2.CV_32F,
                                    mode=mode, borderValue=border)


def run(reps: int) -> dict:
    cv2.setNumThreads(1)
    rng = np.random.default_rng(0)
    w, h = 1920, 1080
    bgr = rng.integers(0, 256, (h, w, 3), np.uint8)
    # A plausible NV12 frame (smooth content, not noise): converted from a blurred random image.
    smooth = cv2.GaussianBlur(bgr, (0, 0), 3)
    i420 = cv2.cvtColor(smooth, cv2.COLOR_BGR2YUV_I420)
    nv12 = np.empty((h * 3 // 2, w), np.uint8)
    nv12[:h] = i420[:h]
    uv = nv12[h:].reshape(h // 2, w // 2, 2)
    uv[..., 0] = i420[h: h + h // 4].reshape(h // 2, w // 2)
    uv[..., 1] = i420[h + h // 4:].reshape(h // 2, w // 2)
    y_plane, uv_plane = nv12[:h], nv12[h:].reshape(h // 2, w // 2, 2)

    rows: list[dict] = []

    def add(case: str, impl: str, stats: dict, note: str = "") -> None:
        rows.append({"case": case, "impl": impl, **stats, "note": note})

    # 1. NV12 -> 224 normalized
    spec = vidlite.PreprocessSpec(224, 224, mean=MEAN, std=STD)
    pp = vidlite.Preprocessor(spec)
    out = np.empty(spec.shape, np.float32)
    scale = tuple(1 / (255 * s) for s in STD)
    mean255 = tuple(255 * m for m in MEAN)
    p224 = opencv_params((224, 224), scale, mean255, swap_rb=False)
    fns = {
        "vidlite": lambda: pp(nv12, fmt="nv12", out=out),
        "opencv two-plane": lambda: cv2.dnn.blobFromImageWithParams(
            cv2.cvtColorTwoPlane(y_plane, uv_plane, cv2.COLOR_YUV2RGB_NV12), p224),
        "opencv one-buffer": lambda: cv2.dnn.blobFromImageWithParams(cv2.cvtColor(nv12, cv2.COLOR_YUV2RGB_NV12), p224),
    }
    libyuv_note = ""
    try:
        yuv = LibYuv()
        argb = np.empty((h, w, 4), np.uint8)
        small = np.empty((224, 224, 4), np.uint8)
        lout = np.empty((3, 224, 224), np.float32)
        sc = np.asarray(scale, np.float32)[:, None, None]
        bi = np.asarray([-m / s for m, s in zip(MEAN, STD)], np.float32)[:, None, None]
        fns["libyuv+numpy"] = lambda: yuv.nv12_to_tensor(y_plane, uv_plane, w, h, 224, 224, argb, small, lout, sc, bi)
        libyuv_note = f"{os.path.basename(yuv.path)} NV12ToARGB + ARGBScale(bilinear) + NumPy normalize"
    except OSError as e:
        libyuv_note = f"unavailable: {e}"
    st = timed(fns, reps, "cpu")
    add("nv12_224", "vidlite", st["vidlite"], f"kernels={native.ext.kernels()}")
    best = min(("opencv two-plane", "cvtColorTwoPlane"), ("opencv one-buffer", "cvtColor"),
               key=lambda k: st[k[0]]["median_ms"])
    add("nv12_224", "opencv", st[best[0]], f"best of OpenCV paths: {best[1]} + dnn.blobFromImageWithParams")
    add("nv12_224", "libyuv+numpy", st.get("libyuv+numpy", {"median_ms": None, "min_ms": None}), libyuv_note)
    # 1b. The same call as a decode loop makes it: vidlite alone, on 16 distinct frames in turn (48 MB,
    # more than a server L3), so each call reads a frame fresh from memory and no competitor's buffers
    # run through the caches in between.
    stream = itertools.cycle([nv12.copy() for _ in range(16)])
    add("nv12_224_stream", "vidlite", timed({"s": lambda: pp(next(stream), fmt="nv12", out=out)}, reps, "cpu")["s"],
        "alone, 16 distinct frames in turn (48 MB)")
    area = vidlite.Preprocessor(vidlite.PreprocessSpec(224, 224, resize="area", mean=MEAN, std=STD))
    add("nv12_224_area", "vidlite", timed({"a": lambda: area(nv12, fmt="nv12", out=out)}, max(20, reps // 4), "cpu")["a"],
        "box filter over every source pixel")

    # 2. BGR -> 224, pixel/255
    pp2 = vidlite.Preprocessor(vidlite.PreprocessSpec(224, 224))
    st = timed({"vidlite": lambda: pp2(bgr, fmt="bgr", out=out),
                "opencv": lambda: cv2.dnn.blobFromImage(bgr, 1 / 255, (224, 224), (0, 0, 0), swapRB=True)}, reps, "cpu")
    add("bgr_224", "vidlite", st["vidlite"])
    add("bgr_224", "opencv", st["opencv"], "dnn.blobFromImage")

    # 2b. BGR -> 224 with the area (box) filter: OpenCV's equivalent is resize(INTER_AREA) + blob.
    pa = vidlite.Preprocessor(vidlite.PreprocessSpec(224, 224, resize="area"))
    st = timed({"vidlite": lambda: pa(bgr, fmt="bgr", out=out),
                "opencv": lambda: cv2.dnn.blobFromImage(cv2.resize(bgr, (224, 224), interpolation=cv2.INTER_AREA),
                                                        1 / 255, (224, 224), (0, 0, 0), swapRB=True)},
               max(20, reps // 6), "cpu")
    add("bgr_224_area", "vidlite", st["vidlite"])
    add("bgr_224_area", "opencv", st["opencv"], "resize(INTER_AREA) + dnn.blobFromImage")

    # 3. Letterbox -> 640
    spec3 = vidlite.PreprocessSpec(640, 640, fit="letterbox", pad_value=114)
    pp3 = vidlite.Preprocessor(spec3)
    out3 = np.empty(spec3.shape, np.float32)
    p640 = opencv_params((640, 640), (1 / 255,) * 3, (0, 0, 0), mode=cv2.dnn.DNN_PMODE_LETTERBOX, border=(114,) * 3)
    st = timed({"vidlite": lambda: pp3(bgr, fmt="bgr", out=out3),
                "opencv": lambda: cv2.dnn.blobFromImageWithParams(bgr, p640)}, max(20, reps // 4), "cpu")
    add("letterbox_640", "vidlite", st["vidlite"])
    add("letterbox_640", "opencv", st["opencv"], "blobFromImageWithParams(DNN_PMODE_LETTERBOX)")

    # 4. Batch of 8 on 1 vs 2 threads (wall time: the pool's threads are not the caller's)
    batch = np.stack([nv12] * 8)
    bout = np.empty((8,) + spec.shape, np.float32)
    pools = {t: vidlite.Preprocessor(spec, threads=t) for t in (1, 2)}
    st = timed({t: (lambda p=p: p(batch, fmt="nv12", out=bout)) for t, p in pools.items()}, max(10, reps // 10), "wall")
    for t in (1, 2):
        add("batch8_nv12_224", f"vidlite threads={t}", {**st[t], "per_frame_median_ms": st[t]["median_ms"] / 8})

    # 5. Pillow-exact resize vs Pillow itself, round-robin in the same run, all on the smooth frame the
    # NV12 one was made from (noise would make vidlite's exactness check recompute ~2 % of outputs).
    from PIL import Image

    rgb_image = Image.fromarray(cv2.cvtColor(smooth, cv2.COLOR_BGR2RGB))
    streams = {"nv12": [nv12.copy() for _ in range(16)], "bgr": [smooth.copy() for _ in range(16)]}
    for case, (resize, fit, filt, size) in PIL_CASES.items():
        pps = vidlite.Preprocessor(vidlite.PreprocessSpec(224, 224, resize=resize, mean=MEAN, std=STD, **fit))
        resample = getattr(Image.Resampling, filt)
        st = timed({"nv12": lambda: pps(nv12, fmt="nv12", out=out), "bgr": lambda: pps(smooth, fmt="bgr", out=out),
                    "pillow": lambda: rgb_image.resize(size, resample, reducing_gap=None)}, max(20, reps // 5), "cpu")
        for fmt in ("nv12", "bgr"):
            add(f"{fmt}_{case}", "vidlite", st[fmt], f"kernels={native.ext.kernels()}")
            add(f"{fmt}_{case}", "pillow", st["pillow"], f"Image.resize({size}, {filt}) of the RGB frame")
            frames = itertools.cycle(streams[fmt])
            add(f"{fmt}_{case}_stream", "vidlite",
                timed({"s": lambda: pps(next(frames), fmt=fmt, out=out)}, reps, "cpu")["s"],
                "alone, 16 distinct frames in turn")

    return {"rows": rows, "ratios": ratios(rows), "machine": machine()}


def ratios(rows: list[dict]) -> list[dict]:
    out = []
    by = {(r["case"], r["impl"]): r for r in rows}
    for case, goals in GOALS.items():
        ours = by[(case, "vidlite")]["median_ms"]
        for other, goal in goals:
            theirs = by.get((case, other), {}).get("median_ms")
            if theirs is None:
                continue
            sp = theirs / ours
            sp_min = by[(case, other)]["min_ms"] / by[(case, "vidlite")]["min_ms"]
            out.append({"case": case, "vs": other, "speedup": sp, "speedup_of_mins": sp_min, "goal": goal,
                        "met": sp >= goal})
    for case, limit in ABS_GOAL_MS.items():
        ours = by[(case, "vidlite")]["median_ms"]
        out.append({"case": case, "vs": "absolute ms/frame", "value_ms": ours, "goal_ms": limit, "met": ours <= limit})
    for case in ("bgr_224_area", "letterbox_640"):
        if (case, "opencv") in by:
            out.append({"case": case, "vs": "opencv",
                        "speedup": by[(case, "opencv")]["median_ms"] / by[(case, "vidlite")]["median_ms"]})
    t1, t2 = by.get(("batch8_nv12_224", "vidlite threads=1")), by.get(("batch8_nv12_224", "vidlite threads=2"))
    if t1 and t2:
        out.append({"case": "batch8_nv12_224", "vs": "threads=1", "scaling_2_threads": t1["median_ms"] / t2["median_ms"]})
    return out


def machine() -> dict:
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"python": sys.version.split()[0], "platform": platform.platform(), "cpu_count": os.cpu_count(),
            "loadavg": load, "opencv": cv2.__version__, "vidlite_kernels": native.ext.kernels(),
            "cpu_features": native.ext.cpu_features()}


def print_table(res: dict) -> None:
    print(f"{'case':<26} {'implementation':<22} {'median ms':>10} {'min ms':>9}  clock  note")
    for r in res["rows"]:
        med = "n/a" if r["median_ms"] is None else f"{r['median_ms']:.3f}"
        mn = "n/a" if r["min_ms"] is None else f"{r['min_ms']:.3f}"
        extra = f" ({r['per_frame_median_ms']:.3f} ms/frame)" if "per_frame_median_ms" in r else ""
        print(f"{r['case']:<26} {r['impl']:<22} {med:>10} {mn:>9}  {r.get('clock', ''):<5}  {r['note']}{extra}")
    print()
    for q in res["ratios"]:
        if "speedup" in q and "goal" in q:
            print(f"{q['case']:<26} vidlite vs {q['vs']:<14} {q['speedup']:5.2f}x  (goal >= {q['goal']}x: "
                  f"{'met' if q['met'] else 'NOT met'}; ratio of mins {q['speedup_of_mins']:.2f}x)")
        elif "speedup" in q:
            print(f"{q['case']:<26} vidlite vs {q['vs']:<14} {q['speedup']:5.2f}x")
        elif "value_ms" in q:
            print(f"{q['case']:<26} {q['value_ms']:.3f} ms/frame (goal <= {q['goal_ms']} ms: "
                  f"{'met' if q['met'] else 'NOT met'})")
        else:
            print(f"{q['case']:<26} 2 threads vs 1: {q['scaling_2_threads']:.2f}x")
    m = res["machine"]
    print(f"\nmedian/min over repetitions after warm-up; cpu = calling thread's CPU time, wall = elapsed. "
          f"loadavg {m['loadavg']}, {m['cpu_count']} CPUs, OpenCV {m['opencv']}, vidlite kernels {m['vidlite_kernels']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=300, help="repetitions per single-frame case (default 300)")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    args = ap.parse_args(argv)
    if not (native.AVAILABLE and hasattr(native.ext, "Preprocessor")):
        print("vidlite._native is not built: nothing to benchmark", file=sys.stderr)
        return 1
    res = run(args.reps)
    print_table(res)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
