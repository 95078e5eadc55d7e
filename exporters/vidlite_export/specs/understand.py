"""understand: clip event classifier, PP-OCR text detector + recognizer (third-party ONNX, not
retrained), text classifier (the MiniLM text encoder under the sentiment head, one graph). Each part
is judged by its own task metric on held-out world clips: timed event F1, OCR character accuracy,
sentiment accuracy."""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from vidlite_export.specs.base import ComponentSpec, TaskSpec, TensorSpec, Tolerance
from vidlite_export.specs.common import batch1, load_checked, preprocess_spec, world_clips
from vidlite_export.specs.text import TEXT_ENCODER, tokens, vocab_asset

HELDOUT_CLIPS = 48
OCR_FRAMES = 10          # held-out frames with an overlay the OCR metric reads
OCR_CALIBRATION = 12     # rendered-text frames the OCR int8 calibrates on (val split)
OCR_LIMIT_SIDE = 736     # the detector's input scale, as the model card measured it
NO_TORCH = {"tflite": "third-party ONNX (PP-OCR): converting ONNX to TFLite needs onnx2tf, which is not used",
            "coreml": "third-party ONNX (PP-OCR): coremltools has no ONNX frontend"}

EVENTS = ComponentSpec(
    name="events", module="events",
    inputs=(TensorSpec("frames", "float32", ("batch", "frames", 3, "size", "size")),),
    outputs=(TensorSpec("event_logits", "float32", ("batch", "frames", "labels")),),
    dims={"batch": 1}, dynamic=("batch",))

DETECTOR = ComponentSpec(
    name="detector", module="detector",
    inputs=(TensorSpec("x", "float32", ("batch", 3, "height", "width")),),
    outputs=(TensorSpec("fetch_name_0", "float32", ("batch", 1, "height", "width")),),
    dims={"batch": 1, "height": OCR_LIMIT_SIDE, "width": OCR_LIMIT_SIDE},
    dynamic=("batch", "height", "width"), unsupported=NO_TORCH,
    # DB probability maps: judged by what the OCR reads, the map itself may shift under int8
    tolerances={"fp32": Tolerance(0.999), "fp16": Tolerance(0.999), "int8": Tolerance(0.95)})

RECOGNIZER = ComponentSpec(
    name="recognizer", module="recognizer",
    inputs=(TensorSpec("x", "float32", ("batch", 3, 48, "width")),),
    outputs=(TensorSpec("fetch_name_0", "float32", ("batch", "steps", "classes")),),
    dims={"batch": 1, "width": 320}, dynamic=("batch", "width", "steps"), unsupported=NO_TORCH,
    tolerances={"fp32": Tolerance(0.999), "fp16": Tolerance(0.999), "int8": Tolerance(0.95)})

# the text encoder's token inputs, sequence length and transformer int8 flavours, sentiment logits out
TEXT_CLASSIFIER = replace(
    TEXT_ENCODER, name="text_classifier", module="text_classifier",
    outputs=(TensorSpec("sentiment_logits", "float32", ("batch", "sentiments")),))


# the event classifier's input: 8 frames at 4 fps, area-downsampled to 64×64
PREPROCESS = preprocess_spec(64, 8, 4.0, resize="area")


@dataclass
class UnderstandParts:
    """The exported parts side by side: the trained event classifier, the text classifier (frozen
    MiniLM under the trained sentiment head), PP-OCR's ONNX files."""
    model: object
    events: object
    text_classifier: object
    detector: Path
    recognizer: Path
    tokenizer: object
    charset: list


def load_model(checkpoint) -> UnderstandParts:
    from vidlite_export.models import minilm, ppocr, understand
    m = load_checked(understand.load, checkpoint, "understand")
    ocr = ppocr.locate()
    return UnderstandParts(m, m.events, m.text_classifier, ocr.det, ocr.rec, minilm.tokenizer(), ocr.charset)



def build_ocr(det_run, rec_run, charset):
    from vidlite.ocr import OCR, TextDetector, TextRecognizer
    return OCR(TextDetector(det_run, limit_side_len=OCR_LIMIT_SIDE),
               TextRecognizer(rec_run, charset, batch=1))


def ocr_samples(parts, frames: list[np.ndarray]) -> tuple[list, list]:
    """Detector and recognizer inputs the runtime's OCR stages make from ``frames``."""
    from vidlite.ocr.detect import det_preprocess
    from vidlite.ocr.recognize import crop_quad, rec_preprocess
    from vidlite.ocr import TextDetector, onnx_runner
    det = TextDetector(onnx_runner(parts.detector, 1), limit_side_len=OCR_LIMIT_SIDE)
    dets, recs = [], []
    for f in frames:
        dets.append({"x": det_preprocess(f, OCR_LIMIT_SIDE, "min")})
        quads, _ = det(f)
        recs += [{"x": rec_preprocess([crop_quad(f, q)])} for q in quads[:2]]
    return dets, recs


def overlay_frames(split: str, n: int):
    from vidlite_export.world import SPLIT_SEEDS, generate_clip
    from vidlite_export.world.heldout import UNDERSTAND_TEST_WORLD
    out, i = [], 0
    while len(out) < n and i < 50 * n:
        c = generate_clip(SPLIT_SEEDS[split], i, UNDERSTAND_TEST_WORLD)
        if c.overlay is not None:
            out.append((c.frames[len(c.frames) // 2], c.overlay))
        i += 1
    return out


def samples(parts, clips: np.ndarray) -> dict:
    """Events: the calibration clips. OCR: rendered-text frames of the world's val split through the
    runtime OCR preprocessing (64×64 clips carry no legible text). Text: the training phrases."""
    from vidlite_export.world import TRAIN_PHRASES
    dets, recs = ocr_samples(parts, [f for f, _ in overlay_frames("val", OCR_CALIBRATION)])
    return {"events": [{"frames": batch1(c)} for c in clips], "detector": dets, "recognizer": recs,
            "text_classifier": tokens(parts.tokenizer, [t for t, _ in TRAIN_PHRASES][:64])}


def heldout(parts):
    from vidlite_export.world import HELDOUT_PHRASES
    from vidlite_export.world.heldout import UNDERSTAND_TEST_WORLD
    clips, world = world_clips(HELDOUT_CLIPS, PREPROCESS, cfg=UNDERSTAND_TEST_WORLD)
    ocr = overlay_frames("test", OCR_FRAMES)
    dets, recs = ocr_samples(parts, [f for f, _ in ocr[:3]])
    toks = tokens(parts.tokenizer, [t for t, _ in HELDOUT_PHRASES])
    data = {"parts": parts, "clips": clips, "world": world, "ocr": ocr, "tokens": toks,
            "sentiments": [s for _, s in HELDOUT_PHRASES]}
    return ({"events": [{"frames": batch1(c)} for c in clips[:16]], "detector": dets[:2], "recognizer": recs[:6],
             "text_classifier": toks[:24]}, data)


def evaluate(runners, data, component: str) -> tuple[str, float]:
    from vidlite import metrics
    parts = data["parts"]
    if component in ("detector", "recognizer"):
        ocr = build_ocr(runners["detector"], runners["recognizer"], parts.charset)
        read = [" ".join(ocr.read_text(f).split()) for f, _ in data["ocr"]]
        return "ocr_char_accuracy", metrics.char_accuracy(read, [o.text for _, o in data["ocr"]])
    cfg = parts.model.cfg
    if component == "events":
        from vidlite_export.models.understand import decode_events
        from vidlite.metrics import timed_event_f1
        truth = [[(e.label, e.start_s, e.end_s) for e in c.events] for c in data["world"]]
        preds = [decode_events(runners["events"]({"frames": batch1(x)})["event_logits"][0], c.fps, cfg.event_labels)
                 for x, c in zip(data["clips"], data["world"])]
        return "event_macro_f1_timed", timed_event_f1(truth, preds, cfg.event_labels)["macro"]
    logits = [runners["text_classifier"](t)["sentiment_logits"][0] for t in data["tokens"]]
    pred = [cfg.sentiments[int(np.argmax(lg))] for lg in logits]
    return "sentiment_accuracy", metrics.exact_match(pred, data["sentiments"])


def assets(parts, root) -> dict:
    text = vocab_asset(root)
    charset = root / "text" / "ocr_charset.txt"
    charset.write_text("\n".join(parts.charset) + "\n")
    cfg = parts.model.cfg
    return {"text": text,
            "labels": {"events": list(cfg.event_labels), "text_classifier": list(cfg.sentiments)},
            "config": {"ocr_charset": charset, "ocr_limit_side_len": OCR_LIMIT_SIDE, "event_threshold": 0.5}}


SPEC = TaskSpec(task="understand", name="understand",
                components=(EVENTS, DETECTOR, RECOGNIZER, TEXT_CLASSIFIER),
                preprocess=PREPROCESS, samples=samples, heldout=heldout, evaluate=evaluate,
                load_model=load_model, assets=assets, calibration_clips=32)
