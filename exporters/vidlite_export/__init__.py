"""vidlite export toolchain (workstation side): task specs, converters, quantization, verification,
bundle writer, reference models and their training. Needs the `export` extra (torch, onnx, ...)."""
from vidlite._version import __version__


def export(*args, **kwargs):
    """Exports a family's model to a verified bundle: see :func:`vidlite_export.api.export`."""
    from vidlite_export.api import export as _export
    return _export(*args, **kwargs)


__all__ = ["__version__", "export"]
