"""Embedded, persistent retrieval index: clip embeddings of videos, searched by cosine similarity.

    from vidlite.index import ClipIndex
    with ClipIndex("library.vlindex", dim=256, model="retrieve-ref@1") as ix:
        ix.add_video("a.mp4", [(0.0, 2.0, emb0), (2.0, 4.0, emb1)])
        hits = ix.search(query_embedding, k=5)     # [Hit(video, start, end, score)]
"""
from vidlite.index.store import ClipIndex, Hit, RetrievalIndexError

__all__ = ["ClipIndex", "Hit", "RetrievalIndexError"]
