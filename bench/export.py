"""Time exporting the four reference families for all targets (the bar: ≤ 15 min on 2 cores).

Each family is exported once with every format × precision the target profiles rank
(raspberrypi, jetson, android, ios, x86 by default), verified like any export; the table lists per
family the wall time, artifacts written, how many passed numerically / structurally, and the worst
int8 task-metric drop and size ratio.

    python bench/export.py [--families caption,understand,generate,retrieve] [--targets ...]
                           [--weights DIR] [--out bundles/bench] [--json out.json]
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

FAMILIES = ("caption", "understand", "generate", "retrieve")
TARGETS = ("raspberrypi", "jetson", "android", "ios", "x86")
BAR_S = 15 * 60


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--families", default=",".join(FAMILIES))
    ap.add_argument("--targets", default=",".join(TARGETS))
    ap.add_argument("--out", default="bundles/bench")
    ap.add_argument("--weights", help="folder with <family>/model.safetensors to export instead of the "
                                      "committed reference weights")
    ap.add_argument("--keep-failed", action="store_true")
    ap.add_argument("--json", dest="json_path")
    args = ap.parse_args()

    from rich.console import Console
    from rich.table import Table

    from vidlite_export import export

    console = Console(width=220)  # logs are read as files too: no wrapping of the report tables
    results, t_all = [], time.perf_counter()
    for family in args.families.split(","):
        t0 = time.perf_counter()
        ckpt = Path(args.weights) / family if args.weights else None
        report = export(family, checkpoint=ckpt, targets=args.targets.split(","), out=Path(args.out) / family,
                        keep_failed=args.keep_failed,
                        progress=lambda what, i, n, f=family: console.print(f"  {f} [{i}/{n}] {what}"))
        console.print(report.table())
        rows = report.rows
        int8 = [r for r in rows if r.precision.startswith("int8")]
        drops = [(r.metric_fp32 - r.metric[1]) / abs(r.metric_fp32) for r in int8
                 if r.metric and r.metric_fp32]
        ratios = [r.size_ratio for r in int8 if r.size_ratio]
        results.append({"family": family, "seconds": time.perf_counter() - t0, "artifacts": len(rows),
                        "numeric": sum(r.verified == "numeric" for r in rows),
                        "structural": sum(r.verified == "structural" for r in rows),
                        "failed": len(report.failures),
                        "worst_int8_metric_drop": max(drops, default=None),
                        "worst_int8_size_ratio": max(ratios, default=None),
                        "report": report.to_dict()})
    total = time.perf_counter() - t_all

    t = Table(title=f"export of {len(results)} families for {args.targets}: {total / 60:.1f} min "
                    f"(bar {BAR_S // 60} min: {'pass' if total <= BAR_S else 'FAIL'})")
    for col in ("family", "time", "artifacts", "numeric", "structural", "failed", "worst int8 metric drop",
                "worst int8 size vs fp32"):
        t.add_column(col)
    for r in results:
        drop, ratio = r["worst_int8_metric_drop"], r["worst_int8_size_ratio"]
        t.add_row(r["family"], f"{r['seconds']:.0f} s", str(r["artifacts"]), str(r["numeric"]), str(r["structural"]),
                  str(r["failed"]), f"{100 * drop:.2f}%" if drop is not None else "—",
                  f"{100 * ratio:.0f}%" if ratio is not None else "—")
    console.print(t)
    if args.json_path:
        Path(args.json_path).write_text(json.dumps({"total_seconds": total, "bar_seconds": BAR_S,
                                                    "families": results}, indent=2, default=str))
    return 0 if total <= BAR_S and not any(r["failed"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
