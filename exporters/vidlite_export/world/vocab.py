"""The world's attribute vocabulary: what exists, how it looks, and the words the caption grammar uses.

Everything here is data. Colours are BGR (OpenCV order). Words outside the grammar
(``OUTSIDE_SYNONYMS``) are for tests that query with language the caption grammar never produces.
"""
from __future__ import annotations

# Saturated, hue-separated colours so they stay distinguishable under lighting changes and noise;
# backgrounds are drawn desaturated (see render.py) for the same reason.
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (40, 40, 220),
    "green": (60, 200, 60),
    "blue": (230, 90, 30),
    "yellow": (40, 225, 235),
    "purple": (200, 50, 160),
    "orange": (20, 140, 245),
}
# The collision partner always has this colour, so the main object is never ambiguous. Light enough
# to stand out from every background (those stay below ≈ 150 before lighting): a mid grey blended
# into bright gradients, and collisions read as no event.
PARTNER_COLOR_NAME = "gray"
PARTNER_COLOR: tuple[int, int, int] = (215, 215, 215)

SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star")
# A circle rotating looks like a circle staying still, so it never gets the rotate motion.
ROTATABLE_SHAPES: tuple[str, ...] = ("square", "triangle", "star")

# Radius as a fraction of min(width, height).
SIZES: dict[str, float] = {"small": 0.10, "large": 0.17}

MOTIONS: tuple[str, ...] = ("left", "right", "up", "down", "grow", "shrink", "rotate", "bounce", "stay")

EVENT_LABELS: tuple[str, ...] = ("appears", "disappears", "collide")

# Caption grammar: verb phrases per motion; the first one is the canonical phrase.
MOTION_PHRASES: dict[str, tuple[str, ...]] = {
    "left": ("moves to the left", "moves left", "slides left", "goes to the left"),
    "right": ("moves to the right", "moves right", "slides right", "goes to the right"),
    "up": ("moves up", "rises", "goes up", "moves upward"),
    "down": ("moves down", "falls", "goes down", "moves downward"),
    "grow": ("grows", "gets bigger", "grows larger", "expands"),
    "shrink": ("shrinks", "gets smaller", "shrinks in size", "contracts"),
    "rotate": ("rotates", "spins", "turns around", "rotates in place"),
    "bounce": ("bounces", "bounces up and down", "hops up and down", "keeps bouncing"),
    "stay": ("stays still", "does not move", "stays in place", "sits still"),
}
# Event clauses joined to the motion phrase; canonical first.
APPEAR_PREFIX: tuple[str, ...] = ("appears and", "shows up and")
DISAPPEAR_SUFFIX: tuple[str, ...] = ("and disappears", "and then vanishes")
COLLIDE_SUFFIX: tuple[str, ...] = ("and hits a {partner}", "and collides with a {partner}")

# Words the grammar never uses, for "does retrieval understand language beyond the grammar" tests.
OUTSIDE_SYNONYMS: dict[str, tuple[str, ...]] = {
    "red": ("crimson", "scarlet"),
    "green": ("emerald", "lime"),
    "blue": ("navy", "azure"),
    "yellow": ("golden", "lemon"),
    "purple": ("violet", "magenta"),
    "orange": ("tangerine", "amber"),
    "circle": ("ball", "disc"),
    "square": ("box", "block"),
    "triangle": ("pyramid", "wedge"),
    "star": ("starburst", "asterisk"),
    "small": ("tiny", "little"),
    "large": ("big", "huge"),
    "left": ("heading left", "drifting leftward"),
    "right": ("heading right", "drifting rightward"),
    "up": ("climbing", "ascending"),
    "down": ("sinking", "descending"),
    "grow": ("swelling", "inflating"),
    "shrink": ("dwindling", "deflating"),
    "rotate": ("twirling", "whirling"),
    "bounce": ("jumping", "leaping"),
    "stay": ("motionless", "frozen in place"),
}
