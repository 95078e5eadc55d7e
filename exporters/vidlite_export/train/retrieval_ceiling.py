"""What the frozen MiniLM text tower allows outside the caption grammar: the recall a *perfect* video
tower trained on grammar captions would reach on outside-grammar queries.

Every gallery clip gets a free unit vector, fit by InfoNCE to the MiniLM embeddings of grammar captions
of its facts (clips with the same facts are all positives) — as expressive as a video tower can be —
and the outside queries are scored against those vectors. The retrieve card's outside-grammar bar is a
share of this ceiling measured in the same run, so the bar follows the text tower rather than a figure
no frozen-MiniLM tower can reach. ``bench/retrieval_ceiling.py`` reports it beside the word-level and
text-oracle figures.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

CAPTIONS_PER_CLIP = 12  # grammar captions per clip the ceiling is fit to


def free_embeddings(text_emb: np.ndarray, owner: np.ndarray, key_of: np.ndarray, steps: int = 400) -> np.ndarray:
    """One unit vector per gallery clip, fit so each caption (of clip ``owner[i]``) picks out its clip and
    every clip with the same facts (``key_of``), as a perfectly expressive video tower would be trained."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(0)
    t = torch.from_numpy(text_emb)
    keys = torch.from_numpy(key_of)
    target = (keys[torch.from_numpy(owner)][:, None] == keys[None, :]).float()
    target /= target.sum(1, keepdim=True)
    v = torch.nn.Parameter(0.01 * torch.randn(len(key_of), t.shape[1]))
    opt = torch.optim.Adam([v], lr=1e-2)
    for _ in range(steps):
        loss = F.cross_entropy(30.0 * t @ F.normalize(v, dim=-1).T, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return F.normalize(v, dim=-1).detach().numpy()


def ceiling_recall(clips, queries: np.ndarray, relevant: list[set[int]], seed: int,
                   cache_file: Path | None = None, captions: int = CAPTIONS_PER_CLIP) -> dict[int, float]:
    """{k: recall@k} for k in (1, 5) of the query embeddings ``queries`` against the free-embedding
    ceiling of the gallery ``clips`` (``captions`` grammar captions per clip, drawn with ``seed``)."""
    from vidlite import metrics
    from vidlite_export.models import minilm
    from vidlite_export.world import all_captions
    from vidlite_export.world.heldout import facts

    keys = [facts(c) for c in clips]
    key_ids = {k: i for i, k in enumerate(sorted(set(keys), key=str))}
    rng = np.random.default_rng(seed)
    texts, owner = [], []
    for i, k in enumerate(keys):
        every = all_captions(*k[:4], event=k[4], partner_shape=k[5])
        texts += [every[p] for p in rng.choice(len(every), size=min(captions, len(every)), replace=False)]
        owner += [i] * min(captions, len(every))
    ceiling = free_embeddings(minilm.embed_cached(texts, cache_file), np.array(owner),
                              np.array([key_ids[k] for k in keys]))
    return {k: metrics.recall_at_k(queries @ ceiling.T, k, relevant) for k in (1, 5)}
