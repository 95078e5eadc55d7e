"""Helpers the family specs share: where weights live, held-out world clips, checked loading."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from vidlite_export.specs.base import SpecError

HELDOUT_SPLIT = "test"  # never trained on, never calibrated on


def weights_dir(checkpoint: str | Path | None, family: str) -> Path:
    """The folder of a checkpoint (its model.safetensors or the folder itself); default: the
    committed reference weights."""
    if checkpoint is None:
        from vidlite_export.models import weights_dir as committed
        return committed(family)
    p = Path(checkpoint)
    if not p.exists():
        raise SpecError(f"--checkpoint {p}: no such file or folder")
    return p.parent if p.is_file() else p


def preprocess_spec(size: int, frames: int, fps: float | None, resize: str = "bilinear") -> dict:
    """The manifest ``preprocess`` dict for square ``size`` frames in [-1, 1], NCHW float32
    (what ``models.video_input.clip_to_tensor`` computes for training)."""
    return {"width": size, "height": size, "resize": resize, "fit": "stretch", "pad_value": 0,
            "mean": [0.5, 0.5, 0.5], "std": [0.5, 0.5, 0.5], "channel_order": "rgb", "layout": "nchw",
            "dtype": "float32", "quant": None, "frames_per_clip": frames, "sample_fps": fps}


def load_checked(load: Callable[[Path], object], checkpoint, family: str):
    """Loads with the family's own loader; any mismatch becomes one SpecError naming the checkpoint."""
    d = weights_dir(checkpoint, family)
    try:
        return load(d)
    except Exception as e:
        raise SpecError(f"checkpoint {checkpoint or d} does not fit the {family} spec: "
                        f"{type(e).__name__}: {' '.join(str(e).split())[:600]}") from e


def world_clips(n: int, preprocess: dict, split: str = HELDOUT_SPLIT, cfg=None):
    """(preprocessed clips, the Clip objects) for the first ``n`` clips of a world split, through
    the runtime's Preprocessor."""
    from vidlite_export.calibration import preprocess_clips
    from vidlite_export.world import WorldConfig, generate_split
    clips = generate_split(split, n, cfg or WorldConfig())
    fpc = int(preprocess.get("frames_per_clip", 1))
    raw = [c.frames[:fpc] if fpc > 1 else c.frames[len(c.frames) // 2:][:1] for c in clips]
    return preprocess_clips(raw, preprocess), clips


def batch1(x: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(x[None])
