"""Detect → crop → recognize: every text line in a frame, in reading order."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from vidlite.ocr.detect import TextDetector
from vidlite.ocr.recognize import TextRecognizer, crop_quad


@dataclass
class TextLine:
    text: str
    score: float          # recognizer confidence (mean max-probability of the kept CTC steps)
    det_score: float      # detector's mean text probability inside the box
    box: np.ndarray       # (4, 2) float32 quad in frame pixels, clockwise from top-left


class OCR:
    def __init__(self, detector: TextDetector, recognizer: TextRecognizer, min_score: float = 0.5):
        self.detector, self.recognizer, self.min_score = detector, recognizer, min_score

    def __call__(self, image_bgr: np.ndarray) -> list[TextLine]:
        boxes, det_scores = self.detector(image_bgr)
        if len(boxes) == 0:
            return []
        texts = self.recognizer([crop_quad(image_bgr, b) for b in boxes])
        return [TextLine(t, s, float(d), b) for (t, s), d, b in zip(texts, det_scores, boxes)
                if s >= self.min_score and t.strip()]

    def read_text(self, image_bgr: np.ndarray, sep: str = " ") -> str:
        """All lines of the frame joined in reading order."""
        return sep.join(line.text for line in self(image_bgr))
