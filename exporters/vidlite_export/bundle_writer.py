"""Writes a bundle atomically: everything goes into a temporary sibling folder, the manifest is
validated, and only then is the folder moved into place — an error never leaves half a bundle."""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from vidlite.bundle import MANIFEST, file_entry, validate_manifest


class BundleWriter:
    """``with BundleWriter(out) as w: w.add_artifact(...); w.finish(manifest)``; leaving the block
    without ``finish`` (an exception) deletes the temporary folder and keeps any old bundle."""

    def __init__(self, out: str | Path):
        self.out = Path(out).resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.root = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.tmp-", dir=self.out.parent))
        self.scratch = Path(tempfile.mkdtemp(prefix="vidlite-export-"))
        self._done = False

    def __enter__(self) -> "BundleWriter":
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)
        if not self._done:
            shutil.rmtree(self.root, ignore_errors=True)

    def add_files(self, component: str, files: list[Path], base: Path) -> list[dict]:
        """Copies converter outputs (under ``base``) to ``<component>/`` and returns their entries."""
        entries = []
        for f in files:
            dst = self.root / component / f.relative_to(base)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(f, dst)
            entries.append(file_entry(dst, self.root))
        return entries

    def rel(self, component: str, path: Path, base: Path) -> str:
        return (Path(component) / path.relative_to(base)).as_posix()

    def add_smoke(self, component: str, inputs: dict[str, np.ndarray], outputs: dict[str, np.ndarray]) -> dict:
        """The npz the runtime's smoke inference checks a loaded artifact against."""
        path = self.root / "smoke" / f"{component}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **{f"in/{k}": v for k, v in inputs.items()}, **{f"out/{k}": v for k, v in outputs.items()})
        return file_entry(path, self.root)

    def entries(self, value: Any) -> Any:
        """Replaces every Path inside ``value`` (written under the bundle root) by its file entry."""
        if isinstance(value, Path):
            return file_entry(value, self.root)
        if isinstance(value, dict):
            return {k: self.entries(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.entries(v) for v in value]
        return value

    def finish(self, manifest: dict) -> Path:
        manifest.setdefault("created_at", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
        validate_manifest(manifest)
        (self.root / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        old = None
        if self.out.exists():
            old = self.out.with_name(f".{self.out.name}.old-{os.getpid()}")
            os.replace(self.out, old)
        os.replace(self.root, self.out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        self._done = True
        return self.out
