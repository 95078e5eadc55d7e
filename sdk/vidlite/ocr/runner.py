"""Adapters that turn an ONNX file into the ``run(feeds) -> {name: array}`` callable the OCR stages take."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

RunFn = Callable[[dict], "dict[str, np.ndarray] | list[np.ndarray]"]


def _session(path: str | Path, threads: int | None):
    import onnxruntime as ort

    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"model path: no ONNX file at {p}")
    opts = ort.SessionOptions()
    if threads:
        opts.intra_op_num_threads = threads
    return ort.InferenceSession(str(p), opts, providers=["CPUExecutionProvider"])


def onnx_runner(path: str | Path, threads: int | None = None) -> RunFn:
    """A CPU ONNX Runtime session wrapped as ``run({input: array}) -> {output: array}``."""
    sess = _session(path, threads)
    names = [o.name for o in sess.get_outputs()]

    def run(feeds: dict) -> dict:
        return dict(zip(names, sess.run(names, feeds)))

    run.input_names = [i.name for i in sess.get_inputs()]
    return run


def charset_from_onnx(path: str | Path, key: str = "character") -> list[str]:
    """The recognizer's character list stored in the ONNX metadata (PP-OCR exports carry it there)."""
    meta = _session(path, 1).get_modelmeta().custom_metadata_map
    if key not in meta:
        raise ValueError(f"{path}: ONNX metadata has no {key!r} entry (keys: {sorted(meta)})")
    return meta[key].splitlines()


def first_output(outputs) -> np.ndarray:
    """The single output of a ``run`` call, whether it returns a dict or a list."""
    if isinstance(outputs, dict):
        if len(outputs) != 1:
            raise ValueError(f"expected one model output, got {sorted(outputs)}")
        return np.asarray(next(iter(outputs.values())))
    return np.asarray(outputs[0])
