"""How the command line tells a mistake in the command from a run that failed.

Exit 2 (argparse's code for usage errors): the command line names something that does not exist or
contradicts itself, so the user fixes the command — a missing video, bundle or index file, an output
that would overwrite an input, a backend pin that cannot be honoured, a command whose extra is not
installed. Exit 1: the command was right and the run failed — a damaged bundle or index, an unreadable
video, a camera that does not open, no backend that loads, a full disk. Both print one line,
``vidlite: error: ...``; ``--verbose`` adds the traceback.
"""
from __future__ import annotations

from pathlib import Path

from vidlite.errors import PinError
from vidlite.outputs import OutputError

USAGE_EXIT = 2
FAILURE_EXIT = 1


class UserError(Exception):
    """A mistake in the command the user can fix: exit 2, one line, no traceback."""


# Raised below the CLI too, where the library cannot know it was given a command line.
USER_ERRORS = (UserError, OutputError, PinError)


def exit_code(error: BaseException) -> int:
    return USAGE_EXIT if isinstance(error, USER_ERRORS) else FAILURE_EXIT


def require_path(path, what: str, hint: str = "") -> Path:
    """``path`` as a Path, or a UserError naming ``what`` when nothing is there."""
    p = Path(path).expanduser()
    if not p.exists():
        raise UserError(f"{what} not found: {path}{hint}")
    return p
