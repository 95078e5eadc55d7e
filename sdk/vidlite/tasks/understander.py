"""Understander: what happens when (events), what is written on screen (OCR with boxes), and the
sentiment of that text; streamed as JSON Lines.

    from vidlite import Understander
    result = Understander.from_bundle("bundles/understand").understand("video.mp4", jsonl="out.jsonl")
    result.events   # [Event(label, start, end, confidence)]
    result.texts    # [ScreenText(text, start, end, score, box, sentiment, sentiment_confidence)]

Bundle components (names from the understand spec, in COMPONENTS): ``events`` (clip → per-frame
event logits (N, T, L), one sigmoid per label; labels in ``labels.events``); optional OCR
``detector`` + ``recognizer`` (PP-OCR det/rec; the CTC label list is the file ``config.ocr_charset``,
one label per line; ``config.ocr_limit_side_len``); optional ``text_classifier`` (WordPiece ids →
sentiment logits, labels in ``labels.text_classifier``).
``config.event_threshold`` (default 0.5).
"""
from __future__ import annotations

import contextlib
import json
import time
import warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from vidlite.outputs import OutputFile, check_outputs
from vidlite.ranges import PROBABILITY, SAMPLE_FPS, Range
from vidlite.subtitles import DuplicateMerger
from vidlite.tasks.base import Task
from vidlite.tasks.common import ClipTensor, RuntimeOptions, open_source, source_name
from vidlite.tasks.event_peaks import peak_events
from vidlite.tasks.report import PipelineReport, StageClock
from vidlite.tasks.textenc import TextFeeder, softmax, wordpiece_for
from vidlite.tasks.windows import windows

COMPONENTS = {"events": "events", "detector": "detector", "recognizer": "recognizer",
              "text_classifier": "text_classifier"}


@dataclass
class UnderstanderOptions(RuntimeOptions):
    sample_fps: float | None = None  # None: the model's rate
    event_threshold: float | None = None  # None: manifest config, else 0.5
    ocr: bool = True  # read on-screen text (when the bundle has the OCR components)
    ocr_min_score: float = 0.5

    LIMITS: ClassVar[dict[str, Range]] = {"sample_fps": SAMPLE_FPS, "event_threshold": PROBABILITY,
                                          "ocr_min_score": PROBABILITY}


@dataclass
class Event:
    label: str
    start: float
    end: float
    confidence: float

    def as_dict(self) -> dict:
        return {"type": "event", "label": self.label, "start": round(self.start, 3), "end": round(self.end, 3),
                "confidence": round(self.confidence, 4)}


@dataclass
class ScreenText:
    text: str
    start: float
    end: float
    score: float
    box: list[list[float]]  # (4, 2) quad, frame pixels, clockwise from top-left
    sentiment: str | None = None
    sentiment_confidence: float | None = None

    def as_dict(self) -> dict:
        d = {"type": "text", "text": self.text, "start": round(self.start, 3), "end": round(self.end, 3),
             "score": round(self.score, 4), "box": [[round(v, 1) for v in p] for p in self.box]}
        if self.sentiment is not None:
            d["sentiment"] = self.sentiment
            d["sentiment_confidence"] = round(self.sentiment_confidence, 4)
        return d


@dataclass
class UnderstandResult:
    events: list[Event]
    texts: list[ScreenText]
    report: PipelineReport


def _union_box(quads) -> list[list[float]]:
    """The axis-aligned quad around all text lines, clockwise from top-left."""
    pts = np.concatenate([np.asarray(q, np.float64).reshape(-1, 2) for q in quads])
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1]]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-np.asarray(x, np.float64)))).astype(np.float32)


class Understander(Task):
    FAMILY, OPTIONS = "understand", UnderstanderOptions

    def __init__(self, options: UnderstanderOptions | None = None):
        from vidlite.preprocess import Preprocessor

        super().__init__(options)
        o = self.options
        m = self.model.manifest
        cfg, labels = m.get("config", {}), m.get("labels", {})
        self.spec = self.model.preprocess
        self.sample_fps = self.sample_rate()
        self.events = self.model[COMPONENTS["events"]]
        self.event_labels = labels[COMPONENTS["events"]]
        self.threshold = o.event_threshold if o.event_threshold is not None else float(cfg.get("event_threshold", 0.5))
        self._clip = ClipTensor(Preprocessor(self.spec), self.spec.frames_per_clip)
        self._clip_input = self.events.inputs[0]["name"]
        self.ocr = self._build_ocr(cfg) if o.ocr else None
        self._classifier = None
        if COMPONENTS["text_classifier"] in self.model.components:
            tokenizer, max_len = wordpiece_for(self.model)
            self._classifier = TextFeeder(self.model[COMPONENTS["text_classifier"]], tokenizer, max_len)
            self.sentiment_labels = labels[COMPONENTS["text_classifier"]]
        elif {"text_encoder", "sentiment"} <= set(self.model.components):
            warnings.warn(f"{self.model.root}: this understand bundle predates the one-graph text_classifier "
                          f"(it carries text_encoder + sentiment), so on-screen text gets no sentiment; export it "
                          f"again (`vidlite export understand` or `vidlite demo --reexport`)", stacklevel=2)

    def _build_ocr(self, cfg):
        from vidlite.ocr import OCR, TextDetector, TextRecognizer
        from vidlite.ocr.recognize import LATIN

        names = self.model.components
        if COMPONENTS["detector"] not in names or COMPONENTS["recognizer"] not in names:
            return None
        det, rec = self.model[COMPONENTS["detector"]], self.model[COMPONENTS["recognizer"]]
        # the complete CTC label list, blank first; split on "\n" only (labels may be any character)
        charset = self.model.file(cfg["ocr_charset"]["path"]).read_text(encoding="utf-8").split("\n")[:-1]
        side = int(cfg.get("ocr_limit_side_len", 736))
        return OCR(TextDetector(det.run, det.inputs[0]["name"], limit_side_len=side),
                   TextRecognizer(rec.run, charset, rec.inputs[0]["name"], allowed=LATIN),
                   min_score=self.options.ocr_min_score)

    def frame_probs(self, clip: np.ndarray) -> np.ndarray:
        """Per-frame event probabilities (T, L) of one preprocessed clip (1, T, C, H, W)."""
        out = self.events.run({self._clip_input: clip})
        return _sigmoid(out[self.events.outputs[0]["name"]])[0]

    def read_text(self, image: np.ndarray) -> list:
        return self.ocr(image) if self.ocr is not None else []

    def text_sentiment(self, texts: list[str]) -> list[tuple[str | None, float | None]]:
        if self._classifier is None or not texts:
            return [(None, None)] * len(texts)
        probs = softmax(self._classifier(texts))
        return [(self.sentiment_labels[int(p.argmax())], float(p.max())) for p in probs]

    def window_events(self, probs: np.ndarray, frames) -> list[Event]:
        """A label fires in a window where its peak frame probability passes the threshold, at that frame."""
        out = [Event(self.event_labels[j], frames[k].pts, frames[k].pts + 1.0 / self.sample_fps, p)
               for j, k, p in peak_events(probs, self.threshold) if k < len(frames)]
        return sorted(out, key=lambda e: e.start)

    def understand(self, source, *, jsonl=None, on_item=None) -> UnderstandResult:
        o = self.options
        report = PipelineReport("understand", source_name(source))
        clock, t0 = StageClock(), time.perf_counter()
        result = UnderstandResult([], [], report)
        check_outputs({"jsonl": jsonl}, {"source": source})
        texts = DuplicateMerger()  # consecutive windows showing the same text are one item

        def emit(item):
            if item is None:
                return
            (result.events if isinstance(item, Event) else result.texts).append(item)
            if out is not None:
                out.write(json.dumps(item.as_dict()) + "\n")
                out.flush()
            if on_item:
                on_item(item)

        stream = open_source(source, sample_fps=self.sample_fps, queue_size=o.queue_size,
                             decode_threads=o.decode_threads)
        # JSON Lines are valid after every line: a stopped run keeps them, a failed one leaves the old file
        try:
            with OutputFile(jsonl, live=True) if jsonl else contextlib.nullcontext() as output:
                out = output.open("w", encoding="utf-8") if output else None
                for w in windows(stream, self.spec.frames_per_clip, 1.0 / self.sample_fps):
                    with clock("preprocess"):
                        clip = self._clip.fill(f.image for f in w.frames)
                    with clock("inference"):
                        probs = self.frame_probs(clip)
                        lines = self.read_text(w.frames[w.real // 2].image) if self.ocr else []
                        text = " ".join(ln.text for ln in lines)  # reading order
                        mood = self.text_sentiment([text])[0] if text else (None, None)
                    with clock("postprocess"):
                        for event in self.window_events(probs, w.frames[:w.real]):
                            emit(event)
                        item = None
                        if text:
                            item = ScreenText(text, w.start, w.end, float(np.mean([ln.score for ln in lines])),
                                              _union_box([ln.box for ln in lines]), mood[0], mood[1])
                        emit(texts.add(item) if item is not None else texts.flush())  # no text ends a run
                    report.count_window(w)
                emit(texts.flush())
        finally:
            stream.close()
            report.finish(stream.stats, clock, t0, self.model)
        return result
