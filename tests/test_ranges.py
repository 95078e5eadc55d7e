"""Numbers users give (CLI flags, API options) are checked against a range and refused with the value and
the range in the message, never accepted or quietly replaced by a default (issue #16)."""
from __future__ import annotations

import argparse

import numpy as np
import pytest

from vidlite.cli import build_parser, main
from vidlite.ranges import COUNT, SAMPLE_FPS, THREADS, Range


def test_range_words_and_checks():
    assert str(THREADS) == "an integer in 1..1024" and str(COUNT) == "an integer >= 1"
    assert str(SAMPLE_FPS) == "a number > 0 and <= 1000"
    assert THREADS.check("threads", np.int64(4)) == 4 and SAMPLE_FPS.check("fps", 2) == 2.0
    for bad in (0, -1, 2000, 1.5, True, "4", None):
        with pytest.raises(ValueError, match=f"threads must be an integer in 1..1024; got {bad!r}"):
            THREADS.check("threads", bad)
    for bad in (0, -1, float("nan"), float("inf"), 1001):
        with pytest.raises(ValueError, match="fps must be a number > 0 and <= 1000"):
            SAMPLE_FPS.check("fps", bad)
    assert Range(0, 1).arg("0.5") == 0.5
    with pytest.raises(argparse.ArgumentTypeError, match="must be an integer >= 1; got 'three'"):
        COUNT.arg("three")


def test_every_numeric_cli_option_has_a_range():
    """A plain type=int / type=float accepts 0, -1, nan and inf; every numeric flag takes a Range."""
    plain = []
    for command, sub in build_parser()._subparsers._group_actions[0].choices.items():
        for action in sub._actions:
            if action.type in (int, float):
                plain.append(f"{command} {'/'.join(action.option_strings) or action.dest}")
    assert plain == ["train --seed"]  # any integer is a seed


@pytest.mark.parametrize("argv, flag, value", [
    (["caption", "v.mp4"], "--threads", "0"),
    (["caption", "v.mp4"], "--threads", "-1"),
    (["understand", "v.mp4"], "--decode-threads", "-5"),
    (["caption", "v.mp4"], "--sample-fps", "0"),
    (["caption", "v.mp4"], "--sample-fps", "inf"),
    (["caption", "v.mp4"], "--sample-fps", "nan"),
    (["caption", "v.mp4"], "--beam", "0"),
    (["restore", "v.mp4", "-o", "r.mp4"], "--tile", "0"),
    (["understand", "v.mp4"], "--threshold", "1.5"),
    (["search", "lib.vlindex", "a ball"], "-k", "0"),
    (["search", "lib.vlindex", "a ball"], "--per-video", "0"),
    (["index", "lib.vlindex", "v.mp4"], "--threads", "0"),
    (["bench", "bundle"], "--runs", "0"),
    (["bench", "bundle"], "--threads", "0"),
    (["demo"], "--clips", "0"),
    (["train", "caption"], "--steps", "0"),
    (["train", "caption"], "--jobs", "0"),
    (["train", "caption"], "--test-clips", "-3"),
])
def test_cli_numbers_out_of_range_are_refused(capsys, argv, flag, value):
    with pytest.raises(SystemExit) as e:
        main([*argv, flag, value])
    err = capsys.readouterr().err
    assert e.value.code == 2 and f"argument {flag}: must be " in err and f"got '{value}'" in err, err
    assert "Traceback" not in err


@pytest.mark.parametrize("cls, field, value, allowed", [
    ("CaptionerOptions", "threads", 0, "an integer in 1..1024"),
    ("CaptionerOptions", "decode_threads", -5, "an integer in 1..1024"),
    ("CaptionerOptions", "sample_fps", 0, "a number > 0"),
    ("CaptionerOptions", "sample_fps", float("inf"), "a number > 0"),
    ("CaptionerOptions", "beam_width", 0, "an integer in 1..64"),
    ("CaptionerOptions", "queue_size", 0, "an integer >= 1"),
    ("RestorerOptions", "tile", 0, "an integer in 16..4096"),
    ("RestorerOptions", "overlap", -1, "an integer >= 0"),
    ("UnderstanderOptions", "event_threshold", float("nan"), "a number in 0..1"),
    ("RetrieverOptions", "window_stride", 0, "an integer >= 1"),
])
def test_api_options_out_of_range_are_refused(cls, field, value, allowed):
    import vidlite.tasks as tasks

    with pytest.raises(ValueError, match=f"{cls}.{field} must be {allowed}.*; got {value!r}"):
        getattr(tasks, cls)(**{field: value})


def test_index_search_counts(tmp_path):
    from vidlite.index import ClipIndex

    with ClipIndex(tmp_path / "x.vlindex") as ix:
        ix.add_video("a.mp4", [(0, 1, np.ones(4))])
        with pytest.raises(ValueError, match="k must be an integer >= 1; got 0"):
            ix.search(np.ones(4), k=0)
        with pytest.raises(ValueError, match="per_video must be an integer >= 1; got 0"):
            ix.search(np.ones(4), k=1, per_video=0)


def test_restore_tile_must_fit_the_generator(family_bundle):
    from vidlite.tasks import Restorer, RestorerOptions

    with pytest.raises(ValueError, match="tile must be a multiple of 8 for this generator; got 17"):
        Restorer(RestorerOptions(bundle=family_bundle("generate"), tile=17))
