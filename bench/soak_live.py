"""Soak: live captioning of a pushed source for a long time, with random stalls and bursts.

    nice .venv/bin/python bench/soak_live.py [--frames 100000] [--bundle DIR] [--seed 0] [--json out.json]

An app thread pushes ``--frames`` world frames (160×120, 30 fps timestamps) into a ``PushSource``
while ``Captioner.caption`` consumes it, as a camera app does. The pusher alternates steady runs,
bursts (frames back to back, faster than any model) and stalls (0.05-0.4 s without a frame), so the
queue fills, drops and drains over and over. Checked at the end — the command exits 1 if any fails:

- every frame is accounted for exactly: pushed = decoded = skipped by the sampler + delivered +
  dropped, and the report's dropped count is the source's;
- resident memory grows by less than ``--max-rss-growth-mb`` (default 5) between the end of the
  warm-up (the first 10 % of frames) and the end of the run (VmRSS from /proc/self/status).

The bundle defaults to the caption reference bundle exported as bench/task_quality.py caches it.
The suite runs the same function on 3 000 frames (tests/test_soak.py); ``VIDLITE_SOAK=1`` runs it on
100 000 there too.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from pathlib import Path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def world_frames(n: int = 64):
    """A few distinct small frames of the procedural world (the pusher cycles through them)."""
    import cv2
    from vidlite_export.world import generate_split

    frames = [f for c in generate_split("test", 2) for f in c.frames][:n]
    return [cv2.resize(f, (160, 120)) for f in frames]


def soak(captioner, frames: int, seed: int = 0, queue_size: int = 4) -> dict:
    """Push `frames` frames with stalls and bursts into a live source being captioned; the counts
    and memory figures the checks need."""
    from vidlite.video import PushSource

    rng = random.Random(seed)
    images = world_frames()
    src = PushSource(name="soak", queue_size=queue_size)
    result: dict = {}
    consumer = threading.Thread(target=lambda: result.setdefault("caption", captioner.caption(src)))
    consumer.start()
    accepted = stalls = bursts = 0
    warm_rss = None
    t0 = time.perf_counter()
    i = 0
    while i < frames:
        mode = rng.random()
        run = rng.randint(20, 400)
        if mode < 0.05:
            stalls += 1
            time.sleep(rng.uniform(0.05, 0.4))
        for _ in range(min(run, frames - i)):
            accepted += src.push(images[i % len(images)], i / 30.0)
            i += 1
            if mode >= 0.25:  # steady: a camera's pace, sped up (bursts push back to back)
                time.sleep(0.0002)
            if warm_rss is None and i >= frames // 10:
                warm_rss = rss_mb()
        bursts += mode < 0.25
    src.end()
    consumer.join()
    wall = time.perf_counter() - t0
    report = result["caption"].report
    stats = src.stats
    return {"frames": frames, "accepted": accepted, "decoded": stats.decoded, "delivered": stats.delivered,
            "dropped": stats.dropped, "report_dropped": report.dropped, "skipped": frames - accepted,
            "segments": len(result["caption"].segments), "stalls": stalls, "bursts": bursts,
            "wall_s": round(wall, 1), "rss_warm_mb": round(warm_rss, 2), "rss_end_mb": round(rss_mb(), 2)}


def failures(r: dict, max_rss_growth_mb: float | None) -> list[str]:
    out = []
    if not (r["frames"] == r["decoded"] == r["skipped"] + r["delivered"] + r["dropped"]):
        out.append(f"frames not accounted for: pushed {r['frames']}, decoded {r['decoded']}, skipped "
                   f"{r['skipped']} + delivered {r['delivered']} + dropped {r['dropped']}")
    if r["report_dropped"] != r["dropped"]:
        out.append(f"the report says {r['report_dropped']} dropped, the source {r['dropped']}")
    growth = r["rss_end_mb"] - r["rss_warm_mb"]
    if max_rss_growth_mb is not None and growth >= max_rss_growth_mb:
        out.append(f"resident memory grew {growth:.2f} MB after warm-up (limit {max_rss_growth_mb} MB)")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--frames", type=int, default=100_000)
    ap.add_argument("--bundle", type=Path, help="caption bundle (default: the cached reference export)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--max-rss-growth-mb", type=float, default=5.0)
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args()
    if args.frames < 100:
        ap.error("--frames must be at least 100")

    from rich.console import Console

    from vidlite import Captioner

    console = Console()
    bundle = args.bundle
    if bundle is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from task_quality import ensure_bundle

        bundle, _ = ensure_bundle("caption", None, ["onnx"], console)
    with Captioner.from_bundle(bundle, threads=1) as cap:
        r = soak(cap, args.frames, args.seed)
    bad = failures(r, args.max_rss_growth_mb)
    console.print(r)
    console.print("[green]soak passed[/green]" if not bad else "[red]soak FAILED[/red]: " + "; ".join(bad))
    if args.json:
        Path(args.json).write_text(json.dumps({**r, "failures": bad}, indent=2))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
