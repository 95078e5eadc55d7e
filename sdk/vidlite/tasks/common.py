"""Pieces the task pipelines share: opening sources, clip tensors, options."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numpy as np

from vidlite.ranges import COUNT, THREADS, Range
from vidlite.video import PushSource, open_video
from vidlite.video.errors import VideoSourceError


@dataclass
class RuntimeOptions:
    """How a pipeline opens its bundle; every task's options object starts with these."""

    bundle: str | os.PathLike | None = None  # default: $VIDLITE_BUNDLES/<family> or ~/.cache/vidlite/bundles/<family>
    backend: str | None = None  # None/"auto", or a pin such as "onnxruntime:int8", "openvino"
    # Decoding runs on its own thread while the model runs: on a small CPU, splitting the cores
    # (e.g. threads=1, decode_threads=1 on 2 cores) beats both defaulting to all of them.
    threads: int | None = None  # inference threads per component (None: the backend's default)
    decode_threads: int | None = None  # FFmpeg threads for files (None: FFmpeg's default)
    queue_size: int | None = None  # decoded frames buffered ahead (None: 8 for files, 4 for live sources)
    allow_partial_bundle: bool = False  # run a damaged bundle's intact artifacts (vidlite.load); refused by default

    # The allowed range of each numeric option; a task's options class adds its own LIMITS.
    LIMITS: ClassVar[dict[str, Range]] = {"threads": THREADS, "decode_threads": THREADS, "queue_size": COUNT}

    def __post_init__(self) -> None:
        # An option out of range is an error, never quietly the default (threads=0 used to mean "the backend's").
        for cls in type(self).__mro__:
            for name, allowed in vars(cls).get("LIMITS", {}).items():
                if getattr(self, name) is not None:
                    setattr(self, name, allowed.check(f"{type(self).__name__}.{name}", getattr(self, name)))

    def load_options(self) -> dict | None:
        return {"threads": self.threads} if self.threads else None


def open_source(source, *, sample_fps, scene_threshold=None, queue_size=None, decode_threads=None):
    """A PushSource as is; anything else through ``open_video`` (file, camera, URL)."""
    if isinstance(source, PushSource):
        return source
    if isinstance(source, (str, os.PathLike, int)):
        return open_video(source, sample_fps=sample_fps, scene_threshold=scene_threshold, queue_size=queue_size,
                          decode_threads=decode_threads)
    raise VideoSourceError(f"source must be a video path, camera index, URL or PushSource, got {type(source).__name__}")


class ClipTensor:
    """A reusable (1, T, C, H, W) float buffer that frames are preprocessed into one by one."""

    def __init__(self, preprocessor, frames: int):
        self.pp = preprocessor
        self.buf = np.empty((1, frames) + tuple(preprocessor.spec.shape), preprocessor.spec.dtype)

    def fill(self, images) -> np.ndarray:
        for i, img in enumerate(images):
            self.pp(img, "bgr", out=self.buf[0, i])
        return self.buf


def source_name(source) -> str:
    if isinstance(source, PushSource):
        return source.name
    return str(Path(source)) if isinstance(source, os.PathLike) else str(source)

