"""Writing a playable video file (the Restorer's output)."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
import cv2  # noqa: E402

from vidlite.video.errors import VideoSourceError  # noqa: E402

# Codecs the OpenCV wheels always encode (H.264 needs an encoder the wheels lack and logs errors trying):
# MPEG-4 Part 2 plays in VLC/ffplay/QuickTime; MJPEG for AVI/MKV.
FOURCCS = {".mp4": ("mp4v",), ".m4v": ("mp4v",), ".mov": ("mp4v",), ".avi": ("MJPG",), ".mkv": ("MJPG",)}


class VideoWriter:
    """Frames (BGR uint8, all of one size) → a video file at ``fps``. The size is taken from the first frame."""

    def __init__(self, path: str | os.PathLike, fps: float):
        self.path, self.fps = Path(path), float(fps) if fps and fps > 0 else 30.0
        if self.path.suffix.lower() not in FOURCCS:
            raise VideoSourceError(f"output video {self.path}: extension must be one of {', '.join(FOURCCS)}")
        if not self.path.parent.exists():
            raise VideoSourceError(f"output folder {self.path.parent} does not exist")
        self._vw: cv2.VideoWriter | None = None
        self.frames = 0
        self.fourcc = None

    def _open(self, w: int, h: int) -> None:
        for code in FOURCCS[self.path.suffix.lower()]:
            vw = cv2.VideoWriter(str(self.path), cv2.VideoWriter_fourcc(*code), self.fps, (w, h))
            if vw.isOpened():
                self._vw, self.fourcc = vw, code
                return
            vw.release()
        raise VideoSourceError(f"cannot write video {self.path}: no working encoder for {self.path.suffix}")

    def write(self, image: np.ndarray) -> None:
        if self._vw is None:
            self._open(image.shape[1], image.shape[0])
        self._vw.write(np.ascontiguousarray(image))
        self.frames += 1

    def close(self) -> None:
        if self._vw is not None:
            self._vw.release()

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
