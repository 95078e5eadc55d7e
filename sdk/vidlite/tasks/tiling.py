"""Running a fully convolutional image model on frames of any size: overlapping tiles, blended.

Each tile's output is weighted by a ramp that rises across the overlap, and the weighted sum is
divided by the summed weights: neighbouring tiles cross-fade, so there are no seams, and every pixel
is covered by at least one full-weight region.
"""
from __future__ import annotations

from typing import Callable

import numpy as np


def tile_starts(length: int, tile: int, overlap: int) -> list[int]:
    """Tile origins covering ``length`` (>= tile) with at least ``overlap`` pixels shared by neighbours."""
    if length <= tile:
        return [0]
    step = tile - overlap
    starts = list(range(0, length - tile, step))
    starts.append(length - tile)
    return starts


def _ramp(length: int, overlap: int) -> np.ndarray:
    """1 in the middle, rising linearly from ~0 to 1 over ``overlap`` at each end."""
    ramp = np.ones(length, np.float32)
    if overlap > 0:
        r = (np.arange(overlap, dtype=np.float32) + 0.5) / overlap
        ramp[:overlap] = r
        ramp[-overlap:] = r[::-1]
    return ramp


def run_tiled(x: np.ndarray, model: Callable[[np.ndarray], np.ndarray], tile: int, overlap: int,
              multiple: int = 1, out_channels: int | None = None, batch: int = 1,
              fixed_tile: bool = False) -> np.ndarray:
    """Apply ``model`` ((n, C, th, tw) → (n, C', th, tw)) to ``x`` (C, H, W) of any size; returns (C', H, W).

    The frame is padded to a ``multiple`` (and cropped back). A side shorter than ``tile`` is taken
    in one piece, unless ``fixed_tile`` (an artifact with a fixed input size): then it is padded to
    ``tile``. ``batch`` tiles go through the model per call (1 for artifacts with a fixed batch of one).
    """
    c, h, w = x.shape
    if overlap * 2 >= tile:
        raise ValueError(f"tile overlap {overlap} must be less than half the tile size {tile}")
    H, W = (-(-h // multiple) * multiple, -(-w // multiple) * multiple)
    th, tw = (tile, tile) if fixed_tile else (min(tile, H), min(tile, W))
    H, W = max(H, th), max(W, tw)
    if (H, W) != (h, w):
        mode = "reflect" if (H - h < h and W - w < w) else "edge"
        x = np.pad(x, ((0, 0), (0, H - h), (0, W - w)), mode=mode)
    weight = np.outer(_ramp(th, overlap if th < H else 0), _ramp(tw, overlap if tw < W else 0))
    acc = np.zeros((out_channels or c, H, W), np.float32)
    norm = np.zeros((H, W), np.float32)
    origins = [(y0, x0) for y0 in tile_starts(H, th, overlap) for x0 in tile_starts(W, tw, overlap)]
    for i in range(0, len(origins), batch):
        chunk = origins[i:i + batch]
        patches = np.stack([x[:, y0:y0 + th, x0:x0 + tw] for y0, x0 in chunk])
        out = np.asarray(model(patches), np.float32)
        for (y0, x0), o in zip(chunk, out):
            acc[:, y0:y0 + th, x0:x0 + tw] += o * weight
            norm[y0:y0 + th, x0:x0 + tw] += weight
    return (acc / norm)[:, :h, :w]
