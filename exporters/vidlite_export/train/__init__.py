"""Training recipes for the reference models, one module per family.

A recipe module defines ``RECIPE = Recipe(...)``; ``RECIPES`` maps each family to its module, imported
only when that family is trained, so one family's heavy dependencies never load for another.
"""
from __future__ import annotations

import importlib

from vidlite_export.train.common import Recipe, TrainOptions

RECIPES: dict[str, str] = {
    "caption": "vidlite_export.train.caption",
    "generate": "vidlite_export.train.generate",
    "understand": "vidlite_export.train.understand",
    "retrieve": "vidlite_export.train.retrieve",
}


def recipe(family: str) -> Recipe:
    """The training recipe of ``family``."""
    if family not in RECIPES:
        raise ValueError(f"no training recipe for family {family!r}; known: {sorted(RECIPES)}")
    return importlib.import_module(RECIPES[family]).RECIPE


__all__ = ["RECIPES", "Recipe", "TrainOptions", "recipe"]
