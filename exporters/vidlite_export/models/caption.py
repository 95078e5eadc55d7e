"""Caption reference model: a mobile CNN clip encoder and a small transformer decoder whose
``forward`` is one decoding step with a fixed-length KV cache (so every format can export it).

Components (what the exporter traces):
- ``encoder``: frames float32 (N, T, 3, 64, 64) in [-1, 1] → memory float32 (N, T, d).
- ``decoder``: token int64 (N,), position int64 (N,), past_k/past_v float32 (N, layers, heads, max_len,
  head_dim), memory (N, T, d) → logits (N, vocab), present_k, present_v (same shape as past).
``CaptionDecoder.teacher_forced`` runs a whole sequence at once for training, with the same weights.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from vidlite.text import decode

NEG = -1e4  # additive mask; finite so fp16 conversions never produce NaN from -inf - -inf


@dataclass(frozen=True)
class CaptionConfig:
    vocab_size: int
    frames: int = 8
    size: int = 64
    dim: int = 128
    heads: int = 4
    layers: int = 2
    ffn: int = 256
    max_len: int = 20
    channels: tuple[int, ...] = (16, 32, 64, 96)  # stride-2 3×3 convs: 64 → 4×4

    @property
    def head_dim(self) -> int:
        return self.dim // self.heads

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "CaptionConfig":
        d = dict(d)
        d["channels"] = tuple(d["channels"])
        return cls(**d)


def conv_bn_act(cin: int, cout: int, stride: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.Hardswish())


def _split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:  # (N, S, D) → (N, H, S, Dh)
    n, s, d = x.shape
    return x.reshape(n, s, heads, d // heads).transpose(1, 2)


def _merge_heads(x: torch.Tensor) -> torch.Tensor:  # (N, H, S, Dh) → (N, S, D)
    n, h, s, dh = x.shape
    return x.transpose(1, 2).reshape(n, s, h * dh)


def _attend(q, k, v, mask=None):
    att = q @ k.transpose(-1, -2) * (q.shape[-1] ** -0.5)
    if mask is not None:
        att = att + mask
    return torch.softmax(att, dim=-1) @ v


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))

    def forward(self, x, ctx, mask=None):
        h = self.heads
        out = _attend(_split_heads(self.q(x), h), _split_heads(self.k(ctx), h), _split_heads(self.v(ctx), h), mask)
        return self.o(_merge_heads(out))


class ClipEncoder(nn.Module):
    """Per-frame CNN whose 4×4 feature map is flattened (position matters for motion), then one
    self-attention layer across frames (motion is a relation between frames)."""

    def __init__(self, cfg: CaptionConfig):
        super().__init__()
        # Full-resolution first layer: a coarser (patchify) stem confused small circles with squares.
        chans = (3,) + tuple(cfg.channels)
        self.cnn = nn.Sequential(*[conv_bn_act(a, b, 2) for a, b in zip(chans[:-1], chans[1:])])
        cells = (cfg.size // 2 ** len(cfg.channels)) ** 2
        self.proj = nn.Linear(cfg.channels[-1] * cells, cfg.dim)
        self.time = nn.Parameter(torch.zeros(1, cfg.frames, cfg.dim))
        self.norm1 = nn.LayerNorm(cfg.dim)
        self.attn = Attention(cfg.dim, cfg.heads)
        self.norm2 = nn.LayerNorm(cfg.dim)
        self.mlp = nn.Sequential(nn.Linear(cfg.dim, cfg.ffn), nn.Hardswish(), nn.Linear(cfg.ffn, cfg.dim))
        self.norm_out = nn.LayerNorm(cfg.dim)
        self.cfg = cfg

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        c = self.cfg
        x = self.cnn(frames.reshape(-1, 3, c.size, c.size))
        x = self.proj(x.flatten(1)).reshape(-1, c.frames, c.dim) + self.time
        y = self.norm1(x)
        x = x + self.attn(y, y)
        x = x + self.mlp(self.norm2(x))
        return self.norm_out(x)


class DecoderLayer(nn.Module):
    def __init__(self, cfg: CaptionConfig):
        super().__init__()
        self.norm1, self.norm2, self.norm3 = (nn.LayerNorm(cfg.dim) for _ in range(3))
        self.self_attn = Attention(cfg.dim, cfg.heads)
        self.cross_attn = Attention(cfg.dim, cfg.heads)
        self.mlp = nn.Sequential(nn.Linear(cfg.dim, cfg.ffn), nn.Hardswish(), nn.Linear(cfg.ffn, cfg.dim))


class CaptionDecoder(nn.Module):
    """Pre-norm transformer decoder; ``forward`` is one step with a KV cache, ``teacher_forced`` the
    parallel training pass. Both compute the same function."""

    def __init__(self, cfg: CaptionConfig):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, cfg.dim)
        self.pos = nn.Embedding(cfg.max_len, cfg.dim)
        self.layers = nn.ModuleList(DecoderLayer(cfg) for _ in range(cfg.layers))
        self.norm = nn.LayerNorm(cfg.dim)
        self.head = nn.Linear(cfg.dim, cfg.vocab_size)

    def teacher_forced(self, tokens: torch.Tensor, memory: torch.Tensor) -> torch.Tensor:
        """tokens int64 (N, S) starting with <bos> → logits (N, S, vocab)."""
        s = tokens.shape[1]
        x = self.tok(tokens) + self.pos(torch.arange(s, device=tokens.device))[None]
        causal = torch.triu(torch.full((s, s), NEG, device=tokens.device), diagonal=1)
        for layer in self.layers:
            y = layer.norm1(x)
            x = x + layer.self_attn(y, y, causal)
            x = x + layer.cross_attn(layer.norm2(x), memory)
            x = x + layer.mlp(layer.norm3(x))
        return self.head(self.norm(x))

    def forward(self, token, position, past_k, past_v, memory):
        c = self.cfg
        x = (self.tok(token) + self.pos(position))[:, None, :]  # (N, 1, D)
        slots = torch.arange(c.max_len, device=token.device)
        write = (slots[None, :] == position[:, None]).to(x.dtype)[:, None, :, None]  # (N, 1, M, 1)
        mask = ((slots[None, :] > position[:, None]).to(x.dtype) * NEG)[:, None, None, :]  # (N, 1, 1, M)
        keys, values = [], []
        for i, layer in enumerate(self.layers):
            y = layer.norm1(x)
            att = layer.self_attn
            k = past_k[:, i] * (1 - write) + _split_heads(att.k(y), c.heads) * write
            v = past_v[:, i] * (1 - write) + _split_heads(att.v(y), c.heads) * write
            keys.append(k)
            values.append(v)
            x = x + att.o(_merge_heads(_attend(_split_heads(att.q(y), c.heads), k, v, mask)))
            x = x + layer.cross_attn(layer.norm2(x), memory)
            x = x + layer.mlp(layer.norm3(x))
        logits = self.head(self.norm(x))[:, 0]
        return logits, torch.stack(keys, 1), torch.stack(values, 1)


class CaptionModel(nn.Module):
    """Container of the two exported components: ``encoder`` and ``decoder`` (the step)."""

    def __init__(self, cfg: CaptionConfig):
        super().__init__()
        self.cfg = cfg
        self.encoder = ClipEncoder(cfg)
        self.decoder = CaptionDecoder(cfg)

    def forward(self, frames: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        return self.decoder.teacher_forced(tokens, self.encoder(frames))

    def initial_state(self, memory: np.ndarray) -> decode.State:
        c = self.cfg
        return decode.initial_state(memory, c.layers, c.heads, c.max_len, c.head_dim)

    def torch_step(self) -> decode.Step:
        """The decoder step as a NumPy ``decode.Step`` (runs PyTorch), for the shared decoders."""
        def run(feeds):
            with torch.no_grad():
                out = self.decoder(*(torch.from_numpy(np.ascontiguousarray(feeds[n])) for n in decode.STEP_INPUTS))
            return dict(zip(decode.STEP_OUTPUTS, (o.numpy() for o in out)))
        return decode.step_from_runner(run)

    @torch.no_grad()
    def generate(self, frames: np.ndarray, bos_id: int, eos_id: int, beam_width: int = 1) -> list[list[int]]:
        """Token ids for a batch of preprocessed clips float32 (N, T, 3, H, W)."""
        memory = self.encoder(torch.from_numpy(np.ascontiguousarray(frames))).numpy()
        state = self.initial_state(memory)
        max_new = self.cfg.max_len
        if beam_width == 1:
            return decode.greedy(self.torch_step(), state, bos_id, eos_id, max_new)
        return decode.beam(self.torch_step(), state, bos_id, eos_id, max_new, width=beam_width)


def load(weights_dir) -> CaptionModel:
    """The trained model from ``weights_dir`` (model.safetensors + vocab.json), in eval mode, with its
    tokenizer as ``model.tokenizer``."""
    from pathlib import Path

    from vidlite.text import WordTokenizer
    from vidlite_export.train.common import load_model

    weights_dir = Path(weights_dir)
    model = load_model(weights_dir, "caption", CaptionModel, CaptionConfig)
    model.tokenizer = WordTokenizer.from_file(weights_dir / "vocab.json")
    if model.tokenizer.vocab_size != model.cfg.vocab_size:
        raise ValueError(f"{weights_dir}: vocab.json has {model.tokenizer.vocab_size} tokens, "
                         f"the weights expect {model.cfg.vocab_size}")
    return model
