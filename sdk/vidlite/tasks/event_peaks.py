"""The one rule that turns per-frame event probabilities into events, shared by the runtime
Understander and the exporter's evaluation so that the metric measured at export is the one users get."""
from __future__ import annotations

import numpy as np


def peak_events(probs: np.ndarray, threshold: float) -> list[tuple[int, int, float]]:
    """(T, L) probabilities of one window → [(label index, peak frame index, probability)] for each
    label whose peak frame passes ``threshold``; the event is placed at that frame."""
    probs = np.asarray(probs, np.float32)
    if probs.ndim != 2:
        raise ValueError(f"probs: expected (frames, labels), got shape {probs.shape}")
    peaks = probs.argmax(axis=0)
    return [(j, int(k), float(probs[k, j])) for j, k in enumerate(peaks) if probs[k, j] >= threshold]
