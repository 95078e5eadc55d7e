"""`vidlite understand VIDEO [--jsonl F]`: events with times and confidences, on-screen text, its sentiment."""
from __future__ import annotations

from vidlite.cli.pipeline_args import add_runtime_args
from vidlite.ranges import PROBABILITY


def register(subparsers) -> None:
    p = subparsers.add_parser("understand", help="list a video's events, on-screen text and its sentiment")
    p.add_argument("video", help="video file, camera index or stream URL")
    p.add_argument("--jsonl", metavar="FILE", help="write events and texts as JSON Lines (one per line, as they "
                                                   "end, to FILE.partial.jsonl, renamed to FILE when the run ends)")
    p.add_argument("--threshold", type=PROBABILITY.arg, metavar="P",
                   help="minimum event confidence (default: the bundle's)")
    p.add_argument("--no-ocr", action="store_true", help="skip reading on-screen text")
    add_runtime_args(p, "understand")
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.table import Table

    from vidlite.cli.pipeline_args import check_video, console, progress, report_table, runtime_options, video_length
    from vidlite.outputs import check_outputs
    from vidlite.tasks import Understander, UnderstanderOptions

    check_outputs({"--jsonl": args.jsonl}, {"video": args.video})
    check_video(args.video)
    out = console()
    opts = UnderstanderOptions(event_threshold=args.threshold, ocr=not args.no_ocr, **runtime_options(args, "understand"))
    with Understander(opts) as u:
        with progress("understanding", video_length(args.video)[1]) as update:
            result = u.understand(args.video, jsonl=args.jsonl, on_item=lambda it: update(it.end))
    t = Table(title=f"events in {args.video}")
    for col in ("start", "end", "event", "confidence"):
        t.add_column(col)
    for e in result.events:
        t.add_row(f"{e.start:.2f}", f"{e.end:.2f}", e.label, f"{e.confidence:.2f}")
    out.print(t)
    if result.texts:
        t = Table(title="on-screen text")
        for col in ("start", "end", "text", "score", "box (x0,y0)-(x1,y1)", "sentiment"):
            t.add_column(col)
        for s in result.texts:
            (x0, y0), (x1, y1) = s.box[0], s.box[2]
            mood = f"{s.sentiment} ({s.sentiment_confidence:.2f})" if s.sentiment else "-"
            t.add_row(f"{s.start:.2f}", f"{s.end:.2f}", s.text, f"{s.score:.2f}",
                      f"({x0:.0f},{y0:.0f})-({x1:.0f},{y1:.0f})", mood)
        out.print(t)
    out.print(report_table(result.report))
    if args.jsonl:
        out.print(f"wrote {len(result.events) + len(result.texts)} lines to {args.jsonl}")
    return 0
