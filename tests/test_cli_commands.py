"""The command line's house rules: commands of other packages arrive through entry points (the runtime
imports nothing of the exporter), a command whose extra is missing says how to install it, and a
mistake in the command exits 2 while a failed run exits 1 — one line each, --verbose adds the trace."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import vidlite
import vidlite.cli as cli
from vidlite.cli import UserError, main
from vidlite.errors import BundleError, PinError
from vidlite.outputs import OutputError

SDK = Path(vidlite.__file__).parent


def test_the_runtime_imports_nothing_of_the_exporter():
    importers = []
    for path in SDK.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] == "vidlite_export" for n in names):
                importers.append(str(path.relative_to(SDK)))
    assert importers == []


def test_exporter_commands_come_from_entry_points():
    commands = build_commands()
    assert list(commands) == [*cli.COMMANDS, "export", "train", "demo"]
    assert commands["export"].get_default("func").__module__ == "vidlite_export.cli.export"


def test_the_exporter_commands_register_without_the_toolchain():
    """`vidlite --help` loads every command's parser: none may import torch or the converters."""
    from test_light_runtime import HEAVY, _modules_after

    loaded = _modules_after("from vidlite.cli import build_parser; build_parser()")
    assert "vidlite_export.cli.export" in loaded and not [m for m in HEAVY if m in loaded]
    assert "vidlite_export.api" not in loaded


def build_commands() -> dict:
    return dict(cli.build_parser()._subparsers._group_actions[0].choices)


@pytest.mark.parametrize("argv", [["export", "caption", "--targets", "x86"], ["train", "all"], ["demo", "--help"]])
def test_a_command_whose_package_is_missing_says_how_to_install_it(capsys, monkeypatch, argv):
    monkeypatch.setattr(cli, "_entry_point_commands", dict)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"vidlite: error: vidlite {argv[0]} is not installed") and err.count("\n") == 1
    assert "pip install 'vidlite[export]'" in err


def test_an_entry_point_that_cannot_be_imported_says_how_to_install_it(capsys, monkeypatch):
    class Broken:
        name, value, dist = "export", "vidlite_export.cli.gone:register", None

        def load(self):
            raise ModuleNotFoundError("No module named 'vidlite_export.cli.gone'", name="vidlite_export.cli.gone")

    monkeypatch.setattr(cli, "_entry_point_commands", lambda: {"export": Broken()})
    assert main(["export", "caption"]) == 2
    err = capsys.readouterr().err
    assert "vidlite_export.cli.gone cannot be imported" in err and "pip install 'vidlite[export]'" in err
    assert {"train", "demo"} <= set(build_commands())  # the other optional commands still answer


@pytest.mark.parametrize("error, code", [
    (UserError("unknown family 'dance'"), 2),
    (OutputError("--srt a.mp4 is the same file as the video"), 2),
    (PinError("backend pin 'openvino:int3': unknown precision"), 2),
    (BundleError("decoder.onnx is damaged or altered"), 1),
    (RuntimeError("the backend crashed"), 1),
])
def test_exit_codes_tell_the_command_from_the_run(capsys, monkeypatch, error, code):
    def fail(args):
        raise error

    monkeypatch.setattr("vidlite.cli.devices.run", fail)
    assert main(["devices"]) == code
    err = capsys.readouterr().err
    assert err == f"vidlite: error: {error}\n"
    assert main(["--verbose", "devices"]) == code
    err = capsys.readouterr().err
    assert "Traceback" in err and err.endswith(f"vidlite: error: {error}\n")
