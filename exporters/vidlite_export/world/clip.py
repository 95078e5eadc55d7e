"""One clip of the procedural world: a main object with a motion, an optional event, an optional text
overlay, all deterministic from ``(seed, index)``."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from vidlite_export.world import render
from vidlite_export.world.captions import sample_captions
from vidlite_export.world.config import WorldConfig
from vidlite_export.world.phrases import phrases
from vidlite_export.world.vocab import (
    COLORS, MOTIONS, PARTNER_COLOR, PARTNER_COLOR_NAME, ROTATABLE_SHAPES, SHAPES, SIZES,
)

# Fixed seed per split; the test seed is never used by any training recipe.
SPLIT_SEEDS: dict[str, int] = {"train": 1000, "val": 2000, "test": 3000}
N_CAPTIONS = 5


@dataclass(frozen=True)
class Event:
    """Something that happens at a frame: it spans ``[start_s, end_s)``, i.e. that frame's interval."""

    label: str
    start_s: float
    end_s: float


@dataclass(frozen=True)
class Overlay:
    """Burnt-in text: its string, sentiment label and pixel box ``(x0, y0, x1, y1)`` (x1/y1 exclusive)."""

    text: str
    sentiment: str
    box: tuple[int, int, int, int]
    font: str


@dataclass
class Clip:
    """A generated clip and its ground truth.

    ``frames``: uint8 (T,H,W,3) BGR. ``captions``: canonical caption first, then paraphrases.
    ``subject``: dict(color, shape, size, motion) of the main object. ``partner``: dict(color, shape)
    of the collision partner or None. ``track``: float32 (T,4) of the main object per frame:
    centre x, centre y, radius (pixels) and visibility (0/1).
    """

    frames: np.ndarray
    fps: float
    captions: list[str]
    subject: dict
    events: list[Event]
    overlay: Overlay | None
    partner: dict | None = None
    track: np.ndarray = field(default_factory=lambda: np.zeros((0, 4), np.float32))
    seed: int = 0
    index: int = 0

    @property
    def caption(self) -> str:
        return self.captions[0]


def _trajectory(rng: np.random.Generator, motion: str, t: int, w: int, h: int, r: float):
    """Per-frame (cx, cy, radius, angle) arrays of the main object for ``motion``."""
    u = np.linspace(0.0, 1.0, t)
    cx = np.full(t, rng.uniform(0.3, 0.7) * w)
    cy = np.full(t, rng.uniform(0.3, 0.7) * h)
    rad = np.full(t, r)
    angle = np.full(t, rng.uniform(-15, 15))
    travel = rng.uniform(0.38, 0.5)
    if motion in ("left", "right"):
        start = rng.uniform(0.7, 0.78) * w
        cx = start - travel * w * u if motion == "left" else (w - start) + travel * w * u
    elif motion in ("up", "down"):
        start = rng.uniform(0.7, 0.78) * h
        cy = start - travel * h * u if motion == "up" else (h - start) + travel * h * u
    elif motion == "grow":
        rad = r * (0.55 + 0.95 * u)
    elif motion == "shrink":
        rad = r * (1.5 - 0.95 * u)
    elif motion == "rotate":
        angle = angle + rng.choice([-1, 1]) * rng.uniform(100, 160) * u
    elif motion == "bounce":
        bounces = int(rng.integers(1, 3))
        floor = rng.uniform(0.7, 0.78) * h
        cy = floor - rng.uniform(0.3, 0.4) * h * np.abs(np.sin(np.pi * bounces * u))
    elif motion == "stay":
        cx = cx + rng.normal(0, 0.25, t)
        cy = cy + rng.normal(0, 0.25, t)
    return cx, cy, rad, angle


def generate_clip(seed: int, index: int, cfg: WorldConfig = WorldConfig()) -> Clip:
    """The ``index``-th clip of the stream ``seed``; identical on every call and every machine."""
    rng = np.random.default_rng([int(seed), int(index)])
    t, w, h = cfg.frames, cfg.width, cfg.height
    s = min(w, h)

    motion = MOTIONS[rng.integers(len(MOTIONS))]
    shapes = ROTATABLE_SHAPES if motion == "rotate" else SHAPES
    shape = shapes[rng.integers(len(shapes))]
    color = list(COLORS)[rng.integers(len(COLORS))]
    size = list(SIZES)[rng.integers(len(SIZES))]
    r = SIZES[size] * s * rng.uniform(0.92, 1.08)
    cx, cy, rad, angle = _trajectory(rng, motion, t, w, h, r)

    # Exclusive events; frame ranges keep >= 3 frames of the object visible so its motion stays readable.
    roll = rng.uniform()
    event = None
    for label, p in (("appears", cfg.p_appears), ("disappears", cfg.p_disappears), ("collide", cfg.p_collide)):
        if roll < p:
            event = label
            break
        roll -= p
    visible = np.ones(t, bool)
    events: list[Event] = []
    partner = None
    partner_pos = None
    if event == "appears":
        k = int(rng.integers(2, t - 2))
        visible[:k] = False
    elif event == "disappears":
        k = int(rng.integers(3, t - 1))
        visible[k:] = False
    elif event == "collide":
        k = int(rng.integers(2, t - 2))
        p_shape = SHAPES[rng.integers(len(SHAPES))]
        p_r = SIZES["small"] * s * rng.uniform(0.9, 1.1)
        theta = rng.uniform(0, 2 * np.pi)
        d = np.array([np.cos(theta), np.sin(theta)])
        touch = np.array([cx[k], cy[k]]) + d * (rad[k] + p_r) * 0.9
        # The partner flies in along d, touches the main object at frame k, and bounces back out.
        speed = rng.uniform(0.09, 0.13) * s
        dist = np.abs(np.arange(t) - k)[:, None] * speed
        partner_pos = touch[None, :] + d[None, :] * dist
        partner = {"color": PARTNER_COLOR_NAME, "shape": p_shape, "radius": p_r,
                   "angle": rng.uniform(-15, 15)}
    if event is not None:
        events.append(Event(event, k / cfg.fps, (k + 1) / cfg.fps))

    bg = render.background(rng, h, w)
    gains = render.lighting_gains(rng, t) if cfg.lighting else np.ones(t)
    noise_sigma = rng.uniform(0, cfg.noise_max)
    frames = np.empty((t, h, w, 3), np.uint8)
    bg_u8 = np.clip(bg, 0, 255).astype(np.uint8)
    for i in range(t):
        img = bg_u8.copy()
        if partner_pos is not None:
            render.draw_shape(img, partner["shape"], partner_pos[i, 0], partner_pos[i, 1], partner["radius"],
                              partner["angle"], PARTNER_COLOR)
        if visible[i]:
            render.draw_shape(img, shape, cx[i], cy[i], rad[i], angle[i], COLORS[color])
        f = img.astype(np.float32) * gains[i]
        if noise_sigma > 0:
            f += rng.normal(0, noise_sigma, size=f.shape).astype(np.float32)
        frames[i] = np.clip(f + 0.5, 0, 255).astype(np.uint8)

    overlay = None
    if rng.uniform() < cfg.overlay_prob:
        pool = phrases(cfg.overlay_phrases)
        text, sentiment = pool[rng.integers(len(pool))]
        style, box = render.text_overlay(rng, (h, w), text, cfg.fonts)
        for i in range(t):
            render.draw_text(frames[i], style)
        overlay = Overlay(text=text, sentiment=sentiment, box=box, font=style["font_name"])

    captions = sample_captions(rng, N_CAPTIONS, color=color, shape=shape, size=size, motion=motion,
                               event=event, partner_shape=partner["shape"] if partner else None)
    track = np.stack([cx, cy, rad, visible.astype(np.float64)], axis=1).astype(np.float32)
    return Clip(frames=frames, fps=cfg.fps, captions=captions,
                subject={"color": color, "shape": shape, "size": size, "motion": motion},
                events=events, overlay=overlay,
                partner={"color": partner["color"], "shape": partner["shape"]} if partner else None,
                track=track, seed=int(seed), index=int(index))


def generate_split(name: str, n: int, cfg: WorldConfig = WorldConfig()) -> list[Clip]:
    """The first ``n`` clips of split ``name`` ("train", "val" or "test"), each from its fixed seed."""
    if name not in SPLIT_SEEDS:
        raise ValueError(f"generate_split(name={name!r}): expected one of {sorted(SPLIT_SEEDS)}")
    if n < 0:
        raise ValueError(f"generate_split(n={n}): expected n >= 0")
    return [generate_clip(SPLIT_SEEDS[name], i, cfg) for i in range(n)]
