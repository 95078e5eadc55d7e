"""vidlite.metrics against hand-worked values and independent implementations."""
import math
import subprocess
import sys

import cv2
import numpy as np
import pytest

from vidlite import metrics as m


def test_bleu4_known_values():
    assert m.bleu4(["a red circle moves left"], [["a red circle moves left"]]) == pytest.approx(1.0)
    assert m.bleu4(["a b c"], [["x y z w"]]) == 0.0
    # one clipped 4-gram miss: hyp 6 tokens, ref 6 tokens → p1=5/6 p2=3/5 p3=1/4 p4 = 0 → 0
    hyp, ref = "the cat sat on the mat", "the cat sat on a mat"
    p = [5 / 6, 3 / 5, 2 / 4, 1 / 3]
    assert m.bleu4([hyp], [[ref]]) == pytest.approx(math.exp(np.mean(np.log(p))))
    # brevity penalty against the closest reference length
    short = m.bleu4(["a red circle moves"], [["a red circle moves to the left"]])
    assert short == pytest.approx(math.exp(1 - 7 / 4))
    # multiple references: n-gram counts clip to the max over references
    assert m.bleu4(["a red circle slides left"], [["x", "a red circle slides left"]]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="reference lists"):
        m.bleu4(["a"], [])


def test_exact_match_and_char_accuracy():
    assert m.exact_match(["a  b", "c"], ["a b", "d"]) == 0.5
    assert m.char_accuracy(["helo", "world"], ["hello", "world"]) == pytest.approx(1 - 1 / 10)
    assert m.char_accuracy(["zzzzzzzz"], ["ab"]) == 0.0
    with pytest.raises(ValueError):
        m.exact_match([], [])


def test_macro_f1_single_and_multi_label():
    # class 0: tp1 fp0 fn0 → 1; class 1: tp1 fp0 fn1 → 2/3; class 2: tp1 fp1 fn0 → 2/3
    assert m.macro_f1([0, 1, 1, 2], [0, 1, 2, 2]) == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
    t = np.array([[1, 0, 0], [1, 1, 0], [0, 0, 0]])
    p = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 0]])
    # col0: tp1 fn1 → 2/3; col1: 1; col2: absent and never predicted → zero_division (1)
    assert m.macro_f1(t, p) == pytest.approx((2 / 3 + 1 + 1) / 3)
    assert m.macro_f1(t, p, zero_division=0.0) == pytest.approx((2 / 3 + 1) / 3)
    with pytest.raises(ValueError, match="shape"):
        m.macro_f1([0, 1], [0])


def test_psnr_known_value():
    a = np.zeros((8, 8, 3), np.uint8)
    b = a + 5
    assert m.psnr(b, a) == pytest.approx(10 * math.log10(255 ** 2 / 25))
    assert m.psnr(a, a) == float("inf")


def test_ssim_matches_opencv_reference():
    """Against the OpenCV formulation (GaussianBlur 11×11 σ1.5), cropped to the fully-covered area."""
    rng = np.random.default_rng(0)
    ref = cv2.GaussianBlur(rng.integers(0, 256, (48, 40, 3)).astype(np.uint8), (0, 0), 2)
    x = np.clip(ref + rng.normal(0, 15, ref.shape), 0, 255).astype(np.uint8)
    a, b = x.astype(np.float64), ref.astype(np.float64)
    blur = lambda z: cv2.GaussianBlur(z, (11, 11), 1.5, borderType=cv2.BORDER_REFLECT)[5:-5, 5:-5]  # noqa: E731
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu_a, mu_b = blur(a), blur(b)
    va, vb, cov = blur(a * a) - mu_a ** 2, blur(b * b) - mu_b ** 2, blur(a * b) - mu_a * mu_b
    expect = (((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a ** 2 + mu_b ** 2 + c1) * (va + vb + c2))).mean()
    assert m.ssim(x, ref) == pytest.approx(expect, abs=1e-6)
    assert m.ssim(ref, ref) == pytest.approx(1.0)
    assert m.ssim(np.stack([x, x]), np.stack([ref, ref])) == pytest.approx(expect, abs=1e-6)
    with pytest.raises(ValueError, match="11"):
        m.ssim(x[:5, :5], ref[:5, :5])


def test_sharpness_orders_blur():
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (32, 32, 3)).astype(np.uint8)
    assert m.sharpness(cv2.GaussianBlur(img, (0, 0), 1.5)) < m.sharpness(img)
    assert m.sharpness(np.full((8, 8), 7)) == 0.0


def test_edge_sharpness_ignores_flat_noise():
    ref = np.zeros((32, 32), np.float64)
    ref[:, 16:] = 200
    blurred = cv2.GaussianBlur(ref, (0, 0), 2)
    noisy = ref + np.random.default_rng(0).normal(0, 5, ref.shape)
    assert m.edge_sharpness_ratio(ref, ref) == pytest.approx(1.0)
    assert m.edge_sharpness_ratio(blurred, ref) < 0.6
    assert m.edge_sharpness_ratio(noisy, ref) == pytest.approx(1.0, abs=0.1)


def test_recall_at_k():
    sim = np.array([[0.9, 0.1, 0.0], [0.8, 0.7, 0.1], [0.0, 0.2, 0.1]])
    assert m.recall_at_k(sim, 1) == pytest.approx(1 / 3)
    assert m.recall_at_k(sim, 2) == 1.0
    assert m.recall_at_k(sim, 3) == 1.0
    assert m.recall_at_k(sim, 1, gt=[0, 0, 1]) == 1.0
    assert m.recall_at_k(sim, 1, gt=[{1, 0}, {2}, {1}]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="k must"):
        m.recall_at_k(sim, 0)


def test_metrics_module_is_numpy_only():
    code = "import sys, vidlite.metrics, vidlite.text.decode, vidlite.text.word; " \
           "bad = [m for m in ('torch', 'cv2', 'onnxruntime') if m in sys.modules]; assert not bad, bad"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_ranked_recall_matches_recall_at_k():
    sim = np.random.default_rng(0).normal(size=(20, 30))
    rankings = np.argsort(-sim, axis=1, kind="stable").tolist()
    gt = [{i, (i + 7) % 30} for i in range(20)]
    for k in (1, 5):
        assert m.ranked_recall_at_k(rankings, k, gt) == m.recall_at_k(sim, k, gt)
    assert m.ranked_recall_at_k([[3, 1], [2]], 1, [3, 1]) == 0.5  # short rankings (an index's top hits) are fine
    with pytest.raises(ValueError, match="ground-truth"):
        m.ranked_recall_at_k([[0]], 1, [0, 1])


def test_timed_event_f1():
    truth = [[("appears", 1.0, 1.25)], [("collide", 0.5, 0.75)], []]
    preds = [[("appears", 1.25, 1.5)], [("collide", 1.5, 1.75)], [("disappears", 0.0, 0.25)]]
    f = m.timed_event_f1(truth, preds, labels=("appears", "disappears", "collide", "stays"))
    assert f["f1_appears"] == 1.0  # 0.25 s off: within ±0.5 s
    assert f["f1_collide"] == 0.0 and f["f1_disappears"] == 0.0  # mistimed (FP + FN), spurious (FP)
    assert f["f1_stays"] == 1.0  # neither present nor predicted
    assert f["macro"] == pytest.approx(2 / 4)
    assert m.timed_event_f1(truth, preds, tol=1.0)["f1_collide"] == 1.0
    with pytest.raises(ValueError, match="3 clips of truth but 2"):
        m.timed_event_f1(truth, preds[:2])


def _square(inner=200, outer=50):
    ref = np.full((64, 64, 3), outer, np.uint8)
    ref[16:48, 20:44] = inner
    return ref


def test_edge_acutance_drops_with_blur_and_ignores_noise():
    ref = _square()
    noisy = np.clip(ref + np.random.default_rng(0).normal(0, 15, ref.shape), 0, 255).astype(np.uint8)
    assert m.edge_acutance_ratio(ref, ref) == pytest.approx(1.0)
    assert m.edge_acutance_ratio(cv2.GaussianBlur(ref, (0, 0), 1.2), ref) < 0.6
    assert m.edge_acutance_ratio(noisy, ref) == pytest.approx(1.0, abs=0.1)
    assert m.edge_acutance_ratio(np.full_like(ref, 9), np.full_like(ref, 50)) == 1.0  # no edges to keep
    with pytest.raises(ValueError, match="shape"):
        m.edge_acutance_ratio(ref[:32], ref)
