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


def blend_window(tile: int, overlap: int) -> np.ndarray:
    """(tile, tile) weights: 1 in the middle, a linear ramp from ~0 to 1 over ``overlap`` at each edge."""
    ramp = np.ones(tile, np.float32)
    if overlap > 0:
        r = (np.arange(overlap, dtype=np.float32) + 0.5) / overlap
        ramp[:overlap] = r
        ramp[-overlap:] = r[::-1]
    return np.outer(ramp, ramp)


def run_tiled(x: np.ndarray, model: Callable[[np.ndarray], np.ndarray], tile: int, overlap: int,
              multiple: int = 1, out_channels: int | None = None, batch: int = 1) -> np.ndarray:
    """Apply ``model`` ((n, C, t, t) → (n, C', t, t)) to ``x`` (C, H, W) of any size; returns (C', H, W).

    Frames smaller than a tile (or not a ``multiple`` of it) are padded to fit, and cropped back.
    ``batch`` tiles go through the model per call (1 for artifacts with a fixed batch of one).
    """
    c, h, w = x.shape
    if overlap * 2 >= tile:
        raise ValueError(f"tile overlap {overlap} must be less than half the tile size {tile}")
    ph = max(tile, -(-h // multiple) * multiple) - h
    pw = max(tile, -(-w // multiple) * multiple) - w
    if ph or pw:
        mode = "reflect" if (ph < h and pw < w) else "edge"
        x = np.pad(x, ((0, 0), (0, ph), (0, pw)), mode=mode)
    H, W = x.shape[1:]
    weight = blend_window(tile, overlap)
    acc = np.zeros((out_channels or c, H, W), np.float32)
    norm = np.zeros((H, W), np.float32)
    origins = [(y0, x0) for y0 in tile_starts(H, tile, overlap) for x0 in tile_starts(W, tile, overlap)]
    for i in range(0, len(origins), batch):
        chunk = origins[i:i + batch]
        patches = np.stack([x[:, y0:y0 + tile, x0:x0 + tile] for y0, x0 in chunk])
        out = np.asarray(model(patches), np.float32)
        for (y0, x0), o in zip(chunk, out):
            acc[:, y0:y0 + tile, x0:x0 + tile] += o * weight
            norm[y0:y0 + tile, x0:x0 + tile] += weight
    return (acc / norm)[:, :h, :w]
