"""A tiny restoration-style task spec for exporter tests: a two-conv residual generator and a PSNR
metric on synthetic noisy/clean pairs. Small enough to export to every format in seconds."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from vidlite_export.specs.base import ComponentSpec, TaskSpec, TensorSpec

SIZE = 32
PREPROCESS = {"width": SIZE, "height": SIZE, "resize": "bilinear", "fit": "stretch", "mean": [0.5] * 3,
              "std": [0.5] * 3, "channel_order": "rgb", "layout": "nchw", "dtype": "float32", "frames_per_clip": 1}


class Denoiser(nn.Module):
    def __init__(self, width: int = 16):
        super().__init__()
        self.a = nn.Conv2d(3, width, 3, padding=1)
        self.b = nn.Conv2d(width, width, 3, padding=1)
        self.c = nn.Conv2d(width, 3, 3, padding=1)

    def forward(self, x):
        return x + 0.1 * self.c(torch.relu(self.b(torch.relu(self.a(x)))))


class ToyModel:
    def __init__(self, generator: nn.Module | None = None):
        torch.manual_seed(0)
        self.generator = (generator or Denoiser()).eval()


GENERATOR = ComponentSpec("generator", (TensorSpec("frames", "float32", ("batch", 3, SIZE, SIZE)),),
                          (TensorSpec("restored", "float32", ("batch", 3, SIZE, SIZE)),), {"batch": 1},
                          module="generator", dynamic=("batch",))


def samples(model, clips):
    return {"generator": [{"frames": np.ascontiguousarray(c[None])} for c in clips]}


def heldout(model):
    rng = np.random.default_rng(7)
    clean = rng.uniform(-1, 1, (8, 1, 3, SIZE, SIZE)).astype(np.float32)
    noisy = (clean + 0.1 * rng.standard_normal(clean.shape)).astype(np.float32)
    return {"generator": [{"frames": n} for n in noisy[:4]]}, (noisy, clean)


def evaluate(runners, data, component):
    noisy, clean = data
    mse = np.mean([np.mean((runners["generator"]({"frames": n})["restored"] - c) ** 2) for n, c in zip(noisy, clean)])
    return "psnr_db", float(10 * np.log10(4.0 / mse))


def spec(**overrides) -> TaskSpec:
    fields = dict(task="generate", name="toy", components=(GENERATOR,), preprocess=PREPROCESS, samples=samples,
                  heldout=heldout, evaluate=evaluate, load_model=lambda ckpt: ToyModel(), calibration_clips=6)
    fields.update(overrides)
    return TaskSpec(**fields)


def write_videos(folder, n: int = 2, frames: int = 6) -> None:
    from vidlite_export.world import write_video
    rng = np.random.default_rng(0)
    for i in range(n):
        write_video(folder / f"clip{i}.mp4", rng.integers(0, 255, (frames, 40, 48, 3), dtype=np.uint8), 10)
