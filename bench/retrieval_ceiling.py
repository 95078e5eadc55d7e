"""What the frozen MiniLM-L6 text tower allows for outside-grammar retrieval queries.

The retrieve family's video tower is trained against the frozen real MiniLM-L6 (issue #4), so a query
whose key words the caption grammar never uses ("a tiny crimson ball heading left") can only find its
clip if MiniLM itself puts those words near the grammar's. This measures that, independently of any
trained video tower, on the held-out gallery the retrieve card uses:

1. word level: for each outside synonym, is the nearest of its attribute's grammar words (by MiniLM
   similarity, the word alone and inside a sentence) the right one? Chance is 1 / #values.
2. text oracle: rank the gallery by MiniLM similarity between the query and each clip's canonical
   caption (the card's ``outside_recall@k_text_oracle``).
3. free-embedding ceiling: give every gallery clip a free 384-d unit vector and fit it by InfoNCE to
   the MiniLM embeddings of the grammar captions of its facts — the best a *perfect* video tower
   trained on grammar captions could do — then score the outside queries against those vectors.
   Reported for the card's full outside queries and for the issue's example form (colour, shape,
   motion only: "a crimson ball heading left", hits = every clip with those three facts).
4. the same ceiling when the fit also sees as many descriptions in a wider vocabulary than the
   grammar's (``VARIED_SYNONYMS``, which shares no word with the outside queries): what training on
   many phrasings of each fact could buy.

    python bench/retrieval_ceiling.py [--clips 500] [--captions 12] [--json out.json]
"""
from __future__ import annotations

import argparse
import json

import numpy as np


def word_level(minilm) -> dict[str, dict]:
    from vidlite_export.world.vocab import COLORS, MOTION_PHRASES, OUTSIDE_SYNONYMS, SHAPES, SIZES

    groups = {"color": ({c: c for c in COLORS}, "a {} circle"), "shape": ({s: s for s in SHAPES}, "a red {}"),
              "size": ({z: z for z in SIZES}, "a {} red circle"),
              "motion": ({m: p[0] for m, p in MOTION_PHRASES.items()}, "a red circle {}")}
    out = {}
    for name, (words, sentence) in groups.items():
        values = list(words)
        row = {"values": len(values), "chance": round(1 / len(values), 3)}
        for mode, fmt in (("alone", "{}"), ("in_sentence", sentence)):
            ref = minilm.embed([fmt.format(words[v]) for v in values])
            hits = [values[int(np.argmax(ref @ minilm.embed([fmt.format(s)])[0]))] == v
                    for v in values for s in OUTSIDE_SYNONYMS[v]]
            row[mode] = round(float(np.mean(hits)), 3)
        out[name] = row
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clips", type=int, default=500, help="held-out gallery size (the card uses 500)")
    ap.add_argument("--captions", type=int, default=12, help="grammar captions per clip for the ceiling fit")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()

    from rich.console import Console
    from rich.table import Table

    from vidlite import metrics
    from vidlite_export.models import minilm
    from vidlite_export.train.retrieval_ceiling import free_embeddings
    from vidlite_export.train.retrieve import WORLD, cache_file
    from vidlite_export.world import OUTSIDE_SYNONYMS, SPLIT_SEEDS, all_captions, generate_clip
    from vidlite_export.world.captions import describe_with
    from vidlite_export.world.heldout import facts, retrieval_queries
    from vidlite_export.world.vocab import VARIED_EVENT_PHRASES, VARIED_SYNONYMS

    clips = [generate_clip(SPLIT_SEEDS["test"], i, WORLD) for i in range(args.clips)]
    keys = [facts(c) for c in clips]
    key_ids = {k: i for i, k in enumerate(sorted(set(keys), key=str))}
    key_of = np.array([key_ids[k] for k in keys])
    queries = retrieval_queries(clips)
    outside, same_facts = queries["outside"]
    rng = np.random.default_rng(SPLIT_SEEDS["test"] + 1)
    syn = lambda k: OUTSIDE_SYNONYMS[k][rng.integers(len(OUTSIDE_SYNONYMS[k]))]  # noqa: E731
    short = [f"a {syn(k[0])} {syn(k[1])} {syn(k[3])}" for k in keys]
    short_hits = [{j for j, o in enumerate(keys) if (o[0], o[1], o[3]) == (k[0], k[1], k[3])} for k in keys]

    texts, varied, owner = [], [], []
    vrng = np.random.default_rng(SPLIT_SEEDS["test"] + 2)  # apart, so the grammar-only fit stays as it was
    for i, k in enumerate(keys):
        every = all_captions(*k[:4], event=k[4], partner_shape=k[5])
        picks = rng.choice(len(every), size=min(args.captions, len(every)), replace=False)
        texts += [every[p] for p in picks]
        varied += [describe_with(VARIED_SYNONYMS, VARIED_EVENT_PHRASES, vrng, *k) for _ in picks]
        owner += [i] * len(picks)
    grammar_emb = minilm.embed_cached(texts, cache_file())
    ceiling = free_embeddings(grammar_emb, np.array(owner), key_of)
    ceiling_varied = free_embeddings(np.concatenate([grammar_emb, minilm.embed(varied)]), np.array(owner * 2), key_of)
    canonical = minilm.embed([c.captions[0] for c in clips])

    rows = {}
    for name, (qs, hits) in {"outside (card)": (outside, same_facts), "colour+shape+motion": (short, short_hits)}.items():
        q = minilm.embed(qs)
        rows[name] = {f"{how}_recall@{k}": round(metrics.recall_at_k(q @ ref.T, k, hits), 3)
                      for how, ref in (("text_oracle", canonical), ("ceiling", ceiling),
                                       ("ceiling_varied", ceiling_varied)) for k in (1, 5)}
        rows[name]["example"] = qs[0]
    result = {"gallery_clips": args.clips, "word_level": word_level(minilm), "queries": rows}

    console = Console()
    t = Table(title="MiniLM-L6: nearest grammar word to each outside synonym (accuracy)")
    for col in ("attribute", "values", "chance", "word alone", "in a sentence"):
        t.add_column(col)
    for name, r in result["word_level"].items():
        t.add_row(name, str(r["values"]), f"{r['chance']:.2f}", f"{r['alone']:.2f}", f"{r['in_sentence']:.2f}")
    console.print(t)
    t = Table(title=f"Outside-grammar text→video recall over {args.clips} held-out clips (bar: recall@5 ≥ 0.85 × the ceiling)")
    for col in ("queries", "example", "text oracle @1/@5", "perfect-tower ceiling @1/@5",
                "… trained with the varied vocabulary too"):
        t.add_column(col)
    for name, r in rows.items():
        t.add_row(name, r["example"], *(f"{r[f'{how}_recall@1']:.3f} / {r[f'{how}_recall@5']:.3f}"
                                        for how in ("text_oracle", "ceiling", "ceiling_varied")))
    console.print(t)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)


if __name__ == "__main__":
    main()
