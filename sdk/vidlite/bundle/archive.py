"""Packed bundles: a .zip is checked member by member and extracted once into a cache keyed by its sha256."""
from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

from vidlite.bundle.hashing import sha256_file
from vidlite.bundle.paths import safe_relpath
from vidlite.errors import BundleError, UnsafePathError

_DONE = ".vidlite-extracted"


def cache_dir(kind: str) -> Path:
    """$VIDLITE_CACHE/<kind> (default ~/.cache/vidlite/<kind>): unpacked bundles, validation stamps, compiled models."""
    env = os.environ.get("VIDLITE_CACHE")
    base = Path(env) if env else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "vidlite"
    return base / kind


def _check_members(zf: zipfile.ZipFile, zip_path: Path) -> list[zipfile.ZipInfo]:
    members = zf.infolist()
    for info in members:
        what = f"{zip_path.name} member"
        safe_relpath(info.filename.rstrip("/") or info.filename, what=what)  # zip-slip: '..', absolute
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafePathError(f"{what} {info.filename!r}: symbolic links are not allowed in a packed bundle")
    return members


def extract_zip(zip_path: str | Path, cache: Path | None = None) -> Path:
    """Directory holding the verified contents of `zip_path` (extracted on first use, then reused)."""
    zip_path = Path(zip_path)
    digest = sha256_file(zip_path)
    dest = (cache or cache_dir("unpacked")) / digest[:32]
    if (dest / _DONE).is_file():
        return dest
    try:
        zf = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile as e:
        raise BundleError(f"{zip_path}: not a readable zip archive ({e})") from None
    with zf:
        members = _check_members(zf, zip_path)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():  # left half-done by an interrupted run
            shutil.rmtree(dest)
        tmp = Path(tempfile.mkdtemp(prefix=".partial-", dir=dest.parent))
        try:
            for info in members:
                target = tmp / safe_relpath(info.filename.rstrip("/"), what=f"{zip_path.name} member")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out)
            (tmp / _DONE).write_text(digest)
            try:
                os.replace(tmp, dest)
            except OSError:  # another process extracted the same archive first: use theirs
                if not (dest / _DONE).is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return dest
