"""Export fixtures shared across suites.

``reference_bundle(family, formats=("onnx",), precisions=("fp32",))`` exports a reference family once
(verified like any export) and returns the bundle path. Bundles are cached under
``$VIDLITE_TEST_BUNDLES`` (default ``<repo>/.cache/test-bundles``), keyed by the family, formats,
precisions, the weights' sha256 and the exporter's source, so later sessions reuse them and a change
to a spec or converter never meets a bundle the old code wrote.
"""
from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _cache_root() -> Path:
    return Path(os.environ.get("VIDLITE_TEST_BUNDLES", REPO / ".cache" / "test-bundles"))


def _weights_key(family: str) -> str:
    from vidlite.bundle import sha256_file
    from vidlite_export.train.common import WEIGHTS_ROOT
    weights = WEIGHTS_ROOT / family / "model.safetensors"
    if not weights.is_file():
        pytest.skip(f"no committed {family} reference weights at {weights} (train with `vidlite train {family}`)")
    return sha256_file(weights)[:12]


@functools.cache
def _code_key() -> str:
    root = REPO / "exporters" / "vidlite_export"
    h = hashlib.sha1()
    for path in sorted(root.rglob("*.py")):
        h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return h.hexdigest()[:8]


@pytest.fixture(scope="session")
def reference_bundle():
    pytest.importorskip("torch")
    made: dict[tuple, Path] = {}

    def make(family: str, formats=("onnx",), precisions=("fp32",)) -> Path:
        key = (family, tuple(formats), tuple(precisions))
        if key in made:
            return made[key]
        tag = hashlib.sha1(repr(key).encode()).hexdigest()[:8]
        out = _cache_root() / f"{family}-{_weights_key(family)}-{_code_key()}-{tag}"
        if not (out / "manifest.json").is_file():
            from vidlite_export import export
            export(family, formats=list(formats), precisions=list(precisions), out=out)
        made[key] = out
        return out
    return make
