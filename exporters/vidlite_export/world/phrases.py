"""On-screen text overlays with a known sentiment, split into training and held-out phrases.

A sentiment model is trained on ``TRAIN_PHRASES`` only and judged on ``HELDOUT_PHRASES``, which share
no phrase (and few words) with the training list, so the test measures generalisation to unseen text.
Phrases are short lowercase ASCII so OCR ground truth is unambiguous.
"""
from __future__ import annotations

POSITIVE = "positive"
NEGATIVE = "negative"
SENTIMENTS: tuple[str, ...] = (NEGATIVE, POSITIVE)

_TRAIN_POSITIVE = (
    "great job", "well done", "happy birthday", "best day ever", "love it", "amazing show",
    "good news", "you did it", "so much fun", "congratulations", "beautiful day", "nice work",
    "thank you", "big win", "perfect", "awesome", "wonderful", "brilliant idea", "sweet dreams",
    "have fun", "enjoy", "cheers", "fantastic", "lucky day", "feel good", "bright future",
    "welcome home", "good luck", "hooray", "excellent", "so proud", "superb", "top quality",
    "great deal", "smile", "delightful",
)
_TRAIN_NEGATIVE = (
    "game over", "bad news", "total failure", "so sad", "i hate it", "terrible", "awful day",
    "you lose", "danger", "worst day ever", "broken", "sorry for your loss", "very angry",
    "stop", "not good", "horrible", "disaster", "too bad", "error", "poor quality",
    "nightmare", "boring", "ugly mess", "painful", "lost again", "fail", "sick and tired",
    "bad luck", "gloomy", "dreadful", "so lonely", "what a mess", "useless", "denied",
    "crash", "miserable",
)
_HELDOUT_POSITIVE = (
    "fabulous", "magnificent", "pure joy", "love this place", "best friends", "a great success",
    "glad you came", "lovely", "marvelous time", "victory", "so cheerful", "happy holidays",
)
_HELDOUT_NEGATIVE = (
    "tragic", "pathetic", "hopeless", "a sad ending", "you failed", "worst service",
    "disgusting", "so upset", "grim", "heartbroken", "awful mistake", "i am furious",
)

TRAIN_PHRASES: tuple[tuple[str, str], ...] = tuple(
    [(p, POSITIVE) for p in _TRAIN_POSITIVE] + [(p, NEGATIVE) for p in _TRAIN_NEGATIVE]
)
HELDOUT_PHRASES: tuple[tuple[str, str], ...] = tuple(
    [(p, POSITIVE) for p in _HELDOUT_POSITIVE] + [(p, NEGATIVE) for p in _HELDOUT_NEGATIVE]
)


def phrases(which: str) -> tuple[tuple[str, str], ...]:
    """``(text, sentiment)`` pairs of the ``"train"`` or ``"heldout"`` list."""
    table = {"train": TRAIN_PHRASES, "heldout": HELDOUT_PHRASES}
    if which not in table:
        raise ValueError(f"phrases(which={which!r}): expected one of {sorted(table)}")
    return table[which]
