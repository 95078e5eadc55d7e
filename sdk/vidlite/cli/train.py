"""`vidlite train FAMILY [--steps N] [--out DIR]`: train a reference model from scratch on the
procedural world and write its weights plus a metrics card (needs the `export` extra)."""
from __future__ import annotations


def register(subparsers) -> None:
    p = subparsers.add_parser("train", help="train a reference model on the procedural world (export extra)")
    p.add_argument("family", help="task family: caption, understand, generate or retrieve")
    p.add_argument("--steps", type=int, metavar="N", help="optimiser steps (default: the recipe's)")
    p.add_argument("--out", metavar="DIR", help="weights + card directory (default: the committed weights/<family>/)")
    p.add_argument("--test-clips", type=int, default=500, metavar="N",
                   help="held-out test clips the metrics card is computed on (default 500)")
    p.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    p.add_argument("--threads", type=int, default=1, help="torch threads (default 1)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args) -> int:
    from pathlib import Path

    from vidlite.cli import UserError

    try:
        from vidlite_export.models import weights_dir
        from vidlite_export.train import RECIPES, TrainOptions, recipe
    except ImportError as e:
        raise UserError(f"training needs the export toolchain (pip install 'vidlite[export]'): {e}") from e
    if args.family not in RECIPES:
        raise UserError(f"unknown family {args.family!r}; choose one of {', '.join(sorted(RECIPES))}")
    if args.steps is not None and args.steps < 1:
        raise UserError(f"--steps must be >= 1, got {args.steps}")
    if args.test_clips < 1:
        raise UserError(f"--test-clips must be >= 1, got {args.test_clips}")
    opts = TrainOptions(steps=args.steps, out=Path(args.out) if args.out else None, test_clips=args.test_clips,
                        seed=args.seed, threads=args.threads, progress=not args.quiet)
    card = recipe(args.family).train(opts)
    _print_card(card)
    print(f"wrote weights and card.json/card.md to {opts.out or weights_dir(args.family)}")
    return 0


def _print_card(card: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    bars = card.get("quality_bars", {})
    t = Table(title=f"{card['family']}: held-out metrics")
    for col in ("metric", "value", "bar", "pass"):
        t.add_column(col)
    for name, value in card["metrics"].items():
        bar = bars.get(name)
        t.add_row(name, f"{value:.4f}" if isinstance(value, float) else str(value),
                  f"{bar['op']} {bar['value']}" if bar else "", ("yes" if bar["pass"] else "NO") if bar else "")
    Console().print(t)
