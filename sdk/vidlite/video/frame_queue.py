"""A bounded frame queue between a producer thread and the consumer.

Files use ``policy="block"``: the decoder waits for the consumer, so no frame is ever lost.
Live sources use ``policy="drop_oldest"``: the producer never waits (a camera does not pause);
when the queue is full the oldest queued frame is discarded and counted, so the consumer always
gets the freshest frames and memory stays bounded by ``maxsize``.
"""
from __future__ import annotations

import collections
import threading

from vidlite.video.frame import Frame, SourceStats

POLICIES = ("block", "drop_oldest")


class Closed(Exception):
    """The consumer went away: the producer should stop."""


class FrameQueue:
    def __init__(self, maxsize: int, policy: str, stats: SourceStats):
        if maxsize < 1:
            raise ValueError(f"queue size must be >= 1, got {maxsize}")
        if policy not in POLICIES:
            raise ValueError(f"queue policy must be one of {POLICIES}, got {policy!r}")
        self.maxsize, self.policy, self.stats = maxsize, policy, stats
        self._items: collections.deque[Frame] = collections.deque()
        self._cond = threading.Condition()
        self._ended = False  # producer finished (or failed)
        self._closed = False  # consumer stopped listening
        self._error: BaseException | None = None

    def put(self, frame: Frame) -> None:
        with self._cond:
            if self.policy == "block":
                while len(self._items) >= self.maxsize and not self._closed:
                    self._cond.wait()
            elif len(self._items) >= self.maxsize:
                self._items.popleft()
                self.stats.dropped += 1
            if self._closed:
                raise Closed()
            self._items.append(frame)
            self._cond.notify_all()

    def end(self, error: BaseException | None = None) -> None:
        """The producer is done; ``error`` is re-raised to the consumer after the queued frames."""
        with self._cond:
            self._ended, self._error = True, error
            self._cond.notify_all()

    def close(self) -> None:
        """The consumer is done: wake and stop the producer, free queued frames."""
        with self._cond:
            self._closed = True
            self._items.clear()
            self._cond.notify_all()

    def get(self, timeout: float | None = None) -> Frame | None:
        """The next frame, or None at the end of the stream (raises the producer's error, if any)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self._items or self._ended, timeout):
                raise TimeoutError(f"no frame within {timeout} s")
            if self._items:
                frame = self._items.popleft()
                self.stats.delivered += 1
                self._cond.notify_all()
                return frame
            if self._error is not None:
                raise self._error
            return None

    def __len__(self) -> int:
        return len(self._items)
