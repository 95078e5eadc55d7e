"""Text recognition: crop each detected quad upright, resize to the recognizer's height, decode CTC."""
from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from vidlite.ocr.runner import RunFn, first_output

BLANK = "<blank>"
# Printable ASCII. A multilingual recognizer also "reads" drawn shapes next to text as symbols
# (★, ■); restricting output to the script the overlays use drops them.
LATIN = "".join(chr(c) for c in range(32, 127))


def load_charset(chars: list[str] | str | Path, use_space: bool = True) -> list[str]:
    """CTC label list: index 0 is the blank, then the model's characters, then (PP-OCR) a space.

    ``chars`` is the character list itself or a dictionary file with one character per line."""
    if isinstance(chars, (str, Path)):
        p = Path(chars)
        if not p.is_file():
            raise FileNotFoundError(f"chars: no character dictionary file at {p}")
        chars = p.read_text(encoding="utf-8").splitlines()
    if not chars:
        raise ValueError("chars: the character list is empty")
    return [BLANK, *chars, *([" "] if use_space else [])]


def crop_quad(image: np.ndarray, quad: np.ndarray) -> np.ndarray:
    """Perspective-rectify the quad (tl, tr, br, bl) into an upright crop; tall crops are rotated."""
    quad = np.asarray(quad, dtype=np.float32)
    w = int(max(np.linalg.norm(quad[0] - quad[1]), np.linalg.norm(quad[2] - quad[3])))
    h = int(max(np.linalg.norm(quad[0] - quad[3]), np.linalg.norm(quad[1] - quad[2])))
    if w < 1 or h < 1:
        raise ValueError(f"quad: degenerate box {quad.tolist()}")
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    m = cv2.getPerspectiveTransform(quad, dst)
    crop = cv2.warpPerspective(image, m, (w, h), borderMode=cv2.BORDER_REPLICATE, flags=cv2.INTER_CUBIC)
    return np.rot90(crop) if h / w >= 1.5 else crop


MAX_ASPECT = 40


def rec_preprocess(crops: list[np.ndarray], height: int = 48, min_width: int = 320) -> np.ndarray:
    """BGR crops → (N, 3, height, W) float32 in [-1, 1], each resized to ``height`` keeping its aspect
    and right-padded with zeros to the widest (at least ``min_width``)."""
    if not crops:
        raise ValueError("crops: expected at least one image crop")
    # A crop longer than MAX_ASPECT heights is squeezed to that: a 3 × 4000 sliver would otherwise
    # make a 64000-wide batch (221 MB for 6 crops) of a "line" no recognizer reads anyway.
    ratio = min(MAX_ASPECT, max(min_width / height, *(c.shape[1] / c.shape[0] for c in crops)))
    width = int(height * ratio)
    out = np.zeros((len(crops), 3, height, width), np.float32)
    for i, crop in enumerate(crops):
        rw = min(width, int(math.ceil(height * crop.shape[1] / crop.shape[0])))
        img = cv2.resize(crop, (rw, height)).astype(np.float32)
        out[i, :, :, :rw] = (img.transpose(2, 0, 1) / 255.0 - 0.5) / 0.5
    return out


def ctc_greedy_decode(probs: np.ndarray, charset: list[str]) -> list[tuple[str, float]]:
    """(N, T, C) per-step class probabilities → [(text, mean confidence of kept steps)], collapsing
    repeats and dropping the blank (index 0)."""
    probs = np.asarray(probs)
    if probs.ndim != 3 or probs.shape[2] != len(charset):
        raise ValueError(f"probs: expected (N, T, {len(charset)}) for this charset, got {probs.shape}")
    idx, conf = probs.argmax(axis=2), probs.max(axis=2)
    results = []
    for row, row_conf in zip(idx, conf):
        keep = np.ones(len(row), bool)
        keep[1:] = row[1:] != row[:-1]
        keep &= row != 0
        text = "".join(charset[i] for i in row[keep])
        results.append((text, float(row_conf[keep].mean()) if keep.any() else 0.0))
    return results


class TextRecognizer:
    """``recognizer(crops) -> [(text, confidence)]`` around a CTC recognizer's ``run`` callable.

    ``allowed``: if given, characters outside it are dropped from the decoded text (whitespace is
    then collapsed)."""

    def __init__(self, run: RunFn, charset: list[str], input_name: str = "x", height: int = 48,
                 min_width: int = 320, batch: int = 6, allowed: str | None = None):
        self.run, self.charset, self.input_name = run, charset, input_name
        self.height, self.min_width, self.batch = height, min_width, batch
        self.allowed = None if allowed is None else frozenset(allowed)

    def _filter(self, text: str) -> str:
        if self.allowed is None:
            return text
        return " ".join("".join(ch for ch in text if ch in self.allowed).split())

    def __call__(self, crops: list[np.ndarray]) -> list[tuple[str, float]]:
        # Similar aspect ratios share a batch, so little of each batch is padding.
        order = np.argsort([c.shape[1] / c.shape[0] for c in crops], kind="stable")
        results: list[tuple[str, float]] = [("", 0.0)] * len(crops)
        for start in range(0, len(crops), self.batch):
            chunk = order[start:start + self.batch]
            x = rec_preprocess([crops[i] for i in chunk], self.height, self.min_width)
            probs = first_output(self.run({self.input_name: x}))
            for i, (text, conf) in zip(chunk, ctc_greedy_decode(probs, self.charset)):
                results[i] = (self._filter(text), conf)
        return results
