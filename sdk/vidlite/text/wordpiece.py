"""BERT WordPiece tokenizer in pure Python (the text tower of MiniLM and other BERT-family encoders).

Reproduces the Hugging Face ``BertTokenizer`` pipeline — text cleanup, CJK splitting, lowercasing with
accent stripping, punctuation splitting, then greedy longest-match-first WordPiece — so a device can
tokenize queries with nothing but the model's ``vocab.txt``.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import numpy as np

# BERT treats every non-letter/number ASCII symbol as punctuation, even those Unicode files elsewhere
# (e.g. "$", "^", "`"), so they split words the same way the vocabulary was built.
_ASCII_PUNCT = {c for c in range(33, 127) if not chr(c).isalnum()}
_CJK_RANGES = (
    (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F),
)


def _is_whitespace(ch: str) -> bool:
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_control(ch: str) -> bool:
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def _is_punctuation(ch: str) -> bool:
    return ord(ch) in _ASCII_PUNCT or unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


class WordPieceTokenizer:
    """Tokenizer for BERT-style ``vocab.txt`` files (one token per line, id = line number).

    ``tok(["a red ball"], max_length=32)`` returns int64 ``input_ids``, ``attention_mask`` and
    ``token_type_ids`` of shape (N, L), padded to the longest text (or to ``max_length`` with
    ``pad_to_max=True``), each sequence ``[CLS] … [SEP]`` and truncated to ``max_length``.
    """

    def __init__(self, vocab_path: str | Path, lowercase: bool = True, max_length: int = 256,
                 unk_token: str = "[UNK]", cls_token: str = "[CLS]", sep_token: str = "[SEP]",
                 pad_token: str = "[PAD]", max_chars_per_word: int = 100):
        path = Path(vocab_path)
        if not path.is_file():
            raise FileNotFoundError(f"vocab_path: no WordPiece vocabulary file at {path}")
        tokens = path.read_text(encoding="utf-8").split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
        self.vocab: dict[str, int] = {}
        for i, t in enumerate(tokens):
            self.vocab.setdefault(t.rstrip("\r"), i)
        self.inv_vocab = {i: t for t, i in self.vocab.items()}
        for name, tok in (("unk_token", unk_token), ("cls_token", cls_token),
                          ("sep_token", sep_token), ("pad_token", pad_token)):
            if tok not in self.vocab:
                raise ValueError(f"{name} {tok!r} is not in the vocabulary {path}")
        if max_length < 2:
            raise ValueError(f"max_length must be >= 2 (room for [CLS] and [SEP]), got {max_length}")
        self.lowercase = lowercase
        self.max_length = max_length
        self.max_chars_per_word = max_chars_per_word
        self.unk_token = unk_token
        self.unk_id, self.cls_id = self.vocab[unk_token], self.vocab[cls_token]
        self.sep_id, self.pad_id = self.vocab[sep_token], self.vocab[pad_token]

    # --- basic tokenization -------------------------------------------------------------------
    def _basic_tokens(self, text: str) -> list[str]:
        out = []
        for ch in text:
            cp = ord(ch)
            if cp == 0 or cp == 0xFFFD or _is_control(ch):
                continue
            if _is_whitespace(ch):
                out.append(" ")
            elif _is_cjk(cp):
                out.append(f" {ch} ")
            else:
                out.append(ch)
        words = []
        for word in "".join(out).split():
            if self.lowercase:
                word = "".join(c for c in unicodedata.normalize("NFD", word.lower())
                               if unicodedata.category(c) != "Mn")
            current = ""
            for ch in word:
                if _is_punctuation(ch):
                    if current:
                        words.append(current)
                    words.append(ch)
                    current = ""
                else:
                    current += ch
            if current:
                words.append(current)
        return words

    def _wordpiece(self, word: str) -> list[str]:
        if len(word) > self.max_chars_per_word:
            return [self.unk_token]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    break
                end -= 1
            if end == start:
                return [self.unk_token]
            pieces.append(piece)
            start = end
        return pieces

    # --- public API ---------------------------------------------------------------------------
    def tokenize(self, text: str) -> list[str]:
        if not isinstance(text, str):
            raise TypeError(f"text must be str, got {type(text).__name__}")
        return [p for w in self._basic_tokens(text) for p in self._wordpiece(w)]

    def encode(self, text: str, max_length: int | None = None) -> list[int]:
        """Token ids of one text with ``[CLS]``/``[SEP]``, truncated to ``max_length``."""
        limit = self.max_length if max_length is None else max_length
        ids = [self.vocab.get(t, self.unk_id) for t in self.tokenize(text)][: limit - 2]
        return [self.cls_id, *ids, self.sep_id]

    def decode(self, ids) -> str:
        specials = {self.cls_id, self.sep_id, self.pad_id}
        text = " ".join(self.inv_vocab.get(int(i), self.unk_token) for i in ids if int(i) not in specials)
        return text.replace(" ##", "")

    def __call__(self, texts: str | list[str], max_length: int | None = None,
                 pad_to_max: bool = False) -> dict[str, np.ndarray]:
        if isinstance(texts, str):
            texts = [texts]
        if not texts:
            raise ValueError("texts: expected at least one text")
        limit = self.max_length if max_length is None else max_length
        seqs = [self.encode(t, limit) for t in texts]
        width = limit if pad_to_max else max(len(s) for s in seqs)
        ids = np.full((len(seqs), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(seqs), width), dtype=np.int64)
        for i, s in enumerate(seqs):
            ids[i, : len(s)] = s
            mask[i, : len(s)] = 1
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
