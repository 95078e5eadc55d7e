"""`vidlite search INDEX "query" [-k N]`: ranked (video, start, end, score) clips for free text."""
from __future__ import annotations

from vidlite.cli.pipeline_args import add_runtime_args
from vidlite.ranges import COUNT


def register(subparsers) -> None:
    p = subparsers.add_parser("search", help="find the clips of an index that match a free-text query")
    p.add_argument("index", help="index file built with `vidlite index`")
    p.add_argument("query", help='what to look for, e.g. "a red ball bounces"')
    p.add_argument("-k", type=COUNT.arg, default=5, metavar="N", help="number of hits (default 5)")
    p.add_argument("--per-video", type=COUNT.arg, metavar="N", help="at most N hits per video")
    p.add_argument("--json", action="store_true", help="print hits as JSON")
    add_runtime_args(p, "retrieve")
    p.set_defaults(func=run)


def run(args) -> int:
    import json
    from pathlib import Path

    from vidlite.cli import UserError
    from vidlite.cli.pipeline_args import console, runtime_options
    from vidlite.tasks import Retriever, RetrieverOptions

    if not Path(args.index).is_file():
        raise UserError(f"index file not found: {args.index} (build it with `vidlite index {args.index} VIDEO...`)")
    # read_only: searching never changes the file (nor creates, converts or marks one)
    with Retriever(RetrieverOptions(index=args.index, read_only=True, **runtime_options(args, "retrieve"))) as r:
        hits = r.search(args.query, k=args.k, per_video=args.per_video)
        why_none = (r.query_problem(args.query) or "the index is empty") if not hits else None
    if args.json:
        print(json.dumps([h.as_dict() for h in hits], indent=2))
    else:
        from rich.table import Table

        t = Table(title=f'"{args.query}" in {args.index}')
        for col in ("#", "video", "start", "end", "score"):
            t.add_column(col)
        for i, h in enumerate(hits, 1):
            t.add_row(str(i), h.video, f"{h.start:.2f}", f"{h.end:.2f}", f"{h.score:.3f}")
        console().print(t)
    if why_none:  # after the (empty) results; on stderr with --json, so stdout stays pure JSON
        console(stderr=args.json).print(why_none, markup=False, highlight=False)
    return 0
