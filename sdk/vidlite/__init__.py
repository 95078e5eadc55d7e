"""vidlite: run video AI models on edge devices.

The runtime imports numpy, the native kernels and whichever backend the device has — never torch,
tensorflow, coremltools or litert-torch (the export toolchain lives in ``vidlite_export``).
"""
import os

# ONNX Runtime writes a device id and a telemetry database under ~/.cache/Microsoft when it is
# imported unless this is set: an app that embeds vidlite should find files only where it asked.
# An app's own setting wins. (OpenVINO's Python package has no such switch: see README, Reliability.)
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

from vidlite._version import __version__  # noqa: E402
from vidlite import native  # noqa: E402
from vidlite.preprocess import PreprocessSpec, Preprocessor  # noqa: E402

__all__ = ["__version__", "native", "devices", "load", "PreprocessSpec", "Preprocessor"]


def devices(root="/", deep: bool = True):
    """Probe this device: CPU, SIMD, OS, board, memory, installed runtimes (vidlite.device.probe)."""
    from vidlite.device import probe

    return probe(root, deep=deep)


def load(bundle, backend=None, options=None, **kwargs):
    """Open a model bundle and select a backend for it (vidlite.runtime.load)."""
    from vidlite.runtime import load as _load

    return _load(bundle, backend, options, **kwargs)


# Task pipelines, imported on first use so `import vidlite` stays cheap (vidlite.tasks).
_TASKS = ("Captioner", "CaptionerOptions", "Understander", "UnderstanderOptions", "Restorer", "RestorerOptions",
          "Retriever", "RetrieverOptions")
__all__ += list(_TASKS)


def __getattr__(name: str):
    if name in _TASKS:
        from vidlite import tasks

        return getattr(tasks, name)
    raise AttributeError(f"module 'vidlite' has no attribute {name!r}")
