"""Task specs: what to export for a family, declared as data.

In the spirit of Hugging Face Optimum export configs: a :class:`TaskSpec` names the components to
trace, their input/output tensors (dtype, shape with symbolic dims), which dims stay dynamic, how each
component is quantized to int8, how calibration and held-out samples are produced, and the
verification metric with its tolerances. A user's own ``nn.Module`` that fits a spec exports without
new code: the exporter only relies on what the spec declares.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from vidlite.bundle.contract import DTYPES


class SpecError(ValueError):
    """A spec, or a model checked against a spec, is not what the spec declares."""


@dataclass(frozen=True)
class TensorSpec:
    name: str
    dtype: str
    shape: tuple[int | str, ...]

    def __post_init__(self):
        if self.dtype not in DTYPES:
            raise SpecError(f"tensor {self.name!r}: dtype {self.dtype!r} is not one of {DTYPES}")

    def to_manifest(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape)}


@dataclass(frozen=True)
class Tolerance:
    """Gate for one precision class. ``metric_rel`` bounds the relative drop of the task metric
    against PyTorch fp32; ``min_cosine`` and ``max_abs_err`` bound raw output parity."""
    min_cosine: float
    max_abs_err: float | None = None
    metric_rel: float = 0.01


# fp32/fp16 must match PyTorch closely; int8 is judged mostly by the task metric.
DEFAULT_TOLERANCES = {
    "fp32": Tolerance(min_cosine=0.999),
    "fp16": Tolerance(min_cosine=0.999),
    "int8": Tolerance(min_cosine=0.98),
}


@dataclass(frozen=True)
class ComponentSpec:
    """One exported graph.

    ``module``: attribute of the model that holds this component: a ``nn.Module`` whose ``forward``
    takes the inputs positionally in spec order and returns the outputs in spec order, or the path
    of a third-party ONNX file with the spec's tensor names (then only ONNX-consuming formats apply).
    ``int8``: the int8 flavour per format for this component (static where activations calibrate
    well, dynamic/weight-only for autoregressive decoders and transformers).
    ``dims``: sizes of symbolic dims; the exporter reads the others (vocabulary, cache length...)
    off a real sample run through the model. ``dynamic``: symbolic dims left dynamic in formats that
    support it (ONNX, OpenVINO); TFLite and Core ML get the sample's sizes.
    """
    name: str
    inputs: tuple[TensorSpec, ...]
    outputs: tuple[TensorSpec, ...]
    dims: Mapping[str, int]
    module: str | None = None
    dynamic: tuple[str, ...] = ()
    int8: Mapping[str, str] = field(default_factory=lambda: {
        "onnx": "int8-static", "openvino": "int8-static", "tflite": "int8-static",
        "coreml": "int8-weight-only"})
    tolerances: Mapping[str, Tolerance] = field(default_factory=lambda: dict(DEFAULT_TOLERANCES))
    # formats this component cannot go to, with the reason (reported, never silently dropped)
    unsupported: Mapping[str, str] = field(default_factory=dict)

    def tolerance(self, precision: str) -> Tolerance:
        return self.tolerances["int8" if precision.startswith("int8") else precision]

    def to_manifest(self) -> dict:
        """Tensor specs with every dim concrete except the dynamic ones (the runtime sizes KV caches
        and buffers from them)."""
        def shape(t):
            return [d if isinstance(d, int) or d in self.dynamic else int(self.dims[d]) for d in t.shape]
        return {"inputs": [{**t.to_manifest(), "shape": shape(t)} for t in self.inputs],
                "outputs": [{**t.to_manifest(), "shape": shape(t)} for t in self.outputs]}


Samples = dict[str, list[dict[str, np.ndarray]]]
Runner = Callable[[dict[str, np.ndarray]], dict[str, np.ndarray]]


@dataclass(frozen=True)
class TaskSpec:
    """Everything the exporter needs to know about one family.

    ``samples(model, clips)`` turns preprocessed clips (a float array shaped like the first frame
    input, batch of N) into per-component input samples by running the PyTorch model — so the
    decoder's calibration inputs come from the encoder run on the same clips.
    ``heldout(model)`` returns ``(samples, data)``: per-component held-out input samples (batch 1,
    never seen in calibration) and whatever ground truth ``evaluate`` needs;
    ``evaluate(runners, data, component)`` computes the task metric that judges ``component`` (BLEU
    for both caption parts, character accuracy for the OCR parts...) with one runner per component
    (PyTorch or an artifact), returning ``(name, value)``; higher is better.
    ``assets(model, dst)`` writes tokenizer/labels files into the bundle dir and returns the manifest
    keys they belong to (``text``, ``labels``, ``config``).
    """
    task: str
    name: str
    components: tuple[ComponentSpec, ...]
    preprocess: Mapping[str, Any]
    samples: Callable[[Any, np.ndarray], Samples]
    heldout: Callable[[Any], tuple[Samples, Any]]
    evaluate: Callable[[Mapping[str, Runner], Any, str], tuple[str, float]]
    load_model: Callable[[str | None], Any] | None = None
    assets: Callable[[Any, Any], dict] | None = None
    calibration_clips: int = 32  # 0: no frame input, samples() gets no clips and brings its own data

    def component(self, name: str) -> ComponentSpec:
        for c in self.components:
            if c.name == name:
                return c
        raise SpecError(f"spec {self.name!r} has no component {name!r}; it has "
                        f"{[c.name for c in self.components]}")


def runner_from_torch(module, comp: ComponentSpec) -> Runner:
    """Wraps a PyTorch component as a numpy runner with the spec's names (fp32 reference)."""
    import torch

    def run(feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        args = [torch.from_numpy(np.ascontiguousarray(feeds[t.name])) for t in comp.inputs]
        with torch.no_grad():
            out = module(*args)
        if isinstance(out, torch.Tensor):
            out = (out,)
        return {t.name: o.detach().cpu().numpy() for t, o in zip(comp.outputs, out)}
    return run
