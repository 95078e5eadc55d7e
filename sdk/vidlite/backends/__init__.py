"""Backend plug-ins behind one interface (see base.py). Each is imported only when first used."""
from __future__ import annotations

import importlib

from vidlite.backends.base import Backend, Session, TensorInfo
from vidlite.errors import BackendError

# name → module; the module holds BACKEND. Order is the fallback order when a profile ranks nothing.
PLUGINS = {
    "onnxruntime": "vidlite.backends.onnxruntime",
    "openvino": "vidlite.backends.openvino",
    "litert": "vidlite.backends.litert",
    "coreml": "vidlite.backends.coreml",
}


def get_backend(name: str) -> Backend:
    if name not in PLUGINS:
        raise BackendError(f"unknown backend {name!r}; expected one of {sorted(PLUGINS)}")
    return importlib.import_module(PLUGINS[name]).BACKEND  # plug-in modules import their runtime in load()


def backends_for(fmt: str) -> list[str]:
    """Backends that open artifacts of format `fmt`, in PLUGINS order."""
    return [name for name in PLUGINS if fmt in get_backend(name).formats]


__all__ = ["PLUGINS", "backends_for", "Backend", "Session", "TensorInfo", "get_backend"]
