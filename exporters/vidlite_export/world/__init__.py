"""Deterministic procedural video world: clips with ground truth for every task family.

``generate_clip(seed, index, cfg)`` draws one clip (frames, captions, subject, events, text overlay);
``generate_split(name, n, cfg)`` gives the fixed train/val/test splits; ``damage`` makes restoration
pairs; ``write_video`` writes real mp4 files.
"""
from vidlite_export.world.captions import all_captions, caption_vocabulary, parse_caption
from vidlite_export.world.clip import SPLIT_SEEDS, Clip, Event, Overlay, generate_clip, generate_split
from vidlite_export.world.config import WorldConfig
from vidlite_export.world.damage import DAMAGE_KINDS, damage
from vidlite_export.world.phrases import HELDOUT_PHRASES, SENTIMENTS, TRAIN_PHRASES, phrases
from vidlite_export.world.video import read_video, write_video
from vidlite_export.world.vocab import (
    COLORS, EVENT_LABELS, MOTIONS, OUTSIDE_SYNONYMS, SHAPES, SIZES,
)

__all__ = [
    "WorldConfig", "Clip", "Event", "Overlay", "generate_clip", "generate_split", "SPLIT_SEEDS",
    "damage", "DAMAGE_KINDS", "write_video", "read_video", "all_captions", "caption_vocabulary", "parse_caption",
    "TRAIN_PHRASES", "HELDOUT_PHRASES", "SENTIMENTS", "phrases",
    "COLORS", "SHAPES", "SIZES", "MOTIONS", "EVENT_LABELS", "OUTSIDE_SYNONYMS",
]
