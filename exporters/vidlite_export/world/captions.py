"""Caption grammar: every way the world describes a clip, with the canonical sentence first."""
from __future__ import annotations

import itertools

import numpy as np

from vidlite_export.world.vocab import (
    APPEAR_PREFIX, COLLIDE_SUFFIX, COLORS, DISAPPEAR_SUFFIX, MOTION_PHRASES, PARTNER_COLOR_NAME,
    SHAPES, SIZES,
)

# Subject noun phrases; canonical first.
_SUBJECT_TEMPLATES = ("a {size} {color} {shape}", "a {color} {shape}", "the {color} {shape}",
                      "the {size} {color} {shape}")


def _event_clauses(event: str | None, partner_shape: str | None) -> list[tuple[str, str]]:
    """(prefix, suffix) variants around the motion phrase for the clip's event."""
    if event == "appears":
        return [(p, "") for p in APPEAR_PREFIX]
    if event == "disappears":
        return [("", s) for s in DISAPPEAR_SUFFIX]
    if event == "collide":
        partner = f"{PARTNER_COLOR_NAME} {partner_shape}"
        return [("", s.format(partner=partner)) for s in COLLIDE_SUFFIX]
    return [("", "")]


def all_captions(color: str, shape: str, size: str, motion: str, event: str | None = None,
                 partner_shape: str | None = None) -> list[str]:
    """Every caption the grammar allows for these facts; the first is canonical."""
    out = []
    for tmpl, verb, (pre, suf) in itertools.product(
            _SUBJECT_TEMPLATES, MOTION_PHRASES[motion], _event_clauses(event, partner_shape)):
        words = [tmpl.format(size=size, color=color, shape=shape), pre, verb, suf]
        out.append(" ".join(w for w in words if w))
    return out


def describe_with(synonyms, event_phrases, rng: np.random.Generator, color: str, shape: str, size: str,
                  motion: str, event: str | None = None, partner_shape: str | None = None) -> str:
    """The clip's facts as "a <size> <colour> <shape> <motion> [<event>]" in words drawn with ``rng``
    from ``synonyms`` (fact value → words) and ``event_phrases`` (event → phrases, "{partner}" for
    the other shape) instead of the grammar's; a single option takes no draw."""
    pick = lambda options: options[rng.integers(len(options))] if len(options) > 1 else options[0]  # noqa: E731
    words = ["a", pick(synonyms[size]), pick(synonyms[color]), pick(synonyms[shape]), pick(synonyms[motion])]
    if event:
        phrase = pick(event_phrases[event])
        words.append(phrase.format(partner=pick(synonyms[partner_shape]) if partner_shape else ""))
    return " ".join(words)


def phrase_words(*tables) -> set[str]:
    """Every word of the phrases in ``tables`` (key → phrases, as ``OUTSIDE_SYNONYMS``), without
    "{partner}" placeholders."""
    return {w for t in tables for phrases in t.values() for p in phrases for w in p.format(partner="").split()}


def sample_captions(rng: np.random.Generator, n: int, **facts) -> list[str]:
    """The canonical caption plus ``n - 1`` distinct paraphrases drawn with ``rng``."""
    every = all_captions(**facts)
    picks = rng.choice(np.arange(1, len(every)), size=min(n - 1, len(every) - 1), replace=False)
    return [every[0]] + [every[i] for i in sorted(picks)]


def caption_vocabulary() -> list[str]:
    """Every word the grammar can produce, sorted (the caption tokenizer's vocabulary)."""
    words: set[str] = set()
    for color, shape, size, motion in itertools.product(COLORS, SHAPES, SIZES, MOTION_PHRASES):
        for event in (None, "appears", "disappears", "collide"):
            partners = SHAPES if event == "collide" else (None,)
            for partner in partners:
                for c in all_captions(color, shape, size, motion, event, partner):
                    words.update(c.split())
    return sorted(words)


def parse_caption(text: str) -> dict:
    """The facts a caption states: color, shape, size, motion of the main object and its event
    (None where the caption does not say), by matching the grammar's words and phrases."""
    words = text.lower().split()
    first = lambda options: next((w for w in words if w in options), None)  # noqa: E731
    padded = f" {' '.join(words)} "
    motion = None
    phrases = sorted(((p, m) for m, ps in MOTION_PHRASES.items() for p in ps), key=lambda pm: -len(pm[0]))
    for phrase, m in phrases:
        if f" {phrase} " in padded:
            motion = m
            break
    event = None
    if any(f" {p} " in padded for p in APPEAR_PREFIX):
        event = "appears"
    elif any(f" {s} " in padded for s in DISAPPEAR_SUFFIX):
        event = "disappears"
    elif any(f" {s.split('{')[0].strip()} " in padded for s in COLLIDE_SUFFIX):
        event = "collide"
    return {"color": first(COLORS), "shape": first(SHAPES), "size": first(SIZES), "motion": motion, "event": event}
