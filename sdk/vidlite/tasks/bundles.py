"""Finding a family's bundle and opening it with the runtime."""
from __future__ import annotations

import os
from pathlib import Path

from vidlite.errors import BundleError


def bundles_dir() -> Path:
    """``$VIDLITE_BUNDLES`` or ``~/.cache/vidlite/bundles``: where ``vidlite demo`` exports the reference models."""
    env = os.environ.get("VIDLITE_BUNDLES")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "vidlite" / "bundles"


def default_bundle(family: str) -> Path:
    return bundles_dir() / family


def resolve_bundle(bundle, family: str) -> Path:
    """The bundle path to open: ``bundle`` when given, else the default one for ``family``."""
    if bundle is not None:
        p = Path(bundle).expanduser()
        if not p.exists():
            raise BundleError(f"bundle not found: {p}")
        return p
    p = default_bundle(family)
    if not (p / "manifest.json").exists():
        raise BundleError(f"no {family} bundle at {p}: run `vidlite demo` (exports the reference models there) "
                          f"or `vidlite export {family} --out {p}`, or pass --bundle")
    return p


def open_model(runtime, family: str):
    """``vidlite.load`` of the family's bundle as a task's RuntimeOptions say, checking that the
    bundle is of that task."""
    from vidlite.runtime import load

    model = load(resolve_bundle(runtime.bundle, family), runtime.backend, runtime.load_options(),
                 allow_partial_bundle=runtime.allow_partial_bundle)
    if model.task != family:
        task = model.task
        model.close()
        raise BundleError(f"bundle {model.root} is a {task!r} bundle; this pipeline needs a {family!r} bundle")
    return model
