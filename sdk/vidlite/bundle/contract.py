"""The bundle contract's vocabularies: the one source the exporter, the runtime and the schema share.

The exporter writes these names into manifests, the runtime selects and opens artifacts by them, and
manifest.schema.json enumerates them for validation (JSON cannot import: tests/test_contract.py holds
the schema's enums equal to these tuples).
"""
from __future__ import annotations

from vidlite.backends.precision import EXECUTION_PRECISIONS

# the task families a bundle's `task` names
FAMILIES = ("caption", "understand", "generate", "retrieve")

# artifact format → the suffix of the file a backend opens when the artifact names no `entry`
ENTRY_SUFFIX = {"onnx": ".onnx", "openvino": ".xml", "tflite": ".tflite", "coreml": ".mlmodel"}
FORMATS = tuple(ENTRY_SUFFIX)

# how an artifact is stored (and verified); EXECUTION_PRECISIONS is what a backend computes it in
PRECISIONS = ("fp32", "fp16", "int8-static", "int8-dynamic", "int8-weight-only")

# tensor element types a component's inputs and outputs declare
DTYPES = ("float32", "float16", "int64", "int32", "int8", "uint8", "bool")

__all__ = ["DTYPES", "ENTRY_SUFFIX", "EXECUTION_PRECISIONS", "FAMILIES", "FORMATS", "PRECISIONS"]
