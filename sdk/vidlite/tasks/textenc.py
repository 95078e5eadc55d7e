"""Feeding text to an exported text tower / text classifier: WordPiece ids shaped as its inputs want."""
from __future__ import annotations

import numpy as np


class TextFeeder:
    """Tokenizes texts into exactly the inputs a runner declares (input_ids, attention_mask,
    token_type_ids — whichever it has), padded to the bundle's ``text.max_length``: text towers are
    exported at that sequence length, and formats without dynamic shapes accept nothing else."""

    def __init__(self, runner, tokenizer, max_length: int):
        self.runner, self.tokenizer, self.max_length = runner, tokenizer, max_length
        self.names = [t["name"] for t in runner.inputs]

    def feeds(self, texts: list[str]) -> dict[str, np.ndarray]:
        enc = self.tokenizer(texts, max_length=self.max_length, pad_to_max=True)
        missing = [n for n in self.names if n not in enc]
        if missing:
            raise KeyError(f"text component inputs {missing} are not tokenizer outputs {sorted(enc)}")
        return {n: enc[n] for n in self.names}

    def __call__(self, texts: list[str]) -> np.ndarray:
        out = self.runner.run(self.feeds(texts))
        return np.asarray(out[self.runner.outputs[0]["name"]], np.float32)


def softmax(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return (e / e.sum(axis=-1, keepdims=True)).astype(np.float32)


def wordpiece_for(model):
    """The bundle's WordPiece tokenizer (manifest ``text``)."""
    from vidlite.text import WordPieceTokenizer

    text = model.manifest["text"]
    return WordPieceTokenizer(model.file(text["tokenizer"]["path"]), max_length=int(text["max_length"])), \
        int(text["max_length"])
