"""`vidlite` command line.

Each subcommand lives in its own module and exposes ``register(subparsers)``, which adds its parser and
sets ``func``. The runtime's own commands are the modules under ``vidlite.cli`` listed in COMMANDS; other
packages add theirs through the ``vidlite.commands`` entry point group (the exporter's export, train and
demo), so this package imports nothing of them. A command must import heavy things (backends, the export
toolchain) inside its ``func``, so ``vidlite --help`` stays instant.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from vidlite import __version__
from vidlite.cli.errors import UserError, exit_code

# Order is the order of `vidlite --help`; commands from entry points follow, as their package lists them.
COMMANDS: list[str] = ["devices", "caption", "understand", "restore", "index", "search", "bench"]
ENTRY_POINTS = "vidlite.commands"
# Commands another distribution provides, and how to install it: said when the command is asked for
# but its entry point is missing or cannot be imported.
OPTIONAL_COMMANDS = {"export": "vidlite[export]", "train": "vidlite[export]", "demo": "vidlite[export]"}

__all__ = ["UserError", "build_parser", "main"]


def _entry_point_commands() -> dict:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINTS)}


def _register_missing(subparsers, name: str, install: str, why: str) -> None:
    """A parser that takes any arguments and says how to get the command (exit 2), instead of
    argparse's "invalid choice"."""
    def run(args) -> int:
        raise UserError(f"vidlite {name} is not installed ({why}): pip install '{install}'")

    # No option prefix: every argument, --help included, is taken as given and answered with the hint.
    p = subparsers.add_parser(name, help=f"not installed: pip install '{install}'", add_help=False,
                              prefix_chars="\0")
    p.add_argument("args", nargs="*")
    p.set_defaults(func=run)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="vidlite", description="Video AI on edge devices.")
    p.add_argument("--version", action="version", version=f"vidlite {__version__}")
    p.add_argument("--verbose", action="store_true", help="show full tracebacks on errors")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"vidlite.cli.{name}").register(sub)
    found = _entry_point_commands()
    for name, ep in found.items():
        try:
            register = ep.load()
        except ImportError as e:
            _register_missing(sub, name, OPTIONAL_COMMANDS.get(name, ep.dist.name if ep.dist else name),
                              f"{e.name or ep.value} cannot be imported")
        else:
            register(sub)
    for name, install in OPTIONAL_COMMANDS.items():
        if name not in found:
            _register_missing(sub, name, install, f"no {ENTRY_POINTS} entry point provides it")
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
    except Exception as e:  # one clear line for the user; --verbose adds the trace
        if args.verbose:
            traceback.print_exc()
        print(f"vidlite: error: {e}", file=sys.stderr)
        return exit_code(e)
