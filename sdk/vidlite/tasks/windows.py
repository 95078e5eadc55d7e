"""Grouping sampled frames into fixed-length clips (what clip models take), with their time span."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Iterator

from vidlite.video.frame import Frame


@dataclass
class Window:
    frames: list[Frame]  # exactly `length` frames (the last real frame repeats to fill a short tail)
    start: float
    end: float
    real: int  # frames that came from the video (the rest are repeats)


def windows(frames: Iterable[Frame], length: int, period: float, stride: int | None = None,
            min_tail: int = 1) -> Iterator[Window]:
    """Consecutive windows of ``length`` frames, advancing ``stride`` frames (default: no overlap).

    A window spans from its first frame to one sample ``period`` after its last. A tail shorter
    than ``length`` but with at least ``min_tail`` frames is padded by repeating its last frame, so
    the end of a video gets a result too.
    """
    stride = stride or length
    if not 1 <= stride <= length:
        raise ValueError(f"window stride must be in 1..{length}, got {stride}")
    buf: list[Frame] = []
    for f in frames:
        buf.append(f)
        if len(buf) == length:
            yield Window(list(buf), buf[0].pts, buf[-1].pts + period, length)
            del buf[:stride]
    if buf and len(buf) >= min_tail and (stride == length or len(buf) > length - stride):
        real = len(buf)
        yield Window(buf + [buf[-1]] * (length - real), buf[0].pts, buf[-1].pts + period, real)
