"""Output files that never cost the user a file.

    check_outputs({"--srt": "a.srt", "--vtt": "a.vtt"}, {"video": "a.mp4"})   # before anything is opened
    with OutputFile("a.srt", live=True) as out:     # writes go to a.partial.srt beside the target
        f = out.open("w")
        ...                                         # on success: renamed to a.srt; on failure: removed

Why: ``open(path, "w")`` empties a file at once, so a run that then fails (unreachable source, read-only
folder, a crash) used to destroy the previous output, and an output that named the input destroyed the
video itself. Now an output is checked against every input and every other output first, written under
its partial name, and moved into place with one atomic rename when the run worked: until then the old
file is exactly as it was.

The partial name keeps the extension (``NAME.partial.EXT``) so encoders that pick a container by name,
and players that follow a live subtitle file, still recognise it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Iterable, Mapping

from vidlite.errors import VidliteError


class OutputError(VidliteError):
    """An output would overwrite an input or another output, or its folder cannot be written."""


def partial_path(path: str | os.PathLike) -> Path:
    p = Path(path)
    return p.with_name(f"{p.stem}.partial{p.suffix}")


def is_file_source(source) -> bool:
    """Camera indices, URLs and pushed sources are not files, so no output can be one of them."""
    if isinstance(source, os.PathLike):
        return True
    return isinstance(source, str) and not source.isdigit() and "://" not in source


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """The same file by name (after symlinks and '..') or by identity (hard links: same device and inode)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet, so they cannot be linked
        return False


def check_outputs(outputs: Mapping[str, str | os.PathLike | None],
                  inputs: Mapping[str, object] | Iterable[tuple[str, object]] = ()) -> None:
    """Refuse, before anything is opened or written, an output that is an input (its partial name
    included), two outputs that are one file, an output that is a folder, or one whose folder is
    missing or not writable. Names (keys, or the first of each pair) name the option or argument for
    the message (``"--srt"``, ``"video"``)."""
    outs = [(name, Path(path)) for name, path in outputs.items() if path]
    pairs = inputs.items() if isinstance(inputs, Mapping) else inputs
    ins = [(name, src) for name, src in pairs if is_file_source(src)]
    for i, (name, path) in enumerate(outs):
        for in_name, src in ins:
            for written in (path, partial_path(path)):
                if same_file(written, src):
                    raise OutputError(f"{name} {path} is the same file as the {in_name} {src}: refusing to "
                                      f"overwrite it; choose another output name")
        for other_name, other in outs[:i]:
            if same_file(path, other):
                raise OutputError(f"{other_name} and {name} are the same file ({path}); give each output its own name")
        if path.is_dir():
            raise OutputError(f"{name} {path} is a folder; give a file name")
        folder = path.parent
        if not folder.is_dir():
            raise OutputError(f"{name} {path}: folder {folder} does not exist")
        if not os.access(folder, os.W_OK):
            raise OutputError(f"{name} {path}: folder {folder} is not writable")


def kept_after(exc_type, live: bool) -> bool:
    """Whether a run that ended with ``exc_type`` (None: it ended normally) keeps its output."""
    return exc_type is None or (live and issubclass(exc_type, KeyboardInterrupt))


class OutputFile:
    """One output written as its partial file and moved into place by ``commit()``.

    ``live``: the file is valid after every write (subtitles cue by cue, JSON Lines, a video the writer
    finalises), so a run stopped with Ctrl-C keeps what it wrote, as the end of a stream does. Any other
    exception is a failed run: the partial file is removed and the old output stays as it was.
    """

    def __init__(self, path: str | os.PathLike, *, live: bool = False):
        self.path, self.partial, self.live = Path(path), partial_path(path), live
        self._file: IO | None = None

    def open(self, mode: str = "w", **kwargs) -> IO:
        try:
            self._file = open(self.partial, mode, **kwargs)
        except OSError as e:
            raise OutputError(f"cannot write {self.path}: {e.strerror}") from None
        return self._file

    def keeps(self, exc_type) -> bool:
        return kept_after(exc_type, self.live)

    def commit(self, *, exclusive: bool = False) -> None:
        """Move the partial file into place; ``exclusive``: only if nothing has the name yet
        (FileExistsError otherwise; the partial file is removed either way)."""
        if self._file is not None:
            self._file.close()
        fd = os.open(self.partial, os.O_RDWR)
        try:
            os.fsync(fd)  # the data reaches the disk before the rename does: no empty file after a power cut
        finally:
            os.close(fd)
        if not exclusive:
            os.replace(self.partial, self.path)
            return
        try:
            os.link(self.partial, self.path)  # fails when the name exists: never replaces a file
        except FileExistsError:
            raise
        except OSError:  # no hard links on this filesystem (FAT, exFAT): rename after one more look
            if self.path.exists():
                raise FileExistsError(self.path) from None
            os.rename(self.partial, self.path)
        finally:
            self.discard()

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
        self.partial.unlink(missing_ok=True)

    def close(self, exc_type=None) -> None:
        """Commit, or discard when the run failed (see ``keeps``)."""
        if self.keeps(exc_type):
            self.commit()
        else:
            self.discard()

    def __enter__(self) -> "OutputFile":
        return self

    def __exit__(self, exc_type, *exc) -> None:
        self.close(exc_type)
