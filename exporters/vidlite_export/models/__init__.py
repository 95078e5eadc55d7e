"""Reference architectures of the four task families and their committed trained weights.

``load_reference(family)`` returns the trained model of a family (eval mode, weights from
``vidlite_export/weights/<family>/``); each family module provides ``load(weights_dir)``. The model
object holds the exported components as attributes (e.g. ``model.encoder``, ``model.decoder``).
"""
from __future__ import annotations

import importlib
from pathlib import Path

WEIGHTS_ROOT = Path(__file__).resolve().parent.parent / "weights"

# family → module with ``load(weights_dir)``; imported only when that family is loaded.
LOADERS: dict[str, str] = {
    "caption": "vidlite_export.models.caption",
    "generate": "vidlite_export.models.generate",
    "understand": "vidlite_export.models.understand",
    "retrieve": "vidlite_export.models.retrieve",
}


def weights_dir(family: str) -> Path:
    """Where the committed weights and metrics card of ``family`` live."""
    return WEIGHTS_ROOT / family


def load_reference(family: str, weights: str | Path | None = None):
    """The trained reference model of ``family`` (from ``weights``, default the committed weights)."""
    if family not in LOADERS:
        raise ValueError(f"load_reference: unknown family {family!r}; known: {sorted(LOADERS)}")
    module = importlib.import_module(LOADERS[family])
    return module.load(Path(weights) if weights is not None else weights_dir(family))


__all__ = ["LOADERS", "WEIGHTS_ROOT", "load_reference", "weights_dir"]
