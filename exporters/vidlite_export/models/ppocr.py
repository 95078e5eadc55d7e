"""The PP-OCR text detector and recognizer that the ``rapidocr`` package ships, used as third-party
models (not retrained): where their ONNX files are, and the runtime OCR built on them."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from vidlite.ocr import LATIN

DET_FILE = "PP-OCRv6_det_small.onnx"
REC_FILE = "PP-OCRv6_rec_small.onnx"
SOURCE = "rapidocr (PaddleOCR PP-OCRv6 small det/rec, Apache-2.0)"


@dataclass(frozen=True)
class PPOCRModels:
    det: Path
    rec: Path

    @property
    def charset(self) -> list[str]:
        """CTC labels of the recognizer (blank, the dictionary stored in its ONNX metadata, space)."""
        from vidlite.ocr import charset_from_onnx, load_charset

        return load_charset(charset_from_onnx(self.rec))


def locate() -> PPOCRModels:
    """Paths of the det/rec ONNX files inside the installed ``rapidocr`` package."""
    try:
        import rapidocr
    except ImportError as e:
        raise ImportError("the PP-OCR models come from the `rapidocr` package: pip install rapidocr") from e
    root = Path(rapidocr.__file__).resolve().parent / "models"
    models = PPOCRModels(det=root / DET_FILE, rec=root / REC_FILE)
    missing = [str(p) for p in (models.det, models.rec) if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"rapidocr is installed but ships no {', '.join(missing)}")
    return models


def build_ocr(threads: int | None = None, min_score: float = 0.5, limit_side_len: int = 736,
              allowed: str | None = LATIN):
    """The runtime OCR pipeline (``vidlite.ocr.OCR``) over the packaged models on ONNX Runtime.

    ``allowed``: characters kept from the multilingual recognizer's output (default printable ASCII,
    the script of the reference overlays; None keeps everything)."""
    from vidlite.ocr import OCR, TextDetector, TextRecognizer, onnx_runner

    m = locate()
    return OCR(TextDetector(onnx_runner(m.det, threads), limit_side_len=limit_side_len),
               TextRecognizer(onnx_runner(m.rec, threads), m.charset, allowed=allowed), min_score=min_score)
