"""Per-frame clip features shared by the understand and retrieve reference models: a mobile CNN on
each frame (a patchify stem, then stride-2 convs) whose small final feature map is flattened (where the object is matters for motion),
then residual temporal convolutions across frames (events and motion are relations between nearby
frames). Export-friendly ops only: Conv, BatchNorm (folded at export), ReLU, Linear, reshape."""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class ClipFeaturesConfig:
    frames: int = 8
    size: int = 64
    stem: int = 4                                # patchify stem: stem×stem kernel, stride stem
    channels: tuple[int, ...] = (32, 64, 96)     # stem width, then one stride-2 conv per entry
    dim: int = 192
    temporal_layers: int = 2

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "ClipFeaturesConfig":
        return cls(**{**d, "channels": tuple(d["channels"])})


class ClipFeatures(nn.Module):
    """frames float32 (N, T, 3, S, S) → per-frame features (N, T, dim)."""

    def __init__(self, cfg: ClipFeaturesConfig):
        super().__init__()
        ch = cfg.channels
        layers = [nn.Conv2d(3, ch[0], cfg.stem, cfg.stem, bias=False), nn.BatchNorm2d(ch[0]), nn.ReLU()]
        for cin, cout in zip(ch[:-1], ch[1:]):
            layers += [nn.Conv2d(cin, cout, 3, 2, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]
        self.cnn = nn.Sequential(*layers)
        cin = ch[-1]
        cells = (cfg.size // (cfg.stem * 2 ** (len(ch) - 1))) ** 2
        self.proj = nn.Sequential(nn.Linear(cin * cells, cfg.dim), nn.ReLU())
        self.temporal = nn.ModuleList(nn.Conv1d(cfg.dim, cfg.dim, 3, padding=1) for _ in range(cfg.temporal_layers))
        self.cfg = cfg

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        c = self.cfg
        x = self.cnn(frames.reshape(-1, 3, c.size, c.size))
        x = self.proj(x.flatten(1)).reshape(-1, c.frames, c.dim).transpose(1, 2)  # (N, dim, T)
        for conv in self.temporal:
            x = x + torch.relu(conv(x))
        return x.transpose(1, 2)
