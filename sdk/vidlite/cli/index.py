"""`vidlite index INDEX VIDEO... [--remove]`: add videos (or folders of videos) to a retrieval index file."""
from __future__ import annotations

from vidlite.cli.pipeline_args import add_runtime_args


def register(subparsers) -> None:
    p = subparsers.add_parser("index", help="add videos (files or folders) to a searchable index file")
    p.add_argument("index", help="index file (created if missing), e.g. library.vlindex")
    p.add_argument("videos", nargs="+", metavar="VIDEO", help="video files or folders of videos")
    p.add_argument("--remove", action="store_true", help="remove these videos from the index instead")
    add_runtime_args(p, "retrieve")
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.table import Table

    from vidlite.cli.pipeline_args import console, progress, runtime_options
    from vidlite.outputs import check_outputs
    from vidlite.tasks import Retriever, RetrieverOptions
    from vidlite.video import video_files

    out = console()
    if args.remove:
        from pathlib import Path

        videos = [Path(v) for v in args.videos]
    else:
        videos = video_files(args.videos)
    check_outputs({"INDEX": args.index}, [("video", v) for v in videos])
    t = Table(title=f"index {args.index}")
    for col in ("video", "clips", "seconds", "frames/s", "corrupt", "result"):
        t.add_column(col)
    with Retriever(RetrieverOptions(index=args.index, **runtime_options(args, "retrieve"))) as r:
        with progress("indexing", len(videos), unit="videos") as update:
            for i, v in enumerate(videos):
                if args.remove:
                    t.add_row(str(v), "", "", "", "", "removed" if r.remove(v) else "not in the index")
                else:
                    rep = r.add(v)
                    t.add_row(str(v), str(rep.items), f"{rep.video_s:.1f}", f"{rep.fps:.0f}", str(rep.corrupt), "indexed")
                update(i + 1)
        total = len(r.index)
        count = len(r.index.videos())
    out.print(t)
    out.print(f"{args.index}: {count} videos, {total} clips")
    return 0
