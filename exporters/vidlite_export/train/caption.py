"""Caption recipe: clip encoder + transformer decoder, teacher-forced cross-entropy on the world's
captions (canonical sentence half of the time, a paraphrase otherwise), judged on the held-out test
split with the shared NumPy greedy/beam decoders."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from vidlite import metrics
from vidlite.text import WordTokenizer
from vidlite_export.models import caption as cap
from vidlite_export.models.video_input import clip_to_tensor
from vidlite_export.train.common import (
    WEIGHTS_ROOT, Recipe, Timer, TrainOptions, count_params, optimise, progress, quality_bars,
    save_weights, seed_everything, write_card,
)
from vidlite_export.world import (
    COLORS, EVENT_LABELS, MOTIONS, SHAPES, SIZES, SPLIT_SEEDS, WorldConfig, caption_vocabulary, generate_clip,
)
from vidlite_export.world.heldout import CAPTION_ATTRIBUTES, caption_attributes, subject_right

FAMILY = "caption"
WORLD = WorldConfig()
DEFAULTS = {"pool": 5000, "batch": 32, "lr": 2e-3, "warmup": 60, "aux_weight": 0.5}
BARS = {"bleu4": (">=", 0.5), "subject_accuracy": (">=", 0.9)}
# Training-only heads on the pooled encoder memory: direct supervision of what the caption must say
# speeds up learning the encoder several-fold on a CPU budget. They are not part of the exported model.
ATTRIBUTES = {"color": tuple(COLORS), "shape": SHAPES, "size": tuple(SIZES), "motion": MOTIONS,
              "event": ("none",) + EVENT_LABELS}


class AuxHeads(torch.nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.heads = torch.nn.ModuleDict({k: torch.nn.Linear(dim, len(v)) for k, v in ATTRIBUTES.items()})

    def loss(self, memory: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        pooled = memory.mean(1)
        return sum(F.cross_entropy(h(pooled), labels[:, i]) for i, h in enumerate(self.heads.values()))


def _attribute_labels(clip) -> list[int]:
    facts = {**clip.subject, "event": clip.events[0].label if clip.events else "none"}
    return [ATTRIBUTES[k].index(facts[k]) for k in ATTRIBUTES]


def tokenizer() -> WordTokenizer:
    return WordTokenizer.from_words(caption_vocabulary())


def _pool(n: int, tok: WordTokenizer, max_len: int, show: bool):
    """Training clips (uint8, converted per batch to keep memory small) and their caption tokens."""
    frames = np.empty((n, WORLD.frames, WORLD.height, WORLD.width, 3), np.uint8)
    tokens = np.zeros((n, 5, max_len + 1), np.int64)
    labels = np.zeros((n, len(ATTRIBUTES)), np.int64)
    for i in progress(range(n), show, "caption: generating training clips"):
        clip = generate_clip(SPLIT_SEEDS["train"], i, WORLD)
        frames[i] = clip.frames
        labels[i] = _attribute_labels(clip)
        for j, c in enumerate(clip.captions[:5]):
            tokens[i, j] = tok.encode(c, max_length=max_len + 1)
    return frames, tokens, labels


def evaluate_model(model: cap.CaptionModel, tok: WordTokenizer, n_clips: int, beam_width: int = 3,
                   show: bool = False) -> dict:
    """BLEU-4 (greedy and beam) and main-object accuracy on the first ``n_clips`` held-out test clips."""
    model.eval()
    hyps, beams, refs, subject_ok, exact = [], [], [], [], []
    per_attr: dict[str, list[bool]] = {k: [] for k in CAPTION_ATTRIBUTES}
    for start in progress(range(0, n_clips, 100), show, "caption: evaluating", total=-(-n_clips // 100)):
        clips = [generate_clip(SPLIT_SEEDS["test"], i, WORLD) for i in range(start, min(n_clips, start + 100))]
        x = clip_to_tensor(np.stack([c.frames for c in clips]), model.cfg.size)
        greedy = [tok.decode(ids) for ids in model.generate(x, tok.bos_id, tok.eos_id)]
        beam = [tok.decode(ids) for ids in model.generate(x, tok.bos_id, tok.eos_id, beam_width=beam_width)]
        for c, g, b in zip(clips, greedy, beam):
            right = caption_attributes(g, c)
            for k in per_attr:
                per_attr[k].append(right[k])
            subject_ok.append(subject_right(right))
            exact.append(g in c.captions)
            hyps.append(g)
            beams.append(b)
            refs.append(c.captions)
    return {"bleu4": metrics.bleu4(hyps, refs), "bleu4_beam": metrics.bleu4(beams, refs),
            "subject_accuracy": float(np.mean(subject_ok)), "exact_match_any_reference": float(np.mean(exact)),
            **{f"{k}_accuracy": float(np.mean(v)) for k, v in per_attr.items()},
            "examples": [{"hypothesis": h, "reference": r[0]} for h, r in zip(hyps[:5], refs[:5])]}


def train(opts: TrainOptions) -> dict:
    knobs = {**DEFAULTS, **opts.extra}
    steps = opts.steps or RECIPE.default_steps
    out = Path(opts.out or WEIGHTS_ROOT / FAMILY)
    gen = seed_everything(opts.seed, opts.threads)
    tok = tokenizer()
    cfg = cap.CaptionConfig(vocab_size=tok.vocab_size, frames=WORLD.frames, size=WORLD.width)
    model = cap.CaptionModel(cfg)
    with Timer() as t_data:
        # never generate more clips than training can look at
        pool = min(knobs["pool"], steps * knobs["batch"])
        frames, tokens, labels = _pool(pool, tok, cfg.max_len, opts.progress)
    aux = AuxHeads(cfg.dim)
    opt = torch.optim.AdamW(list(model.parameters()) + list(aux.parameters()), lr=knobs["lr"], weight_decay=0.01)
    model.train()

    def loss_at(step):
        idx = torch.randint(0, len(frames), (knobs["batch"],), generator=gen).numpy()
        # Canonical caption half the time: greedy decoding then follows one consistent phrasing.
        which = np.where(torch.rand(len(idx), generator=gen).numpy() < 0.5, 0,
                         torch.randint(0, 5, (len(idx),), generator=gen).numpy())
        seq = torch.from_numpy(tokens[idx, which])
        memory = model.encoder(torch.from_numpy(clip_to_tensor(frames[idx])))
        logits = model.decoder.teacher_forced(seq[:, :-1], memory)
        loss = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), seq[:, 1:].reshape(-1), ignore_index=tok.pad_id)
        return loss + knobs["aux_weight"] * aux.loss(memory, torch.from_numpy(labels[idx]))

    with Timer() as t_train:
        losses = optimise(opt, steps, loss_at, lr=knobs["lr"], warmup=knobs["warmup"], desc="caption: training",
                          show=opts.progress, clip=list(model.parameters()))
    with Timer() as t_eval:
        m = evaluate_model(model, tok, opts.test_clips, show=opts.progress)
    examples = m.pop("examples")
    save(model, tok, out)
    card = {
        "family": FAMILY,
        "summary": "Mobile CNN clip encoder (per-frame 4×4 feature maps + one temporal self-attention layer) "
                   "and a 2-layer transformer decoder exported as a KV-cache step; greedy and beam decoding "
                   "run through vidlite.text.decode (the runtime's decoder).",
        "metrics": m,
        "quality_bars": quality_bars(m, BARS),
        "examples": examples,
        "parameters": {"encoder": count_params(model.encoder), "decoder": count_params(model.decoder)},
        "config": cfg.to_dict(),
        "training": {"steps": steps, "batch": knobs["batch"], "lr": knobs["lr"], "aux_weight": knobs["aux_weight"],
                     "pool_clips": len(frames),
                     "seed": opts.seed, "threads": opts.threads, "final_loss_caption_plus_aux": float(np.mean(losses[-50:])),
                     "data_seconds": round(t_data.seconds, 1), "train_seconds": round(t_train.seconds, 1),
                     "eval_seconds": round(t_eval.seconds, 1)},
        "data": {"train": f"world split 'train' (seed {SPLIT_SEEDS['train']}), first {len(frames)} clips, "
                          f"{WORLD.width}x{WORLD.height}, {WORLD.frames} frames at {WORLD.fps} fps",
                 "test": f"world split 'test' (seed {SPLIT_SEEDS['test']}, never trained on), "
                         f"first {opts.test_clips} clips; references = the clip's 5 grammar captions"},
    }
    write_card(out, card)
    return card


def save(model: cap.CaptionModel, tok: WordTokenizer, out: Path) -> None:
    save_weights(model, out / "model.safetensors", model.cfg.to_dict(), FAMILY)
    tok.save(out / "vocab.json")


def evaluate(weights_dir: Path, n_clips: int) -> dict:
    model = cap.load(weights_dir)
    m = evaluate_model(model, model.tokenizer, n_clips)
    m.pop("examples")
    return m


RECIPE = Recipe(family=FAMILY, train=train, evaluate=evaluate, default_steps=2500)
