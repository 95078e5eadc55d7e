"""`vidlite` command line.

Each subcommand lives in its own module under ``vidlite.cli`` and exposes ``register(subparsers)``,
which adds its parser and sets ``func``. Modules are listed in COMMANDS; they must import heavy
things (backends, the export toolchain) inside their ``func``, so ``vidlite --help`` stays instant.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from vidlite import __version__

# Order is the order of `vidlite --help`.
COMMANDS: list[str] = ["devices", "export", "caption", "understand", "restore", "index", "search", "bench", "demo", "train"]


class UserError(Exception):
    """A mistake the user can fix: printed as one line, without a traceback."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vidlite", description="Video AI on edge devices.")
    p.add_argument("--version", action="version", version=f"vidlite {__version__}")
    p.add_argument("--verbose", action="store_true", help="show full tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"vidlite.cli.{name}").register(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # one clear line for the user; --verbose shows the trace
        if args.verbose:
            raise
        print(f"vidlite: error: {e}", file=sys.stderr)
        return 1
