"""Packed bundles: a .zip is checked member by member and extracted once into a cache keyed by its sha256.

A zip can claim small and unpack huge (a "zip bomb": 205 MB from 4 MB was seen). Extraction is
capped by what the bundle's own manifest declares (its files' bytes plus a margin), counted as the
bytes are written rather than taken from the zip's headers. A run killed mid-extraction leaves a
`.partial-<pid>-…` folder; the next extraction removes those whose process is gone.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import tempfile
import lzma
import struct
import zipfile
import zlib
from pathlib import Path

from vidlite.bundle.hashing import sha256_file
from vidlite.bundle.paths import safe_relpath
from vidlite.errors import BundleError, UnsafePathError

_DONE = ".vidlite-extracted"
_MANIFEST_MAX = 16 * 2 ** 20       # a manifest is a few KB; more is not a manifest
_MARGIN = 2 ** 20                  # room for folders' entries and files a manifest need not list
_CHUNK = 2 ** 20
# What zipfile raises on a malformed archive (found by tests/fuzz): bad headers and CRCs, truncated or
# corrupt deflate/bzip2/lzma streams, compression methods or encryption it does not support, sizes
# that do not fit, offsets it cannot seek to (OSError, which a full disk raises too), a stream that
# ends early.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError,
               RuntimeError, struct.error, OverflowError, ValueError, OSError)


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


def _declared_bytes(node) -> int:
    """The sum of every file entry's declared "bytes" anywhere in a manifest."""
    if isinstance(node, dict):
        own = node.get("bytes") if {"path", "sha256", "bytes"} <= set(node) else 0
        own = own if isinstance(own, int) and not isinstance(own, bool) and own >= 0 else 0
        return own + sum(_declared_bytes(v) for k, v in node.items() if k != "bytes")
    if isinstance(node, list):
        return sum(_declared_bytes(v) for v in node)
    return 0


def _budget(zf: zipfile.ZipFile, members: list[zipfile.ZipInfo], zip_path: Path) -> int:
    """How many bytes extraction may write: the manifest's declared files plus a margin."""
    manifests = [m for m in members if Path(m.filename).name == "manifest.json" and m.filename.count("/") <= 1]
    if not manifests:
        raise BundleError(f"{zip_path}: no manifest.json at the root of the archive (or in its one top folder)")
    info = min(manifests, key=lambda m: m.filename.count("/"))
    with zf.open(info) as f:
        raw = f.read(_MANIFEST_MAX + 1)
    if len(raw) > _MANIFEST_MAX:
        raise BundleError(f"{zip_path}: {info.filename} is over {_MANIFEST_MAX // 2 ** 20} MB: not a bundle manifest")
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise BundleError(f"{zip_path}: {info.filename} is not readable JSON ({e})") from None
    return len(raw) + _declared_bytes(manifest) + _MARGIN


def _remove_stale_partials(parent: Path) -> None:
    """Partial extractions whose process no longer runs (killed mid-way) are removed."""
    for p in parent.glob(".partial-*"):
        pid = p.name.split("-")[1]
        try:
            os.kill(int(pid), 0)
            continue  # still extracting
        except (ValueError, ProcessLookupError):
            shutil.rmtree(p, ignore_errors=True)
        except PermissionError:  # another user's live process
            continue


def _copy_capped(src, out, info: zipfile.ZipInfo, left: int, zip_path: Path) -> int:
    """Copy one member, counting what is written; returns the bytes written."""
    written = 0
    while chunk := src.read(_CHUNK):
        written += len(chunk)
        if written > info.file_size or written > left:
            raise BundleError(f"{zip_path}: member {info.filename!r} unpacks to more than "
                              f"{'its header says' if written > info.file_size else 'the manifest declares'}; "
                              "refusing the archive (damaged, or a zip bomb)")
        out.write(chunk)
    return written


def extract_zip(zip_path: str | Path, cache: Path | None = None) -> Path:
    """Directory holding the verified contents of `zip_path` (extracted on first use, then reused)."""
    zip_path = Path(zip_path)
    digest = sha256_file(zip_path)
    dest = (cache or cache_dir("unpacked")) / digest[:32]
    if (dest / _DONE).is_file():
        return dest
    try:
        return _extract(zip_path, digest, dest)
    except _ZIP_ERRORS as e:  # a damaged archive, whichever read meets the damage first (or a failed write)
        raise BundleError(f"{zip_path}: cannot be extracted: not a readable zip archive, or no room to "
                          f"unpack it ({type(e).__name__}: {e})") from None


def _extract(zip_path: Path, digest: str, dest: Path) -> Path:
    with zipfile.ZipFile(zip_path) as zf:
        members = _check_members(zf, zip_path)
        left = _budget(zf, members, zip_path)
        if sum(m.file_size for m in members) > left:
            raise BundleError(f"{zip_path}: its members unpack to {sum(m.file_size for m in members)} bytes, more than "
                              f"the {left} its manifest declares (with margin); refusing the archive")
        dest.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_partials(dest.parent)
        if dest.exists():  # left half-done by an interrupted run
            shutil.rmtree(dest)
        tmp = Path(tempfile.mkdtemp(prefix=f".partial-{os.getpid()}-", dir=dest.parent))
        try:
            for info in members:
                target = tmp / safe_relpath(info.filename.rstrip("/"), what=f"{zip_path.name} member")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    left -= _copy_capped(src, out, info, left, zip_path)
            (tmp / _DONE).write_text(digest)
            try:
                os.replace(tmp, dest)
            except OSError:  # another process extracted the same archive first: use theirs
                if not (dest / _DONE).is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return dest
