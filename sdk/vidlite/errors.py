"""Exceptions raised by the vidlite runtime.

Every refusal has its own type so callers can tell a damaged bundle from a device that cannot run it;
every message names the file, field or backend involved and what was expected.
"""
from __future__ import annotations


class VidliteError(Exception):
    """Base of every error vidlite raises on purpose."""


class BundleError(VidliteError):
    """A model bundle cannot be used."""


class ManifestError(BundleError):
    """manifest.json is missing, unreadable or does not validate against the schema."""


class IntegrityError(BundleError):
    """A bundle file is missing or its size / sha256 differs from the manifest."""


class UnsafePathError(BundleError):
    """A path in the bundle escapes it (absolute, '..', symlink out, zip-slip)."""


class UnsupportedVersionError(BundleError):
    """The manifest's format_version is not one this vidlite understands."""


class BackendError(VidliteError):
    """A backend could not load or run an artifact."""


class NoUsableBackendError(VidliteError):
    """No candidate (artifact × backend) loaded and passed its smoke inference on this device."""


class PinError(VidliteError):
    """A pinned backend choice (argument or VIDLITE_BACKEND) cannot be honoured here."""
