"""Execution precision: the arithmetic a backend computes an artifact's float operations in.

An artifact's precision (fp32, fp16, int8-…) says how it is stored and what the exporter verified; the
execution precision says how the runtime computes its float operations. Runtimes lower it on their
own: OpenVINO's CPU plug-in computes in bf16 on CPUs with AVX-512 BF16 or AMX and in f16 on ARM CPUs
with fp16 arithmetic, its GPU plug-in in f16 everywhere; Core ML's Neural Engine only computes in f16.
vidlite runs every artifact in f32 unless a reduced precision is *named* — by a pin
(``openvino:fp32@bf16``), by ``load(options={"execution_precision": "bf16"})`` or by a platform profile
candidate (``"execution": "bf16"``) — and then holds it to that precision's own smoke tolerance.
"""
from __future__ import annotations

from vidlite.errors import VidliteError

F32, BF16, F16 = "f32", "bf16", "f16"
EXECUTION_PRECISIONS = (F32, BF16, F16)
DEFAULT = F32
_ALIASES = {"fp32": F32, "float32": F32, "bfloat16": BF16, "fp16": F16, "float16": F16, "half": F16}

# CPU features (the probe's names) that give a CPU the arithmetic: without one of them a runtime
# emulates the precision or quietly computes in f32, so a reduced candidate is not worth trying.
CPU_FEATURES = {BF16: ("avx512_bf16", "amx_bf16", "bf16"), F16: ("fp16",)}

# Smoke tolerance of a reduced execution precision (bf16 keeps 8 significant bits, f16 11). On the
# reference models' 18 OpenVINO artifacts computed in bf16 on AVX-512 BF16 the worst smoke cosine
# against f32 was 0.99927 (an int8 recognizer; 0.9998 for fp32 artifacts), with task metrics unchanged
# (bench/execution_precision.py, bench/task_quality.py): 0.995 leaves a margin without hiding a broken run.
DEFAULT_TOLERANCE = {BF16: {"min_cosine": 0.995}, F16: {"min_cosine": 0.999}}


def normalize(value: str, what: str = "execution precision") -> str:
    """'bf16', 'BF16', 'bfloat16' → 'bf16'; anything else is an error naming the allowed values."""
    key = str(value).strip().lower()
    key = _ALIASES.get(key, key)
    if key not in EXECUTION_PRECISIONS:
        raise VidliteError(f"{what} {value!r}: expected one of {list(EXECUTION_PRECISIONS)}")
    return key


def is_execution_precision(token: str) -> bool:
    return str(token).strip().lower() in (*EXECUTION_PRECISIONS, *_ALIASES)


def cpu_lacks(execution: str, features) -> str | None:
    """Why a CPU with `features` has no native arithmetic for `execution`, or None if it has."""
    needs = CPU_FEATURES.get(execution)
    if not needs or set(needs) & set(features):
        return None
    return f"this CPU has no {execution} arithmetic (needs one of: {', '.join(needs)})"


def tolerance(execution: str) -> dict | None:
    """The smoke tolerance of a reduced `execution` precision; None for f32 (the artifact's own holds)."""
    return DEFAULT_TOLERANCE.get(execution)
