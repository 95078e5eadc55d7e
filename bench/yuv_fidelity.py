"""How far NV12 → 224² RGB lands from OpenCV's path, from Pillow's, and from the frame before 4:2:0
subsampling.

    python bench/yuv_fidelity.py [--clips 6] [--json out.json]

vidlite filters Y, U and V first and converts once per output pixel; OpenCV (`cvtColor` NV12 → RGB,
then `resize` INTER_LINEAR) converts and clamps every source pixel first. The two differ only where
4:2:0 chroma makes source pixels out of gamut (saturated edges). This measures that difference on
1080p world frames with saturated objects and text overlays (chroma subsampled with
`cv2.COLOR_BGR2YUV_I420`, as an encoder does), and how far each path is from the same resize of the
original RGB frame, i.e. which one the subsampling error dominates.

The Pillow modes (resize "pil-bilinear" / "pil-bicubic") resize Y, U and V exactly as Pillow resizes
a YCbCr image (chroma replicated 2×2) and convert each output pixel to 8-bit RGB. Against
`PIL.Image.resize` (reducing_gap=None) of the same NV12 frame converted to RGB first (cv2.cvtColor),
they differ by where the 8-bit rounding and the clamp happen: per output pixel here, per source pixel
there. The same resize of the BGR frame is Pillow's bit for bit (`pil_*_bgr_vs_pillow`).
"""
from __future__ import annotations

import argparse
import json

import cv2
import numpy as np
from PIL import Image

import vidlite
from vidlite_export.world import SPLIT_SEEDS, WorldConfig, generate_clip

W, H, OUT = 1920, 1080, 224
PIL_FILTERS = {"pil-bilinear": Image.Resampling.BILINEAR, "pil-bicubic": Image.Resampling.BICUBIC}


def nv12(bgr: np.ndarray) -> np.ndarray:
    i420 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
    u = i420[H:H + H // 4].reshape(H // 2, W // 2)
    v = i420[H + H // 4:].reshape(H // 2, W // 2)
    return np.concatenate([i420[:H], np.stack([u, v], -1).reshape(H // 2, W)])


def stats(d: np.ndarray) -> dict:
    return {"mean": float(d.mean()), "p99.9": float(np.percentile(d, 99.9)), "max": float(d.max()),
            "share_over_1_level": float((d > 1).mean()), "share_over_2_levels": float((d > 2).mean())}


def pillow(rgb: np.ndarray, resize: str) -> np.ndarray:
    return np.asarray(Image.fromarray(rgb).resize((OUT, OUT), PIL_FILTERS[resize], reducing_gap=None)).astype(np.float32)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", type=int, default=6)
    ap.add_argument("--json")
    args = ap.parse_args()
    cfg = WorldConfig(width=W, height=H, overlay_prob=1.0)
    frames = np.concatenate([generate_clip(SPLIT_SEEDS["test"], i, cfg).frames[::4] for i in range(args.clips)])
    # std 1/255, mean 0: the float output is in grey levels, comparable with OpenCV's uint8
    pp = vidlite.Preprocessor(vidlite.PreprocessSpec(width=OUT, height=OUT, mean=[0, 0, 0], std=[1 / 255] * 3,
                                                     layout="nhwc", channel_order="rgb"))
    pil_pp = {r: vidlite.Preprocessor(vidlite.PreprocessSpec(width=OUT, height=OUT, resize=r, layout="nhwc",
                                                             dtype="uint8")) for r in PIL_FILTERS}
    diffs: dict[str, list[np.ndarray]] = {}

    def add(name: str, a: np.ndarray, b: np.ndarray) -> None:
        diffs.setdefault(name, []).append(np.abs(a.astype(np.float32) - b.astype(np.float32)))

    for bgr in frames:
        yuv = nv12(bgr)
        ours = np.asarray(pp(yuv, fmt="nv12")).reshape(OUT, OUT, 3)
        converted = cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_NV12)
        original = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
        cv = cv2.resize(converted, (OUT, OUT), interpolation=cv2.INTER_LINEAR)
        truth = cv2.resize(original, (OUT, OUT), interpolation=cv2.INTER_LINEAR)
        add("vidlite_vs_opencv", ours, cv)
        add("vidlite_vs_original", ours, truth)
        add("opencv_vs_original", cv, truth)
        for r, p in pil_pp.items():
            pil_converted, pil_original = pillow(converted, r), pillow(original, r)
            add(f"{r}_nv12_vs_pillow_on_converted", p(yuv, fmt="nv12"), pil_converted)
            add(f"{r}_nv12_vs_pillow_on_original", p(yuv, fmt="nv12"), pil_original)
            add(f"{r}_pillow_converted_vs_original", pil_converted, pil_original)
            add(f"{r}_bgr_vs_pillow", p(bgr, fmt="bgr"), pil_original)
    result = {"frames": len(frames), **{name: stats(np.stack(d)) for name, d in diffs.items()}}
    print(f"{'grey levels, |a - b|':<44}{'mean':>8}{'p99.9':>8}{'max':>8}{'> 1':>10}{'> 2':>10}")
    for name in diffs:
        s = result[name]
        print(f"{name:<44}{s['mean']:8.3f}{s['p99.9']:8.2f}{s['max']:8.1f}{s['share_over_1_level']:10.5f}"
              f"{s['share_over_2_levels']:10.5f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
