"""Manifest validation against manifest.schema.json (jsonschema, imported on first use)."""
from __future__ import annotations

import functools
import json
from pathlib import Path

from vidlite.bundle.paths import safe_relpath
from vidlite.errors import ManifestError, UnsupportedVersionError

FORMAT_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("manifest.schema.json")
# The schema bounds each number; a tensor's size is a product, which JSON Schema cannot bound.
MAX_TENSOR_BYTES = 2 ** 31
_ITEMSIZE = {"float32": 4, "int32": 4, "int64": 8, "float16": 2, "int8": 1, "uint8": 1, "bool": 1}


@functools.lru_cache(maxsize=1)
def _validator():
    # The schema itself is checked against its metaschema by the test suite, not on every start.
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(SCHEMA_PATH.read_text()))


def _where(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(manifest root)"


def _check_paths(node, where: str = "") -> None:
    """Every "path"/"entry" string anywhere in the manifest must stay inside the bundle (UnsafePathError),
    checked before the schema so an escaping path is reported as such, not as a pattern mismatch."""
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{where}.{key}" if where else key
            if key in ("path", "entry") and isinstance(value, str):
                safe_relpath(value, what=here)
            else:
                _check_paths(value, here)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _check_paths(value, f"{where}[{i}]")


def validate_manifest(d: dict) -> dict:
    """Return d if it is a valid format-1 manifest. Raises ManifestError naming the offending field,
    UnsafePathError for a path that leaves the bundle, UnsupportedVersionError for a newer format."""
    if not isinstance(d, dict):
        raise ManifestError(f"manifest: expected a JSON object, got {type(d).__name__}")
    version = d.get("format_version")
    if version is None:
        raise ManifestError("format_version: missing (expected 1)")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise UnsupportedVersionError(
            f"format_version {version}: this vidlite reads bundle format {FORMAT_VERSION} only; "
            "upgrade vidlite (pip install -U vidlite) to load this bundle")
    _check_paths(d)
    errors = sorted(_validator().iter_errors(d), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        import jsonschema

        best = jsonschema.exceptions.best_match(errors)
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise ManifestError(f"{_where(best.absolute_path)}: {best.message}{more}")
    _check_tensor_sizes(d)
    return d


def _check_tensor_sizes(d: dict) -> None:
    """A declared tensor larger than MAX_TENSOR_BYTES (symbolic dims count as 1) is a damaged or hostile
    manifest: a runtime would try to allocate it."""
    for cname, comp in d["components"].items():
        for kind in ("inputs", "outputs"):
            for i, t in enumerate(comp.get(kind, [])):
                size = _ITEMSIZE[t["dtype"]]
                for dim in t["shape"]:
                    size *= dim if isinstance(dim, int) else 1
                if size > MAX_TENSOR_BYTES:
                    raise ManifestError(f"components.{cname}.{kind}[{i}].shape: {t['shape']} {t['dtype']} is "
                                        f"{size / 2 ** 30:.1f} GiB, over the {MAX_TENSOR_BYTES // 2 ** 30} GiB a tensor may declare")
