"""`vidlite bench BUNDLE [--video FILE] [--runs N]`: per-component latency on the chosen backend, and
optionally the whole pipeline on a video (throughput, per-stage latency, dropped frames)."""
from __future__ import annotations

from vidlite.ranges import COUNT, THREADS

# task → (pipeline class, how to run it on a video into a PipelineReport)
PIPELINES = {
    "caption": ("Captioner", lambda p, video, tmp: p.caption(video).report),
    "understand": ("Understander", lambda p, video, tmp: p.understand(video).report),
    "generate": ("Restorer", lambda p, video, tmp: p.restore(video, f"{tmp}/restored.mp4").report),
    "retrieve": ("Retriever", lambda p, video, tmp: _embed_report(p, video)),
}


def _embed_report(retriever, video):
    from vidlite.tasks.report import PipelineReport

    report = PipelineReport("retrieve", str(video))
    retriever.embed_video(video, report)
    return report


def register(subparsers) -> None:
    p = subparsers.add_parser("bench", help="measure a bundle's latency on this device (and its pipeline on a video)")
    p.add_argument("bundle", help="model bundle (dir or .zip)")
    p.add_argument("--backend", metavar="PIN", default=None, help="auto (default), or a pin such as onnxruntime:int8")
    p.add_argument("--threads", type=THREADS.arg, metavar="N", help="inference threads (default: the backend's)")
    p.add_argument("--runs", type=COUNT.arg, default=20, metavar="N", help="timed runs per component (default 20)")
    p.add_argument("--video", metavar="FILE", help="also run the task pipeline on this video")
    p.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    p.set_defaults(func=run)


def component_latency(runner, feeds, runs: int) -> dict:
    import time

    import numpy as np

    runner.run(feeds)  # warm-up: first runs allocate
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        runner.run(feeds)
        times.append(1000 * (time.perf_counter() - t))
    t = np.asarray(times)
    return {"mean_ms": float(t.mean()), "p50_ms": float(np.percentile(t, 50)), "p90_ms": float(np.percentile(t, 90)),
            "runs": runs}


def smoke_feeds(model, name: str) -> dict:
    """The component's recorded smoke inputs: real data of the right shapes and dtypes."""
    import numpy as np

    from vidlite.cli import UserError

    comp = model.manifest["components"][name]
    if "smoke" not in comp:
        raise UserError(f"component {name!r} of {model.root} has no smoke inputs to benchmark with")
    with np.load(model.file(comp["smoke"]["path"])) as z:
        return {k[len("in/"):]: z[k] for k in z.files if k.startswith("in/")}


def run(args) -> int:
    import json

    from rich.table import Table

    from vidlite.cli.errors import require_path
    from vidlite.cli.pipeline_args import check_video, console, report_table
    from vidlite.outputs import OutputFile, check_outputs
    from vidlite.runtime import load

    check_outputs({"--json": args.json}, {"BUNDLE": args.bundle, "--video": args.video})
    require_path(args.bundle, "bundle")
    if args.video:
        check_video(args.video)
    backend = None if args.backend in (None, "auto") else args.backend
    out = console()
    figures = {"bundle": args.bundle, "components": {}}
    with load(args.bundle, backend, {"threads": args.threads} if args.threads else None) as model:
        t = Table(title=f"{model.manifest['name']} ({model.task}) on this device")
        for col in ("component", "backend", "format", "precision", "mean", "p50", "p90"):
            t.add_column(col)
        for name in model.components:
            r = model[name]
            lat = component_latency(r, smoke_feeds(model, name), args.runs)
            figures["components"][name] = {"backend": r.backend, "format": r.artifact["format"],
                                           "precision": r.artifact["precision"], **lat}
            t.add_row(name, r.backend, r.artifact["format"], r.artifact["precision"], f"{lat['mean_ms']:.2f} ms",
                      f"{lat['p50_ms']:.2f} ms", f"{lat['p90_ms']:.2f} ms")
        out.print(t)
        task = model.task
    if args.video:
        report = pipeline_report(task, args.bundle, backend, args.threads, args.video)
        figures["pipeline"] = report.as_dict()
        out.print(report_table(report, title=f"{task} pipeline on {args.video}"))
    if args.json:
        with OutputFile(args.json) as written:
            json.dump(figures, written.open("w"), indent=2)
        out.print(f"wrote {args.json}")
    return 0


def pipeline_report(task, bundle, backend, threads, video):
    import tempfile

    import vidlite.tasks as tasks

    cls_name, run_on = PIPELINES[task]
    with getattr(tasks, cls_name).from_bundle(bundle, backend=backend, threads=threads) as p:
        with tempfile.TemporaryDirectory() as tmp:
            return run_on(p, video, tmp)
