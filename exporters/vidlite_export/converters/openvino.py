"""OpenVINO IR from the component's ONNX graph; NNCF for int8 (static or weight-only)."""
from __future__ import annotations

from vidlite_export.converters.base import (ConversionError, Converted, Converter, ConvertJob,
                                            cast_inputs, register)
from vidlite_export.specs.base import ComponentSpec


@register
class OpenVINOConverter(Converter):
    format = "openvino"
    precisions = ("fp32", "fp16", "int8-static", "int8-weight-only")
    needs_torch = False

    def convert(self, job: ConvertJob, precision: str) -> Converted:
        import openvino as ov

        try:
            model = ov.convert_model(str(job.onnx_path))
        except Exception as e:
            raise ConversionError(f"component {job.comp.name!r}: OpenVINO conversion failed: "
                                  f"{str(e).splitlines()[0]}") from e
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
            model = nncf.compress_weights(model, mode=nncf.CompressWeightsMode.INT8_ASYM)
            quant = {"method": "nncf.compress_weights INT8_ASYM (weights only)"}
        xml = job.workdir / f"{job.comp.name}.{precision}.xml"
        # int8 variants keep their remaining float constants (biases, norms) in fp16 as well
        ov.save_model(model, str(xml), compress_to_fp16=(precision != "fp32"))
        return Converted(xml, [xml, xml.with_suffix(".bin")], quant)

    def runner(self, art: Converted, comp: ComponentSpec):
        import openvino as ov

        core = ov.Core()
        compiled = core.compile_model(str(art.entry), "CPU", {"INFERENCE_NUM_THREADS": 1})
        req = compiled.create_infer_request()
        outs = [(t.name, compiled.output(t.name)) for t in comp.outputs]

        def run(feeds):
            res = req.infer(cast_inputs(feeds, comp, art.io_dtypes))
            return {n: res[o].copy() for n, o in outs}
        return run
