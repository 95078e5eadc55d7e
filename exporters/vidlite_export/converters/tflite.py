"""TFLite (LiteRT) via litert-torch; int8 with ai-edge-quantizer. No onnx2tf: it pins numpy 1.x,
onnx 1.19 and tensorflow 2.19, which cannot share the toolchain's environment."""
from __future__ import annotations

import numpy as np

from vidlite_export.converters.base import (ConversionError, Converted, Converter, ConvertJob,
                                            cast_inputs, quiet, register)
from vidlite_export.specs.base import ComponentSpec

SIGNATURE = "serving_default"
# fp16 weights, dequantized to fp32 in the graph (GPU delegates run them in fp16 natively)
FP16_WEIGHTS = [{"regex": ".*", "operation": "*", "algorithm_key": "float_casting",
                 "op_config": {"weight_tensor_config": {"num_bits": 16, "dtype": "FLOAT"},
                               "compute_precision": "FLOAT", "explicit_dequantize": True}}]
# precision → (recipe from ai_edge_quantizer.recipe, how the manifest describes it)
_RECIPES = {
    "fp16": (lambda r: FP16_WEIGHTS, None),
    "int8-static": (lambda r: float_io(r.static_wi8_ai8()),
                    "static_wi8_ai8 (int8 weights and activations, float model I/O)"),
    "int8-dynamic": (lambda r: r.dynamic_wi8_afp32(), "dynamic_wi8_afp32 (int8 weights, dynamic activations)"),
    "int8-weight-only": (lambda r: r.weight_only_wi8_afp32(), "weight_only_wi8_afp32"),
}
# LiteRT without x64 downcasts 64-bit I/O; the manifest records the dtype each artifact takes.
_DOWNCAST = {"int64": "int32"}


def _named(module, comp: ComponentSpec):
    """Wraps a positional module so the TFLite signature carries the spec's tensor names (the
    runtime then feeds by name, as for every other format)."""
    import torch

    class Named(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = module

        def forward(self, **kw):
            out = self.inner(*[kw[t.name] for t in comp.inputs])
            if isinstance(out, torch.Tensor):
                out = (out,)
            return {t.name: o for t, o in zip(comp.outputs, out)}
    return Named().eval()


@register
class TFLiteConverter(Converter):
    format = "tflite"
    precisions = ("fp32", "fp16", "int8-static", "int8-dynamic", "int8-weight-only")

    def convert(self, job: ConvertJob, precision: str) -> Converted:
        import torch
        import litert_torch

        comp = job.comp
        # the converter's output keeps its tensor names: ai-edge-quantizer's recipes and
        # calibration statistics are keyed by them; the artifacts get them stripped
        source = job.workdir / f"{comp.name}.source.tflite"
        io_dtypes = {t.name: _DOWNCAST[t.dtype] for t in comp.inputs if t.dtype in _DOWNCAST}
        if not source.exists():
            kwargs = {t.name: torch.from_numpy(job.example[t.name]) for t in comp.inputs}
            try:
                with quiet():
                    litert_torch.convert(_named(job.module, comp), (), kwargs).export(str(source))
            except Exception as e:
                raise ConversionError(f"component {comp.name!r}: TFLite conversion failed: "
                                      f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from e
        out = job.workdir / f"{comp.name}.{precision}.tflite"
        if precision == "fp32":
            strip_tensor_names(source, out)
            return Converted(out, [out], None, io_dtypes)

        from ai_edge_quantizer import quantizer, recipe

        make, method = _RECIPES[precision]
        q = quantizer.Quantizer(str(source))
        q.load_quantization_recipe(make(recipe))
        quant = {"method": f"ai-edge-quantizer {method}"} if method else None
        with quiet():
            if precision == "int8-static":
                if not job.calibration:
                    raise ConversionError(f"component {comp.name!r}: int8-static needs calibration samples")
                data = {SIGNATURE: [cast_inputs(s, comp, io_dtypes) for s in job.calibration]}
                res = q.quantize(q.calibrate(data, num_threads=1))
                quant.update(calibration=job.calibration_source, samples=len(job.calibration))
            else:
                res = q.quantize()
        res.export_model(str(out), overwrite=True)
        strip_tensor_names(out, out)
        return Converted(out, [out], quant, io_dtypes)

    def runner(self, art: Converted, comp: ComponentSpec):
        from ai_edge_litert.interpreter import Interpreter

        interp = Interpreter(model_path=str(art.entry), num_threads=1)
        sig = interp.get_signature_runner(SIGNATURE)

        def run(feeds):
            res = sig(**cast_inputs(feeds, comp, art.io_dtypes))
            return {t.name: np.asarray(res[t.name]) for t in comp.outputs}
        return run


def float_io(recipe_list: list) -> list:
    """Keeps the graph's inputs and outputs float (quantize/dequantize inside the model), so every
    runtime feeds int8-static artifacts exactly as it feeds fp32 ones."""
    return recipe_list + [{"regex": ".*", "operation": op, "algorithm_key": "no_quantize", "op_config": {}}
                          for op in ("INPUT", "OUTPUT")]


def strip_tensor_names(src, dst) -> None:
    """Writes ``src`` without the names of its intermediate tensors. litert-torch names each one
    after its whole module path (a tenth of a small model's file); they are debug strings only:
    the signature and the model's input/output tensors keep theirs, which is what runtimes feed by."""
    from ai_edge_litert.tools import flatbuffer_utils

    model = flatbuffer_utils.read_model(str(src))
    for buf in model.buffers:
        # buffers stored past the flatbuffer (ai-edge-quantizer's output) come back as raw byte
        # views, which the flatbuffers packer would copy one byte at a time
        if buf.data is not None and not isinstance(buf.data, np.ndarray):
            buf.data = np.frombuffer(bytes(buf.data), np.uint8)
    for sg in model.subgraphs:
        keep = {*sg.inputs, *sg.outputs}
        for i, t in enumerate(sg.tensors):
            if i not in keep:
                t.name = None
    flatbuffer_utils.write_model(model, str(dst))
