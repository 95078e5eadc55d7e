"""OpenVINO IR from the component's ONNX graph; NNCF for int8 (static or weight-only)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from vidlite_export.converters.base import (ConversionError, Converted, Converter, ConvertJob,
                                            cast_inputs, register)
from vidlite_export.specs.base import ComponentSpec


@register
class OpenVINOConverter(Converter):
    format = "openvino"
    precisions = ("fp32", "fp16", "int8-static", "int8-weight-only")
    needs_torch = False

    def __init__(self):
        self._converted: tuple[Path, object] | None = None  # the last ONNX graph read, for its other precisions

    def _read(self, job: ConvertJob):
        """The component's ONNX graph as an OpenVINO model, converted once per component (each
        precision gets a copy: NNCF's weight compression edits the model it is given)."""
        import openvino as ov

        if self._converted is None or self._converted[0] != job.onnx_path:
            try:
                self._converted = (job.onnx_path, ov.convert_model(str(job.onnx_path)))
            except Exception as e:
                raise ConversionError(f"component {job.comp.name!r}: OpenVINO conversion failed: "
                                      f"{str(e).splitlines()[0]}") from e
        return self._converted[1].clone()

    def convert(self, job: ConvertJob, precision: str) -> Converted:
        import openvino as ov

        model = self._read(job)
        quant = None
        if precision == "int8-static":
            import nncf
            if not job.calibration:
                raise ConversionError(f"component {job.comp.name!r}: int8-static needs calibration samples")
            items = [cast_inputs(s, job.comp, {}) for s in job.calibration]
            model = nncf.quantize(model, nncf.Dataset(items), subset_size=len(items))
            quant = {"method": "nncf.quantize (int8 weights and activations, post-training)",
                     "calibration": job.calibration_source, "samples": len(items)}
        elif precision == "int8-weight-only":
            import nncf
            # symmetric per-channel: no zero-point constants or Subtract nodes, which cost more IR
            # (XML and bin) than they buy on these weights (measured: BLEU, PSNR, recall unchanged)
            model = nncf.compress_weights(model, mode=nncf.CompressWeightsMode.INT8_SYM)
            quant = {"method": "nncf.compress_weights INT8_SYM (per-channel int8 weights only)"}
        share_equal_constants(model)
        strip_debug_names(model)
        xml = job.workdir / f"{job.comp.name}.{precision}.xml"
        # fp32 stays fp32 (the honest baseline of the size ratios); OpenVINO leaves NNCF-quantized
        # models' remaining float constants (biases, norms, scales) as they are either way: in fp16
        # each would need a Convert layer, which costs a small model more XML than it saves .bin
        ov.save_model(model, str(xml), compress_to_fp16=(precision != "fp32"))
        compact_xml(xml)
        return Converted(xml, [xml, xml.with_suffix(".bin")], quant)

    def runner(self, art: Converted, comp: ComponentSpec):
        import openvino as ov
        from vidlite.backends.openvino import precision_hint

        core = ov.Core()
        # verified in f32, as the runtime computes it unless a reduced precision is named (OpenVINO's
        # own default is bf16 on AVX-512 BF16 / AMX hosts, which would verify another computation)
        compiled = core.compile_model(str(art.entry), "CPU", {"INFERENCE_NUM_THREADS": 1, **precision_hint("f32")})
        req = compiled.create_infer_request()
        outs = [(t.name, compiled.output(t.name)) for t in comp.outputs]

        def run(feeds):
            res = req.infer(cast_inputs(feeds, comp, art.io_dtypes))
            return {n: res[o].copy() for n, o in outs}
        return run


def share_equal_constants(model) -> int:
    """Makes every group of identical constants one node (what OpenVINO's own ConstantsReduce pass
    does, which Python does not expose). NNCF gives each FakeQuantize four limit constants, the
    input and output ranges usually equal, and each its own IR layer; the .bin already stores equal
    blobs once, so this shrinks only the topology. Returns how many nodes were merged."""
    seen, merged = {}, 0
    for op in model.get_ordered_ops():
        if op.get_type_name() != "Constant" or not op.get_output_partial_shape(0).is_static:
            continue
        data = op.get_data()
        key = (str(op.get_element_type()), tuple(op.get_output_shape(0)), hashlib.sha1(data.tobytes()).digest())
        first = seen.setdefault(key, op)
        if first is not op:
            op.output(0).replace(first.output(0))
            merged += 1
    return merged


def strip_debug_names(model) -> None:
    """Leaves names only where runtimes look them up: the model's input and output tensors (and
    their Parameter/Result layers). Intermediate tensor names and layer names are debug strings
    carried over from the ONNX graph and NNCF ("/backbone/stages.0/.../fq_output_0"); in a small
    model's IR they weigh as much as a few percent of its int8 weights."""
    keep = {(p.get_name(), 0) for p in model.get_parameters()}
    keep |= {(r.input_value(0).get_node().get_name(), r.input_value(0).get_index()) for r in model.get_results()}
    for i, op in enumerate(model.get_ordered_ops()):
        if op.get_type_name() in ("Parameter", "Result"):
            continue
        for out in op.outputs():
            if (op.get_name(), out.get_index()) not in keep:
                out.get_tensor().set_names(set())
        op.set_friendly_name(str(i))


def compact_xml(xml: Path) -> None:
    """Drops the indentation OpenVINO writes between tags (a sixth of a small model's IR topology);
    IR holds no text that whitespace could belong to, so the model reads back identically."""
    text = xml.read_text(encoding="utf-8")
    xml.write_text(re.sub(r">\s+<", "><", text), encoding="utf-8")
