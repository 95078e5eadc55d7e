"""Text detection: DB (Differentiable Binarization) pre- and post-processing around a detector model.

The post-processing follows PaddleOCR's ``DBPostProcess``: threshold the probability map, take each
contour's minimum-area rectangle, score it by the mean probability inside, then grow it ("unclip") by
``area * unclip_ratio / perimeter``. For a rectangle, growing by a distance d on every side and taking
the minimum-area rectangle again gives exactly the rectangle (w + 2d) × (h + 2d), so no polygon
clipping library is needed.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from vidlite.ocr.runner import RunFn, first_output

# The detector grows a frame's short side to limit_side_len; a very thin frame (16 × 4000) would grow
# to 736 × 184000 (15.9 GB was seen). The long side is capped too, so no frame's tensor passes
# MAX_SIDE² × 3 floats (200 MB) whatever its shape; a text line in such a frame is still read at
# the short side it has.
MAX_SIDE = 4096


def det_preprocess(image_bgr: np.ndarray, limit_side_len: int = 736, limit_type: str = "min",
                   mean: float = 0.5, std: float = 0.5) -> np.ndarray:
    """BGR uint8 (H, W, 3) → (1, 3, H', W') float32 with H', W' multiples of 32."""
    if not (isinstance(image_bgr, np.ndarray) and image_bgr.ndim == 3 and image_bgr.shape[2] == 3):
        raise ValueError(f"image: expected a BGR array (H, W, 3), got shape {getattr(image_bgr, 'shape', None)}")
    if limit_type not in ("min", "max"):
        raise ValueError(f"limit_type must be 'min' or 'max', got {limit_type!r}")
    h, w = image_bgr.shape[:2]
    side = min(h, w) if limit_type == "min" else max(h, w)
    grow = side < limit_side_len if limit_type == "min" else side > limit_side_len
    ratio = limit_side_len / side if grow else 1.0
    ratio = min(ratio, MAX_SIDE / max(h, w))
    rh = min(MAX_SIDE, max(32, int(round(int(h * ratio) / 32) * 32)))
    rw = min(MAX_SIDE, max(32, int(round(int(w * ratio) / 32) * 32)))
    img = cv2.resize(image_bgr, (rw, rh)).astype(np.float32)
    img = (img / 255.0 - mean) / std
    return img.transpose(2, 0, 1)[None].astype(np.float32)


@dataclass
class DBPostprocess:
    thresh: float = 0.3
    box_thresh: float = 0.5
    unclip_ratio: float = 1.6
    max_candidates: int = 1000
    min_size: int = 3
    use_dilation: bool = True

    def __call__(self, prob: np.ndarray, src_hw: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """Probability map (H, W) or (1, 1, H, W) → quads (N, 4, 2) float32 in source pixels
        (clockwise from top-left) and scores (N,)."""
        prob = np.asarray(prob, dtype=np.float32)
        prob = prob.reshape(prob.shape[-2:])
        mask = (prob > self.thresh).astype(np.uint8)
        if self.use_dilation:
            mask = cv2.dilate(mask, np.ones((2, 2), np.uint8))
        contours, _ = cv2.findContours(mask * 255, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
        ph, pw = prob.shape
        sh, sw = src_hw
        boxes, scores = [], []
        for contour in contours[: self.max_candidates]:
            rect = cv2.minAreaRect(contour)
            if min(rect[1]) < self.min_size:
                continue
            score = self._box_score(prob, cv2.boxPoints(rect))
            if score < self.box_thresh:
                continue
            (cx, cy), (rw, rh), angle = rect
            d = rw * rh * self.unclip_ratio / (2.0 * (rw + rh))
            grown = ((cx, cy), (rw + 2 * d, rh + 2 * d), angle)
            if min(grown[1]) < self.min_size + 2:
                continue
            quad = _order_clockwise(cv2.boxPoints(grown))
            quad[:, 0] = np.clip(np.round(quad[:, 0] / pw * sw), 0, sw - 1)
            quad[:, 1] = np.clip(np.round(quad[:, 1] / ph * sh), 0, sh - 1)
            if np.linalg.norm(quad[0] - quad[1]) <= 3 or np.linalg.norm(quad[0] - quad[3]) <= 3:
                continue
            boxes.append(quad)
            scores.append(score)
        if not boxes:
            return np.zeros((0, 4, 2), np.float32), np.zeros((0,), np.float32)
        boxes, scores = np.stack(boxes).astype(np.float32), np.asarray(scores, np.float32)
        order = _reading_order(boxes)
        return boxes[order], scores[order]

    @staticmethod
    def _box_score(prob: np.ndarray, pts: np.ndarray) -> float:
        h, w = prob.shape
        x0, x1 = np.clip([np.floor(pts[:, 0].min()), np.ceil(pts[:, 0].max())], 0, w - 1).astype(int)
        y0, y1 = np.clip([np.floor(pts[:, 1].min()), np.ceil(pts[:, 1].max())], 0, h - 1).astype(int)
        mask = np.zeros((y1 - y0 + 1, x1 - x0 + 1), np.uint8)
        cv2.fillPoly(mask, [(pts - [x0, y0]).astype(np.int32)], 1)
        return float(cv2.mean(prob[y0:y1 + 1, x0:x1 + 1], mask)[0])


def _order_clockwise(pts: np.ndarray) -> np.ndarray:
    xs = pts[np.argsort(pts[:, 0], kind="stable")]
    left, right = xs[:2], xs[2:]
    tl, bl = left[np.argsort(left[:, 1], kind="stable")]
    tr, br = right[np.argsort(right[:, 1], kind="stable")]
    return np.array([tl, tr, br, bl], dtype=np.float32)


def _reading_order(boxes: np.ndarray, line_tol: float = 10.0) -> np.ndarray:
    """Top-to-bottom lines (a new line where the top edge jumps by ≥ line_tol px), left-to-right within."""
    by_y = np.argsort(boxes[:, 0, 1], kind="stable")
    line = np.concatenate([[0], np.cumsum(np.diff(boxes[by_y, 0, 1]) >= line_tol)])
    return by_y[np.lexsort((boxes[by_y, 0, 0], line))]


class TextDetector:
    """``detector(image_bgr) -> (quads (N,4,2), scores (N,))`` around a DB model's ``run`` callable."""

    def __init__(self, run: RunFn, input_name: str = "x", limit_side_len: int = 736,
                 limit_type: str = "min", post: DBPostprocess | None = None):
        self.run, self.input_name = run, input_name
        self.limit_side_len, self.limit_type = limit_side_len, limit_type
        self.post = post or DBPostprocess()

    def __call__(self, image_bgr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = det_preprocess(image_bgr, self.limit_side_len, self.limit_type)
        prob = first_output(self.run({self.input_name: x}))
        return self.post(prob[0, 0], image_bgr.shape[:2])
