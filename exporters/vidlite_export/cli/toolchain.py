"""The export toolchain (torch, onnx, converters) is an extra: a command that needs it and runs without
it says how to install it, in one line (exit 2), instead of failing on an import."""
from __future__ import annotations

import importlib

INSTALL = "pip install 'vidlite[export]'"


def require(command: str, module: str = "vidlite_export.api"):
    """``module`` imported, or the UserError that names what is missing and how to install it."""
    from vidlite.cli import UserError

    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise UserError(f"vidlite {command} needs the export toolchain ({e.name} is missing): {INSTALL}") from None
