"""The retrieval index file: add/remove/search, persistence, model checks, and surviving a kill -9."""
from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from vidlite.index import ClipIndex, RetrievalIndexError


def clips(rng, n, dim=16, length=2.0):
    return [(i * length, (i + 1) * length, rng.normal(size=dim)) for i in range(n)]


def test_add_search_remove_and_reopen(tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "lib.vlindex"
    with ClipIndex(path, model="m@1") as ix:
        a, b = clips(rng, 5), clips(rng, 3)
        assert ix.add_video("a.mp4", a) == 5 and ix.add_video("b.mp4", b) == 3
        hits = ix.search(b[1][2] * 3.0, k=2)
        assert (hits[0].video, hits[0].start, hits[0].end) == ("b.mp4", 2.0, 4.0)
        assert hits[0].score == pytest.approx(1.0, abs=1e-5) and hits[0].score >= hits[1].score
        assert ix.dim == 16 and len(ix) == 8
    with ClipIndex(path, model="m@1") as ix:  # persistent
        assert ix.videos() == ["a.mp4", "b.mp4"] and len(ix) == 8
        assert ix.remove_video("b.mp4") and not ix.remove_video("b.mp4")
        assert {h.video for h in ix.search(b[1][2], k=10)} == {"a.mp4"}
        ix.add_video("a.mp4", a[:2])  # re-adding replaces the video's clips
        assert len(ix) == 2


def test_per_video_cap_and_empty_index(tmp_path):
    rng = np.random.default_rng(1)
    with ClipIndex(tmp_path / "x.vlindex") as ix:
        assert ix.search(rng.normal(size=4), k=3) == []
        ix.add_video("a.mp4", clips(rng, 6, dim=4))
        ix.add_video("b.mp4", clips(rng, 6, dim=4))
        hits = ix.search(rng.normal(size=4), k=4, per_video=1)
        assert len(hits) == 2 and {h.video for h in hits} == {"a.mp4", "b.mp4"}


def test_refuses_mixed_models_and_dimensions(tmp_path):
    path = tmp_path / "m.vlindex"
    with ClipIndex(path, dim=8, model="retrieve@1") as ix:
        with pytest.raises(RetrievalIndexError, match="has 4 values; index .* holds 8"):
            ix.add_video("a.mp4", [(0, 1, np.ones(4))])
        with pytest.raises(RetrievalIndexError, match="NaN"):
            ix.add_video("a.mp4", [(0, 1, np.full(8, np.nan))])
    with pytest.raises(RetrievalIndexError, match="built with model 'retrieve@1'"):
        ClipIndex(path, model="other@2")
    with pytest.raises(RetrievalIndexError, match="holds 8-d embeddings, got 16-d"):
        ClipIndex(path, dim=16)


def test_bad_index_files(tmp_path):
    (tmp_path / "junk.vlindex").write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(RetrievalIndexError, match="is not a vidlite index"):
        ClipIndex(tmp_path / "junk.vlindex")
    with pytest.raises(RetrievalIndexError, match="index file not found"):
        ClipIndex(tmp_path / "none.vlindex", create=False)
    with pytest.raises(RetrievalIndexError, match="is a folder"):
        ClipIndex(tmp_path)


WRITER = textwrap.dedent("""
    import sys, numpy as np
    from vidlite.index import ClipIndex
    ix = ClipIndex(sys.argv[1], dim=64, model="crash-test")
    rng = np.random.default_rng(0)
    i = 0
    while True:
        n = 200 + i % 50
        ix.add_video(f"v{i}.mp4", [(k, k + 1, rng.normal(size=64)) for k in range(n)])
        print(i, n, flush=True)   # committed
        i += 1
""")


def test_survives_kill_during_writes(tmp_path):
    path = tmp_path / "crash.vlindex"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
    committed = {}
    deadline = time.time() + 60
    while len(committed) < 15 and time.time() < deadline:
        i, n = map(int, proc.stdout.readline().split())
        committed[f"v{i}.mp4"] = n
    proc.send_signal(signal.SIGKILL)  # most likely in the middle of the next add_video
    proc.wait()
    assert len(committed) >= 15

    with ClipIndex(path, model="crash-test") as ix:
        assert ix._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        videos = ix.videos()
        assert set(committed) <= set(videos), "a committed video was lost"
        per_video = dict(ix._db.execute(
            "SELECT v.path, COUNT(c.id) FROM videos v JOIN clips c ON c.video_id = v.id GROUP BY v.id"))
        for v in videos:  # the one in flight is either fully there or absent
            assert per_video[v] == 200 + int(v[1:-4]) % 50
        assert ix.search(np.ones(64), k=3)

