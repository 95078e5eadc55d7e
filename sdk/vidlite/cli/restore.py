"""`vidlite restore VIDEO -o OUT [--reference CLEAN]`: restore a damaged video with the GAN generator."""
from __future__ import annotations

from vidlite.cli.pipeline_args import add_runtime_args
from vidlite.ranges import TILE


def register(subparsers) -> None:
    p = subparsers.add_parser("restore", help="restore a damaged video (noise, blur, blocks, scratches) of any size")
    p.add_argument("video", help="video file, camera index or stream URL")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="restored video file (.mp4, .avi, .mkv); written as NAME.partial.EXT, checked (every "
                        "frame in it), then renamed to OUT")
    p.add_argument("--reference", metavar="CLEAN", help="clean video to report PSNR against")
    p.add_argument("--tile", type=TILE.arg, metavar="PX", help="tile size (default: the model's)")
    add_runtime_args(p, "generate")
    p.set_defaults(func=run)


def run(args) -> int:
    from vidlite.cli.pipeline_args import check_video, console, progress, report_table, runtime_options, video_length
    from vidlite.outputs import check_outputs
    from vidlite.tasks import Restorer, RestorerOptions

    check_outputs({"--output": args.output}, {"video": args.video, "--reference": args.reference})
    check_video(args.video)
    out = console()
    with Restorer(RestorerOptions(tile=args.tile, **runtime_options(args, "generate"))) as restorer:
        done = [0]

        def tick(_):
            done[0] += 1
            update(done[0])

        with progress("restoring", video_length(args.video)[0], unit="frames") as update:
            result = restorer.restore(args.video, args.output, reference=args.reference, on_frame=tick)
    out.print(report_table(result.report))
    if result.psnr_out is not None:
        out.print(f"PSNR vs {args.reference}: input {result.psnr_in:.2f} dB → restored {result.psnr_out:.2f} dB "
                  f"({result.psnr_gain:+.2f} dB)")
    out.print(f"wrote {result.frames} frames to {result.output}")
    return 0

