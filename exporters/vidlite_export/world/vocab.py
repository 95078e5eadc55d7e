"""The world's attribute vocabulary: what exists, how it looks, and the words the caption grammar uses.

Everything here is data. Colours are BGR (OpenCV order). Words outside the grammar
(``OUTSIDE_SYNONYMS``, ``OUTSIDE_EVENT_PHRASES``) are for tests that query with language the caption
grammar never produces.
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
OUTSIDE_EVENT_PHRASES: dict[str, tuple[str, ...]] = {
    "appears": ("that pops into view",), "disappears": ("before fading from sight",),
    "collide": ("bumping into a {partner}",)}

# A wider vocabulary than the grammar's, sharing no word with the outside ones above (a test checks):
# what training on many phrasings of each fact could buy outside-grammar retrieval, measured by
# bench/retrieval_ceiling.py. The retrieve recipe does not use it: trained on 3 such descriptions
# per clip beside its 3 grammar captions, outside recall@5 rose only 0.290 → 0.318 while grammar
# recall@1 fell 0.858 → 0.822.
VARIED_SYNONYMS: dict[str, tuple[str, ...]] = {
    "red": ("ruby", "cherry", "vermilion", "cherry red"),
    "green": ("jade", "olive", "mint", "forest green"),
    "blue": ("cobalt", "sapphire", "sky blue", "cyan"),
    "yellow": ("canary", "mustard", "sunflower", "butter yellow"),
    "purple": ("lilac", "lavender", "plum", "mauve"),
    "orange": ("apricot", "pumpkin", "peach", "rust"),
    "circle": ("round shape", "dot", "orb", "sphere"),
    "square": ("cube", "tile", "four-sided shape", "checker"),
    "triangle": ("cone", "arrowhead", "three-sided shape", "delta"),
    "star": ("pentagram", "sparkle", "five-pointed shape", "twinkle"),
    "small": ("mini", "miniature", "petite", "wee"),
    "large": ("giant", "massive", "enormous", "jumbo"),
    "left": ("travelling left", "gliding left", "going left", "shifting to the left"),
    "right": ("travelling right", "gliding right", "going right", "shifting to the right"),
    "up": ("soaring", "lifting", "floating up", "going higher"),
    "down": ("dropping", "plunging", "going lower", "sliding down"),
    "grow": ("enlarging", "widening", "getting larger", "scaling up"),
    "shrink": ("diminishing", "scaling down", "narrowing", "reducing in size"),
    "rotate": ("spinning around", "revolving", "turning", "pivoting"),
    "bounce": ("springing", "hopping", "rebounding", "skipping"),
    "stay": ("staying put", "not moving", "resting", "stationary"),
}
VARIED_EVENT_PHRASES: dict[str, tuple[str, ...]] = {
    "appears": ("emerging", "materializing", "turning up"),
    "disappears": ("and then is gone", "and then leaves the frame", "and then goes away"),
    "collide": ("crashing against a {partner}", "striking a {partner}", "knocking a {partner}"),
}
