"""Feeding text to an exported text tower / text classifier: WordPiece ids shaped as its inputs want."""
from __future__ import annotations

import numpy as np


class TextFeeder:
    """Tokenizes texts into exactly the inputs a runner declares (input_ids, attention_mask,
    token_type_ids — whichever it has), padding to the fixed length when the artifact has one."""

    def __init__(self, runner, tokenizer, max_length: int):
        self.runner, self.tokenizer, self.max_length = runner, tokenizer, max_length
        self.names = [t["name"] for t in runner.inputs]
        seq = runner.inputs[0]["shape"][1] if len(runner.inputs[0]["shape"]) > 1 else None
        self.fixed = int(seq) if isinstance(seq, int) else None

    def feeds(self, texts: list[str]) -> dict[str, np.ndarray]:
        length = self.fixed or self.max_length
        enc = self.tokenizer(texts, max_length=length, pad_to_max=self.fixed is not None)
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
