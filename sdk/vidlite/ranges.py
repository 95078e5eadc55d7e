"""Allowed ranges of the numbers users give vidlite, for API options and CLI flags alike.

A number outside its range is an error that names the value and the range; it is never silently replaced
by a default (``threads=0`` used to mean "the backend's default", ``sample_fps=0`` "the model's rate").

    THREADS.check("CaptionerOptions.threads", 0)   # ValueError: ... must be an integer in 1..1024; got 0
    p.add_argument("--threads", type=THREADS.arg)  # vidlite caption: error: argument --threads: must be ...
"""
from __future__ import annotations

import argparse
import math
import numbers
from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    lo: float
    hi: float | None = None  # None: no upper bound
    integer: bool = False
    lo_open: bool = False  # lo itself is not allowed (rates: > 0)

    def __str__(self) -> str:
        kind = "an integer" if self.integer else "a number"
        if self.hi is None:
            return f"{kind} {'>' if self.lo_open else '>='} {self.lo}"
        if self.lo_open:
            return f"{kind} > {self.lo} and <= {self.hi}"
        return f"{kind} in {self.lo}..{self.hi}"

    def __contains__(self, value) -> bool:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral if self.integer else numbers.Real):
            return False
        if not math.isfinite(value) or (value <= self.lo if self.lo_open else value < self.lo):
            return False
        return self.hi is None or value <= self.hi

    def check(self, name: str, value):
        """``value`` as an int (integer ranges) or float; ValueError naming ``name``, the value and the range."""
        if value not in self:
            raise ValueError(f"{name} must be {self}; got {value!r}")
        return int(value) if self.integer else float(value)

    def arg(self, text: str):
        """An argparse ``type=``: the flag's text → the number, or an error that says the allowed range."""
        try:
            value = int(text) if self.integer else float(text)
        except ValueError:
            value = None
        if value is None or value not in self:
            raise argparse.ArgumentTypeError(f"must be {self}; got {text!r}")
        return value


# Threads beyond this are a typo, not a machine: each one costs a stack and a scheduler slot.
THREADS = Range(1, 1024, integer=True)
COUNT = Range(1, integer=True)  # how many of something: hits, runs, steps, clips, frames
PIXELS = Range(0, integer=True)  # overlaps and margins
PROBABILITY = Range(0, 1)
# Frames per second fed to a model: 0 would never sample a frame; beyond 1000 no source delivers.
SAMPLE_FPS = Range(0, 1000, lo_open=True)
BEAM = Range(1, 64, integer=True)  # each beam is one decoder run per token
# Restoration tiles: the generator needs room for its receptive field; 4096² × 3·K channels × batch 4
# float32 is already ~2 GB.
TILE = Range(16, 4096, integer=True)
