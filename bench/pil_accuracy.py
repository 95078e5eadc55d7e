"""Why the Pillow-exact resize matters: a classifier trained on Pillow-resized frames, fed on device.

    python bench/pil_accuracy.py [--train-clips 240] [--test-clips 80] [--seeds 3] [--json out.json]

A small CNN learns the main object's shape (circle, square, triangle, star) from 1280x720 world frames
centre-cropped and resized to 48x48 with Pillow's BILINEAR (reducing_gap=None), as a transformers
image processor would feed it. The held-out frames are then preprocessed as a device would: by
vidlite from the BGR frame and from its NV12 encoding (chroma subsampled by cv2, as an encoder does),
with resize "pil-bilinear" (Pillow's antialiased filter, reproduced) and with "bilinear" (2 taps,
OpenCV INTER_LINEAR geometry: at 15x down it samples 4 of every 225 source pixels). The accuracy lost
against the training preprocessing is the cost of the mismatch. Trained once per seed, on one thread.
"""
from __future__ import annotations

import argparse
import json
import time

import cv2
import numpy as np
import torch
from PIL import Image

import vidlite
from vidlite_export.world import SHAPES, SPLIT_SEEDS, WorldConfig, generate_clip

W, H, SIZE = 1280, 720, 48
CFG = WorldConfig(width=W, height=H, overlay_prob=0.5)


def frames(split: str, clips: int) -> tuple[np.ndarray, np.ndarray]:
    """BGR frames (every other one of each clip where the object is visible) and shape labels."""
    xs, ys = [], []
    for i in range(clips):
        c = generate_clip(SPLIT_SEEDS[split], i, CFG)
        for t in range(0, len(c.frames), 2):
            if c.track[t, 3] > 0:
                xs.append(c.frames[t])
                ys.append(SHAPES.index(c.subject["shape"]))
    return np.stack(xs), np.asarray(ys)


def pillow(bgr: np.ndarray) -> np.ndarray:
    """The training preprocessing: centre square crop, Pillow BILINEAR to 48x48, float in [0, 1] CHW."""
    rgb = Image.fromarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    left = (W - H) // 2
    small = rgb.crop((left, 0, left + H, H)).resize((SIZE, SIZE), Image.Resampling.BILINEAR, reducing_gap=None)
    return np.asarray(small, np.float32).transpose(2, 0, 1) / 255


def nv12(bgr: np.ndarray) -> np.ndarray:
    i420 = cv2.cvtColor(bgr, cv2.COLOR_BGR2YUV_I420)
    chroma = i420[H:].reshape(2, H // 2, W // 2)
    return np.concatenate([i420[:H], np.stack([chroma[0], chroma[1]], -1).reshape(H // 2, W)])


def model(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    conv = lambda i, o: [torch.nn.Conv2d(i, o, 3, padding=1), torch.nn.BatchNorm2d(o), torch.nn.ReLU()]  # noqa: E731
    return torch.nn.Sequential(*conv(3, 24), torch.nn.MaxPool2d(2), *conv(24, 48), torch.nn.MaxPool2d(2),
                               *conv(48, 64), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(),
                               torch.nn.Linear(64, len(SHAPES)))


def train(x: np.ndarray, y: np.ndarray, seed: int, epochs: int) -> torch.nn.Module:
    net = model(seed)
    opt = torch.optim.AdamW(net.parameters(), 3e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-3, total_steps=epochs * ((len(x) + 31) // 32))
    gen = torch.Generator().manual_seed(seed)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    net.train()
    for _ in range(epochs):
        for idx in torch.randperm(len(x), generator=gen).split(32):
            batch = xt[idx]
            if torch.rand(1, generator=gen) < 0.5:
                batch = batch.flip(3)  # shapes keep their class mirrored
            loss = torch.nn.functional.cross_entropy(net(batch), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
    return net.eval()


def accuracy(net: torch.nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    with torch.no_grad():
        return float((net(torch.from_numpy(np.ascontiguousarray(x))).argmax(1).numpy() == y).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-clips", type=int, default=240)
    ap.add_argument("--test-clips", type=int, default=80)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--json")
    args = ap.parse_args()
    torch.set_num_threads(1)
    t0 = time.time()
    train_bgr, train_y = frames("train", args.train_clips)
    test_bgr, test_y = frames("test", args.test_clips)
    x_train = np.stack([pillow(f) for f in train_bgr])
    # value = pixel / 255 (mean 0, std 1), NCHW RGB: the training tensors' scale.
    spec = dict(width=SIZE, height=SIZE, fit="center_crop")
    pps = {r: vidlite.Preprocessor(vidlite.PreprocessSpec(resize=r, **spec)) for r in ("pil-bilinear", "bilinear")}
    inputs = {"pillow (training preprocessing)": np.stack([pillow(f) for f in test_bgr])}
    for r, pp in pps.items():
        inputs[f"vidlite {r}, bgr"] = np.stack([pp(f, fmt="bgr") for f in test_bgr])
        inputs[f"vidlite {r}, nv12"] = np.stack([pp(nv12(f), fmt="nv12") for f in test_bgr])
    print(f"{len(x_train)} training / {len(test_y)} test frames {W}x{H} -> {SIZE}x{SIZE} "
          f"(made in {time.time() - t0:.0f} s); input max |vidlite pil-bilinear bgr - pillow| = "
          f"{np.abs(inputs['vidlite pil-bilinear, bgr'] - inputs['pillow (training preprocessing)']).max() * 255:.2g} levels")
    acc: dict[str, list[float]] = {name: [] for name in inputs}
    for seed in range(args.seeds):
        t1 = time.time()
        net = train(x_train, train_y, seed, args.epochs)
        for name, x in inputs.items():
            acc[name].append(accuracy(net, x, test_y))
        print(f"seed {seed}: trained in {time.time() - t1:.0f} s, " +
              ", ".join(f"{name.split(' (')[0]} {a[-1]:.3f}" for name, a in acc.items()))
    base = np.mean(acc["pillow (training preprocessing)"])
    rows = {name: {"accuracy": float(np.mean(a)), "per_seed": a, "drop_vs_pillow": float(base - np.mean(a))}
            for name, a in acc.items()}
    print(f"\n{'test preprocessing':<34}{'accuracy':>10}{'drop':>8}   per seed")
    for name, r in rows.items():
        print(f"{name:<34}{r['accuracy']:10.3f}{r['drop_vs_pillow']:8.3f}   {' '.join(f'{a:.3f}' for a in r['per_seed'])}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"train_frames": len(x_train), "test_frames": len(test_y), "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
