"""Task pipelines (MediaPipe-Tasks style): an options object and one obvious call each.

    Captioner.from_bundle(path).caption("video.mp4", srt="out.srt")
    Understander.from_bundle(path).understand("video.mp4", jsonl="events.jsonl")
    Restorer.from_bundle(path).restore("damaged.mp4", "restored.mp4", reference="clean.mp4")
    Retriever.from_bundle(path, index="library.vlindex").add("video.mp4"); .search("a red ball", k=5)

Each result carries a PipelineReport: throughput, per-stage latency, dropped/corrupt frames, backends.
Imported lazily, so ``import vidlite`` stays cheap.
"""
from __future__ import annotations

import importlib

_EXPORTS = {
    "Captioner": "captioner", "CaptionerOptions": "captioner", "CaptionResult": "captioner",
    "Understander": "understander", "UnderstanderOptions": "understander", "UnderstandResult": "understander",
    "Restorer": "restorer", "RestorerOptions": "restorer", "RestoreResult": "restorer",
    "Retriever": "retriever", "RetrieverOptions": "retriever",
    "PipelineReport": "report",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"vidlite.tasks.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'vidlite.tasks' has no attribute {name!r}")
