"""vidlite export toolchain (workstation side): task specs, converters, quantization, verification,
bundle writer, reference models and their training. Needs the `export` extra (torch, onnx, ...)."""
from vidlite._version import __version__

__all__ = ["__version__"]
