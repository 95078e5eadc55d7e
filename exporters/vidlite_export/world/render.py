"""Drawing primitives: backgrounds, shapes, lighting, sensor noise and text overlays (OpenCV, BGR uint8)."""
from __future__ import annotations

import cv2
import numpy as np

_SHIFT = 4  # sub-pixel precision bits for OpenCV drawing, so slow motion still moves the edges
_ONE = 1 << _SHIFT

FONTS = {
    "simplex": cv2.FONT_HERSHEY_SIMPLEX,
    "duplex": cv2.FONT_HERSHEY_DUPLEX,
    "complex": cv2.FONT_HERSHEY_COMPLEX,
    "triplex": cv2.FONT_HERSHEY_TRIPLEX,
}

BACKGROUNDS = ("solid", "hgradient", "vgradient", "checker", "texture")


def background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    """A desaturated mid/dark background (float32 BGR) so object colours stay distinguishable."""
    kind = BACKGROUNDS[rng.integers(len(BACKGROUNDS))]
    base = rng.uniform(25, 105) + rng.uniform(-12, 12, size=3)
    img = np.broadcast_to(base.astype(np.float32), (h, w, 3)).copy()
    if kind in ("hgradient", "vgradient"):
        n = w if kind == "hgradient" else h
        ramp = np.linspace(-1, 1, n, dtype=np.float32) * rng.uniform(10, 30)
        img += ramp[None, :, None] if kind == "hgradient" else ramp[:, None, None]
    elif kind == "checker":
        cell = int(rng.integers(6, 17))
        yy, xx = np.mgrid[0:h, 0:w]
        img += (((yy // cell + xx // cell) % 2) * 2 - 1)[..., None].astype(np.float32) * rng.uniform(5, 14)
    elif kind == "texture":
        noise = rng.normal(0, 1, size=(h, w)).astype(np.float32)
        noise = cv2.GaussianBlur(noise, (0, 0), sigmaX=rng.uniform(1.5, 4.0))
        img += (noise / (noise.std() + 1e-6))[..., None] * rng.uniform(5, 12)
    return img


def shape_polygon(shape: str, cx: float, cy: float, r: float, angle_deg: float) -> np.ndarray:
    """Vertices (N,2) float of a non-circle shape of radius ``r`` rotated by ``angle_deg``."""
    if shape == "square":
        ang = np.deg2rad([45, 135, 225, 315])
        rad = np.full(4, r * 1.2)
    elif shape == "triangle":
        ang = np.deg2rad([-90, 30, 150])
        rad = np.full(3, r * 1.25)
    elif shape == "star":
        ang = np.deg2rad(np.arange(10) * 36 - 90)
        rad = np.where(np.arange(10) % 2 == 0, r * 1.3, r * 0.55)
    else:
        raise ValueError(f"shape_polygon: unknown shape {shape!r}")
    ang = ang + np.deg2rad(angle_deg)
    return np.stack([cx + rad * np.cos(ang), cy + rad * np.sin(ang)], axis=1)


def draw_shape(img: np.ndarray, shape: str, cx: float, cy: float, r: float, angle_deg: float,
               color: tuple[int, int, int]) -> None:
    """Anti-aliased filled shape drawn in place on a uint8 BGR image."""
    if shape == "circle":
        cv2.circle(img, (int(round(cx * _ONE)), int(round(cy * _ONE))), int(round(r * _ONE)), color,
                   thickness=-1, lineType=cv2.LINE_AA, shift=_SHIFT)
        return
    pts = np.round(shape_polygon(shape, cx, cy, r, angle_deg) * _ONE).astype(np.int32)
    cv2.fillPoly(img, [pts], color, lineType=cv2.LINE_AA, shift=_SHIFT)


def lighting_gains(rng: np.random.Generator, t: int) -> np.ndarray:
    """Per-frame global gain: a base exposure with a slow ramp (clouds, auto-exposure)."""
    base = rng.uniform(0.75, 1.2)
    ramp = rng.uniform(-0.12, 0.12)
    return base + ramp * np.linspace(-1, 1, t)


def text_overlay(rng: np.random.Generator, img_shape: tuple[int, int], text: str,
                 fonts: tuple[str, ...]) -> tuple[dict, tuple[int, int, int, int]]:
    """Randomly styled placement of ``text``: (style dict for ``draw_text``, box x0,y0,x1,y1 in pixels)."""
    h, w = img_shape
    font_name = fonts[rng.integers(len(fonts))]
    font = FONTS[font_name]
    (tw, th), base = cv2.getTextSize(text, font, 1.0, 1)
    scale = min(rng.uniform(0.55, 0.9) * w / tw, 0.22 * h / (th + base))
    thickness = max(1, int(round(scale * rng.uniform(1.0, 2.2))))
    (tw, th), base = cv2.getTextSize(text, font, scale, thickness)
    pad = max(2, int(round(0.25 * th)))
    x0 = int(rng.integers(pad, max(pad + 1, w - tw - pad)))
    band = rng.integers(2)  # top or bottom band, like subtitles and captions burnt into video
    y_base = int(th + 2 * pad if band == 0 else h - base - 2 * pad)
    box = (max(0, x0 - pad), max(0, y_base - th - pad), min(w, x0 + tw + pad), min(h, y_base + base + pad))
    style_kind = rng.integers(3)
    fg, bg = {0: ((255, 255, 255), (0, 0, 0)), 1: ((0, 0, 0), (255, 255, 255)),
              2: ((0, 230, 255), None)}[int(style_kind)]
    style = dict(text=text, font=font, font_name=font_name, scale=scale, thickness=thickness,
                 org=(x0, y_base), fg=fg, bg=bg, box=box)
    return style, box


def draw_text(img: np.ndarray, style: dict) -> None:
    """Burn a text overlay (from ``text_overlay``) into a uint8 BGR image in place."""
    x0, y0, x1, y1 = style["box"]
    if style["bg"] is not None:
        cv2.rectangle(img, (x0, y0), (x1 - 1, y1 - 1), style["bg"], thickness=-1)
    else:  # no box: a dark outline keeps the text readable on any background
        cv2.putText(img, style["text"], style["org"], style["font"], style["scale"], (0, 0, 0),
                    style["thickness"] + 2, cv2.LINE_AA)
    cv2.putText(img, style["text"], style["org"], style["font"], style["scale"], style["fg"],
                style["thickness"], cv2.LINE_AA)
