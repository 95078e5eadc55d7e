"""SRT / WebVTT / JSON writers: format rules, cue-by-cue flushing, duplicate merging, escaping."""
from __future__ import annotations

import json

import pytest

from vidlite.outputs import OutputError
from vidlite.subtitles import (Segment, merge_duplicates, open_subtitles, parse_srt, parse_time, parse_vtt,
                               srt_time, vtt_time)

def test_timestamps():
    assert srt_time(0) == "00:00:00,000"
    assert srt_time(3661.2346) == "01:01:01,235" and vtt_time(3661.2346) == "01:01:01.235"
    assert vtt_time(59.9996) == "00:01:00.000"


def test_files_follow_the_formats_and_merge_duplicates(tmp_path):
    segs = [Segment(0, 2, "a red ball moves left"), Segment(2, 4, "a red ball moves left"),
            Segment(4, 6, "it says --> <b>go</b> & stop"), Segment(6, 8, "a blue square")]
    out = {"srt": tmp_path / "a.srt", "vtt": tmp_path / "a.vtt", "json": tmp_path / "a.json"}
    with open_subtitles(out) as sink:
        for s in segs:
            sink.add(s)
    srt = parse_srt(out["srt"].read_text())
    vtt = parse_vtt(out["vtt"].read_text())
    assert [(c[1], c[2]) for c in srt] == [("00:00:00,000", "00:00:04,000"), ("00:00:04,000", "00:00:06,000"),
                                            ("00:00:06,000", "00:00:08,000")]
    assert vtt[1][2] == "it says --&gt; &lt;b&gt;go&lt;/b&gt; &amp; stop"
    assert srt[1][3] == "it says --> <b>go</b> & stop"
    data = json.loads(out["json"].read_text())
    assert [d["text"] for d in data] == ["a red ball moves left", "it says --> <b>go</b> & stop", "a blue square"]
    assert data[0]["start"] == 0 and data[0]["end"] == 4


def test_cues_are_flushed_as_soon_as_they_are_final(tmp_path):
    out = {"srt": tmp_path / "live.srt", "vtt": tmp_path / "live.vtt", "json": tmp_path / "live.json"}
    live = {"srt": tmp_path / "live.partial.srt", "vtt": tmp_path / "live.partial.vtt",
            "json": tmp_path / "live.partial.json"}  # what a player follows while the run lasts
    sink = open_subtitles(out)
    sink.add(Segment(0, 1, "one"))
    sink.add(Segment(1, 2, "one"))  # still the same cue: nothing final yet
    assert parse_srt(live["srt"].read_text()) == []
    sink.add(Segment(2, 3, "two"))  # "one" is final now and must be on disk, readable while open
    assert [c[3] for c in parse_srt(live["srt"].read_text())] == ["one"]
    assert [c[2] for c in parse_vtt(live["vtt"].read_text())] == ["one"]
    assert [d["text"] for d in json.loads(live["json"].read_text())] == ["one"]
    sink.close()
    assert [c[3] for c in parse_srt(out["srt"].read_text())] == ["one", "two"]
    assert not any(p.exists() for p in live.values())


def _old_files(tmp_path):
    out = {"srt": tmp_path / "a.srt", "vtt": tmp_path / "a.vtt", "json": tmp_path / "a.json"}
    for fmt, path in out.items():
        path.write_text(f"the previous run's {fmt}\n")
    return out


def test_a_failed_run_leaves_the_old_files_as_they_were(tmp_path):
    out = _old_files(tmp_path)
    with pytest.raises(RuntimeError):
        with open_subtitles(out) as sink:
            sink.add(Segment(0, 1, "one"))
            sink.add(Segment(1, 2, "two"))
            raise RuntimeError("the source went away")
    assert {fmt: p.read_text() for fmt, p in out.items()} == {fmt: f"the previous run's {fmt}\n" for fmt in out}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.srt", "a.vtt"]  # no partial left


def test_a_stopped_live_run_keeps_its_cues(tmp_path):
    out = _old_files(tmp_path)
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C ends a camera's captions: a stop, not a failure
        with open_subtitles(out) as sink:
            sink.add(Segment(0, 1, "one"))
            sink.add(Segment(1, 2, "two"))
            raise KeyboardInterrupt
    assert [c[3] for c in parse_srt(out["srt"].read_text())] == ["one", "two"]
    assert [d["text"] for d in json.loads(out["json"].read_text())] == ["one", "two"]


def test_multiline_text_keeps_cues_intact(tmp_path):
    with open_subtitles({"srt": tmp_path / "m.srt"}) as sink:
        sink.add(Segment(0, 1, "line one\n\n\nline two"))
    assert parse_srt((tmp_path / "m.srt").read_text())[0][3] == "line one\nline two"


def test_merge_duplicates_only_merges_consecutive():
    segs = merge_duplicates([Segment(0, 1, "a"), Segment(1, 2, "a"), Segment(2, 3, "b"), Segment(3, 4, "a")])
    assert [(s.start, s.end, s.text) for s in segs] == [(0, 2, "a"), (2, 3, "b"), (3, 4, "a")]
    scored = merge_duplicates([Segment(0, 1, "a"), Segment(1, 2, "a", 0.5), Segment(2, 3, "a", 0.25)])
    assert scored == [Segment(0, 3, "a", 0.5)]


def test_merged_on_screen_text_keeps_the_box_of_its_best_reading():
    """The Understander merges its on-screen text with the same merger (one item per run of windows)."""
    from vidlite.tasks.understander import ScreenText

    reads = [ScreenText("SALE", 0, 1, 0.6, [[0, 0]]), ScreenText("SALE", 1, 2, 0.9, [[1, 1]]),
             ScreenText("SALE", 2, 3, 0.7, [[2, 2]]), ScreenText("OPEN", 3, 4, 0.8, [[3, 3]])]
    first = reads[0].box
    merged = merge_duplicates(reads)
    assert [(t.text, t.start, t.end, t.score, t.box) for t in merged] == [("SALE", 0, 3, 0.9, [[1, 1]]),
                                                                         ("OPEN", 3, 4, 0.8, [[3, 3]])]
    assert reads[0].end == 1 and reads[0].box is first  # the caller's items are not changed


def test_bad_outputs(tmp_path):
    with pytest.raises(ValueError, match="unknown subtitle format"):
        open_subtitles({"ass": tmp_path / "x.ass"})
    with pytest.raises(OutputError, match="cannot write .*x.srt"):
        open_subtitles({"srt": tmp_path / "missing-dir" / "x.srt"})
    (tmp_path / "old.srt").write_text("kept\n")
    with pytest.raises(OutputError):  # the second output cannot be written: the first is not replaced
        open_subtitles({"srt": tmp_path / "old.srt", "vtt": tmp_path / "missing-dir" / "x.vtt"})
    assert (tmp_path / "old.srt").read_text() == "kept\n" and not (tmp_path / "old.partial.srt").exists()


@pytest.mark.parametrize("text, message", [
    ("1\n00:00:00,000 --> 00:00:01,000\nhi\n", "blank line"),
    ("2\n00:00:00,000 --> 00:00:01,000\nhi\n\n", "numbered 2"),
    ("1\n00:00:00.000 --> 00:00:01.000\nhi\n\n", "not a cue"),
    ("1\n00:00:02,000 --> 00:00:01,000\nhi\n\n", "ends .* before it starts"),
    ("1\n00:00:02,000 --> 00:00:03,000\na\n\n2\n00:00:01,000 --> 00:00:04,000\nb\n\n", "before the cue before"),
])
def test_parse_srt_rejects_broken_files(text, message):
    with pytest.raises(ValueError, match=message):
        parse_srt(text)


def test_parse_vtt_rejects_broken_files():
    with pytest.raises(ValueError, match="WEBVTT"):
        parse_vtt("00:00:00.000 --> 00:00:01.000\nhi\n\n")
    with pytest.raises(ValueError, match="-->"):
        parse_vtt("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\na --> b\n\n")
    assert parse_time("01:02:03,450") == parse_time("01:02:03.450") == pytest.approx(3723.45)


def test_a_segment_without_text_writes_no_cue(tmp_path):
    """An empty (or whitespace-only) caption made an SRT cue with no text line, which no reader accepts
    (found by tests/fuzz: subtitle_writers)."""
    out = {"srt": tmp_path / "a.srt", "vtt": tmp_path / "a.vtt"}
    with open_subtitles(out) as sink:
        for i, text in enumerate(["a ball", " \n ", "", "it stops"]):
            sink.add(Segment(2.0 * i, 2.0 * i + 2, text))
    assert [s.text for s in sink.segments] == ["a ball", "it stops"]
    assert len(parse_srt(out["srt"].read_text())) == len(parse_vtt(out["vtt"].read_text())) == 2
