"""Understand reference model: what happens in a clip and when, and what its on-screen text says and
feels like.

Components (what the exporter carries):
- ``events``: frames float32 (N, T, 3, 64, 64) in [-1, 1] → event_logits float32 (N, T, L): one
  sigmoid logit per frame and event label, so an event's time is read off at frame resolution
  (``decode_events``). Trained here.
- OCR: the PP-OCR detector/recognizer ONNX models shipped by ``rapidocr`` (third-party, not
  retrained; ``vidlite_export.models.ppocr``), run by ``vidlite.ocr``.
- ``text_classifier``: (input_ids, attention_mask) int64 (N, L) → sentiment logits (N, 2) over
  ``SENTIMENTS``: the frozen real MiniLM-L6 (``vidlite_export.models.minilm``, unit-norm embedding
  (N, 384)) under the ``sentiment`` head trained here. Because the encoder is a real pretrained
  sentence model, the head generalizes to phrases it was never trained on.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from vidlite.tasks.event_peaks import peak_events
from vidlite_export.models import minilm
from vidlite_export.models.clip_features import ClipFeatures, ClipFeaturesConfig

EVENT_LABELS = ("appears", "disappears", "collide")
SENTIMENTS = ("negative", "positive")


@dataclass(frozen=True)
class UnderstandConfig:
    clip: ClipFeaturesConfig = field(default_factory=ClipFeaturesConfig)
    event_labels: tuple[str, ...] = EVENT_LABELS
    sentiments: tuple[str, ...] = SENTIMENTS
    text_dim: int = minilm.DIM
    sentiment_hidden: int = 64

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "UnderstandConfig":
        return cls(clip=ClipFeaturesConfig.from_dict(d["clip"]), event_labels=tuple(d["event_labels"]),
                   sentiments=tuple(d["sentiments"]), text_dim=d["text_dim"],
                   sentiment_hidden=d["sentiment_hidden"])


class EventClassifier(nn.Module):
    """frames (N, T, 3, S, S) → per-frame event logits (N, T, L)."""

    def __init__(self, cfg: UnderstandConfig):
        super().__init__()
        self.features = ClipFeatures(cfg.clip)
        self.head = nn.Linear(cfg.clip.dim, len(cfg.event_labels))

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(frames))


class SentimentHead(nn.Module):
    """MiniLM sentence embedding (N, 384) → sentiment logits (N, len(SENTIMENTS))."""

    def __init__(self, cfg: UnderstandConfig):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(cfg.text_dim, cfg.sentiment_hidden), nn.ReLU(),
                                 nn.Linear(cfg.sentiment_hidden, len(cfg.sentiments)))

    def forward(self, embedding: torch.Tensor) -> torch.Tensor:
        return self.mlp(embedding)


class TextClassifier(nn.Module):
    """(input_ids, attention_mask) int64 (N, L) → sentiment logits (N, len(SENTIMENTS)): the text
    tower and the head as one graph, so the runtime runs one component per text."""

    def __init__(self, text_encoder: nn.Module, head: SentimentHead):
        super().__init__()
        self.text_encoder, self.head = text_encoder, head

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.head(self.text_encoder(input_ids, attention_mask))


class UnderstandModel(minilm.FrozenMiniLM):
    """The trained parts (``events``, ``sentiment``) as submodules — what the safetensors holds — and
    the frozen pretrained ones (``text_encoder``, ``tokenizer``) attached from their packages."""

    def __init__(self, cfg: UnderstandConfig = UnderstandConfig()):
        super().__init__()
        self.cfg = cfg
        self.events = EventClassifier(cfg)
        self.sentiment = SentimentHead(cfg)

    @property
    def text_classifier(self) -> TextClassifier:
        """The exported text component: frozen MiniLM → the trained ``sentiment`` head (a property,
        so the pretrained tower stays out of this model's weights)."""
        return TextClassifier(self.text_encoder, self.sentiment)

    @torch.no_grad()
    def classify_text(self, texts: list[str]) -> list[str]:
        """Sentiment label of each text (MiniLM embedding → trained head)."""
        logits = self.sentiment(torch.from_numpy(minilm.embed(texts)))
        return [self.cfg.sentiments[i] for i in logits.argmax(1).tolist()]


def decode_events(logits: np.ndarray, fps: float, labels=EVENT_LABELS,
                  threshold: float = 0.5) -> list[tuple[str, float, float]]:
    """Per-frame logits (T, L) of one clip → [(label, start_s, end_s)]: a label fires where its peak
    probability passes ``threshold``, at the interval of the peak frame."""
    logits = np.asarray(logits, np.float32)
    if logits.ndim != 2 or logits.shape[1] != len(labels):
        raise ValueError(f"logits: expected (T, {len(labels)}) for labels {labels}, got {logits.shape}")
    probs = 1.0 / (1.0 + np.exp(-logits))
    return [(labels[j], k / fps, (k + 1) / fps) for j, k, _ in peak_events(probs, threshold)]


def load(weights_dir: str | Path) -> UnderstandModel:
    """The trained model from ``weights_dir/model.safetensors`` in eval mode."""
    from vidlite_export.train.common import load_model

    return load_model(weights_dir, "understand", UnderstandModel, UnderstandConfig)
