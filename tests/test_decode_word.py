"""Caption word tokenizer and the shared greedy/beam decoders (pure NumPy)."""
import json

import numpy as np
import pytest

from vidlite.text import WordTokenizer
from vidlite.text import decode


def test_word_tokenizer_roundtrip(tmp_path):
    tok = WordTokenizer.from_words(["red", "circle", "moves", "left", "a"])
    ids = tok.encode("A red circle, moves LEFT!", max_length=10)
    assert ids[0] == tok.bos_id and ids[6] == tok.eos_id and ids[7:] == [tok.pad_id] * 3
    assert tok.decode(ids) == "a red circle moves left"
    assert tok.encode("a blue circle", bos=False, eos=False)[1] == tok.unk_id
    again = WordTokenizer.from_file(tok.save(tmp_path / "vocab.json"))
    assert again.tokens == tok.tokens
    with pytest.raises(ValueError, match="max_length"):
        tok.encode("a red circle moves left", max_length=4)


def test_word_tokenizer_bad_files(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"tokens": ["x"]}))
    with pytest.raises(ValueError, match="not a word vocabulary"):
        WordTokenizer.from_file(bad)
    with pytest.raises(ValueError, match="cannot read"):
        WordTokenizer.from_file(tmp_path / "missing.json")
    with pytest.raises(ValueError, match="must start with"):
        WordTokenizer(["a", "b"])


def _table_step(table):
    """A step over a fixed next-token log-prob table keyed by the previous token; the state carries a
    per-row counter so beam reordering of state is exercised too."""
    def step(tokens, position, state):
        assert np.all(state["count"][:, 0] == position)
        logits = np.stack([table[int(t)] for t in tokens])
        return logits, {"count": state["count"] + 1}
    return step


def test_beam_beats_greedy_on_a_garden_path():
    # vocab: 0 pad, 1 bos, 2 eos, 3 "x", 4 "y"
    lp = lambda d: np.log(np.array([d.get(i, 1e-9) for i in range(5)]))  # noqa: E731
    table = {1: lp({3: 0.6, 4: 0.4}), 3: lp({2: 0.3, 3: 0.35, 4: 0.35}), 4: lp({2: 0.95, 3: 0.05}),
             2: lp({2: 1.0}), 0: lp({2: 1.0})}  # 0: dead beams feed <pad>
    state = {"count": np.zeros((2, 1), np.int64)}
    greedy = decode.greedy(_table_step(table), state, bos_id=1, eos_id=2, max_len=6)
    assert greedy == [[3] * 6] * 2  # greedy takes the locally best "x" and never gets out
    beam = decode.beam(_table_step(table), state, bos_id=1, eos_id=2, max_len=6, width=3, length_penalty=0.0)
    assert beam == [[4], [4]]  # p(y, eos) = 0.38 beats every x… path
    # width 1 beam equals greedy when greedy ends
    table2 = {1: lp({3: 0.9, 4: 0.1}), 3: lp({2: 0.9, 3: 0.1}), 4: lp({2: 1.0}), 2: lp({2: 1.0}), 0: lp({2: 1.0})}
    g = decode.greedy(_table_step(table2), state, 1, 2, 5)
    assert g == decode.beam(_table_step(table2), state, 1, 2, 5, width=1) == [[3], [3]]


def test_decode_bad_arguments():
    state = {"a": np.zeros((2, 1)), "b": np.zeros((3, 1))}
    with pytest.raises(ValueError, match="batch"):
        decode.greedy(lambda *a: None, state, 1, 2, 3)
    with pytest.raises(ValueError, match="width"):
        decode.beam(lambda *a: None, {"a": np.zeros((1, 1))}, 1, 2, 3, width=0)


def test_step_from_runner_passes_names_and_dtypes():
    seen = {}

    def run(feeds):
        seen.update({k: v.dtype for k, v in feeds.items()})
        n = feeds["token"].shape[0]
        return {"logits": np.zeros((n, 5)), "present_k": feeds["past_k"] + 1, "present_v": feeds["past_v"]}

    state = decode.initial_state(np.zeros((2, 8, 16), np.float32), layers=2, heads=2, max_len=4, head_dim=8)
    step = decode.step_from_runner(run, index_dtype=np.int32)
    _, new = step(np.array([1, 1]), 0, state)
    assert seen["token"] == np.int32 and seen["position"] == np.int32
    assert set(seen) == set(decode.STEP_INPUTS) and new["past_k"].max() == 1
