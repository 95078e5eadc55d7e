"""The one interface every format converter implements, and the registry that finds them."""
from __future__ import annotations

import contextlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from vidlite_export.specs.base import ComponentSpec, Runner


class ConversionError(RuntimeError):
    """A component could not be converted to a format (unsupported op, converter failure, ...)."""


@dataclass
class ConvertJob:
    """What a converter gets for one component. ``onnx_path`` is the fp32 ONNX graph (traced from
    ``module`` or the third-party source), which ONNX-consuming converters start from;
    ``calibration`` holds real input samples (never random) for static quantization."""
    comp: ComponentSpec
    module: Any
    onnx_path: Path
    example: dict[str, np.ndarray]
    calibration: list[dict[str, np.ndarray]]
    workdir: Path
    calibration_source: str = ""


@dataclass
class Converted:
    entry: Path
    files: list[Path]
    quantization: dict | None = None
    io_dtypes: dict[str, str] = field(default_factory=dict)
    # converter-private facts a structural check needs (e.g. Core ML's weights before quantization)
    meta: dict = field(default_factory=dict)


class Converter:
    """Subclasses set ``format``/``precisions`` and implement ``convert``; those with a runtime on
    this machine implement ``runner`` (numeric verification), the others ``check_structure``."""
    format: ClassVar[str]
    precisions: ClassVar[tuple[str, ...]]
    needs_torch: ClassVar[bool] = True  # False: starts from the ONNX graph, so ONNX sources work
    runs_here: ClassVar[bool] = True  # a runtime exists on this machine: verify numerically

    def convert(self, job: ConvertJob, precision: str) -> Converted:
        raise NotImplementedError

    def runner(self, art: Converted, comp: ComponentSpec) -> Runner:
        """A numpy callable running the artifact (converters with ``runs_here``)."""
        raise NotImplementedError

    def check_structure(self, art: Converted, job: ConvertJob, precision: str) -> str:
        """Structural verification where the artifact cannot run here; returns the reason text
        recorded in the manifest, raises ConversionError on a mismatch."""
        raise NotImplementedError


_REGISTRY: dict[str, type[Converter]] = {}


def register(cls: type[Converter]) -> type[Converter]:
    _REGISTRY[cls.format] = cls
    return cls


def get_converter(fmt: str) -> Converter:
    if fmt not in _REGISTRY:
        # import lazily: each converter pulls a heavy toolchain (openvino, coremltools, litert-torch)
        import importlib
        try:
            importlib.import_module(f"vidlite_export.converters.{fmt}")
        except ModuleNotFoundError as e:
            if e.name == f"vidlite_export.converters.{fmt}":
                raise ConversionError(f"unknown format {fmt!r}; known: onnx, openvino, tflite, coreml") from None
            raise ConversionError(f"format {fmt!r} needs {e.name!r}: install vidlite[export]") from e
    return _REGISTRY[fmt]()


def cast_inputs(feeds: dict[str, np.ndarray], comp: ComponentSpec, io_dtypes: dict[str, str]) -> dict:
    """Feeds in the dtypes this artifact takes (TFLite turns int64 inputs into int32)."""
    return {t.name: np.ascontiguousarray(feeds[t.name].astype(io_dtypes.get(t.name, t.dtype), copy=False))
            for t in comp.inputs}


@contextlib.contextmanager
def quiet():
    """The converters print per-pass progress and warnings, some from C++ straight to the file
    descriptors; keep the exporter's own progress bars readable (VIDLITE_EXPORT_VERBOSE=1 shows all).
    Errors still surface as exceptions with their messages."""
    if os.environ.get("VIDLITE_EXPORT_VERBOSE"):
        yield
        return
    import logging
    import sys
    import tempfile
    import warnings

    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile() as sink, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.disable(logging.WARNING)
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            for fd in saved:
                os.close(fd)
            logging.disable(logging.NOTSET)
