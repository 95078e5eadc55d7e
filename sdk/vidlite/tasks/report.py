"""What every pipeline reports: throughput, latency per stage, dropped/corrupt frames, backends."""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from vidlite.video.frame import SourceStats

STAGES = ("decode", "preprocess", "inference", "postprocess")


class StageClock:
    """Accumulates wall time per pipeline stage (``with clock("inference"): ...``)."""

    def __init__(self):
        self.seconds = {s: 0.0 for s in STAGES}
        self.calls = {s: 0 for s in STAGES}

    @contextmanager
    def __call__(self, stage: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[stage] += time.perf_counter() - t0
            self.calls[stage] += 1


@dataclass
class PipelineReport:
    task: str
    source: str
    frames_decoded: int = 0  # every frame read from the source (sampled or not)
    frames_used: int = 0  # frames that went through the model
    items: int = 0  # windows / tiles / clips the model ran on
    video_s: float = 0.0  # presentation time covered
    wall_s: float = 0.0
    stage_s: dict[str, float] = field(default_factory=dict)  # decode time is the decoder thread's own
    stage_calls: dict[str, int] = field(default_factory=dict)
    dropped: int = 0
    corrupt: int = 0
    clamped_pts: int = 0
    reconnects: int = 0
    problems: list[str] = field(default_factory=list)
    backends: dict[str, str] = field(default_factory=dict)  # component → chosen candidate

    @property
    def fps(self) -> float:
        """Source frames per second of wall time (decoded frames, not just the sampled ones)."""
        return self.frames_decoded / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def realtime_factor(self) -> float:
        return self.video_s / self.wall_s if self.wall_s > 0 else 0.0

    def stage_ms(self, stage: str) -> float:
        """Mean milliseconds per call of a stage (per sampled frame for decode)."""
        n = self.stage_calls.get(stage, 0)
        return 1000.0 * self.stage_s.get(stage, 0.0) / n if n else 0.0

    def count_window(self, window) -> None:
        """One model input made of a window's real (not padded) frames, up to its end time."""
        self.items += 1
        self.frames_used += window.real
        self.video_s = max(self.video_s, window.end)

    def finish(self, stats: SourceStats, clock: StageClock, t0: float, model=None) -> "PipelineReport":
        self.wall_s = time.perf_counter() - t0
        self.frames_decoded, self.dropped, self.corrupt = stats.decoded, stats.dropped, stats.corrupt
        self.clamped_pts, self.reconnects, self.problems = stats.clamped_pts, stats.reconnects, list(stats.problems)
        self.stage_s = dict(clock.seconds)
        self.stage_calls = dict(clock.calls)
        self.stage_s["decode"] += stats.decode_s
        self.stage_calls["decode"] += max(stats.delivered, 0)
        if model is not None:
            self.backends.update(backends_of(model))
            self.problems += [f"damaged bundle, artifact skipped: {d}" for d in model.damaged()]
        return self

    def as_dict(self) -> dict:
        return {
            "task": self.task, "source": self.source, "frames_decoded": self.frames_decoded,
            "frames_used": self.frames_used, "items": self.items, "video_s": round(self.video_s, 3),
            "wall_s": round(self.wall_s, 3), "fps": round(self.fps, 2),
            "realtime_factor": round(self.realtime_factor, 2),
            "stage_ms_total": {k: round(1000 * v, 2) for k, v in self.stage_s.items()},
            "stage_ms_mean": {k: round(self.stage_ms(k), 3) for k in self.stage_s},
            "dropped": self.dropped, "corrupt": self.corrupt, "clamped_pts": self.clamped_pts,
            "reconnects": self.reconnects, "problems": self.problems, "backends": self.backends,
        }

    def summary(self) -> str:
        stages = ", ".join(f"{k} {1000 * v:.0f} ms" for k, v in self.stage_s.items())
        return (f"{self.task}: {self.frames_decoded} frames in {self.wall_s:.2f} s = {self.fps:.1f} fps "
                f"({self.realtime_factor:.1f}x real time); {stages}; dropped {self.dropped}, corrupt {self.corrupt}")


def backends_of(model) -> dict[str, str]:
    """Component → "backend precision format, execution in force" chosen by the runtime."""
    out = {}
    for name in model.components:
        r = model[name]
        a = r.artifact
        out[name] = f"{r.backend} {a.get('precision', '?')} {a.get('format', '?')}, computed in {r.session.execution}"
    return out
