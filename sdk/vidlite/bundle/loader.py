"""Opening a bundle: directory or .zip, validated manifest, files verified by sha256 before use."""
from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from vidlite.bundle.archive import cache_dir, extract_zip
from vidlite.bundle.hashing import sha256_file
from vidlite.bundle.paths import resolve_inside, safe_relpath
from vidlite.bundle.schema import SCHEMA_PATH, validate_manifest
from vidlite.errors import BundleError, IntegrityError, ManifestError

MANIFEST = "manifest.json"


def _file_entries(manifest: dict):
    """(where, entry) for every file the manifest references."""
    if "text" in manifest:
        yield "text.tokenizer", manifest["text"]["tokenizer"]
    for key, value in manifest.get("config", {}).items():  # task files such as config.ocr_charset
        if isinstance(value, dict) and {"path", "sha256", "bytes"} <= set(value):
            yield f"config.{key}", value
    for cname, comp in manifest["components"].items():
        if "smoke" in comp:
            yield f"components.{cname}.smoke", comp["smoke"]
        for i, art in enumerate(comp["artifacts"]):
            for j, f in enumerate(art["files"]):
                yield f"components.{cname}.artifacts[{i}].files[{j}]", f


class Bundle:
    """A validated bundle on disk. `file(rel)` hands out a path only after its sha256 matched."""

    def __init__(self, root: Path, manifest: dict, source: Path):
        self.root = root
        self.manifest = manifest
        self.source = source
        self._entries: dict[str, dict] = {}
        for where, entry in _file_entries(manifest):
            safe_relpath(entry["path"], what=where)
            self._entries.setdefault(entry["path"], entry)
        for cname, comp in manifest["components"].items():
            for i, art in enumerate(comp["artifacts"]):
                entry, files = art.get("entry"), [f["path"] for f in art["files"]]
                if entry is not None and entry not in files and not any(f.startswith(entry.rstrip("/") + "/") for f in files):
                    raise ManifestError(f"components.{cname}.artifacts[{i}].entry: {entry!r} is neither one of "
                                        "its files nor their folder (a Core ML .mlpackage)")
                safe_relpath(entry or files[0], what=f"components.{cname}.artifacts[{i}].entry")
        self._verified: set[str] = set()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Bundle({self.manifest['name']!r} {self.manifest['task']}, root={str(self.root)!r})"

    def file(self, rel: str) -> Path:
        """Path of a manifest-listed file, checked (inside the bundle, size, sha256) on first use."""
        entry = self._entries.get(rel)
        if entry is None:
            raise BundleError(f"{rel!r} is not listed in {self.source}/{MANIFEST}; listed files: {sorted(self._entries)}")
        path = resolve_inside(self.root, rel, what="bundle file")
        with self._lock:
            if rel in self._verified:
                return path
            if not path.is_file():
                raise IntegrityError(f"{rel}: listed in the manifest but missing from the bundle {self.source}")
            size = path.stat().st_size
            if size != entry["bytes"]:
                raise IntegrityError(f"{rel}: {size} bytes on disk, the manifest says {entry['bytes']} (file altered or truncated)")
            digest = sha256_file(path)
            if digest != entry["sha256"]:
                raise IntegrityError(f"{rel}: sha256 {digest[:16]}… does not match the manifest's {entry['sha256'][:16]}… (file altered)")
            self._verified.add(rel)
        return path

    def verify_all(self) -> None:
        for rel in self._entries:
            self.file(rel)


def _find_root(directory: Path) -> Path:
    if (directory / MANIFEST).is_file():
        return directory
    subdirs = [p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")]
    if len(subdirs) == 1 and (subdirs[0] / MANIFEST).is_file():  # zip of a folder
        return subdirs[0]
    raise ManifestError(f"{directory}: no {MANIFEST} at the bundle root")


def open_bundle(path: str | Path) -> Bundle:
    """Open a bundle directory or .zip; raises a BundleError subclass that says what is wrong."""
    source = Path(path).expanduser()
    if not source.exists():
        raise BundleError(f"bundle {source}: no such file or directory")
    if source.is_dir():
        root = _find_root(source)
    elif source.suffix.lower() == ".zip":
        root = _find_root(extract_zip(source))
    elif source.name == MANIFEST:
        root = source.parent
    else:
        raise BundleError(f"bundle {source}: expected a bundle directory, a .zip or a {MANIFEST}")
    manifest_path = resolve_inside(root, MANIFEST, what="manifest")
    try:
        raw = manifest_path.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ManifestError(f"{manifest_path}: not readable JSON ({e})") from None
    stamp = _validated_stamp(raw)
    if not stamp.is_file():
        try:
            validate_manifest(manifest)
        except BundleError as e:
            raise type(e)(f"{manifest_path}: {e}") from None
        _touch(stamp)
    try:
        return Bundle(root, manifest, source)
    except BundleError as e:
        raise type(e)(f"{manifest_path}: {e}") from None


def _validated_stamp(raw: bytes) -> Path:
    """A marker that this exact manifest passed this exact schema: validation is a pure function of
    the two, so a later start can skip importing jsonschema (≈0.2 s of cold start on a small CPU)."""
    h = hashlib.sha256(raw)
    h.update(SCHEMA_PATH.read_bytes())
    return cache_dir("validated") / h.hexdigest()


def _touch(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError:  # a read-only cache only costs the next start a validation
        pass
