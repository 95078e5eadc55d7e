"""Fixtures for the preprocessing tests: random frames in every source format."""
from __future__ import annotations

import numpy as np
import pytest

PACKED = {"bgr": 3, "rgb": 3, "bgra": 4, "rgba": 4, "gray": 1}
YUV = ("nv12", "nv21", "i420")
FORMATS = tuple(PACKED) + YUV


def random_frame(rng: np.random.Generator, fmt: str, w: int, h: int, n: int | None = None) -> np.ndarray:
    """A frame as callers pass it: packed (H, W[, C]) or YUV as one (H*3/2, W) buffer; n adds a batch axis."""
    lead = () if n is None else (n,)
    if fmt in YUV:
        return rng.integers(0, 256, lead + (h * 3 // 2, w), np.uint8)
    c = PACKED[fmt]
    return rng.integers(0, 256, lead + ((h, w) if c == 1 else (h, w, c)), np.uint8)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


@pytest.fixture
def make_frame(rng):
    def make(fmt: str, w: int, h: int, n: int | None = None) -> np.ndarray:
        return random_frame(rng, fmt, w, h, n)

    return make
