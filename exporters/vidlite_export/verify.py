"""The hard gate: every artifact with a runtime here runs on held-out samples and is compared with
PyTorch fp32 (max abs error, cosine, task metric), against the tolerances in the task spec."""
from __future__ import annotations

import gc
import os
import threading
import time
from typing import Callable

import numpy as np

from vidlite_export.specs.base import ComponentSpec, Runner


class VerificationError(RuntimeError):
    """One or more artifacts fell outside their spec's tolerances; ``failures`` holds
    (component, format, precision, reason) for each."""

    def __init__(self, failures: list[tuple[str, str, str, str]]):
        self.failures = failures
        lines = [f"  {c} {f} {p}: {why}" for c, f, p, why in failures]
        super().__init__("verification failed for %d artifact(s) (use --keep-failed to keep them, marked "
                         "failed):\n%s" % (len(failures), "\n".join(lines)))


def parity(ref: list[dict[str, np.ndarray]], got: list[dict[str, np.ndarray]]) -> tuple[float, float]:
    """(max abs error, worst cosine over outputs), each output flattened across all samples."""
    err, cos = 0.0, 1.0
    for name in ref[0]:
        a = np.concatenate([r[name].astype(np.float64).ravel() for r in ref])
        b = np.concatenate([g[name].astype(np.float64).ravel() for g in got])
        if a.shape != b.shape:
            raise ValueError(f"output {name!r}: shape {b.shape} differs from PyTorch {a.shape}")
        err = max(err, float(np.abs(a - b).max()) if a.size else 0.0)
        na, nb = np.linalg.norm(a), np.linalg.norm(b)
        c = 1.0 if na == nb == 0 else float(a @ b / max(na * nb, 1e-30))
        cos = min(cos, c)
    return err, cos


def gate(comp: ComponentSpec, precision: str, max_err: float, cosine: float,
         metric: tuple[str, float] | None, ref_metric: float | None) -> tuple[bool, str]:
    """Checks one artifact against its spec tolerance; the reason says by how much it missed."""
    tol = comp.tolerance(precision)
    problems = []
    if cosine < tol.min_cosine:
        problems.append(f"cosine {cosine:.5f} < {tol.min_cosine}")
    if tol.max_abs_err is not None and max_err > tol.max_abs_err:
        problems.append(f"max abs err {max_err:.3g} > {tol.max_abs_err}")
    if metric is not None and ref_metric is not None:
        drop = ref_metric - metric[1]
        rel = drop / abs(ref_metric) if abs(ref_metric) > 1e-9 else drop
        if rel > tol.metric_rel:
            problems.append(f"{metric[0]} {metric[1]:.4f} vs PyTorch fp32 {ref_metric:.4f} "
                            f"({100 * rel:.2f}% drop > {100 * tol.metric_rel:.2f}%)")
    if problems:
        return False, "; ".join(problems)
    m = f", {metric[0]} {metric[1]:.4f} (fp32 {ref_metric:.4f})" if metric and ref_metric is not None else ""
    return True, f"cosine {cosine:.5f}, max abs err {max_err:.3g}{m}"


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(make_runner: Callable[[], Runner], feeds: dict, repeats: int = 10, min_repeats: int = 3,
            budget_s: float = 2.0) -> tuple[Runner, float, float]:
    """Loads the artifact and times up to ``repeats`` runs on one sample (1 thread, median ms),
    stopping after ``min_repeats`` once the runs took ``budget_s`` (the 736-pixel OCR detector
    takes 0.3-1.8 s a run here: ten runs of each of its six artifacts cost a minute); peak memory
    is the largest rise of this process's RSS over its level before loading, sampled every ms."""
    gc.collect()
    base = _rss_mb()
    peak = [base]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_mb())
            time.sleep(0.001)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    try:
        run = make_runner()
        run(feeds)  # warm-up: first-run allocations belong to memory, not latency
        times = []
        while len(times) < repeats and (len(times) < min_repeats or sum(times) < budget_s):
            t = time.perf_counter()
            run(feeds)
            times.append(time.perf_counter() - t)
    finally:
        stop.set()
        th.join()
    peak[0] = max(peak[0], _rss_mb())
    return run, 1000 * float(np.median(times)), max(0.0, peak[0] - base)
