"""Runtime OCR (vidlite.ocr): DB post-processing and CTC decoding on known inputs, and the whole
pipeline through the real PP-OCR ONNX models, held to the rapidocr package's own pipeline."""
import cv2
import numpy as np
import pytest

from vidlite.ocr import DBPostprocess, ctc_greedy_decode, det_preprocess, load_charset, rec_preprocess

PHRASES = ["so happy today", "GREAT", "terrible news", "Best day ever"]


def test_db_postprocess_finds_rectangle_and_unclips():
    prob = np.zeros((64, 128), np.float32)
    prob[20:30, 10:90] = 0.9
    boxes, scores = DBPostprocess()(prob, (128, 256))  # source is 2x the map
    assert boxes.shape == (1, 4, 2) and scores[0] > 0.8
    (x0, y0), (x1, y1) = boxes[0].min(0), boxes[0].max(0)
    # 80x10 blob (after 2x2 dilation 81x11), grown by area*1.6/perimeter ≈ 7.8 px a side, then scaled 2x.
    assert 0 <= x0 < 10 and 190 < x1 < 200 and 20 < y0 < 30 and 70 < y1 < 80


def test_db_postprocess_drops_weak_and_orders_reading():
    prob = np.zeros((100, 100), np.float32)
    prob[60:70, 5:40] = 0.9    # second line
    prob[10:20, 50:90] = 0.9   # first line, right
    prob[10:20, 5:40] = 0.9    # first line, left
    prob[40:50, 5:90] = 0.35   # above thresh but below box_thresh
    boxes, _ = DBPostprocess()(prob, (100, 100))
    assert len(boxes) == 3
    assert boxes[0, 0, 1] < 20 and boxes[1, 0, 1] < 20 and boxes[0, 0, 0] < boxes[1, 0, 0]
    assert boxes[2, 0, 1] > 50


def test_ctc_greedy_collapses_repeats_and_blanks():
    charset = load_charset(["a", "b"])            # blank, a, b, space
    steps = [1, 1, 0, 1, 2, 2, 3, 0, 2]           # a a _ a b b ' ' _ b
    probs = np.eye(4, dtype=np.float32)[steps][None]
    assert ctc_greedy_decode(probs, charset) == [("aab b", 1.0)]
    with pytest.raises(ValueError, match="probs"):
        ctc_greedy_decode(probs[:, :, :3], charset)


def test_preprocess_shapes_and_bad_input():
    x = det_preprocess(np.zeros((100, 300, 3), np.uint8))
    assert x.shape[2] % 32 == 0 and x.shape[3] % 32 == 0 and min(x.shape[2:]) >= 736 - 16
    r = rec_preprocess([np.zeros((20, 400, 3), np.uint8), np.zeros((30, 30, 3), np.uint8)])
    assert r.shape == (2, 3, 48, 960) and r.dtype == np.float32
    with pytest.raises(ValueError, match="image"):
        det_preprocess(np.zeros((10, 10), np.uint8))
    with pytest.raises(FileNotFoundError, match="chars"):
        load_charset("/nonexistent/dict.txt")


@pytest.mark.parametrize("h, w", [(16, 4000), (4000, 16), (2, 9000)])
def test_thin_frames_and_slivers_cannot_blow_memory_up(h, w):
    """A 16 × 4000 frame grew to 736 × 184000 (1.5 GB per frame; the whole run took 15.9 GB)."""
    from vidlite.ocr.detect import MAX_SIDE
    from vidlite.ocr.recognize import MAX_ASPECT

    x = det_preprocess(np.zeros((h, w, 3), np.uint8))
    assert max(x.shape[2:]) <= MAX_SIDE and x.shape[2] % 32 == 0 and x.shape[3] % 32 == 0
    r = rec_preprocess([np.zeros((3, 4000, 3), np.uint8)] * 6)
    assert r.shape == (6, 3, 48, 48 * MAX_ASPECT)


@pytest.fixture(scope="module")
def images():
    out = []
    for i, text in enumerate(PHRASES):
        img = np.full((240, 320, 3), (30 + 40 * i, 80, 120), np.uint8)
        cv2.putText(img, text, (12, 80 + 40 * i), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (255, 255, 255), 2, cv2.LINE_AA)
        out.append((text, img))
    return out


def test_pipeline_reads_rendered_text_like_rapidocr(images):
    pytest.importorskip("rapidocr")
    from rapidocr import RapidOCR

    from vidlite_export.models.ppocr import build_ocr

    ocr = build_ocr(threads=2)
    reference = RapidOCR(params={"Global.use_cls": False, "Global.log_level": "error"})
    for text, img in images:
        lines = ocr(img)
        assert [ln.text for ln in lines] == [text]
        ref = reference(img)
        assert list(ref.txts) == [text]
        np.testing.assert_allclose(lines[0].box, ref.boxes[0], atol=2)


def test_allowed_characters_drop_symbols():
    from vidlite.ocr import LATIN, TextRecognizer, load_charset

    charset = load_charset(["a", "★"])  # blank, a, ★, space
    probs = np.eye(4, dtype=np.float32)[[2, 3, 1, 0, 1]][None]  # "★ aa"

    def run(feeds):
        return {"out": np.repeat(probs, len(feeds["x"]), axis=0)}

    crop = np.zeros((48, 100, 3), np.uint8)
    assert TextRecognizer(run, charset)([crop]) == [("★ aa", 1.0)]
    assert TextRecognizer(run, charset, allowed=LATIN)([crop]) == [("aa", 1.0)]
