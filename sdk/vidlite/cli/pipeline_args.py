"""What the pipeline commands share: --bundle/--backend/--threads, progress bars and report tables.
(Not a command itself: it is not listed in COMMANDS.)"""
from __future__ import annotations

from contextlib import contextmanager

from vidlite.ranges import THREADS


def add_runtime_args(p, family: str) -> None:
    p.add_argument("--bundle", metavar="PATH",
                   help=f"model bundle (dir or .zip); default: $VIDLITE_BUNDLES/{family} or ~/.cache/vidlite/bundles/{family}")
    p.add_argument("--backend", metavar="PIN", default=None,
                   help="auto (default), or a pin such as onnxruntime:int8, openvino, litert")
    p.add_argument("--threads", type=THREADS.arg, metavar="N", help="inference threads (default: the backend's)")
    p.add_argument("--allow-partial-bundle", action="store_true",
                   help="run a damaged bundle (missing or altered artifacts) on what is intact; refused by default")
    p.add_argument("--decode-threads", type=THREADS.arg, metavar="N",
                   help="video decoding threads (default: FFmpeg's; on 2 cores, --threads 1 --decode-threads 1 is fastest)")


def check_video(source: str) -> None:
    """Fail fast, before any model loads, when a video file argument cannot be opened: a missing file
    is the command's mistake (exit 2), one that does not decode a failed run (exit 1)."""
    from vidlite.cli.errors import require_path
    from vidlite.outputs import is_file_source

    if not is_file_source(source):
        return  # cameras and streams are opened (and reported) by the pipeline
    from vidlite.video.decoders import open_file_capture

    open_file_capture(require_path(source, "video file")).release()


def runtime_options(args, family: str) -> dict:
    """The task options the runtime arguments give, with the bundle found (or the UserError saying
    where it was looked for and how to make one)."""
    from vidlite.cli.errors import UserError
    from vidlite.errors import BundleError
    from vidlite.tasks.bundles import resolve_bundle

    try:
        bundle = resolve_bundle(args.bundle, family)
    except BundleError as e:  # nothing at the path: the command's to fix, not a damaged bundle
        raise UserError(str(e)) from e
    return {"bundle": bundle, "backend": None if args.backend in (None, "auto") else args.backend,
            "threads": args.threads, "decode_threads": args.decode_threads,
            "allow_partial_bundle": args.allow_partial_bundle}


def console(stderr: bool = False):
    """Results go to stdout; progress bars to stderr (so `> file` keeps only results)."""
    from rich.console import Console

    return Console(stderr=stderr)


@contextmanager
def progress(description: str, total: float | None, unit: str = "s"):
    """A rich progress bar on stderr; yields ``update(completed)``."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    columns = [TextColumn("[bold]{task.description}"), BarColumn(),
               TextColumn("{task.completed:.1f}/{task.total:.1f} " + unit if total else "{task.completed:.1f} " + unit),
               TimeElapsedColumn()]
    with Progress(*columns, console=console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total or None)
        yield lambda completed: bar.update(task, completed=completed)


def video_length(path) -> tuple[float | None, float | None]:
    """(frames, seconds) of a video file from its container, for progress totals only (None if unknown)."""
    import os

    os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        n, fps = cap.get(cv2.CAP_PROP_FRAME_COUNT), cap.get(cv2.CAP_PROP_FPS)
    finally:
        cap.release()
    return (n if n > 0 else None), (n / fps if n > 0 and fps > 0 else None)


def report_table(report, title: str | None = None):
    """Throughput, per-stage latency and frame accounting of a PipelineReport, as a rich Table."""
    from rich.table import Table

    t = Table(title=title or f"{report.task} figures", show_header=False)
    t.add_row("source", report.source)
    t.add_row("throughput", f"{report.fps:.1f} frames/s ({report.realtime_factor:.1f}x real time), "
                            f"{report.frames_decoded} frames in {report.wall_s:.2f} s")
    t.add_row("model inputs", f"{report.items} ({report.frames_used} frames)")
    for stage in ("decode", "preprocess", "inference", "postprocess"):
        total = 1000 * report.stage_s.get(stage, 0.0)
        t.add_row(stage, f"{report.stage_ms(stage):.2f} ms/call, {total:.0f} ms total")
    t.add_row("dropped / corrupt / clamped", f"{report.dropped} / {report.corrupt} / {report.clamped_pts}")
    for line in report.problems[:5]:
        t.add_row("problem", line)
    for comp, how in report.backends.items():
        t.add_row(f"backend: {comp}", how)
    return t
