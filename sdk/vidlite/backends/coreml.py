"""Core ML plug-in (macOS only): an .mlpackage or .mlmodel run by Apple's Core ML framework through
its PyObjC binding (`pyobjc-framework-CoreML`, the `coreml` extra).

Not coremltools: that is the export toolchain, and importing it pulls in torch wherever torch is
installed, which the runtime must never do. Elsewhere the device probe reports Core ML as unavailable
with the reason, and this module never imports the framework. Predictions are serialised by the base
lock.

Tensors cross without copies where Core ML allows: each input array is wrapped as an MLMultiArray
over its own memory, and each output is offered a numpy array as its backing. Core ML may decline a
backing and allocate its own; that output is then transferred into the numpy array (macOS 15+).

Execution precision: the Neural Engine computes only in f16, so f32 execution runs on the CPU and
GPU (CPU_ONLY, CPU_AND_GPU, the default) and f16 may use every unit; Core ML has no bf16.

Nothing here can run on the Linux machines that build vidlite: the pure helpers are tested there,
the calls into the framework only on a Mac.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from vidlite.backends.base import Backend, Session, TensorInfo
from vidlite.backends.precision import F16, F32
from vidlite.errors import BackendError

# MLMultiArrayDataType values (CoreML/MLMultiArray.h); PyObjC exposes the same numbers as constants,
# kept here so the mapping is testable where the framework is absent.
MULTIARRAY_DTYPES = {0x10000 | 64: "float64", 0x10000 | 32: "float32", 0x10000 | 16: "float16",
                     0x20000 | 32: "int32"}
_MULTIARRAY_CODES = {v: k for k, v in MULTIARRAY_DTYPES.items()}
_FEATURE_TYPE_MULTIARRAY = 5  # MLFeatureTypeMultiArray
_UNITS = {"ALL": "MLComputeUnitsAll", "CPU_ONLY": "MLComputeUnitsCPUOnly",
          "CPU_AND_GPU": "MLComputeUnitsCPUAndGPU", "CPU_AND_NE": "MLComputeUnitsCPUAndNeuralEngine"}
_NEURAL_ENGINE = {"ALL", "CPU_AND_NE"}


def check_units(device: str, execution: str) -> None:
    """Compute units and execution precision that Core ML can honour together, or BackendError."""
    if device not in _UNITS:
        raise BackendError(f"coreml: device must be one of {sorted(_UNITS)} (compute units), got {device!r}")
    if execution not in (F32, F16):
        raise BackendError(f"coreml: Core ML computes in f32 or f16, not {execution}")
    if execution == F32 and device in _NEURAL_ENGINE:
        raise BackendError(f"coreml: {device} includes the Neural Engine, which computes only in f16; "
                           f"use CPU_AND_GPU for f32 or name f16 (e.g. pin 'coreml:fp16@f16@{device}')")


def multiarray_layout(a: np.ndarray) -> tuple[int, list[int], list[int]]:
    """(MLMultiArrayDataType, shape, strides in elements) Core ML needs to read ``a`` in place."""
    code = _MULTIARRAY_CODES.get(a.dtype.name)
    if code is None:
        raise BackendError(f"coreml: Core ML tensors are {sorted(_MULTIARRAY_CODES)}, not {a.dtype}")
    if any(s < 0 or s % a.itemsize for s in a.strides):
        raise BackendError("coreml: array strides must be non-negative multiples of the item size")
    return code, [int(d) for d in a.shape], [s // a.itemsize for s in a.strides]


def tensor_info(name: str, description) -> TensorInfo:
    """A feature of the model's description as a TensorInfo; vidlite exports only tensor features."""
    if description.type() != _FEATURE_TYPE_MULTIARRAY:
        raise BackendError(f"coreml: feature {name!r} is not a multi-array (an image or dictionary "
                           f"feature); vidlite bundles carry tensor models only")
    constraint = description.multiArrayConstraint()
    dtype = MULTIARRAY_DTYPES.get(int(constraint.dataType()))
    if dtype is None:
        raise BackendError(f"coreml: feature {name!r} has a data type vidlite does not handle "
                           f"({int(constraint.dataType()):#x})")
    return TensorInfo(str(name), dtype, tuple(int(d) for d in constraint.shape()))


class CoreMlSession(Session):
    backend = "coreml"

    def __init__(self, coreml, model, device: str, compiled: Path, execution: str):
        described = model.modelDescription()
        super().__init__(device, [tensor_info(n, d) for n, d in described.inputDescriptionsByName().items()],
                         [tensor_info(n, d) for n, d in described.outputDescriptionsByName().items()], execution)
        self._coreml, self._model, self._compiled = coreml, model, compiled

    def _wrap(self, a: np.ndarray):
        code, shape, strides = multiarray_layout(a)
        # the MLMultiArray borrows a's memory (no deallocator): the caller keeps a alive until done
        wrapped, error = self._coreml.MLMultiArray.alloc().initWithDataPointer_shape_dataType_strides_deallocator_error_(
            memoryview(a), shape, code, strides, None, None)
        if wrapped is None:
            raise BackendError(f"coreml: cannot wrap a {a.dtype}{list(a.shape)} array: {error}")
        return wrapped

    def _run(self, feeds):
        ml = self._coreml
        inputs = {}
        for t in self.inputs:
            a = np.require(feeds[t.name], requirements=("C", "W"))  # Core ML's pointer is not const
            if a.dtype.name != t.dtype or a.shape != t.shape:
                raise BackendError(f"coreml: input {t.name!r} must be {t.dtype}{list(t.shape)}, "
                                   f"got {a.dtype}{list(a.shape)}")
            inputs[t.name] = (a, ml.MLFeatureValue.featureValueWithMultiArray_(self._wrap(a)))
        outputs = {t.name: np.empty(t.shape, t.dtype) for t in self.outputs}
        backings = {n: self._wrap(o) for n, o in outputs.items()}
        provider, error = ml.MLDictionaryFeatureProvider.alloc().initWithDictionary_error_(
            {n: v for n, (_, v) in inputs.items()}, None)
        if provider is None:
            raise BackendError(f"coreml: cannot build the model's inputs: {error}")
        options = ml.MLPredictionOptions.alloc().init()
        options.setOutputBackings_(backings)
        result, error = self._model.predictionFromFeatures_options_error_(provider, options, None)
        if result is None:
            raise BackendError(f"coreml: prediction failed: {error}")
        for name, backing in backings.items():
            got = result.featureValueForName_(name).multiArrayValue()
            if got is backing:  # PyObjC maps one Objective-C object to one proxy
                continue
            if not got.respondsToSelector_(b"transferToMultiArray:"):
                raise BackendError(f"coreml: Core ML declined the output buffer for {name!r} and this "
                                   f"macOS cannot copy it out (MLMultiArray transfer needs macOS 15)")
            got.transferToMultiArray_(backing)
        return outputs

    def _close(self):
        self._model = None
        shutil.rmtree(self._compiled, ignore_errors=True)


class CoreMlBackend(Backend):
    name = "coreml"
    formats = ("coreml",)
    default_device = "CPU_AND_GPU"  # f32, the default execution precision; the Neural Engine is f16 only

    def load(self, path: Path, device: str | None = None, options: dict | None = None,
             execution: str = F32) -> Session:
        device = device or self.default_device
        check_units(device, execution)
        if options:
            raise BackendError(f"coreml: unknown option(s) {sorted(options)}")
        import platform

        if platform.system() != "Darwin":
            raise BackendError(f"Core ML runs only on macOS and iOS (this is {platform.system()})")
        try:
            import CoreML
            from Foundation import NSURL
        except ImportError as e:
            raise BackendError("coreml: the Core ML binding is not installed "
                               "(pip install 'vidlite[coreml]', which installs pyobjc-framework-CoreML)") from e
        # Both .mlpackage and .mlmodel are compiled (to a temporary .mlmodelc) before they can load.
        compiled, error = CoreML.MLModel.compileModelAtURL_error_(NSURL.fileURLWithPath_(str(path)), None)
        if compiled is None:
            raise BackendError(f"Core ML could not compile {Path(path).name}: {error}")
        config = CoreML.MLModelConfiguration.alloc().init()
        config.setComputeUnits_(getattr(CoreML, _UNITS[device]))
        config.setAllowLowPrecisionAccumulationOnGPU_(execution == F16)
        model, error = CoreML.MLModel.modelWithContentsOfURL_configuration_error_(compiled, config, None)
        if model is None:
            shutil.rmtree(str(compiled.path()), ignore_errors=True)
            raise BackendError(f"Core ML could not load {Path(path).name}: {error}")
        return CoreMlSession(CoreML, model, device, Path(str(compiled.path())), execution)


BACKEND = CoreMlBackend()
