"""The smoke inference: a recorded input from the bundle whose outputs must match within tolerance."""
from __future__ import annotations

import numpy as np

from vidlite.backends import precision

# Used when an artifact records no smoke_tolerance: float artifacts must agree closely, int8 ones roughly.
DEFAULT_TOLERANCE = {"fp32": {"min_cosine": 0.9999}, "fp16": {"min_cosine": 0.999}}
DEFAULT_INT8_TOLERANCE = {"min_cosine": 0.98}


def load_smoke(path) -> tuple[dict, dict]:
    """(inputs, expected outputs) from a smoke npz: in/<name>, out/<name>."""
    with np.load(path, allow_pickle=False) as z:
        ins = {k[3:]: z[k] for k in z.files if k.startswith("in/")}
        outs = {k[4:]: z[k] for k in z.files if k.startswith("out/")}
    return ins, outs


def tolerance_for(artifact: dict, execution: str = precision.F32) -> dict:
    """The artifact's recorded tolerance (the exporter verified it in f32); a reduced execution precision
    adds its own error, so it is held to a cosine no tighter than that precision's."""
    own = artifact.get("smoke_tolerance") or DEFAULT_TOLERANCE.get(artifact["precision"], DEFAULT_INT8_TOLERANCE)
    reduced = precision.tolerance(execution)
    if reduced is None:
        return own
    return {"min_cosine": min(own.get("min_cosine", 1.0), reduced["min_cosine"])}


def compare(got: np.ndarray, want: np.ndarray) -> dict:
    a, b = np.asarray(got, np.float64).ravel(), np.asarray(want, np.float64).ravel()
    if a.shape != b.shape:
        return {"max_abs_err": float("inf"), "cosine": -1.0, "shape": f"{np.shape(got)} vs expected {np.shape(want)}"}
    max_abs = float(np.max(np.abs(a - b))) if a.size else 0.0
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    cosine = 1.0 if na == nb == 0 else float(a @ b / (na * nb)) if na and nb else 0.0
    return {"max_abs_err": max_abs, "cosine": cosine}


def check(outputs: dict, expected: dict, tolerance: dict) -> tuple[bool, dict, str]:
    """(passed, worst measures, reason if failed) over every expected output."""
    worst = {"max_abs_err": 0.0, "cosine": 1.0}
    for name, want in expected.items():
        if name not in outputs:
            return False, worst, f"output {name!r} missing (got {sorted(outputs)})"
        m = compare(outputs[name], want)
        if "shape" in m:
            return False, m, f"output {name!r} shape {m['shape']}"
        worst = {"max_abs_err": max(worst["max_abs_err"], m["max_abs_err"]), "cosine": min(worst["cosine"], m["cosine"])}
        if "max_abs_err" in tolerance and m["max_abs_err"] > tolerance["max_abs_err"]:
            return False, worst, f"output {name!r}: max abs error {m['max_abs_err']:.3g} > tolerance {tolerance['max_abs_err']:.3g}"
        if "min_cosine" in tolerance and m["cosine"] < tolerance["min_cosine"]:
            return False, worst, f"output {name!r}: cosine {m['cosine']:.6f} < tolerance {tolerance['min_cosine']}"
    return True, worst, ""
