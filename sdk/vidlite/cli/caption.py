"""`vidlite caption VIDEO [--srt F] [--vtt F] [--json F]`: timed captions of a video, live subtitle files."""
from __future__ import annotations

from vidlite.cli.pipeline_args import add_runtime_args
from vidlite.ranges import BEAM, SAMPLE_FPS


def register(subparsers) -> None:
    p = subparsers.add_parser("caption", help="describe a video window by window; write SRT/WebVTT/JSON subtitles")
    p.add_argument("video", help="video file, camera index or stream URL")
    p.add_argument("--srt", metavar="FILE", help="write SubRip subtitles (FILE.partial.srt grows cue by cue, "
                                                 "renamed to FILE when the run ends)")
    p.add_argument("--vtt", metavar="FILE", help="write WebVTT subtitles (grows cue by cue, like --srt)")
    p.add_argument("--json", metavar="FILE", help="write the segments as JSON")
    p.add_argument("--sample-fps", type=SAMPLE_FPS.arg, metavar="FPS",
                   help="frames per second fed to the model (default: the model's)")
    p.add_argument("--beam", type=BEAM.arg, default=1, metavar="W", help="beam width (default 1: greedy)")
    add_runtime_args(p, "caption")
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.table import Table

    from vidlite.cli.pipeline_args import check_video, console, progress, report_table, runtime_options, video_length
    from vidlite.outputs import check_outputs
    from vidlite.tasks import Captioner, CaptionerOptions

    check_outputs({"--srt": args.srt, "--vtt": args.vtt, "--json": args.json}, {"video": args.video})
    check_video(args.video)
    out = console()
    with Captioner(CaptionerOptions(sample_fps=args.sample_fps, beam_width=args.beam, **runtime_options(args, "caption"))) as cap:
        with progress("captioning", video_length(args.video)[1]) as update:
            result = cap.caption(args.video, srt=args.srt, vtt=args.vtt, json=args.json,
                                 on_segment=lambda s: update(s.end))
    t = Table(title=f"captions of {args.video}")
    for col in ("start", "end", "caption"):
        t.add_column(col)
    for s in result.segments:
        t.add_row(f"{s.start:.2f}", f"{s.end:.2f}", s.text)
    out.print(t)
    out.print(report_table(result.report))
    for fmt, path in result.files.items():
        out.print(f"wrote {fmt}: {path}")
    return 0
