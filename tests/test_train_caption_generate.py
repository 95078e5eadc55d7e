"""Caption and generate recipes: a few real training steps end to end, the model contracts the
exporter relies on, and the committed weights' metrics on a small held-out slice."""
import json

import numpy as np
import pytest
import torch

from vidlite_export.models import load_reference, weights_dir
from vidlite_export.models.caption import CaptionConfig, CaptionModel
from vidlite_export.models.generate import GenerateConfig, PatchDiscriminator, UNetGenerator
from vidlite_export.train import RECIPES, TrainOptions, recipe


def _has_weights(family):
    return (weights_dir(family) / "model.safetensors").is_file()


def test_caption_step_equals_teacher_forcing():
    torch.manual_seed(0)
    model = CaptionModel(CaptionConfig(vocab_size=30)).eval()
    frames = torch.randn(2, 8, 3, 64, 64)
    tokens = torch.randint(3, 30, (2, 9))
    with torch.no_grad():
        memory = model.encoder(frames)
        full = model.decoder.teacher_forced(tokens, memory).numpy()
    step, state = model.torch_step(), model.initial_state(memory.numpy())
    for pos in range(tokens.shape[1]):
        logits, state = step(tokens[:, pos].numpy(), pos, state)
        np.testing.assert_allclose(logits, full[:, pos], atol=1e-4)


def test_generator_is_fully_convolutional():
    g = UNetGenerator(GenerateConfig(channels=(8, 16, 24, 32))).eval()
    with torch.no_grad():
        for h, w in ((64, 64), (40, 96)):
            assert g(torch.zeros(1, 9, h, w)).shape == (1, 3, h, w)


def test_discriminator_judges_detail_only():
    torch.manual_seed(0)
    d = PatchDiscriminator(width=8)
    cond, cand = torch.randn(2, 3, 32, 32), torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        d(cond, cand)  # one power iteration of spectral norm, then freeze it
        d.eval()  # a shift in colour/brightness carries no detail: same verdict
        np.testing.assert_allclose(d(cond, cand + 0.3).numpy(), d(cond, cand).numpy(), rtol=1e-4, atol=1e-4)


def test_paired_gain_interval_separates_effect_from_noise():
    from vidlite_export.train.generate import paired_gain
    rng = np.random.default_rng(0)
    base = rng.uniform(0.4, 0.6, 400)
    real = paired_gain(base + 0.02 + rng.normal(0, 0.01, 400), base, "edge")
    assert real["edge_gain_ci95_low"] > 0 and real["edge_clips_sharper"] > 0.9
    assert real["edge_gain_ci95_low"] < real["edge_gain_vs_ablation"] < real["edge_gain_ci95_high"]
    null = paired_gain(base + rng.normal(0, 0.01, 400), base, "edge")
    assert null["edge_gain_ci95_low"] < 0 < null["edge_gain_ci95_high"]


@pytest.mark.parametrize("family,steps,headline", [("caption", 3, "bleu4"), ("generate", 4, "psnr_gain_db")])
def test_recipe_few_steps_writes_weights_and_card(tmp_path, family, steps, headline):
    card = recipe(family).train(TrainOptions(steps=steps, out=tmp_path, test_clips=4, progress=False))
    for name in ("model.safetensors", "card.json", "card.md"):
        assert (tmp_path / name).is_file(), name
    saved = json.loads((tmp_path / "card.json").read_text())
    assert saved["family"] == family and saved["metrics"] == card["metrics"]
    assert all(np.isfinite(v) for v in card["metrics"].values())
    assert all(n <= 5_000_000 for n in card["parameters"].values())
    model = load_reference(family, tmp_path)  # reloads what training wrote
    assert not model.training
    assert np.isfinite(recipe(family).evaluate(tmp_path, 2)[headline])


def test_training_families_side_by_side_gives_the_weights_of_training_each_alone(tmp_path):
    """`vidlite train all` runs recipes in worker processes; each must write exactly what training
    that family on its own writes (same seeds, same thread count)."""
    from safetensors.numpy import load_file
    from vidlite_export.train.schedule import train_many

    opts = TrainOptions(steps=2, out=tmp_path / "many", test_clips=2, progress=False, extra={"pool": 8})
    events = []
    results = train_many(["generate", "caption"], opts, jobs=2, on_event=lambda *e: events.append(e[:2]))
    assert set(results) == {"caption", "generate"}
    assert sorted(events) == sorted([(f, w) for f in ("caption", "generate") for w in ("started", "finished")])
    alone = recipe("caption").train(TrainOptions(steps=2, out=tmp_path / "alone", test_clips=2, progress=False,
                                                 extra={"pool": 8}))
    assert results["caption"][0]["metrics"] == alone["metrics"]
    a = load_file(tmp_path / "many" / "caption" / "model.safetensors")
    b = load_file(tmp_path / "alone" / "model.safetensors")
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert (tmp_path / "many" / "generate" / "card.json").is_file()


def test_unknown_family_is_refused():
    with pytest.raises(ValueError, match="no training recipe"):
        recipe("dance")
    with pytest.raises(ValueError, match="unknown family"):
        load_reference("dance")
    assert {"caption", "generate"} <= set(RECIPES)


def test_cli_train_refuses_bad_arguments(capsys):
    from vidlite.cli import main
    assert main(["train", "dance"]) == 2
    assert "unknown family" in capsys.readouterr().err
    for argv in (["train", "caption", "--steps", "0"], ["train", "all", "--jobs", "0"]):
        with pytest.raises(SystemExit) as e:  # argparse: the flag, its value and the allowed range
            main(argv)
        assert e.value.code == 2 and f"argument {argv[2]}: must be an integer" in capsys.readouterr().err


def _card(family):
    return json.loads((weights_dir(family) / "card.json").read_text())


@pytest.mark.skipif(not _has_weights("caption"), reason="caption weights not trained yet (vidlite train caption)")
def test_committed_caption_weights_reproduce_their_card_on_a_slice():
    card = _card("caption")["metrics"]
    m = recipe("caption").evaluate(weights_dir("caption"), 60)
    assert m["bleu4"] >= 0.5, m
    # a 60-clip slice of the 500-clip test set: allow sampling noise, catch real regressions
    assert m["bleu4"] >= card["bleu4"] - 0.08 and m["subject_accuracy"] >= card["subject_accuracy"] - 0.12, (m, card)


@pytest.mark.skipif(not _has_weights("generate"), reason="generate weights not trained yet (vidlite train generate)")
def test_committed_generate_weights_reproduce_their_card_on_a_slice():
    card = _card("generate")
    m = recipe("generate").evaluate(weights_dir("generate"), 40)
    assert m["psnr_gain_db"] >= card["metrics"]["psnr_gain_db"] - 1.5 and m["psnr_gain_db"] > 4.0, m
    assert all(bar["pass"] for bar in card["quality_bars"].values()), card["quality_bars"]
