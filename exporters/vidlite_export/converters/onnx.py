"""ONNX: torch exporter for the graph, ONNX Runtime for fp16 conversion and int8 quantization."""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from vidlite_export.converters.base import (ConversionError, Converted, Converter, ConvertJob,
                                            cast_inputs, register)
from vidlite_export.specs.base import ComponentSpec

OPSET = 17
QDQ_OPSET = 13  # per-channel QuantizeLinear/DequantizeLinear (the axis attribute) needs opset 13


def _at_least_opset(path: Path, opset: int, out: Path) -> Path:
    """Third-party graphs (PP-OCR ships opset 11) are upgraded so per-channel int8 is expressible."""
    import onnx
    from onnx import version_converter

    model = onnx.load(str(path))
    current = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=opset)
    if current >= opset:
        return path
    try:
        onnx.save(version_converter.convert_version(model, opset), str(out))
    except Exception as e:
        raise ConversionError(f"{path.name}: cannot upgrade ONNX opset {current} to {opset} for int8 "
                              f"quantization: {str(e).splitlines()[0]}") from e
    return out


def export_onnx(module, comp: ComponentSpec, example: dict[str, np.ndarray], path: Path) -> Path:
    """Traces ``module`` to ONNX with the spec's tensor names and dynamic dims.

    The TorchScript-based exporter is used because it takes the spec's input/output names and
    dynamic axes directly; the dynamo exporter renames inputs itself."""
    import torch

    args = tuple(torch.from_numpy(example[t.name]) for t in comp.inputs)
    dyn = {}
    for t in (*comp.inputs, *comp.outputs):
        axes = {i: d for i, d in enumerate(t.shape) if isinstance(d, str) and d in comp.dynamic}
        if axes:
            dyn[t.name] = axes
    try:
        torch.onnx.export(module.eval(), args, str(path), dynamo=False, opset_version=OPSET,
                          input_names=[t.name for t in comp.inputs],
                          output_names=[t.name for t in comp.outputs],
                          dynamic_axes=dyn or None, do_constant_folding=True)
    except Exception as e:  # the torch exporter's message names the unsupported op
        raise ConversionError(f"component {comp.name!r}: ONNX export failed: {type(e).__name__}: "
                              f"{str(e).splitlines()[0] if str(e) else e!r}") from e
    return check_onnx(path, comp)


def check_onnx(path: Path, comp: ComponentSpec) -> Path:
    """Loads and checks an ONNX file, and that it has the spec's input and output names."""
    import onnx

    try:
        model = onnx.load(str(path))
        onnx.checker.check_model(model)
    except Exception as e:
        raise ConversionError(f"component {comp.name!r}: {path} is not a valid ONNX model "
                              f"({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})") from e
    init = {i.name for i in model.graph.initializer}
    got_in = [i.name for i in model.graph.input if i.name not in init]
    got_out = [o.name for o in model.graph.output]
    want_in, want_out = [t.name for t in comp.inputs], [t.name for t in comp.outputs]
    if got_in != want_in or got_out != want_out:
        raise ConversionError(f"component {comp.name!r}: {path} has inputs {got_in} / outputs "
                              f"{got_out}, the spec declares {want_in} / {want_out}")
    return path


class _Reader:
    """onnxruntime CalibrationDataReader over the job's calibration samples."""

    def __init__(self, samples, comp):
        self._it = iter([cast_inputs(s, comp, {}) for s in samples])

    def get_next(self):
        return next(self._it, None)


@register
class OnnxConverter(Converter):
    format = "onnx"
    precisions = ("fp32", "fp16", "int8-static", "int8-dynamic", "int8-weight-only")
    needs_torch = False

    def convert(self, job: ConvertJob, precision: str) -> Converted:
        out = job.workdir / f"{job.comp.name}.{precision}.onnx"
        if precision == "fp32":
            shutil.copyfile(job.onnx_path, out)
            return Converted(out, [out])
        if precision == "fp16":
            import onnx
            from onnxruntime.transformers.float16 import convert_float_to_float16
            # fp32 I/O keeps the runtime's feeds identical across precisions
            m = convert_float_to_float16(onnx.load(str(job.onnx_path)), keep_io_types=True)
            onnx.save(m, str(out))
            return Converted(out, [out])
        from onnxruntime.quantization import QuantFormat, QuantType, quantize_dynamic, quantize_static
        if precision == "int8-weight-only":
            return self._weight_only(job, out)
        from onnxruntime.quantization.shape_inference import quant_pre_process

        pre = job.workdir / f"{job.comp.name}.pre.onnx"
        src = _at_least_opset(job.onnx_path, QDQ_OPSET, job.workdir / f"{job.comp.name}.opset.onnx")
        try:
            quant_pre_process(str(src), str(pre), skip_symbolic_shape=True)
        except Exception:  # pre-processing is an optimisation; quantize the graph as given
            shutil.copyfile(src, pre)
        try:
            if precision == "int8-dynamic":
                quantize_dynamic(str(pre), str(out), weight_type=QuantType.QInt8, per_channel=True)
                return Converted(out, [out], {"method": "onnxruntime.quantize_dynamic (int8 weights, "
                                              "activations quantized at run time)"})
            if not job.calibration:
                raise ConversionError(f"component {job.comp.name!r}: int8-static needs calibration samples")
            quantize_static(str(pre), str(out), _Reader(job.calibration, job.comp),
                            quant_format=QuantFormat.QDQ, per_channel=True,
                            activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                            extra_options={"ActivationSymmetric": False, "WeightSymmetric": True})
        finally:
            pre.unlink(missing_ok=True)
        return Converted(out, [out], {"method": "onnxruntime.quantize_static QDQ (per-channel int8 "
                                      "weights, uint8 activations, min-max)",
                                      "calibration": job.calibration_source,
                                      "samples": len(job.calibration)})

    @staticmethod
    def _weight_only(job: ConvertJob, out: Path) -> Converted:
        """MatMul weights as 8-bit MatMulNBits (float compute) and embedding tables as int8 Gather:
        for transformer encoders, where dynamic activation quantization loses too much (MiniLM:
        cosine 0.95 with quantize_dynamic, 0.998 this way)."""
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.quantization.matmul_nbits_quantizer import (DefaultWeightOnlyQuantConfig,
                                                                     MatMulNBitsQuantizer)
        q = MatMulNBitsQuantizer(onnx.load(str(job.onnx_path)),
                                 algo_config=DefaultWeightOnlyQuantConfig(block_size=32, is_symmetric=True, bits=8))
        q.process()
        mid = job.workdir / f"{job.comp.name}.nbits.onnx"
        q.model.save_model_to_file(str(mid), False)
        quantize_dynamic(str(mid), str(out), weight_type=QuantType.QInt8, op_types_to_quantize=["Gather"],
                         per_channel=True)
        mid.unlink()
        return Converted(out, [out], {"method": "onnxruntime MatMulNBits 8-bit (block 32) weights + int8 Gather "
                                                "tables; float activations"})

    def runner(self, art: Converted, comp: ComponentSpec):
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        sess = ort.InferenceSession(str(art.entry), so, providers=["CPUExecutionProvider"])
        names = [t.name for t in comp.outputs]

        def run(feeds):
            return dict(zip(names, sess.run(names, cast_inputs(feeds, comp, art.io_dtypes))))
        return run
