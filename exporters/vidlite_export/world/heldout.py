"""World ground truth in the form the task metrics take, and the retrieval query sets.

Shared by the training cards (``vidlite_export.train``) and the runtime benchmark
(``bench/task_quality.py``), so a figure measured through the SDK is judged by the same definitions
as the fp32 PyTorch card figure beside it.
"""
from __future__ import annotations

import numpy as np

from vidlite_export.world.captions import all_captions, describe_with, parse_caption
from vidlite_export.world.clip import SPLIT_SEEDS
from vidlite_export.world.config import WorldConfig
from vidlite_export.world.vocab import OUTSIDE_EVENT_PHRASES, OUTSIDE_SYNONYMS

# the understand family's held-out world (its card, its export, the runtime benchmark): frames large
# enough for legible on-screen text, overlays drawn from the phrases sentiment never trained on
UNDERSTAND_TEST_WORLD = WorldConfig(width=256, height=256, overlay_phrases="heldout")
CAPTION_ATTRIBUTES = ("color", "shape", "motion", "event")
SUBJECT = ("color", "shape", "motion")  # "the colour, shape and motion of the main object"


def event_truth(clip) -> list[tuple[str, float, float]]:
    """``(label, start_s, end_s)`` of each event of ``clip`` (what ``metrics.timed_event_f1`` takes)."""
    return [(e.label, e.start_s, e.end_s) for e in clip.events]


def normalize_text(s: str) -> str:
    """OCR output as it is scored: whitespace runs collapsed."""
    return " ".join(s.split())


def caption_attributes(caption: str, clip) -> dict[str, bool]:
    """Whether ``caption`` states the clip's colour, shape, motion and event rightly."""
    said = parse_caption(caption)
    truth = {**clip.subject, "event": clip.events[0].label if clip.events else None}
    return {k: said[k] == truth[k] for k in CAPTION_ATTRIBUTES}


def subject_right(attributes: dict[str, bool]) -> bool:
    """The caption bar's per-clip test: colour, shape and motion of the main object all right."""
    return all(attributes[k] for k in SUBJECT)


def facts(clip) -> tuple:
    """What a retrieval query may describe: colour, shape, size, motion, event, partner shape."""
    s = clip.subject
    event = clip.events[0].label if clip.events else None
    return (s["color"], s["shape"], s["size"], s["motion"], event, clip.partner["shape"] if clip.partner else None)


def outside_query(clip, rng: np.random.Generator) -> str:
    """A description of the clip's facts in words outside the caption grammar."""
    return describe_with(OUTSIDE_SYNONYMS, OUTSIDE_EVENT_PHRASES, rng, *facts(clip))


def retrieval_queries(clips) -> dict[str, tuple[list[str], list[set[int]]]]:
    """One query per gallery clip in three sets — ``grammar`` (its canonical caption),
    ``paraphrase`` (a grammar paraphrase) and ``outside`` (``outside_query``) — each with, per query,
    the gallery indices it counts as hits: every clip the query describes (same facts)."""
    keys = [facts(c) for c in clips]
    same_facts = [{j for j, k in enumerate(keys) if k == key} for key in keys]
    describes = [set(all_captions(*k[:4], event=k[4], partner_shape=k[5])) for k in keys]
    rng = np.random.default_rng(SPLIT_SEEDS["test"])
    paraphrases = [c.captions[1] for c in clips]
    return {
        "grammar": ([c.captions[0] for c in clips], same_facts),
        "paraphrase": (paraphrases, [{j for j, d in enumerate(describes) if q in d} for q in paraphrases]),
        "outside": ([outside_query(c, rng) for c in clips], same_facts),
    }
