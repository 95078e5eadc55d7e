"""Retriever: index videos as clip embeddings (video tower), answer free-text queries (text tower).

    from vidlite import Retriever
    with Retriever.from_bundle("bundles/retrieve", index="library.vlindex") as r:
        r.add("a.mp4"); r.add("b.mp4")
        for hit in r.search("a red ball bounces", k=5):
            print(hit.video, hit.start, hit.end, hit.score)

Bundle components (names from the retrieve spec, in COMPONENTS): ``video_encoder`` (clip
(1, T, C, H, W) → embedding) and ``text_encoder`` (WordPiece ids → embedding in the same space);
tokenizer in manifest ``text``.
The index file remembers which model built it and refuses another (see ``vidlite.index``).
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from vidlite.index import ClipIndex, Hit
from vidlite.ranges import COUNT, SAMPLE_FPS, Range
from vidlite.tasks.base import Task
from vidlite.tasks.common import ClipTensor, RuntimeOptions, open_source, source_name
from vidlite.tasks.report import PipelineReport, StageClock
from vidlite.tasks.textenc import TextFeeder, wordpiece_for
from vidlite.tasks.windows import windows

COMPONENTS = {"video": "video_encoder", "text": "text_encoder"}


@dataclass
class RetrieverOptions(RuntimeOptions):
    index: str | os.PathLike | None = None  # index file; None: search needs one, add refuses
    sample_fps: float | None = None  # None: the model's rate
    window_stride: int | None = None  # frames between clip starts; None: clips do not overlap
    read_only: bool = False  # open the index only to search it: the file is never changed, never created

    LIMITS: ClassVar[dict[str, Range]] = {"sample_fps": SAMPLE_FPS, "window_stride": COUNT}


class Retriever(Task):
    FAMILY, OPTIONS = "retrieve", RetrieverOptions

    def __init__(self, options: RetrieverOptions | None = None):
        from vidlite.preprocess import Preprocessor

        super().__init__(options)
        o = self.options
        m = self.model.manifest
        self.spec = self.model.preprocess
        self.sample_fps = self.sample_rate()
        self.video_tower = self.model[COMPONENTS["video"]]
        tokenizer, max_len = wordpiece_for(self.model)
        self.text_tower = TextFeeder(self.model[COMPONENTS["text"]], tokenizer, max_len)
        self._clip = ClipTensor(Preprocessor(self.spec), self.spec.frames_per_clip)
        self._clip_input = self.video_tower.inputs[0]["name"]
        self.model_id = f"{m['name']}@{m['version']}:{m['source']['sha256'][:16]}"
        self.index = ClipIndex(o.index, model=self.model_id, read_only=o.read_only) if o.index is not None else None

    def _need_index(self) -> ClipIndex:
        if self.index is None:
            raise ValueError("this Retriever has no index: pass index='library.vlindex' in its options")
        return self.index

    def embed_clip(self, clip: np.ndarray) -> np.ndarray:
        out = self.video_tower.run({self._clip_input: clip})
        return np.asarray(out[self.video_tower.outputs[0]["name"]], np.float32)[0]

    def embed_text(self, texts: list[str]) -> np.ndarray:
        return self.text_tower(texts)

    def embed_video(self, source, report: PipelineReport | None = None) -> list[tuple[float, float, np.ndarray]]:
        """(start, end, embedding) for each clip window of ``source``."""
        o = self.options
        report = report or PipelineReport("retrieve", source_name(source))
        clock, t0 = StageClock(), time.perf_counter()
        stream = open_source(source, sample_fps=self.sample_fps, queue_size=o.queue_size,
                             decode_threads=o.decode_threads)
        clips = []
        try:
            for w in windows(stream, self.spec.frames_per_clip, 1.0 / self.sample_fps, o.window_stride):
                with clock("preprocess"):
                    clip = self._clip.fill(f.image for f in w.frames)
                with clock("inference"):
                    clips.append((w.start, w.end, self.embed_clip(clip)))
                report.count_window(w)
        finally:
            stream.close()
            report.finish(stream.stats, clock, t0, self.model)
        return clips

    def add(self, video) -> PipelineReport:
        """Index (or re-index) one video file; committed as one transaction."""
        index = self._need_index()
        report = PipelineReport("retrieve", source_name(video))
        clips = self.embed_video(video, report)
        if not clips:
            from vidlite.video.errors import VideoSourceError

            raise VideoSourceError(f"{video}: no frame could be decoded, nothing indexed")
        t = time.perf_counter()
        index.add_video(video, clips, info={"video_s": report.video_s, "corrupt": report.corrupt})
        report.stage_s["postprocess"] += time.perf_counter() - t
        report.stage_calls["postprocess"] += 1
        return report

    def remove(self, video) -> bool:
        return self._need_index().remove_video(video)

    def query_problem(self, query: str) -> str | None:
        """Why ``query`` matches nothing whatever the index holds, or None. A query with no word the text
        model knows (emoji only, another script) still embeds to a vector, and that vector, the unknown
        token's, ranks clips with confident scores that mean nothing."""
        tok = self.text_tower.tokenizer
        if any(t != tok.unk_token for t in tok.tokenize(query)):
            return None
        return (f"no word of the query {query!r} is in the text model's vocabulary, so it matches nothing; "
                f"describe what to find in words (e.g. \"a red ball bounces\")")

    def search(self, query: str, k: int = 5, per_video: int | None = None) -> list[Hit]:
        """Ranked (video, start, end, score) clips for a free-text ``query``; none when ``query_problem``
        finds the query meaningless to the model."""
        if not isinstance(query, str) or not query.strip():
            raise ValueError("search query must be non-empty text")
        index = self._need_index()
        if self.query_problem(query) is not None:
            return []
        return index.search(self.embed_text([query])[0], k=k, per_video=per_video)

    def close(self) -> None:
        if self.index is not None:
            self.index.close()
        super().close()
