"""`vidlite devices [--explain BUNDLE] [--json] [--backend PIN] [--profile NAME]`: the probe and the selection."""
from __future__ import annotations

import json


def register(subparsers) -> None:
    p = subparsers.add_parser("devices", help="show this device, its runtimes and which backend a bundle would use")
    p.add_argument("--explain", metavar="BUNDLE", help="load BUNDLE and show every candidate, chosen or rejected, and why")
    p.add_argument("--backend", metavar="PIN", help="with --explain: pin a backend, e.g. openvino:int8 or openvino:fp32@bf16 "
                                                   "(default: $VIDLITE_BACKEND or auto)")
    p.add_argument("--profile", metavar="NAME", help="with --explain: use this platform profile instead of the matched one")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    p.set_defaults(func=run)


def _device_table(info, profile_name: str):
    from rich.markup import escape
    from rich.table import Table

    t = Table(title="device", show_header=False)
    cpu, board = info.cpu, info.board
    details = "".join(f", {k} {v}" for k, v in board.details.items())
    for key, value in [
        ("os", f"{info.os} ({info.os_release})"),
        ("cpu", f"{cpu.arch} {cpu.vendor}: {cpu.model}, {cpu.cores} cores"),
        ("SIMD", ", ".join(cpu.features) or "none detected"),
        ("board", f"{board.kind}: {board.model}{details}" if board.kind else "none detected"),
        ("memory", f"{info.memory_mb} MB total, {info.memory_available_mb} MB available" if info.memory_mb else "unknown"),
        ("profile", profile_name),
        *(("note", n) for n in info.notes),
    ]:
        t.add_row(key, escape(value))
    return t


def _runtime_table(info):
    from rich.markup import escape
    from rich.table import Table

    t = Table(title="runtimes")
    for col in ("runtime", "installed", "version", "devices / execution providers", "note"):
        t.add_column(col)
    for rt in info.runtimes.values():
        t.add_row(rt.name, "yes" if rt.installed else "no", rt.version or "-",
                  ", ".join(rt.devices) if rt.devices else "-", escape(rt.reason))
    return t


def _decision_table(model):
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=f"selection for {model.manifest['name']} (profile {model.profile.name}, pin {model.pin or 'none'})")
    t.add_column("component")
    t.add_column("#", justify="right")
    t.add_column("candidate", no_wrap=True)
    t.add_column("computes in", no_wrap=True)
    t.add_column("result", no_wrap=True)
    t.add_column("why", overflow="fold")
    styles = {"chosen": "bold green", "rejected": "red", "unavailable": "yellow", "not tried": "dim"}
    for r in model.decisions():
        device = r["device"].removesuffix("ExecutionProvider")
        t.add_row(r["component"], r["#"], f"{r['backend']}@{device} {r['format']}/{r['precision']}", r["execution"],
                  r["result"],
                  escape(f"{r['why']} ({r['from']})"), style=styles.get(r["result"]))
    return t


def run(args) -> int:
    from vidlite.device import probe
    from vidlite.runtime import match_profile

    info = probe()
    profile = args.profile or match_profile(info).name
    model = None
    if args.explain:
        from vidlite.cli.errors import require_path
        from vidlite.runtime import load

        model = load(require_path(args.explain, "bundle"), backend=args.backend, profile=profile, device=info)
    if args.json:
        out = {"device": info.to_dict(), "profile": profile}
        if model is not None:
            out["selection"] = model.decisions()
        print(json.dumps(out, indent=2, default=str))
    else:
        from rich.console import Console

        console = Console()
        console.print(_device_table(info, profile))
        console.print(_runtime_table(info))
        if model is not None:
            console.print(_decision_table(model))
    if model is not None:
        model.close()
    return 0
