"""Core ML mlpackage via coremltools from a ``torch.export`` program (``torch.jit.trace`` fails on
decoders that cast ints). Core ML cannot predict on Linux (no libcoremlpython), so artifacts are
verified structurally: I/O names, shapes and dtypes, weight dtypes, op set, and int8 weights
dequantized and compared with the PyTorch weights."""
from __future__ import annotations

import numpy as np

from vidlite_export.converters.base import (ConversionError, Converted, Converter, ConvertJob, quiet,
                                            register)

_NP_TO_CT = {"float32": "fp32", "float16": "fp16", "int32": "int32", "int64": "int32", "bool": "bool"}
# the op holding int8 weights after linear_quantize_weights with the iOS16 opset
_QUANT_OPS = ("constexpr_affine_dequantize",)
DEPLOYMENT_TARGET = "iOS16"
LIMIT = 0.02  # int8 per-channel rounding stays well under 1 % of a channel's range


@register
class CoreMLConverter(Converter):
    format = "coreml"
    precisions = ("fp32", "fp16", "int8-weight-only")
    runs_here = False  # activation quantization also needs predict: weight-only int8 is what Linux can make

    def __init__(self):
        self._fp16: tuple[object, object] | None = None  # (workdir, model) of the last fp16 conversion

    def convert(self, job: ConvertJob, precision: str) -> Converted:
        comp = job.comp
        compute = "fp32" if precision == "fp32" else "fp16"
        # int8 weights quantize the fp16-compute program, the very one the fp16 artifact came from
        if compute == "fp16" and self._fp16 is not None and self._fp16[0] == job.workdir:
            mlmodel = self._fp16[1]
        else:
            mlmodel = self._program(job, compute)
            if compute == "fp16":
                self._fp16 = (job.workdir, mlmodel)
        quant, float_weights = None, {}
        if precision == "int8-weight-only":
            float_weights = _consts(mlmodel._mil_program)
            from coremltools.optimize.coreml import (OpLinearQuantizerConfig, OptimizationConfig,
                                                     linear_quantize_weights)
            cfg = OptimizationConfig(global_config=OpLinearQuantizerConfig(
                mode="linear_symmetric", dtype="int8", granularity="per_channel", weight_threshold=0))
            with quiet():
                mlmodel = linear_quantize_weights(mlmodel, cfg)
            quant = {"method": "coremltools linear_quantize_weights (int8 symmetric per-channel weights, fp16 compute)"}
        out = job.workdir / f"{comp.name}.{precision}.mlpackage"
        mlmodel.save(str(out))
        # coremltools adds, for programs from torch.export, an op-to-ExecuTorch-debug-handle map that
        # the package manifest does not list and Core ML never reads (45 KB beside the caption
        # decoder's 1.7 MB): a debugging aid, not part of the deployable model
        (out / "executorch_debug_handle_mapping.json").unlink(missing_ok=True)
        files = sorted(p for p in out.rglob("*") if p.is_file())
        io_dtypes = {t.name: "int32" for t in comp.inputs if t.dtype == "int64"}
        return Converted(out, files, quant, io_dtypes, {"float_weights": float_weights})

    @staticmethod
    def _program(job: ConvertJob, compute: str):
        import coremltools as ct
        import torch

        comp = job.comp
        args = tuple(torch.from_numpy(job.example[t.name]) for t in comp.inputs)
        try:
            with quiet():
                prog = torch.export.export(job.module.eval(), args)
                inputs = [ct.TensorType(name=t.name, shape=job.example[t.name].shape,
                                        dtype=np.int32 if t.dtype == "int64" else np.dtype(t.dtype).type)
                          for t in comp.inputs]
                mlmodel = _convert(
                    ct, prog, inputs, outputs=[ct.TensorType(name=t.name) for t in comp.outputs],
                    convert_to="mlprogram", minimum_deployment_target=getattr(ct.target, DEPLOYMENT_TARGET),
                    compute_precision=ct.precision.FLOAT32 if compute == "fp32" else ct.precision.FLOAT16,
                    skip_model_load=True)
        except Exception as e:
            raise ConversionError(f"component {comp.name!r}: Core ML conversion failed: "
                                  f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from e
        return mlmodel

    def check_structure(self, art: Converted, job: ConvertJob, precision: str) -> str:
        import coremltools as ct
        from coremltools.converters.mil.frontend.milproto.load import load as load_mil

        comp = job.comp
        model = ct.models.MLModel(str(art.entry), skip_model_load=True)
        spec = model.get_spec()
        desc = spec.description
        got_in = {i.name: tuple(i.type.multiArrayType.shape) for i in desc.input}
        want_in = {t.name: tuple(job.example[t.name].shape) for t in comp.inputs}
        if got_in != want_in:
            raise ConversionError(f"component {comp.name!r}: Core ML inputs {got_in} != spec {want_in}")
        got_out = [o.name for o in desc.output]
        if got_out != [t.name for t in comp.outputs]:
            raise ConversionError(f"component {comp.name!r}: Core ML outputs {got_out} != spec "
                                  f"{[t.name for t in comp.outputs]}")
        prog = load_mil(spec, specification_version=spec.specificationVersion,
                        file_weights_dir=model.weights_dir)
        ops = [op for f in prog.functions.values() for op in f.operations]
        op_types = sorted({op.op_type for op in ops})
        # weights: float constants of any size (int constants are index tables such as arange)
        consts = [op for op in ops if op.op_type == "const" and op.outputs[0].val is not None
                  and np.asarray(op.outputs[0].val).size > 16
                  and np.asarray(op.outputs[0].val).dtype.kind in "fiu"
                  and np.asarray(op.outputs[0].val).dtype not in (np.int32, np.int64)]
        weight_dtypes = sorted({str(np.asarray(op.outputs[0].val).dtype) for op in consts})
        want_float = "float32" if precision == "fp32" else "float16"
        reason = (f"Core ML cannot run on Linux; checked structurally: inputs/outputs/shapes match the "
                  f"spec, {len(op_types)} op types, weights {weight_dtypes or [want_float]}")
        if precision != "int8-weight-only":
            bad = [d for d in weight_dtypes if d != want_float]
            if bad:
                raise ConversionError(f"component {comp.name!r}: Core ML {precision} has {bad} weights")
            return reason
        qops = [op for op in ops if op.op_type in _QUANT_OPS]
        if not qops:
            raise ConversionError(f"component {comp.name!r}: Core ML int8 model has no quantized weights")
        direct, fused, err = _int8_weight_error(qops, job.module, art.meta.get("float_weights", {}))
        return reason + (f"; {len(qops)} int8 weight tensors dequantized: {direct} match a PyTorch parameter, "
                         f"{fused} a weight Core ML fused from PyTorch ops (vs its float value); "
                         f"worst rel. err {err:.4f}")


def _convert(ct, prog, inputs, **kw):
    """coremltools from the export program with no decompositions (what works for the KV-cache
    decoder); ops its frontend lacks (HF BERT's ``new_ones``) convert after the default ATen
    decompositions."""
    try:
        return ct.convert(prog.run_decompositions({}), inputs=inputs, **kw)
    except NotImplementedError:
        return ct.convert(prog.run_decompositions(), inputs=inputs, **kw)


def _dequantize(op) -> np.ndarray:
    """(q - zero_point) * scale along the op's axis (the iOS16 opset's int8 weight form)."""
    p = {k: np.asarray(v.val) for k, v in op.inputs.items() if v.val is not None}
    q, scale, zp, axis = p["quantized_data"], p["scale"], p["zero_point"], int(p["axis"])
    shape = [1] * q.ndim
    if scale.ndim:
        shape[axis] = -1
    return (q.astype(np.float32) - zp.astype(np.float32).reshape(shape)) * scale.astype(np.float32).reshape(shape)


def _consts(prog) -> dict[str, np.ndarray]:
    return {op.outputs[0].name: np.asarray(op.outputs[0].val, np.float32)
            for f in prog.functions.values() for op in f.operations
            if op.op_type == "const" and op.outputs[0].val is not None and np.asarray(op.outputs[0].val).size > 16}


def _int8_weight_error(qops, module, float_weights: dict) -> tuple[int, int, float]:
    """Each dequantized Core ML weight against the PyTorch parameter it came from (same size,
    closest values). Core ML folds constant scales into weights (``x * 0.1`` into a conv), so a
    weight with no PyTorch match is compared with its float value in the unquantized program."""
    params = [p.detach().cpu().numpy().astype(np.float32) for p in module.parameters() if p.ndim >= 2]
    worst, direct, fused = 0.0, 0, 0
    for op in qops:
        w = _dequantize(op)
        errs = [np.abs(w.reshape(p.shape) - p).max() / (np.abs(p).max() + 1e-12) for p in params if p.size == w.size]
        e = float(min(errs)) if errs else float("inf")
        if e <= LIMIT:
            direct += 1
        else:
            ref = float_weights.get(op.outputs[0].name.removesuffix("_quantized"))
            if ref is None or ref.size != w.size:
                raise ConversionError(f"Core ML int8 weight {op.name} {list(w.shape)}: no PyTorch parameter or float "
                                      f"weight it matches within {LIMIT} (closest {e:.3f})")
            e = float(np.abs(w - ref.reshape(w.shape)).max() / (np.abs(ref).max() + 1e-12))
            if e > LIMIT:
                raise ConversionError(f"Core ML int8 weight {op.name}: dequantized differs from its float value by "
                                      f"{e:.3f} relative (limit {LIMIT})")
            fused += 1
        worst = max(worst, e)
    return direct, fused, worst
