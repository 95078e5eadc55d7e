"""On-screen text reading with PP-OCR-style detection (DB) and recognition (CTC) models.

NumPy + OpenCV only. The models are reached through a ``run(feeds) -> outputs`` callable, so the
same code drives a raw ONNX Runtime session (``onnx_runner``) or a vidlite backend Runner.
"""
from vidlite.ocr.detect import DBPostprocess, TextDetector, det_preprocess
from vidlite.ocr.pipeline import OCR, TextLine
from vidlite.ocr.recognize import LATIN, TextRecognizer, crop_quad, ctc_greedy_decode, load_charset, rec_preprocess
from vidlite.ocr.runner import charset_from_onnx, onnx_runner

__all__ = [
    "LATIN", "OCR", "TextLine", "TextDetector", "TextRecognizer", "DBPostprocess", "det_preprocess",
    "rec_preprocess", "crop_quad", "ctc_greedy_decode", "load_charset", "onnx_runner", "charset_from_onnx",
]
