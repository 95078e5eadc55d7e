"""Calibration clips: frames from real videos (or the procedural world) through the bundle's own
PreprocessSpec and ``vidlite.Preprocessor`` — the runtime's code path, so the activations int8 is
calibrated on are the ones the device will see."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np

VIDEO_SUFFIXES = (".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg")


class CalibrationError(ValueError):
    """The calibration source gives no usable frames."""


def _preprocessor(preprocess: Mapping):
    from vidlite.preprocess import Preprocessor, PreprocessSpec
    spec = PreprocessSpec.from_dict(dict(preprocess))
    return spec, Preprocessor(spec)


def _clips(frames: np.ndarray, fpc: int, per_video: int) -> list[np.ndarray]:
    """``per_video`` windows of ``fpc`` frames spread evenly over a (T,H,W,3) video."""
    t = len(frames)
    if t < fpc:
        frames = np.concatenate([frames, np.repeat(frames[-1:], fpc - t, 0)])  # short video: hold the last frame
        t = fpc
    starts = np.linspace(0, t - fpc, num=min(per_video, t - fpc + 1)).round().astype(int)
    return [frames[s:s + fpc] for s in starts]


def _read_frames(path: Path, max_frames: int, sample_fps: float | None) -> np.ndarray:
    """Frames decoded and sampled exactly as the runtime pipelines read video (vidlite.video)."""
    from vidlite.video import VideoSourceError, open_video
    try:
        with open_video(path, sample_fps=sample_fps) as stream:
            frames = [f.image for f, _ in zip(stream, range(max_frames))]
    except VideoSourceError:
        return np.zeros((0, 1, 1, 3), np.uint8)
    return np.stack(frames) if frames else np.zeros((0, 1, 1, 3), np.uint8)


def preprocess_clips(raw: list[np.ndarray], preprocess: Mapping) -> np.ndarray:
    """(N, T, H, W, 3) BGR clips → (N, T, *frame) model input; T is dropped for one-frame clips."""
    spec, pp = _preprocessor(preprocess)
    out = np.stack([pp(np.ascontiguousarray(c), fmt="bgr") for c in raw])
    return out[:, 0] if spec.frames_per_clip == 1 else out


def clips_from_videos(folder: str | Path, preprocess: Mapping, n: int, max_frames: int = 600) -> np.ndarray:
    """``n`` preprocessed clips sampled evenly from the videos in ``folder`` (recursively)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise CalibrationError(f"calibration: {folder} is not a directory of videos")
    fpc = int(preprocess.get("frames_per_clip", 1))
    videos = sorted(p for p in folder.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file())
    if not videos:
        raise CalibrationError(f"calibration: {folder} holds no video files ({', '.join(VIDEO_SUFFIXES)})")
    per_video = max(1, -(-n // len(videos)))
    raw, unreadable = [], []
    for v in videos:
        frames = _read_frames(v, max_frames, preprocess.get("sample_fps"))
        if len(frames) == 0:
            unreadable.append(v.name)
            continue
        raw.extend(_clips(frames, fpc, per_video))
    if not raw:
        raise CalibrationError(f"calibration: no readable video in {folder} (no frame could be decoded from "
                               f"{', '.join(unreadable)})")
    idx = np.linspace(0, len(raw) - 1, num=min(n, len(raw))).round().astype(int)
    return preprocess_clips([raw[i] for i in idx], preprocess)


def clips_from_world(preprocess: Mapping, n: int, split: str = "val") -> np.ndarray:
    """``n`` preprocessed clips from the procedural world's ``split`` (never the test split, which
    verification holds out)."""
    from vidlite_export.world import generate_split
    fpc = int(preprocess.get("frames_per_clip", 1))
    raw = [_clips(c.frames, fpc, 1)[0] for c in generate_split(split, n)]
    return preprocess_clips(raw, preprocess)


def calibration_clips(source: str | Path | None, preprocess: Mapping, n: int) -> tuple[np.ndarray, str]:
    """Clips and a description of where they came from (recorded in the manifest)."""
    if source is None or str(source) == "world":
        return clips_from_world(preprocess, n), f"procedural world (val split, {n} clips)"
    return clips_from_videos(source, preprocess, n), f"videos in {Path(source).name}/ ({n} clips)"
