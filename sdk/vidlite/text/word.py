"""Word-level tokenizer for caption vocabularies (a JSON list of words plus special tokens)."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Iterable, Sequence

SPECIALS = ("<pad>", "<bos>", "<eos>", "<unk>")
_WORD = re.compile(r"[a-z0-9']+")


class WordTokenizer:
    """Lowercased whitespace/punctuation word splitting over a closed vocabulary.

    Ids 0..3 are ``<pad> <bos> <eos> <unk>``; the file format is JSON
    ``{"type": "word", "tokens": [...all tokens in id order...]}``.
    """

    def __init__(self, tokens: Sequence[str]):
        tokens = list(tokens)
        if tuple(tokens[:len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"WordTokenizer: tokens must start with {SPECIALS}, got {tokens[:4]}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("WordTokenizer: duplicate tokens in vocabulary")
        self.tokens = tokens
        self._ids = {t: i for i, t in enumerate(tokens)}
        self.pad_id, self.bos_id, self.eos_id, self.unk_id = range(4)

    @classmethod
    def from_words(cls, words: Iterable[str]) -> "WordTokenizer":
        return cls(list(SPECIALS) + sorted(set(words) - set(SPECIALS)))

    @classmethod
    def from_file(cls, path) -> "WordTokenizer":
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ValueError(f"WordTokenizer: cannot read vocabulary {path}: {e}") from e
        if not isinstance(data, dict) or data.get("type") != "word" or not isinstance(data.get("tokens"), list):
            raise ValueError(f"WordTokenizer: {path} is not a word vocabulary "
                             f"(expected {{\"type\": \"word\", \"tokens\": [...]}})")
        return cls(data["tokens"])

    def save(self, path) -> Path:
        path = Path(path)
        path.write_text(json.dumps({"type": "word", "tokens": self.tokens}, indent=0) + "\n")
        return path

    def __len__(self) -> int:
        return len(self.tokens)

    @property
    def vocab_size(self) -> int:
        return len(self.tokens)

    def split(self, text: str) -> list[str]:
        return _WORD.findall(text.lower())

    def encode(self, text: str, bos: bool = True, eos: bool = True, max_length: int | None = None) -> list[int]:
        """Token ids of ``text`` (unknown words → ``<unk>``), with ``<bos>``/``<eos>``, padded with
        ``<pad>`` to ``max_length`` when given (raises if it does not fit)."""
        ids = [self._ids.get(w, self.unk_id) for w in self.split(text)]
        ids = ([self.bos_id] if bos else []) + ids + ([self.eos_id] if eos else [])
        if max_length is not None:
            if len(ids) > max_length:
                raise ValueError(f"WordTokenizer.encode: {len(ids)} tokens exceed max_length={max_length}: {text!r}")
            ids += [self.pad_id] * (max_length - len(ids))
        return ids

    def decode(self, ids: Iterable[int]) -> str:
        """Words of ``ids`` up to the first ``<eos>``, special tokens dropped."""
        words = []
        for i in ids:
            i = int(i)
            if i == self.eos_id:
                break
            if i < len(SPECIALS):
                continue
            if not 0 <= i < len(self.tokens):
                raise ValueError(f"WordTokenizer.decode: id {i} outside vocabulary of {len(self.tokens)}")
            words.append(self.tokens[i])
        return " ".join(words)
