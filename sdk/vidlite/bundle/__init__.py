"""Model bundles: manifest.json + artifacts, as a directory or .zip. See manifest.schema.json."""
from vidlite.bundle.contract import DTYPES, ENTRY_SUFFIX, EXECUTION_PRECISIONS, FAMILIES, FORMATS, PRECISIONS
from vidlite.bundle.hashing import file_entry, sha256_file
from vidlite.bundle.loader import MANIFEST, Bundle, open_bundle
from vidlite.bundle.schema import FORMAT_VERSION, SCHEMA_PATH, validate_manifest
from vidlite.errors import BundleError, IntegrityError, ManifestError, UnsafePathError, UnsupportedVersionError

__all__ = [
    "MANIFEST", "FORMAT_VERSION", "SCHEMA_PATH", "Bundle", "open_bundle", "file_entry", "sha256_file",
    "validate_manifest", "BundleError", "IntegrityError", "ManifestError", "UnsafePathError",
    "UnsupportedVersionError", "DTYPES", "ENTRY_SUFFIX", "EXECUTION_PRECISIONS", "FAMILIES", "FORMATS", "PRECISIONS",
]
