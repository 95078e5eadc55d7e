"""What a source hands to a pipeline: one decoded frame with its presentation time."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Frame:
    image: np.ndarray  # (H, W, 3) uint8, BGR as OpenCV decodes it
    pts: float  # presentation time in seconds, never smaller than the previous frame's
    index: int  # position in the decoded stream (counts every frame decoded, kept or not)


@dataclass
class SourceStats:
    """Counters a source keeps while it runs; pipelines copy them into their reports."""

    decoded: int = 0  # frames read from the stream (including those the sampler skipped)
    delivered: int = 0  # frames handed to the consumer
    dropped: int = 0  # frames a live source discarded under backpressure (oldest first)
    corrupt: int = 0  # frames that could not be decoded and were skipped
    clamped_pts: int = 0  # timestamps that would have gone backwards and were clamped
    reconnects: int = 0  # times a live source was reopened after it stopped delivering
    decode_s: float = 0.0  # seconds the producer spent decoding
    problems: list[str] = field(default_factory=list)  # one line per skipped/corrupt event

    def as_dict(self) -> dict:
        return {k: (round(v, 6) if isinstance(v, float) else v) for k, v in self.__dict__.items()}
