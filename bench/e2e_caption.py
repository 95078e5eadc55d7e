"""End-to-end captioning of a 1080p30 file vs decode-only, in the same run; and a live source that
is faster than inference (drops oldest, memory flat over 10 000 frames).

    python bench/e2e_caption.py [--bundle PATH] [--seconds 20] [--live-frames 10000] [--json out.json]

Figures:
- decode-only, every frame converted to BGR (what a naive reader does);
- decode-only as the captioner reads (every frame demuxed+decoded, only sampled ones converted) —
  the baseline the e2e bar is measured against;
- end-to-end captioning (decode thread + preprocess + encoder + KV-cache decoder + subtitles);
- live: frames pushed as fast as the producer can make them, captioned concurrently.
Bars: e2e ≥ 80 % of decode-only throughput and ≥ 8× real time (2 cores); live drops > 0, RSS flat.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_1080p(path: Path, seconds: float, fps: float = 30.0) -> Path:
    """Held-out world clips back to back, upscaled to 1920x1080 and resampled to ``fps``."""
    import cv2

    from vidlite_export.world import generate_split

    clips = generate_split("test", int(np.ceil(seconds / 2.0)) + 1)
    src = np.concatenate([c.frames for c in clips])
    src_fps = clips[0].fps
    vw = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (1920, 1080))
    for i in range(int(seconds * fps)):
        frame = src[min(int(i / fps * src_fps), len(src) - 1)]
        vw.write(cv2.resize(frame, (1920, 1080), interpolation=cv2.INTER_LINEAR))
    vw.release()
    return path


def decode_only(path, sample_fps=None, threads=None) -> dict:
    from vidlite.video import open_video

    t0 = time.perf_counter()
    with open_video(path, sample_fps=sample_fps, decode_threads=threads) as s:
        used = sum(1 for _ in s)
    wall = time.perf_counter() - t0
    return {"frames": s.stats.decoded, "converted": used, "wall_s": wall, "fps": s.stats.decoded / wall}


def live(captioner, frames: int, size=(1280, 720), fps=30.0) -> dict:
    """Push ``frames`` fresh frames as fast as possible while the captioner consumes them."""
    from vidlite.video import PushSource

    src = PushSource(name="live-bench", queue_size=4)
    base = np.random.default_rng(0).integers(0, 255, (size[1], size[0], 3), np.uint8)
    rss = []
    result = {}

    def consume():
        result["caption"] = captioner.caption(src)

    t = threading.Thread(target=consume)
    t.start()
    t0 = time.perf_counter()
    for i in range(frames):
        img = np.roll(base, i % size[0], axis=1)  # a new buffer every frame, as a camera delivers
        src.push(img, i / fps)
        if i % 1000 == 999:
            rss.append(round(rss_mb(), 1))
    src.end()
    push_s = time.perf_counter() - t0
    t.join()
    st = src.stats
    return {"pushed": frames, "push_fps": frames / push_s, "delivered": st.delivered, "dropped": st.dropped,
            "windows": result["caption"].report.items, "rss_mb_every_1000": rss,
            "rss_growth_mb_after_first_1000": round(rss[-1] - rss[0], 1)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bundle", help="caption bundle (default: the default bundles dir)")
    ap.add_argument("--backend", default=None)
    ap.add_argument("--seconds", type=float, default=20.0, help="length of the 1080p30 test video")
    ap.add_argument("--live-frames", type=int, default=10_000)
    # Decode and inference run at the same time: splitting the cores between them (instead of both
    # defaulting to all cores, ONNX Runtime spin-waiting on them) is what keeps e2e near decode-only.
    half = max(1, (os.cpu_count() or 2) // 2)
    ap.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) - half),
                    help="inference threads (default: the cores decoding leaves)")
    ap.add_argument("--decode-threads", type=int, default=half,
                    help="FFmpeg threads, the same for decode-only and e2e (default: half the cores)")
    ap.add_argument("--video", help="use this video instead of generating one")
    ap.add_argument("--json", help="write the figures here")
    args = ap.parse_args(argv)

    from rich.console import Console
    from rich.table import Table

    from vidlite.tasks import Captioner, CaptionerOptions

    out = Console()
    tmp = Path(tempfile.mkdtemp(prefix="vidlite-e2e-"))
    video = Path(args.video) if args.video else make_1080p(tmp / "world-1080p30.mp4", args.seconds)
    opts = CaptionerOptions(bundle=args.bundle, backend=args.backend, threads=args.threads,
                            decode_threads=args.decode_threads)
    with Captioner(opts) as cap:
        cap.caption(video)  # warm-up: first inferences allocate, file enters the page cache
        full = decode_only(video, threads=args.decode_threads)
        sampled = decode_only(video, cap.sample_fps, threads=args.decode_threads)
        res = cap.caption(video, srt=tmp / "out.srt", vtt=tmp / "out.vtt")
        rep = res.report
        live_fig = live(cap, args.live_frames) if args.live_frames else None
    e2e = {"frames": rep.frames_decoded, "wall_s": rep.wall_s, "fps": rep.fps, "realtime": rep.realtime_factor,
           "windows": rep.items, "cues": len(res.segments),
           "stage_ms_total": {k: round(1000 * v, 1) for k, v in rep.stage_s.items()},
           "backends": rep.backends}
    ratio = e2e["fps"] / sampled["fps"]
    figures = {"video": str(video), "cpu_count": os.cpu_count(), "decode_threads": args.decode_threads,
               "inference_threads": args.threads, "decode_all_frames": full,
               "decode_as_captioner_reads": sampled, "e2e_caption": e2e,
               "e2e_vs_decode_only": ratio, "e2e_vs_decode_all_frames": e2e["fps"] / full["fps"],
               "bars": {"e2e >= 0.8 x decode-only": ratio >= 0.8, "e2e >= 8x real time": e2e["realtime"] >= 8.0},
               "live": live_fig}
    t = Table(title=f"1080p30 captioning, {args.seconds:.0f} s video, {os.cpu_count()} cores")
    for col in ("run", "frames", "wall s", "frames/s", "x real time"):
        t.add_column(col)
    dur = full["frames"] / 30.0
    t.add_row("decode-only, every frame to BGR", str(full["frames"]), f"{full['wall_s']:.2f}", f"{full['fps']:.0f}",
              f"{dur / full['wall_s']:.1f}")
    t.add_row(f"decode-only, as the captioner reads ({cap.sample_fps:g} fps to BGR)", str(sampled["frames"]),
              f"{sampled['wall_s']:.2f}", f"{sampled['fps']:.0f}", f"{dur / sampled['wall_s']:.1f}")
    t.add_row("end-to-end captioning", str(e2e["frames"]), f"{e2e['wall_s']:.2f}", f"{e2e['fps']:.0f}",
              f"{e2e['realtime']:.1f}")
    out.print(t)
    out.print(f"e2e / decode-only = {100 * ratio:.0f}% (bar 80%); e2e = {e2e['realtime']:.1f}x real time (bar 8x); "
              f"stages {e2e['stage_ms_total']} ms; backends {e2e['backends']}")
    if live_fig:
        out.print(f"live: pushed {live_fig['pushed']} frames at {live_fig['push_fps']:.0f} fps, delivered "
                  f"{live_fig['delivered']}, dropped {live_fig['dropped']} (oldest first); RSS every 1000 frames "
                  f"{live_fig['rss_mb_every_1000']} MB → growth {live_fig['rss_growth_mb_after_first_1000']} MB")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, default=str))
        out.print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
