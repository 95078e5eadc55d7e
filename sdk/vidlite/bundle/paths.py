"""Bundle-relative paths: a manifest may only name files inside its bundle."""
from __future__ import annotations

from pathlib import Path, PurePosixPath

from vidlite.errors import UnsafePathError


def safe_relpath(rel: str, *, what: str = "path") -> PurePosixPath:
    """Check that `rel` is a plain relative POSIX path that stays inside its root (textually)."""
    if not isinstance(rel, str) or not rel:
        raise UnsafePathError(f"{what}: expected a non-empty relative path, got {rel!r}")
    if "\\" in rel or "\x00" in rel:
        raise UnsafePathError(f"{what} {rel!r}: backslashes and NUL bytes are not allowed in bundle paths")
    p = PurePosixPath(rel)
    if p.is_absolute() or (len(rel) > 1 and rel[1] == ":"):
        raise UnsafePathError(f"{what} {rel!r}: absolute paths are not allowed in a bundle")
    if ".." in p.parts:
        raise UnsafePathError(f"{what} {rel!r}: '..' would leave the bundle")
    return p


def resolve_inside(root: Path, rel: str, *, what: str = "path") -> Path:
    """The real path of `rel` under `root`, refusing anything (symlinks included) that resolves outside."""
    p = safe_relpath(rel, what=what)
    real_root = Path(root).resolve()
    target = (real_root / p).resolve()
    if target != real_root and real_root not in target.parents:
        raise UnsafePathError(f"{what} {rel!r} resolves to {target}, outside the bundle {real_root} (symlink out?)")
    return target
