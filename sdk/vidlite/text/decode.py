"""Autoregressive decoding (greedy and beam search) over a NumPy step function with a KV cache.

The same code decodes with the PyTorch reference at export/evaluation time and with any backend at run
time, so both produce the same captions from the same logits.

A *step* is ``step(tokens, position, state) -> (logits, state)``: ``tokens`` int64 (N,), ``position``
the int index of those tokens, ``logits`` float (N, V); ``state`` is a dict of arrays whose first axis
is the batch (KV caches, encoder memory), which beam search tiles and reorders along that axis.
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np

State = dict[str, np.ndarray]
Step = Callable[[np.ndarray, int, State], tuple[np.ndarray, State]]


def _log_softmax(x: np.ndarray) -> np.ndarray:
    x = x.astype(np.float64)
    x = x - x.max(axis=-1, keepdims=True)
    return x - np.log(np.exp(x).sum(axis=-1, keepdims=True))


def _take(state: State, idx: np.ndarray) -> State:
    return {k: np.take(v, idx, axis=0) for k, v in state.items()}


def greedy(step: Step, state: State, bos_id: int, eos_id: int, max_len: int) -> list[list[int]]:
    """Most likely token at every step, for each batch row, until ``<eos>`` or ``max_len`` tokens.
    Returns token ids per row without ``<bos>``/``<eos>``."""
    n = _batch(state)
    tokens = np.full(n, bos_id, np.int64)
    out = np.zeros((n, max_len), np.int64)
    done = np.zeros(n, bool)
    length = np.full(n, max_len)
    for pos in range(max_len):
        logits, state = step(tokens, pos, state)
        tokens = np.asarray(logits).argmax(axis=-1).astype(np.int64)
        out[:, pos] = tokens
        newly = ~done & (tokens == eos_id)
        length[newly] = pos
        done |= newly
        if done.all():
            break
    return [out[i, :length[i]].tolist() for i in range(n)]


def beam(step: Step, state: State, bos_id: int, eos_id: int, max_len: int, width: int = 4,
         length_penalty: float = 1.0) -> list[list[int]]:
    """Beam search of ``width`` hypotheses per batch row; finished hypotheses are ranked by
    log-probability / length**``length_penalty`` (length counts ``<eos>``; ``length_penalty`` >= 0).
    Returns the best token ids per row."""
    if length_penalty < 0:
        raise ValueError(f"beam: length_penalty must be >= 0, got {length_penalty}")
    if width < 1:
        raise ValueError(f"beam: width must be >= 1, got {width}")
    n = _batch(state)
    state = _take(state, np.repeat(np.arange(n), width))
    tokens = np.full(n * width, bos_id, np.int64)
    scores = np.full((n, width), -np.inf)
    scores[:, 0] = 0.0  # all beams start identical: keep one so the first step does not pick duplicates
    seqs = np.zeros((n, width, 0), np.int64)
    finished: list[list[tuple[float, list[int]]]] = [[] for _ in range(n)]
    for pos in range(max_len):
        logits, state = step(tokens, pos, state)
        logp = _log_softmax(np.asarray(logits)).reshape(n, width, -1)
        v = logp.shape[-1]
        cand = (scores[..., None] + logp).reshape(n, -1)
        top = np.argsort(-cand, axis=1, kind="stable")[:, :2 * width]  # spare candidates replace ended ones
        new_scores = np.full((n, width), -np.inf)
        new_seqs = np.zeros((n, width, pos + 1), np.int64)
        src = np.zeros((n, width), np.int64)
        for b in range(n):
            kept = 0
            for c in top[b]:
                beam_i, tok = divmod(int(c), v)
                s = cand[b, c]
                if not np.isfinite(s):
                    break
                if tok == eos_id:
                    seq = seqs[b, beam_i].tolist()
                    finished[b].append((s / max(len(seq) + 1, 1) ** length_penalty, seq))
                    continue
                new_scores[b, kept] = s
                new_seqs[b, kept, :pos] = seqs[b, beam_i]
                new_seqs[b, kept, pos] = tok
                src[b, kept] = beam_i
                kept += 1
                if kept == width:
                    break
        scores, seqs = new_scores, new_seqs
        state = _take(state, (np.arange(n)[:, None] * width + src).reshape(-1))
        tokens = seqs[:, :, -1].reshape(-1)
        # Stop once no open hypothesis can beat the best finished one: scores only fall as tokens are
        # added, so an open beam's best possible normalised score is its score / (max_len+1)**penalty.
        bound = scores.max(axis=1) / float(max_len + 1) ** length_penalty
        if all(finished[b] and max(f[0] for f in finished[b]) >= bound[b] for b in range(n)):
            break
    results = []
    for b in range(n):
        if not finished[b]:  # nothing ended within max_len: take the best open hypothesis
            finished[b].append((scores[b].max(), seqs[b, int(scores[b].argmax())].tolist()))
        results.append(max(finished[b], key=lambda f: f[0])[1])
    return results


def _batch(state: State) -> int:
    sizes = {v.shape[0] for v in state.values()}
    if len(sizes) != 1:
        raise ValueError(f"decode: every state array needs the same batch (first) axis, got {sorted(sizes)}")
    return sizes.pop()


# Names of the exported caption decoder step (see vidlite_export.models.caption).
STEP_INPUTS = ("token", "position", "past_k", "past_v", "memory")
STEP_OUTPUTS = ("logits", "present_k", "present_v")


def step_from_runner(run: Callable[[Mapping[str, np.ndarray]], Mapping[str, np.ndarray]],
                     index_dtype=np.int64) -> Step:
    """Adapts a decoder-step runner (``{name: array} -> {name: array}``, e.g. a backend component's
    ``run``) to a ``Step``. The state holds ``past_k``, ``past_v`` (N, layers, heads, max_len, head_dim)
    and ``memory`` (N, frames, dim); ``index_dtype`` is int32 for backends that have no int64 (TFLite)."""
    def step(tokens: np.ndarray, position: int, state: State):
        n = tokens.shape[0]
        out = run({"token": tokens.astype(index_dtype), "position": np.full(n, position, index_dtype),
                   "past_k": state["past_k"], "past_v": state["past_v"], "memory": state["memory"]})
        return out["logits"], {"past_k": out["present_k"], "past_v": out["present_v"], "memory": state["memory"]}
    return step


def initial_state(memory: np.ndarray, layers: int, heads: int, max_len: int, head_dim: int) -> State:
    """Empty KV caches for a batch of encoder ``memory`` (N, frames, dim)."""
    n = memory.shape[0]
    zeros = np.zeros((n, layers, heads, max_len, head_dim), np.float32)
    return {"past_k": zeros, "past_v": zeros.copy(), "memory": np.asarray(memory, np.float32)}
