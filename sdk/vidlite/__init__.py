"""vidlite: run video AI models on edge devices.

The runtime imports numpy, the native kernels and whichever backend the device has — never torch,
tensorflow, coremltools or litert-torch (the export toolchain lives in ``vidlite_export``).
"""
from vidlite._version import __version__
from vidlite import native

__all__ = ["__version__", "native"]
