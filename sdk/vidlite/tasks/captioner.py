"""Captioner: windows of sampled frames → clip encoder → KV-cache decoder → timed captions.

    from vidlite import Captioner
    result = Captioner.from_bundle("bundles/caption").caption("video.mp4", srt="out.srt", vtt="out.vtt")
    result.segments   # [Segment(start, end, text)], consecutive duplicates merged
    result.report     # throughput, per-stage latency, dropped/corrupt frames, chosen backends
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, ClassVar, Iterator

import numpy as np

from vidlite.outputs import check_outputs
from vidlite.ranges import BEAM, COUNT, SAMPLE_FPS, Range
from vidlite.subtitles import Segment, SubtitleSink
from vidlite.tasks.base import Task
from vidlite.tasks.common import ClipTensor, RuntimeOptions, open_source, source_name
from vidlite.tasks.report import PipelineReport, StageClock
from vidlite.tasks.windows import windows


@dataclass
class CaptionerOptions(RuntimeOptions):
    sample_fps: float | None = None  # None: the rate the model was trained at (manifest preprocess.sample_fps)
    window_stride: int | None = None  # frames between window starts; None: windows do not overlap
    beam_width: int = 1  # 1: greedy decoding

    LIMITS: ClassVar[dict[str, Range]] = {"sample_fps": SAMPLE_FPS, "window_stride": COUNT, "beam_width": BEAM}


@dataclass
class CaptionResult:
    segments: list[Segment]
    report: PipelineReport
    files: dict[str, str] = field(default_factory=dict)


class Captioner(Task):
    FAMILY, OPTIONS = "caption", CaptionerOptions

    def __init__(self, options: CaptionerOptions | None = None):
        from vidlite.preprocess import Preprocessor
        from vidlite.text import WordTokenizer

        super().__init__(options)
        m = self.model.manifest
        self.spec = self.model.preprocess
        self.frames_per_clip = self.spec.frames_per_clip
        self.sample_fps = self.sample_rate()
        self.tokenizer = WordTokenizer.from_file(self.model.file(m["text"]["tokenizer"]["path"]))
        self.encoder, self.decoder = self.model["encoder"], self.model["decoder"]
        past = next(t for t in self.decoder.inputs if t["name"] == "past_k")["shape"]
        self.cache_shape = tuple(int(d) for d in past[1:])  # (layers, heads, max_len, head_dim)
        self.max_len = int(m["text"].get("max_length", self.cache_shape[2]))
        self._clip = ClipTensor(Preprocessor(self.spec), self.frames_per_clip)
        self._frames_input = self.encoder.inputs[0]["name"]
        self._memory_output = self.encoder.outputs[0]["name"]

    def caption_clip(self, clip: np.ndarray) -> str:
        """One preprocessed clip (1, T, C, H, W) → caption text."""
        from vidlite.text import decode

        memory = self.encoder.run({self._frames_input: clip})[self._memory_output]
        layers, heads, max_len, head_dim = self.cache_shape
        state = decode.initial_state(memory, layers, heads, max_len, head_dim)
        step = decode.step_from_runner(self.decoder.run)
        tok = self.tokenizer
        if self.options.beam_width > 1:
            ids = decode.beam(step, state, tok.bos_id, tok.eos_id, self.max_len, width=self.options.beam_width)
        else:
            ids = decode.greedy(step, state, tok.bos_id, tok.eos_id, self.max_len)
        return tok.decode(ids[0])

    def segments(self, source, report: PipelineReport | None = None) -> Iterator[Segment]:
        """One Segment per window as the video plays (duplicates not merged yet). Fills ``report``."""
        return self._segments(source, report or PipelineReport("caption", source_name(source)), StageClock())

    def _segments(self, source, report: PipelineReport, clock: StageClock) -> Iterator[Segment]:
        """``segments`` on the caller's clock, so what the caller times between segments (writing
        subtitles) is in the report when the run finishes it."""
        o = self.options
        t0 = time.perf_counter()
        stream = open_source(source, sample_fps=self.sample_fps, queue_size=o.queue_size,
                             decode_threads=o.decode_threads)
        try:
            period = 1.0 / self.sample_fps
            for w in windows(stream, self.frames_per_clip, period, o.window_stride):
                with clock("preprocess"):
                    clip = self._clip.fill(f.image for f in w.frames)
                with clock("inference"):
                    text = self.caption_clip(clip)
                report.count_window(w)
                yield Segment(w.start, w.end, text)
        finally:
            stream.close()
            report.finish(stream.stats, clock, t0, self.model)

    def caption(self, source, *, srt=None, vtt=None, json=None,
                on_segment: Callable[[Segment], None] | None = None) -> CaptionResult:
        """Caption a whole source; subtitle files (if given) grow cue by cue while it runs, under their
        partial names (``out.partial.srt``), and replace older files only when the run worked."""
        report = PipelineReport("caption", source_name(source))
        outputs = {k: v for k, v in (("srt", srt), ("vtt", vtt), ("json", json)) if v}
        check_outputs(outputs, {"source": source})
        clock = StageClock()
        with SubtitleSink(outputs) as sink:
            for seg in self._segments(source, report, clock):
                with clock("postprocess"):
                    sink.add(seg)
                if on_segment:
                    on_segment(seg)
        return CaptionResult(sink.segments, report, {k: str(v) for k, v in outputs.items()})
