"""sha256 and manifest file entries — the one implementation the exporter's bundle writer reuses."""
from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def file_entry(path: str | Path, root: str | Path) -> dict:
    """Manifest entry {"path", "sha256", "bytes"} for `path`, which must lie inside `root`."""
    path, root = Path(path).resolve(), Path(root).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"file_entry: {path} is not a file")
    try:
        rel = path.relative_to(root)
    except ValueError:
        raise ValueError(f"file_entry: {path} is not inside the bundle root {root}") from None
    return {"path": rel.as_posix(), "sha256": sha256_file(path), "bytes": path.stat().st_size}
