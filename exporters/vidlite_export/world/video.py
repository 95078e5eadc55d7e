"""Real video files from generated frames (mp4 through OpenCV/FFmpeg), so pipelines test real decode."""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np


def write_video(path, frames: np.ndarray, fps: float, fourcc: str = "mp4v") -> Path:
    """Write uint8 BGR frames (T,H,W,3) to ``path`` (.mp4 → ``mp4v``); returns the path."""
    frames = np.asarray(frames)
    if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3 or len(frames) == 0:
        raise ValueError(f"write_video(frames=...): expected non-empty uint8 (T,H,W,3) BGR, "
                         f"got {frames.dtype} {frames.shape}")
    if fps <= 0:
        raise ValueError(f"write_video(fps={fps}): expected fps > 0")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    h, w = frames.shape[1:3]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), float(fps), (w, h))
    if not writer.isOpened():
        raise OSError(f"write_video: OpenCV could not open {path} for writing with fourcc {fourcc!r}")
    try:
        for f in frames:
            writer.write(np.ascontiguousarray(f))
    finally:
        writer.release()
    return path


def read_video(path) -> tuple[np.ndarray, float]:
    """All frames of a video file as uint8 (T,H,W,3) BGR plus its fps (counts frames actually decoded)."""
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise OSError(f"read_video: OpenCV could not open {path}")
    frames = []
    try:
        fps = float(cap.get(cv2.CAP_PROP_FPS))
        while True:
            ok, f = cap.read()
            if not ok:
                break
            frames.append(f)
    finally:
        cap.release()
    if not frames:
        raise OSError(f"read_video: no frames decoded from {path}")
    return np.stack(frames), fps
