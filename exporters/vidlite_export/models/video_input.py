"""How reference models see video: the NumPy twin of the preprocess spec (``specs.common.preprocess_spec``).

Training and evaluation go through ``clip_to_tensor`` so the model sees exactly what
``vidlite.Preprocessor`` produces from the same spec at run time (BGR uint8 → RGB, stretch-resize,
(x/255 − mean)/std, NCHW).
"""
from __future__ import annotations

import cv2
import numpy as np


def clip_to_tensor(frames: np.ndarray, size: int | None = None) -> np.ndarray:
    """uint8 BGR (..., H, W, 3) → float32 (..., 3, H, W) in [-1, 1] (resized to ``size`` if given)."""
    frames = np.asarray(frames)
    if frames.dtype != np.uint8 or frames.shape[-1] != 3:
        raise ValueError(f"clip_to_tensor: expected uint8 (..., H, W, 3) BGR frames, got {frames.dtype} {frames.shape}")
    if size is not None and frames.shape[-3:-1] != (size, size):
        flat = frames.reshape(-1, *frames.shape[-3:])
        flat = np.stack([cv2.resize(f, (size, size), interpolation=cv2.INTER_LINEAR) for f in flat])
        frames = flat.reshape(*frames.shape[:-3], size, size, 3)
    x = frames[..., ::-1].astype(np.float32) * (2.0 / 255.0) - 1.0
    return np.ascontiguousarray(np.moveaxis(x, -1, -3))


def tensor_to_bgr(x: np.ndarray) -> np.ndarray:
    """Inverse of ``clip_to_tensor``: float (..., 3, H, W) in [-1, 1] → uint8 BGR (..., H, W, 3)."""
    img = np.moveaxis(np.asarray(x, np.float32), -3, -1)[..., ::-1]
    return np.clip((img + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)
