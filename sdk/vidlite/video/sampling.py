"""Which frames a pipeline sees: every frame, a fixed rate, or scene changes.

A sampler decides in two steps so skipped frames cost as little as possible: ``want(pts)`` before the
frame is converted to pixels (a rate sampler decides here, so skipped frames are never converted),
and ``keep(image)`` after (a scene-change sampler compares pixels here).
"""
from __future__ import annotations

import cv2
import numpy as np


class EveryFrame:
    def want(self, pts: float) -> bool:
        return True

    def keep(self, image: np.ndarray) -> bool:
        return True


class RateSampler:
    """Keeps about ``fps`` frames per second of presentation time."""

    def __init__(self, fps: float):
        if not fps > 0:
            raise ValueError(f"sample rate must be > 0 frames per second, got {fps!r}")
        self.period = 1.0 / fps
        self._next: float | None = None

    def want(self, pts: float) -> bool:
        if self._next is None or pts >= self._next - 1e-6:
            # Re-anchor on the frame itself so a gap in the stream does not cause a burst afterwards.
            self._next = pts + self.period
            return True
        return False

    def keep(self, image: np.ndarray) -> bool:
        return True


class SceneChangeSampler:
    """Keeps a frame when it differs enough from the last kept one.

    Frames are probed at ``probe_fps``; each probe is shrunk to a 32×18 gray thumbnail and compared
    with the last kept thumbnail by mean absolute difference (0..255). ``threshold`` around 12 keeps
    cuts and large motions and ignores noise and slow pans.
    """

    THUMB = (32, 18)

    def __init__(self, threshold: float = 12.0, probe_fps: float = 5.0):
        if not threshold > 0:
            raise ValueError(f"scene-change threshold must be > 0 (mean abs difference, 0..255), got {threshold!r}")
        self.threshold = threshold
        self._probe = RateSampler(probe_fps)
        self._last: np.ndarray | None = None

    def want(self, pts: float) -> bool:
        return self._probe.want(pts)

    def keep(self, image: np.ndarray) -> bool:
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        thumb = cv2.resize(gray, self.THUMB, interpolation=cv2.INTER_AREA).astype(np.float32)
        if self._last is not None and float(np.abs(thumb - self._last).mean()) < self.threshold:
            return False
        self._last = thumb
        return True


def make_sampler(sample_fps: float | None = None, scene_threshold: float | None = None):
    """The sampler for the given options: scene change wins when both are set (it probes at sample_fps)."""
    if scene_threshold is not None:
        return SceneChangeSampler(scene_threshold, probe_fps=sample_fps or 5.0)
    if sample_fps is not None:
        return RateSampler(sample_fps)
    return EveryFrame()
