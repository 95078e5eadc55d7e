"""Execution precision: the same OpenVINO artifacts computed in f32 (vidlite's default) and in bf16.

    nice .venv/bin/python bench/execution_precision.py [--families understand,retrieve,caption,generate]
        [--precisions fp32,int8] [--reps 50] [--threads 1] [--bundle-dir DIR] [--json out.json]

For every component of the reference bundles (exported from the committed weights as
bench/task_quality.py does, and cached with it) and every OpenVINO artifact precision, the bundle
is loaded twice through the public API — pinned ``openvino:<precision>`` (f32, what vidlite runs
unless told otherwise) and ``openvino:<precision>@bf16`` (the named reduced precision) — and each
component runs its smoke input: median latency over ``--reps`` runs after a warm-up, and the bf16
output against the f32 one (cosine, max |error|). The execution precision in force is read back
from the compiled model, as ``explain()`` shows it. Needs a CPU with bf16 arithmetic (AVX-512 BF16
or AMX on x86, BF16 on ARM); elsewhere the bf16 pins are refused and the bench says so.
Task metrics at bf16 come from ``bench/task_quality.py --backends openvino --precisions fp32,fp32@bf16``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from task_quality import ensure_bundle  # noqa: E402  (the same cached reference bundles)

FAMILIES = ("understand", "retrieve", "caption", "generate")


def smoke_inputs(model, name: str) -> dict:
    from vidlite.runtime.smoke import load_smoke

    comp = model.manifest["components"][name]
    return load_smoke(model.file(comp["smoke"]["path"]))[0]


def time_runs(runner, feeds: dict, reps: int) -> tuple[float, dict]:
    out = runner.run(feeds)  # warm-up (first-run allocations)
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        runner.run(feeds)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3, out


def measure(bundle: Path, precision: str, reps: int, threads: int) -> list[dict]:
    import vidlite
    from vidlite.errors import VidliteError
    from vidlite.runtime.smoke import compare

    rows = []
    with vidlite.load(bundle, backend=f"openvino:{precision}", options={"threads": threads}) as f32:
        try:
            reduced = vidlite.load(bundle, backend=f"openvino:{precision}@bf16", options={"threads": threads})
        except VidliteError as e:
            return [{"bundle": bundle.name, "precision": precision, "error": str(e).splitlines()[0]}]
        with reduced:
            for name in f32.components:
                feeds = smoke_inputs(f32, name)
                ms32, out32 = time_runs(f32[name], feeds, reps)
                ms16, out16 = time_runs(reduced[name], feeds, reps)
                worst = {"max_abs_err": 0.0, "cosine": 1.0}
                for key in out32:
                    m = compare(out16[key], out32[key])
                    worst = {"max_abs_err": max(worst["max_abs_err"], m["max_abs_err"]),
                             "cosine": min(worst["cosine"], m["cosine"])}
                rows.append({"bundle": bundle.name, "component": name, "precision": precision,
                             "artifact": f32[name].candidate.label(),
                             "in_force": [f32[name].session.execution, reduced[name].session.execution],
                             "f32_ms": round(ms32, 4), "bf16_ms": round(ms16, 4), "speedup": round(ms32 / ms16, 3),
                             **{k: float(v) for k, v in worst.items()}})
    return rows


def main() -> int:
    from rich.console import Console
    from rich.table import Table

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--precisions", default="fp32,int8")
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--bundle-dir", type=Path, help="use/export <dir>/<family> (default: task_quality's cache)")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    if args.reps < 1 or args.threads < 1:
        ap.error("--reps and --threads must be at least 1")

    from vidlite.device import probe

    console = Console(width=max(Console().width, 160))  # the table is wide; a pipe gets 80 columns
    cpu = probe(deep=False).cpu
    console.print(f"CPU: {cpu.model} ({cpu.arch}); SIMD: {', '.join(cpu.features)}")
    rows = []
    for family in args.families.split(","):
        bundle, _ = ensure_bundle(family, args.bundle_dir, ["openvino"], console)
        for precision in args.precisions.split(","):
            rows += measure(bundle, precision, args.reps, args.threads)

    t = Table(title=f"OpenVINO CPU, {args.threads} thread(s): f32 vs bf16 execution of the same artifact "
                    f"(median of {args.reps} runs of the smoke input)")
    for col in ("bundle", "component", "artifact", "in force", "f32 ms", "bf16 ms", "speed-up", "cosine", "max |err|"):
        t.add_column(col, justify="right" if col.endswith(("ms", "up", "cosine", "err|")) else "left")
    for r in rows:
        if "error" in r:
            t.add_row(r["bundle"], "-", r["precision"], "[red]refused[/red]", r["error"], "", "", "", "")
            continue
        t.add_row(r["bundle"], r["component"], r["artifact"], " / ".join(r["in_force"]), f"{r['f32_ms']:.3f}",
                  f"{r['bf16_ms']:.3f}", f"{r['speedup']:.2f}×", f"{r['cosine']:.6f}", f"{r['max_abs_err']:.3g}")
    console.print(t)
    ok = [r for r in rows if "error" not in r]
    if ok:
        console.print(f"worst bf16 cosine {min(r['cosine'] for r in ok):.6f}; speed-up "
                      f"{min(r['speedup'] for r in ok):.2f}–{max(r['speedup'] for r in ok):.2f}×")
    if args.json:
        Path(args.json).write_text(json.dumps({"cpu": {"model": cpu.model, "features": list(cpu.features)},
                                               "threads": args.threads, "reps": args.reps, "rows": rows}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
