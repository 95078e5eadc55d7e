"""ONNX Runtime plug-in: CPU and any execution provider the installed build has.

ONNX Runtime quietly drops to CPU when a requested EP fails to initialise; the session's real
provider list is checked and such a fallback is a load failure, so selection can say so and move on.

Execution precision: the CPU provider computes a graph's float32 operations in f32 unless told
otherwise (bf16 GEMMs only on ARM64, through an MLAS option that is off by default); TensorRT builds
f32 engines unless fp16/bf16 is enabled; CUDA uses TF32 tensor cores by default on Ampere and newer
(Jetson Orin), which f32 execution turns off. `execution_options` maps one to the other.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import platform

from vidlite.backends.base import Backend, Session, TensorInfo
from vidlite.backends.precision import BF16, F16, F32
from vidlite.errors import BackendError

_ORT_TYPES = {"tensor(float)": "float32", "tensor(float16)": "float16", "tensor(double)": "float64",
              "tensor(int64)": "int64", "tensor(int32)": "int32", "tensor(int8)": "int8",
              "tensor(uint8)": "uint8", "tensor(bool)": "bool"}
# Where nodes the chosen EP cannot take run instead (TensorRT hands leftovers to CUDA before CPU).
_PARTITION_HELPERS = {"TensorrtExecutionProvider": ("CUDAExecutionProvider", "CPUExecutionProvider")}
_PARTITION_HELPERS_DEFAULT = ("CPUExecutionProvider",)
# Session options the profiles may set; everything else in `options` is provider options.
_SESSION_KEYS = {"intra_op_num_threads", "inter_op_num_threads", "graph_optimization_level", "provider_options"}


def execution_options(ep: str, execution: str, machine: str | None = None) -> tuple[dict, dict]:
    """(session config entries, provider options) that make `ep` compute in `execution`."""
    machine = machine or platform.machine().lower()
    if ep == "TensorrtExecutionProvider":
        return {}, {"trt_fp16_enable": str(execution == F16), "trt_bf16_enable": str(execution == BF16)}
    if ep == "CUDAExecutionProvider":
        if execution != F32:
            raise BackendError(f"onnxruntime's CUDA provider computes float32 graphs in f32 or TF32, not {execution}: "
                               "export an fp16 artifact or use TensorRT")
        return {}, {"use_tf32": "0"}
    if ep == "CPUExecutionProvider":
        if execution == BF16 and machine in ("aarch64", "arm64"):
            return {"mlas.enable_gemm_fastmath_arm64_bfloat16": "1"}, {}
        if execution != F32:
            raise BackendError(f"onnxruntime's CPU provider cannot compute in {execution} here "
                               "(bf16 GEMMs exist only on ARM64; export an fp16 or int8 artifact instead)")
        return {}, {}
    if execution != F32:
        raise BackendError(f"onnxruntime: vidlite cannot ask {ep} for {execution} execution")
    return {}, {}


def _infos(args) -> list[TensorInfo]:
    return [TensorInfo(a.name, _ORT_TYPES.get(a.type, a.type), tuple(a.shape)) for a in args]


class OrtSession(Session):
    backend = "onnxruntime"
    concurrent = True  # InferenceSession.run is thread-safe

    def __init__(self, sess, device, execution):
        super().__init__(device, _infos(sess.get_inputs()), _infos(sess.get_outputs()), execution)
        self._sess = sess
        self._out_names = [o.name for o in self.outputs]

    def _run(self, feeds):
        values = self._sess.run(self._out_names, {t.name: feeds[t.name] for t in self.inputs})
        return dict(zip(self._out_names, values))

    def _close(self):
        self._sess = None


class OnnxRuntimeBackend(Backend):
    name = "onnxruntime"
    formats = ("onnx",)
    default_device = "CPUExecutionProvider"

    def load(self, path: Path, device: str | None = None, options: dict | None = None,
             execution: str = F32) -> Session:
        import onnxruntime as ort

        ep = device or self.default_device
        config, precision_options = execution_options(ep, execution)
        options = dict(options or {})
        unknown = set(options) - _SESSION_KEYS
        if unknown:
            raise BackendError(f"onnxruntime: unknown option(s) {sorted(unknown)}; expected {sorted(_SESSION_KEYS)}")
        so = ort.SessionOptions()
        so.log_severity_level = 3  # a failed EP is reported through our reason, not stderr noise
        for key, value in config.items():
            so.add_session_config_entry(key, value)
        for key in ("intra_op_num_threads", "inter_op_num_threads"):
            if key in options:
                setattr(so, key, int(options[key]))
        if "graph_optimization_level" in options:
            so.graph_optimization_level = getattr(ort.GraphOptimizationLevel, options["graph_optimization_level"])
        provider_options = options.get("provider_options", {})
        clash = [k for k, v in precision_options.items() if k in provider_options and str(provider_options[k]) != v]
        if clash:
            raise BackendError(f"onnxruntime: provider option(s) {clash} set the precision; name the execution "
                               f"precision instead (a profile candidate's \"execution\", or a pin such as "
                               f"'onnxruntime:fp32@f16@{ep}')")
        provider_options = {**provider_options, **precision_options}
        helpers = [h for h in _PARTITION_HELPERS.get(ep, _PARTITION_HELPERS_DEFAULT) if h in ort.get_available_providers()]
        providers = [(ep, provider_options)] + [(h, {}) for h in helpers if h != ep]
        try:
            with warnings.catch_warnings():  # "provider not in available providers" is reported below instead
                warnings.simplefilter("ignore", UserWarning)
                sess = ort.InferenceSession(str(path), sess_options=so, providers=providers)
        except Exception as e:
            raise BackendError(f"onnxruntime could not load {Path(path).name} with {ep}: {e}") from e
        got = sess.get_providers()
        if not got or got[0] != ep:
            available = ort.get_available_providers()
            why = "it is not in this build" if ep not in available else "it failed to initialise"
            raise BackendError(f"onnxruntime silently fell back to {got[0] if got else 'nothing'}: {ep} was requested "
                               f"but {why} (available: {', '.join(available)})")
        return OrtSession(sess, ep, execution)


BACKEND = OnnxRuntimeBackend()
