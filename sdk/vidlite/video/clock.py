"""Presentation timestamps that never go backwards."""
from __future__ import annotations

from vidlite.video.frame import SourceStats


class MonotonicPts:
    """Clamps a timestamp that would go backwards to the previous one, and counts it.

    Streams do carry such timestamps (B-frame reorder glitches, RTSP wrap-arounds, camera clocks
    reset on reconnect); downstream segment times must still be ordered.
    """

    def __init__(self, stats: SourceStats):
        self._last: float | None = None
        self._stats = stats

    def __call__(self, pts: float) -> float:
        if self._last is not None and pts < self._last:
            self._stats.clamped_pts += 1
            pts = self._last
        self._last = pts
        return pts
