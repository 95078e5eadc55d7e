"""`vidlite train FAMILY... [--steps N] [--out DIR]`: train reference models from scratch on the
procedural world and write their weights plus metrics cards (needs the `export` extra).
`vidlite train all` trains the four families side by side, one worker process per core."""
from __future__ import annotations

from vidlite.ranges import COUNT, THREADS


def register(subparsers) -> None:
    p = subparsers.add_parser("train", help="train a reference model on the procedural world (export extra)")
    p.add_argument("families", nargs="+", metavar="FAMILY",
                   help="task families: caption, understand, generate, retrieve, or all")
    p.add_argument("--steps", type=COUNT.arg, metavar="N", help="optimiser steps (default: the recipe's)")
    p.add_argument("--out", metavar="DIR", help="weights + card directory, one subfolder per family when several "
                                                "(default: the committed weights/<family>/)")
    p.add_argument("--test-clips", type=COUNT.arg, default=500, metavar="N",
                   help="held-out test clips the metrics card is computed on (default 500)")
    p.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    p.add_argument("--threads", type=THREADS.arg, default=1, help="torch threads per family (default 1)")
    p.add_argument("--jobs", type=THREADS.arg, metavar="N",
                   help="families trained at once, each in its own process (default: one per CPU core)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=run)


def run(args) -> int:
    import os
    from pathlib import Path

    from vidlite.cli import UserError
    from vidlite_export.cli.toolchain import require

    require("train", "vidlite_export.train")  # torch
    from vidlite_export.models import weights_dir
    from vidlite_export.train import RECIPES, TrainOptions, recipe

    families = sorted(RECIPES) if args.families == ["all"] else list(dict.fromkeys(args.families))
    unknown = [f for f in families if f not in RECIPES]
    if unknown:
        raise UserError(f"unknown family {unknown[0]!r}; choose from {', '.join(sorted(RECIPES))} or all")
    jobs = args.jobs if args.jobs is not None else os.cpu_count() or 1
    opts = TrainOptions(steps=args.steps, out=Path(args.out) if args.out else None, test_clips=args.test_clips,
                        seed=args.seed, threads=args.threads, progress=not args.quiet)
    if len(families) == 1:
        card = recipe(families[0]).train(opts)
        _print_card(card)
        print(f"wrote weights and card.json/card.md to {opts.out or weights_dir(families[0])}")
        return 0
    results, total_s = _train_many(families, opts, jobs)
    for card, _ in results.values():
        _print_card(card)
    _print_times(results, total_s)
    print(f"wrote weights and cards to {opts.out or weights_dir('<family>')}")
    return 0


def _train_many(families: list[str], opts, jobs: int) -> tuple[dict, float]:
    import time

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from vidlite_export.train.schedule import train_many

    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                  disable=not opts.progress) as bar:
        tasks = {f: bar.add_task(f"{f}: waiting", start=False, total=1) for f in families}

        def on_event(family: str, what: str, at_s: float) -> None:
            if what == "started":
                bar.start_task(tasks[family])
                bar.update(tasks[family], description=f"{family}: training")
            else:
                bar.update(tasks[family], description=f"{family}: done at {at_s:.0f} s", completed=1)
                bar.stop_task(tasks[family])

        start = time.perf_counter()
        results = train_many(families, opts, jobs=jobs, on_event=on_event)
    return results, time.perf_counter() - start


def _print_times(results: dict, total_s: float) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="training wall time")
    for col in ("family", "seconds", "bars"):
        t.add_column(col)
    for family, (card, seconds) in results.items():
        missed = [k for k, b in card["quality_bars"].items() if not b["pass"]]
        t.add_row(family, f"{seconds:.0f}", "missed: " + ", ".join(missed) if missed else "all met")
    t.add_row("all (wall)", f"{total_s:.0f}", "")
    Console().print(t)


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
