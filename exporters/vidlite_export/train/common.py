"""What every recipe shares: options, the recipe interface, seeding, LR schedule, progress, weights
and metrics cards."""
from __future__ import annotations

import json
import platform
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from safetensors import safe_open

from vidlite_export.models import WEIGHTS_ROOT


@dataclass(frozen=True)
class TrainOptions:
    """``steps``: optimiser steps (None = the recipe's default); ``out``: where weights and cards go
    (None = the committed ``weights/<family>/``); ``test_clips``: size of the held-out test set the
    card is computed on; ``threads``: torch intra-op threads."""
    steps: int | None = None
    out: Path | None = None
    test_clips: int = 500
    seed: int = 0
    threads: int = 1
    progress: bool = True
    extra: dict = field(default_factory=dict)  # recipe-specific knobs (e.g. pool size), for tests


@dataclass(frozen=True)
class Recipe:
    """``train(opts) -> card``: trains from scratch, evaluates on the held-out test split, writes
    ``model.safetensors`` + ``card.json`` + ``card.md`` into ``opts.out``.
    ``evaluate(weights_dir, n_clips) -> metrics``: metrics of saved weights on the first ``n_clips``
    held-out test clips."""
    family: str
    train: Callable[[TrainOptions], dict]
    evaluate: Callable[[Path, int], dict]
    default_steps: int


def seed_everything(seed: int, threads: int) -> torch.Generator:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(max(1, threads))
    return torch.Generator().manual_seed(seed)


def cosine_lr(step: int, total: int, peak: float, warmup: int) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return peak * (0.05 + 0.95 * 0.5 * (1 + np.cos(np.pi * min(1.0, t))))


def optimise(opt: torch.optim.Optimizer, steps: int, loss_at: Callable[[int], torch.Tensor], *, lr: float,
             warmup: int, desc: str, show: bool, clip: Iterable | None = None,
             postfix: Callable[[], dict] | None = None) -> list[float]:
    """The loop the recipes share: cosine learning rate after a warm-up, ``loss_at(step)`` (which
    draws its own batch), a step of ``opt`` after clipping the gradient norm of ``clip`` to 1 when
    given. Returns the loss of every step."""
    losses: list[float] = []
    bar = progress(range(steps), show, desc)
    for step in bar:
        for g in opt.param_groups:
            g["lr"] = cosine_lr(step, steps, lr, warmup)
        loss = loss_at(step)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(clip, 1.0)
        opt.step()
        losses.append(loss.item())
        if show and step % 20 == 0:
            bar.set_postfix(loss=f"{np.mean(losses[-20:]):.4g}", **(postfix() if postfix else {}))
    return losses


def progress(iterable: Iterable, enabled: bool, desc: str, total: int | None = None):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm
    return tqdm(iterable, desc=desc, total=total, dynamic_ncols=True, mininterval=1.0)


def count_params(module: torch.nn.Module) -> int:
    return int(sum(p.numel() for p in module.parameters()))


def save_weights(module: torch.nn.Module, path: Path, config: dict, family: str) -> Path:
    """Weights as safetensors with the architecture config in the metadata (one self-describing file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous() for k, v in module.state_dict().items()}
    save_file(state, str(path), metadata={"family": family, "config": json.dumps(config)})
    return path


def load_weights(path: Path, family: str) -> tuple[dict, dict]:
    """(state dict, config) from ``save_weights``; raises if the file is missing or another family's."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no weights file (train with `vidlite train {family}`)")
    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata() or {}
    if meta.get("family") != family or "config" not in meta:
        raise ValueError(f"{path}: not {family} weights (metadata family={meta.get('family')!r})")
    return load_file(str(path)), json.loads(meta["config"])


def load_model(weights_dir, family: str, model_cls, config_cls):
    """``model_cls(config_cls.from_dict(config))`` with the weights of ``weights_dir/model.safetensors``
    loaded, in eval mode: the one way every reference family comes back from its committed files."""
    state, config = load_weights(Path(weights_dir) / "model.safetensors", family)
    model = model_cls(config_cls.from_dict(config))
    model.load_state_dict(state)
    return model.eval()


def write_card(out: Path, card: dict) -> None:
    """``card.json`` (machine-readable) and ``card.md`` (the same facts for people)."""
    out.mkdir(parents=True, exist_ok=True)
    card = {**card, "environment": {"torch": torch.__version__, "python": platform.python_version(),
                                    "machine": platform.machine()}}
    (out / "card.json").write_text(json.dumps(card, indent=2, sort_keys=False) + "\n")
    lines = [f"# {card['family']} reference model", "", card.get("summary", ""), "",
             "## Held-out metrics", "", "| metric | value | bar | pass |", "| --- | --- | --- | --- |"]
    bars = card.get("quality_bars", {})
    for name, value in card["metrics"].items():
        bar = bars.get(name)
        shown = f"{value:.4f}" if isinstance(value, float) else str(value)
        if bar:
            stated = f"{bar['rule']} = {bar['value']}" if "rule" in bar else f"{bar['op']} {bar['value']}"
            lines.append(f"| {name} | {shown} | {stated} | {'yes' if bar['pass'] else 'NO'} |")
        else:
            lines.append(f"| {name} | {shown} | | |")
    for key in card.get("also_reported", []):
        lines += ["", f"## {key}", "", "| metric | value |", "| --- | --- |"]
        lines += [f"| {k} | {v:.4f} |" for k, v in card[key].items()]
    lines += ["", "## Training", ""]
    lines += [f"- {k}: {v}" for k, v in card["training"].items()]
    lines += ["", "## Components", ""]
    lines += [f"- `{k}`: {v:,} parameters" for k, v in card["parameters"].items()]
    lines += ["", f"Test set: {card['data']['test']}", f"Training data: {card['data']['train']}", ""]
    (out / "card.md").write_text("\n".join(lines))


def quality_bars(metrics: dict, bars: dict[str, tuple]) -> dict:
    """{metric: {op, value, pass}} for bars like {"bleu4": (">=", 0.5)}. A bar relative to another metric
    of the same run, (">=", 0.85, "outside_recall@5_ceiling"), is judged against that share of it and
    states its rule."""
    ops = {">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b}
    out = {}
    for k, (op, v, *of) in bars.items():
        bar = {"op": op}
        if of:
            bar["rule"] = f"{op} {v} × {of[0]}"
            v = round(v * metrics[of[0]], 4)
        out[k] = {**bar, "value": v, "pass": bool(ops[op](metrics[k], v))}
    return out


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
