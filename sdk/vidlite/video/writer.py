"""Writing a playable video file (the Restorer's output), or failing loudly and leaving no broken one.

OpenCV's writer reports no write error (a full disk gives an unplayable file and a success), so
``close()`` checks what was written: a non-empty file that opens again and holds every frame written.
Frames go to ``NAME.partial.EXT`` and replace an older ``NAME.EXT`` only after that check
(``vidlite.outputs``)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np

os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
import cv2  # noqa: E402

from vidlite.outputs import OutputFile  # noqa: E402
from vidlite.video.decoders import quiet_opencv  # noqa: E402
from vidlite.video.errors import VideoSourceError, VideoWriteError  # noqa: E402

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
        # The file is valid once released: a run stopped with Ctrl-C keeps (checked) what it wrote.
        self._out = OutputFile(self.path, live=True)
        self._vw: cv2.VideoWriter | None = None
        self.frames = 0
        self.fourcc = None

    def _open(self, w: int, h: int) -> None:
        for code in FOURCCS[self.path.suffix.lower()]:
            vw = cv2.VideoWriter(str(self._out.partial), cv2.VideoWriter_fourcc(*code), self.fps, (w, h))
            if vw.isOpened():
                self._vw, self.fourcc = vw, code
                return
            vw.release()
        self._out.discard()
        raise VideoSourceError(f"cannot write video {self.path}: no working encoder for {self.path.suffix}")

    def write(self, image: np.ndarray) -> None:
        if self._vw is None:
            self._open(image.shape[1], image.shape[0])
        self._vw.write(np.ascontiguousarray(image))
        self.frames += 1

    def close(self, exc_type=None) -> None:
        """Finish the file, check it and move it into place (VideoWriteError if it is broken); or drop
        it when the run failed with ``exc_type``. Without a frame nothing is written."""
        if self._vw is None:
            return
        self._vw.release()
        self._vw = None
        if not self._out.keeps(exc_type):
            self._out.discard()
            return
        try:
            self._check_written()
        except VideoWriteError:
            self._out.discard()
            raise
        self._out.commit()

    def _check_written(self) -> None:
        partial = self._out.partial
        size = partial.stat().st_size if partial.exists() else 0
        free_mb = shutil.disk_usage(partial.parent).free // 2**20
        why = f"disk full or a write error? {free_mb} MB free in {partial.parent}; nothing was kept"
        if size == 0:
            raise VideoWriteError(f"cannot write video {self.path}: the encoder wrote nothing ({why})")
        with quiet_opencv():
            cap = cv2.VideoCapture(str(partial), cv2.CAP_FFMPEG)
        try:
            if not cap.isOpened():
                raise VideoWriteError(f"cannot write video {self.path}: the {size}-byte file it wrote "
                                      f"does not open ({why})")
            n = 0
            while cap.grab():  # decoding is cheap next to the restoration that produced the frames
                n += 1
        finally:
            cap.release()
        if n != self.frames:
            raise VideoWriteError(f"cannot write video {self.path}: {self.frames} frames written, "
                                  f"{n} in the file ({why})")

    def __enter__(self) -> "VideoWriter":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(exc_type)
