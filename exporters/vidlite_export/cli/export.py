"""`vidlite export`: a trained model → verified, quantized artifacts for every target → one bundle."""
from __future__ import annotations

import json

from vidlite.bundle.contract import FAMILIES


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "export", help="export a trained model to a verified model bundle",
        description="Convert a model of one task family to ONNX / OpenVINO / TFLite / Core ML artifacts for "
                    "the given targets, quantize them, verify each against PyTorch fp32 on held-out data, and "
                    "write a bundle (needs the export extra: pip install 'vidlite[export]').")
    p.add_argument("family", choices=FAMILIES)
    p.add_argument("--checkpoint", help="safetensors weights of the family's architecture (default: the "
                                        "committed reference weights)")
    p.add_argument("--targets", type=_csv, default=["x86"],
                   help="comma-separated platforms (raspberrypi,jetson,android,ios,x86,...); formats and "
                        "precisions come from platforms/<target>/profile.json")
    p.add_argument("--formats", type=_csv, help="only these formats (onnx,openvino,tflite,coreml)")
    p.add_argument("--precision", type=_csv, dest="precisions",
                   help="these precisions instead of the profiles' (fp32,fp16,int8,int8-static,...)")
    p.add_argument("--calibration", help="folder of videos to calibrate int8 on (default: the procedural world)")
    p.add_argument("--out", help="bundle directory (default: bundles/<family>)")
    p.add_argument("--keep-failed", action="store_true",
                   help="keep artifacts that miss their tolerance, marked verified=failed in the manifest")
    p.add_argument("--json", dest="json_path", help="also write the report as JSON here")
    p.set_defaults(func=run)


def run(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from vidlite.outputs import OutputFile, check_outputs
    from vidlite_export.cli.toolchain import require

    check_outputs({"--json": args.json_path}, {"--checkpoint": args.checkpoint, "--out": args.out,
                                               "--calibration": args.calibration})
    api = require("export")

    console = Console(stderr=True)
    with Progress(TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=False) as bar:
        task = bar.add_task(f"export {args.family}", total=None)

        def progress(what: str, done: int, total: int) -> None:
            bar.update(task, completed=done, total=total, description=f"{args.family}: {what}")

        report = api.export(args.family, checkpoint=args.checkpoint, targets=args.targets,
                            formats=args.formats, precisions=args.precisions,
                            calibration=args.calibration, out=args.out or f"bundles/{args.family}",
                            keep_failed=args.keep_failed, progress=progress)
    Console().print(report.table())
    for comp, why in report.skipped.items():
        for w in why:
            console.print(f"[yellow]skipped[/yellow] {comp} {w}")
    if args.json_path:
        with OutputFile(args.json_path) as written:
            written.open("w").write(json.dumps(report.to_dict(), indent=2))
    return 1 if report.failures else 0
