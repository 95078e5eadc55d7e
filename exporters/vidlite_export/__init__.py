"""vidlite export toolchain (workstation side): task specs, converters, quantization, verification,
bundle writer, reference models and their training. Needs the `export` extra (torch, onnx, ...)."""
from vidlite._version import __version__


def export(*args, **kwargs):
    """Exports a family's model to a verified bundle: see :func:`vidlite_export.api.export`."""
    from vidlite_export.api import export as _export
    return _export(*args, **kwargs)


def stale_reason(*args, **kwargs):
    """Why an exported bundle differs from what export would write now: :func:`vidlite_export.api.stale_reason`."""
    from vidlite_export.api import stale_reason as _stale_reason
    return _stale_reason(*args, **kwargs)


__all__ = ["__version__", "export", "stale_reason"]
