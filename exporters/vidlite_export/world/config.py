"""Configuration of the procedural world (frozen, so one config can key caches and datasets)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class WorldConfig:
    """What a generated clip looks like.

    ``width``/``height``/``frames``/``fps`` set the clip geometry (64×64, 8 frames at 4 fps = 2 s by
    default — what the caption and restore reference models use; ask for a larger frame to make
    on-screen text legible to OCR). Event probabilities are exclusive per clip (the rest have no event).
    ``overlay_phrases`` picks the sentiment phrase list overlays are drawn from: ``"train"`` or
    ``"heldout"`` (see ``phrases.py``).
    """

    width: int = 64
    height: int = 64
    frames: int = 8
    fps: float = 4.0
    p_appears: float = 0.2
    p_disappears: float = 0.2
    p_collide: float = 0.2
    overlay_prob: float = 0.25
    overlay_phrases: str = "train"
    noise_max: float = 6.0
    lighting: bool = True
    fonts: tuple[str, ...] = field(default=("simplex", "duplex", "complex", "triplex"))

    def __post_init__(self) -> None:
        if self.width < 32 or self.height < 32:
            raise ValueError(f"WorldConfig: width/height must be >= 32, got {self.width}x{self.height}")
        if self.frames < 6:
            raise ValueError(f"WorldConfig: frames must be >= 6 (events need room), got {self.frames}")
        if self.fps <= 0:
            raise ValueError(f"WorldConfig: fps must be > 0, got {self.fps}")
        p = (self.p_appears, self.p_disappears, self.p_collide)
        if min(p) < 0 or sum(p) > 1:
            raise ValueError(f"WorldConfig: event probabilities must be >= 0 and sum to <= 1, got {p}")
        if not 0 <= self.overlay_prob <= 1:
            raise ValueError(f"WorldConfig: overlay_prob must be in [0, 1], got {self.overlay_prob}")
        if self.overlay_phrases not in ("train", "heldout"):
            raise ValueError(
                f"WorldConfig: overlay_phrases must be 'train' or 'heldout', got {self.overlay_phrases!r}")
        from vidlite_export.world.render import FONTS
        if not self.fonts or set(self.fonts) - set(FONTS):
            raise ValueError(f"WorldConfig: fonts must be a non-empty subset of {sorted(FONTS)}, got {self.fonts}")
        if self.noise_max < 0:
            raise ValueError(f"WorldConfig: noise_max must be >= 0, got {self.noise_max}")

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps
