"""How far NV12 → 224² RGB lands from OpenCV's path and from the frame before 4:2:0 subsampling.

    python bench/yuv_fidelity.py [--clips 6] [--json out.json]

vidlite filters Y, U and V first and converts once per output pixel; OpenCV (`cvtColor` NV12 → RGB,
then `resize` INTER_LINEAR) converts and clamps every source pixel first. The two differ only where
4:2:0 chroma makes source pixels out of gamut (saturated edges). This measures that difference on
1080p world frames with saturated objects and text overlays (chroma subsampled with
`cv2.COLOR_BGR2YUV_I420`, as an encoder does), and how far each path is from the same resize of the
original RGB frame, i.e. which one the subsampling error dominates.
"""
from __future__ import annotations

import argparse
import json

import cv2
import numpy as np

import vidlite
from vidlite_export.world import SPLIT_SEEDS, WorldConfig, generate_clip

W, H, OUT = 1920, 1080, 224


def nv12(bgr: np.ndarray) -> np.ndarray:
    i420 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
    u = i420[H:H + H // 4].reshape(H // 2, W // 2)
    v = i420[H + H // 4:].reshape(H // 2, W // 2)
    return np.concatenate([i420[:H], np.stack([u, v], -1).reshape(H // 2, W)])


def stats(d: np.ndarray) -> dict:
    return {"mean": float(d.mean()), "p99.9": float(np.percentile(d, 99.9)), "max": float(d.max()),
            "share_over_2_levels": float((d > 2).mean())}


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
    vs_cv, ours_truth, cv_truth = [], [], []
    for bgr in frames:
        yuv = nv12(bgr)
        ours = np.asarray(pp(yuv, fmt="nv12")).reshape(OUT, OUT, 3)
        cv = cv2.resize(cv2.cvtColor(yuv, cv2.COLOR_YUV2RGB_NV12), (OUT, OUT), interpolation=cv2.INTER_LINEAR)
        truth = cv2.resize(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), (OUT, OUT), interpolation=cv2.INTER_LINEAR)
        vs_cv.append(np.abs(ours - cv))
        ours_truth.append(np.abs(ours - truth))
        cv_truth.append(np.abs(cv.astype(np.float32) - truth))
    result = {"frames": len(frames), "vidlite_vs_opencv": stats(np.stack(vs_cv)),
              "vidlite_vs_original": stats(np.stack(ours_truth)), "opencv_vs_original": stats(np.stack(cv_truth))}
    print(f"{'grey levels, |a - b|':<24}{'mean':>8}{'p99.9':>8}{'max':>8}{'> 2':>10}")
    for name in ("vidlite_vs_opencv", "vidlite_vs_original", "opencv_vs_original"):
        s = result[name]
        print(f"{name:<24}{s['mean']:8.3f}{s['p99.9']:8.2f}{s['max']:8.1f}{s['share_over_2_levels']:10.5f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
