"""The compiled kernels, or None where the extension is absent (the NumPy reference takes over)."""
try:
    from vidlite import _native as ext
except ImportError:  # pragma: no cover - exercised only on installs without the extension
    ext = None

AVAILABLE = ext is not None
