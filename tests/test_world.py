"""The procedural world: determinism, ground truth consistent with the pixels, damage, real mp4 files."""
import numpy as np
import pytest

from vidlite_export.world import (
    COLORS, DAMAGE_KINDS, HELDOUT_PHRASES, MOTIONS, OUTSIDE_SYNONYMS, SHAPES, SPLIT_SEEDS, TRAIN_PHRASES,
    WorldConfig, all_captions, caption_vocabulary, damage, generate_clip, generate_split, parse_caption,
    read_video, write_video,
)
from vidlite_export.world.captions import phrase_words
from vidlite_export.world.vocab import PARTNER_COLOR


@pytest.fixture(scope="module")
def clips():
    return generate_split("val", 120)


def test_clip_is_deterministic_and_seed_dependent():
    a, b = generate_clip(7, 3), generate_clip(7, 3)
    assert np.array_equal(a.frames, b.frames) and a.captions == b.captions and a.events == b.events
    assert not np.array_equal(a.frames, generate_clip(7, 4).frames)
    assert not np.array_equal(a.frames, generate_clip(8, 3).frames)


def test_clip_shapes_and_ground_truth(clips):
    cfg = WorldConfig()
    for c in clips:
        assert c.frames.shape == (cfg.frames, cfg.height, cfg.width, 3) and c.frames.dtype == np.uint8
        assert c.fps == cfg.fps and len(c.captions) == 5 and len(set(c.captions)) == 5
        assert c.subject["color"] in COLORS and c.subject["shape"] in SHAPES and c.subject["motion"] in MOTIONS
        assert c.track.shape == (cfg.frames, 4)
        for e in c.events:
            assert 0 <= e.start_s < e.end_s <= cfg.duration_s
    # every motion and event kind shows up in a modest sample
    assert {c.subject["motion"] for c in clips} == set(MOTIONS)
    assert {e.label for c in clips for e in c.events} == {"appears", "disappears", "collide"}


def test_captions_state_the_ground_truth(clips):
    for c in clips:
        event = c.events[0].label if c.events else None
        for cap in c.captions:
            facts = parse_caption(cap)
            assert (facts["color"], facts["shape"], facts["motion"], facts["event"]) == (
                c.subject["color"], c.subject["shape"], c.subject["motion"], event), cap
    vocab = set(caption_vocabulary())
    assert all(set(cap.split()) <= vocab for c in clips for cap in c.captions)
    # words meant to be outside the grammar really are
    outside = phrase_words(OUTSIDE_SYNONYMS)
    assert not ({"crimson", "ball", "heading", "tiny"} - outside) and not ({"crimson", "ball"} & vocab)


def test_training_vocabulary_never_uses_an_outside_word():
    """The wider vocabulary the retrieval ceiling bench fits on must leave the outside-grammar queries
    unseen: no word of theirs beyond the grammar's own."""
    from vidlite_export.world.captions import describe_with
    from vidlite_export.world.vocab import (OUTSIDE_EVENT_PHRASES, VARIED_EVENT_PHRASES, VARIED_SYNONYMS)

    outside = phrase_words(OUTSIDE_SYNONYMS, OUTSIDE_EVENT_PHRASES) - set(caption_vocabulary())
    assert not phrase_words(VARIED_SYNONYMS, VARIED_EVENT_PHRASES) & outside
    assert set(VARIED_SYNONYMS) == set(OUTSIDE_SYNONYMS) and set(VARIED_EVENT_PHRASES) == set(OUTSIDE_EVENT_PHRASES)
    rng = np.random.default_rng(0)
    text = describe_with(VARIED_SYNONYMS, VARIED_EVENT_PHRASES, rng, "red", "circle", "small", "left", "collide", "star")
    assert text.startswith("a ") and any(p.format(partner="").split()[0] in text for p in VARIED_EVENT_PHRASES["collide"])


def test_paraphrase_variety():
    caps = all_captions("red", "circle", "small", "left")
    assert caps[0] == "a small red circle moves to the left"
    assert "a red circle slides left" in caps and len(caps) >= 16


def test_pixels_follow_the_track(clips):
    """The main object's colour is at its tracked centre when visible, and the centre moves as the
    motion says."""
    for c in clips[:40]:
        t = c.track
        vis = t[:, 3] > 0
        for (cx, cy, r, v), f in zip(t, c.frames):
            x, y = int(np.clip(round(cx), 0, 63)), int(np.clip(round(cy), 0, 63))
            if v and c.subject["shape"] == "circle" and r > 4 and not c.overlay and not c.partner:
                # the chromaticity at the centre is nearest to the drawn colour despite lighting and noise
                px = f[y, x].astype(float) / np.linalg.norm(f[y, x].astype(float))
                names = list(COLORS)
                cos = [px @ (np.array(COLORS[n]) / np.linalg.norm(COLORS[n])) for n in names]
                assert names[int(np.argmax(cos))] == c.subject["color"]
        dx = t[vis][-1, 0] - t[vis][0, 0]
        dy = t[vis][-1, 1] - t[vis][0, 1]
        dr = t[vis][-1, 2] - t[vis][0, 2]
        m = c.subject["motion"]
        if m == "left":
            assert dx < -5
        elif m == "right":
            assert dx > 5
        elif m == "up":
            assert dy < -5
        elif m == "down":
            assert dy > 5
        elif m == "grow":
            assert dr > 1
        elif m == "shrink":
            assert dr < -1


def test_events_match_visibility(clips):
    for c in clips:
        vis = c.track[:, 3] > 0
        labels = [e.label for e in c.events]
        if "appears" in labels:
            k = int(round(c.events[0].start_s * c.fps))
            assert not vis[:k].any() and vis[k:].all()
        elif "disappears" in labels:
            k = int(round(c.events[0].start_s * c.fps))
            assert vis[:k].all() and not vis[k:].any()
        else:
            assert vis.all()
        if "collide" in labels:
            assert c.partner["color"] == "gray"


def test_collision_partner_stands_out_from_every_background():
    """A partner that blends into the background turns a collision into no event for every model."""
    cfg = WorldConfig(lighting=False, noise_max=0.0, overlay_prob=0.0)
    collide = [c for c in (generate_clip(SPLIT_SEEDS["test"], i, cfg) for i in range(120))
               if [e.label for e in c.events] == ["collide"]]
    assert len(collide) >= 10
    for c in collide:
        partner = np.all(c.frames == np.array(PARTNER_COLOR, np.uint8), axis=-1)
        assert partner.any(), c.index  # drawn, in its exact colour where nothing covers it
        first = c.frames[0].astype(int)  # the background is darker than the partner by far
        assert np.percentile(first.min(axis=-1), 90) < min(PARTNER_COLOR) - 50, c.index  # objects: saturated


def test_overlay_phrases_and_split():
    train = {p for p, _ in TRAIN_PHRASES}
    held = {p for p, _ in HELDOUT_PHRASES}
    assert not train & held and len(held) >= 20
    cfg = WorldConfig(width=256, height=160, overlay_prob=1.0, overlay_phrases="heldout")
    c = generate_clip(SPLIT_SEEDS["test"], 0, cfg)
    assert c.overlay is not None and c.overlay.text in held
    x0, y0, x1, y1 = c.overlay.box
    assert 0 <= x0 < x1 <= 256 and 0 <= y0 < y1 <= 160
    # the text pixels differ from the same clip without overlay inside the box only
    plain = generate_clip(SPLIT_SEEDS["test"], 0, WorldConfig(width=256, height=160, overlay_prob=0.0))
    diff = np.any(c.frames[0] != plain.frames[0], axis=-1)
    assert diff[y0:y1, x0:x1].mean() > 0.05 and not diff[:max(0, y0 - 1)].any() and not diff[y1 + 1:].any()


def test_damage_kinds_and_determinism():
    clean = generate_clip(1, 0).frames
    for kind in DAMAGE_KINDS:
        d = damage(clean, (kind,), rng=3)
        assert d.shape == clean.shape and d.dtype == np.uint8 and not np.array_equal(d, clean)
        assert np.array_equal(d, damage(clean, (kind,), rng=3))
    one = damage(clean[0], rng=1)
    assert one.shape == clean[0].shape
    assert np.array_equal(generate_clip(1, 0).frames, clean)  # input untouched
    with pytest.raises(ValueError, match="unknown kinds"):
        damage(clean, ("fog",))
    with pytest.raises(ValueError, match="uint8"):
        damage(clean.astype(np.float32))


def test_bad_config_and_split_names():
    with pytest.raises(ValueError, match="width/height"):
        WorldConfig(width=8)
    with pytest.raises(ValueError, match="overlay_phrases"):
        WorldConfig(overlay_phrases="all")
    with pytest.raises(ValueError, match="expected one of"):
        generate_split("holdout", 3)


def test_write_and_read_mp4(tmp_path):
    c = generate_clip(2, 1)
    path = write_video(tmp_path / "clip.mp4", c.frames, c.fps)
    frames, fps = read_video(path)
    assert frames.shape == c.frames.shape and abs(fps - c.fps) < 1e-3
    # lossy codec, but the picture survives
    assert np.abs(frames.astype(int) - c.frames.astype(int)).mean() < 12
    with pytest.raises(ValueError, match="uint8"):
        write_video(tmp_path / "bad.mp4", c.frames.astype(np.float32), 4)
