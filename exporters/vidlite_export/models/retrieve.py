"""Retrieve reference model: a video tower trained contrastively against the frozen real MiniLM-L6
text tower, so text → video search works for any English query, not just the caption grammar.

Components (what the exporter carries):
- ``video_encoder``: frames float32 (N, T, 3, 64, 64) in [-1, 1] → embedding float32 (N, 384),
  unit norm, in MiniLM's sentence-embedding space. Trained here.
- ``text_encoder``: the real MiniLM-L6 (``vidlite_export.models.minilm``), frozen: (input_ids,
  attention_mask) int64 → embedding (N, 384), unit norm (mean pooling + L2, as sentence-transformers).
Similarity is the dot product of the two embeddings.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
from torch import nn

from vidlite_export.models import minilm
from vidlite_export.models.clip_features import ClipFeatures, ClipFeaturesConfig


@dataclass(frozen=True)
class RetrieveConfig:
    clip: ClipFeaturesConfig = field(default_factory=lambda: ClipFeaturesConfig(dim=256))
    hidden: int = 512
    embed_dim: int = minilm.DIM

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "RetrieveConfig":
        return cls(clip=ClipFeaturesConfig.from_dict(d["clip"]), hidden=d["hidden"], embed_dim=d["embed_dim"])


class VideoEncoder(nn.Module):
    """frames (N, T, 3, S, S) → unit-norm embedding (N, 384): per-frame features pooled over time
    (mean for what is there, max for what happens once), then an MLP into the text space."""

    def __init__(self, cfg: RetrieveConfig):
        super().__init__()
        self.features = ClipFeatures(cfg.clip)
        d = cfg.clip.dim
        self.head = nn.Sequential(nn.Linear(2 * d, cfg.hidden), nn.ReLU(), nn.Linear(cfg.hidden, cfg.embed_dim))

    def pooled(self, frames: torch.Tensor) -> torch.Tensor:
        f = self.features(frames)
        return torch.cat([f.mean(1), f.amax(1)], dim=1)

    def embed(self, pooled: torch.Tensor) -> torch.Tensor:
        return nn.functional.normalize(self.head(pooled), dim=-1)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return self.embed(self.pooled(frames))


class RetrieveModel(minilm.FrozenMiniLM):
    """``video_encoder`` (trained, in the safetensors) plus the frozen package MiniLM ``text_encoder``;
    ``logit_scale`` is the learned contrastive temperature (1/τ), kept for reference."""

    def __init__(self, cfg: RetrieveConfig = RetrieveConfig()):
        super().__init__()
        self.cfg = cfg
        self.video_encoder = VideoEncoder(cfg)
        self.logit_scale = nn.Parameter(torch.tensor(2.659))  # log(1/0.07), as CLIP starts


def load(weights_dir: str | Path) -> RetrieveModel:
    """The trained model from ``weights_dir/model.safetensors`` in eval mode."""
    from vidlite_export.train.common import load_model

    return load_model(weights_dir, "retrieve", RetrieveModel, RetrieveConfig)
