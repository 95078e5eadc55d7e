"""The retrieval index file: add/remove/search, persistence, model checks, and surviving a kill -9."""
from __future__ import annotations

import hashlib
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from vidlite.index import ClipIndex, RetrievalIndexError, store


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



# --- trust: only vidlite indexes are opened, and search never changes a file (issue #16) -----------

def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _foreign_files(d):
    """Files `index` / `search` must refuse without changing a byte: other programs' SQLite databases,
    an empty file, a file that is not SQLite."""
    for name, statements in {"notes.db": ["CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)",
                                          "INSERT INTO notes(body) VALUES ('keep me')"],
                             "other.db": ["PRAGMA application_id = 1234",
                                          "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"]}.items():
        db = sqlite3.connect(d / name)
        for sql in statements:
            db.execute(sql)
        db.commit()
        db.close()
    (d / "empty.vlindex").write_bytes(b"")
    (d / "junk.vlindex").write_bytes(b"definitely not sqlite" * 100)
    return {"notes.db": "not a vidlite index (tables notes)", "other.db": "application_id is another program's",
            "empty.vlindex": "is an empty file", "junk.vlindex": "not a SQLite database"}


@pytest.mark.parametrize("read_only", [False, True])
def test_foreign_files_are_refused_unchanged(tmp_path, read_only):
    expected = _foreign_files(tmp_path)
    before = {p.name: _digest(p) for p in tmp_path.iterdir()}
    for name, message in expected.items():
        with pytest.raises(RetrievalIndexError, match=re.escape(message)):
            ClipIndex(tmp_path / name, model="m@1", read_only=read_only)
    assert {p.name: _digest(p) for p in tmp_path.iterdir()} == before  # no byte changed, no -wal/-journal added


def _legacy_index(path, rng):
    """An index as vidlite wrote it before application_id: the same tables, no mark."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(store._SCHEMA)
    db.executemany("INSERT INTO meta VALUES (?, ?)", [("schema", "1"), ("dim", "8"), ("model", "m@1")])
    db.execute("INSERT INTO videos VALUES (1, 'a.mp4', 0, '{}')")
    for i, (start, end, emb) in enumerate(clips(rng, 3, dim=8)):
        emb = (emb / np.linalg.norm(emb)).astype("<f4").tobytes()
        db.execute("INSERT INTO clips VALUES (?, 1, ?, ?, ?)", (i + 1, start, end, emb))
    db.close()


def _mark(path) -> tuple[int, int]:
    db = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA application_id").fetchone()[0], db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def test_new_indexes_are_marked_and_old_ones_still_open(tmp_path):
    rng = np.random.default_rng(3)
    with ClipIndex(tmp_path / "new.vlindex", model="m@1") as ix:
        ix.add_video("a.mp4", clips(rng, 2, dim=8))
    assert _mark(tmp_path / "new.vlindex") == (store.APPLICATION_ID, store.SCHEMA_VERSION)
    assert not (tmp_path / "new.partial.vlindex").exists()

    old = tmp_path / "old.vlindex"
    _legacy_index(old, rng)
    before = _digest(old)
    with ClipIndex(old, model="m@1", read_only=True) as ix:  # search: read as it is
        assert len(ix.search(rng.normal(size=8), k=2)) == 2
        with pytest.raises(RetrievalIndexError, match="read-only"):
            ix.add_video("b.mp4", clips(rng, 1, dim=8))
    assert _digest(old) == before and _mark(old) == (0, 0)
    with ClipIndex(old, model="m@1") as ix:  # index: opened to write, so marked
        ix.add_video("b.mp4", clips(rng, 1, dim=8))
    assert _mark(old) == (store.APPLICATION_ID, store.SCHEMA_VERSION)


def test_a_newer_format_is_refused(tmp_path):
    path = tmp_path / "future.vlindex"
    ClipIndex(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 2")
    db.close()
    with pytest.raises(RetrievalIndexError, match="has format 2; this vidlite reads 1"):
        ClipIndex(path, read_only=True)


@pytest.mark.parametrize("damage, message", [
    ("UPDATE meta SET value = 'abc' WHERE key = 'dim'", "meta dim 'abc'"),
    ("DELETE FROM meta WHERE key = 'dim'", "meta dim None"),
    ("UPDATE meta SET value = '-3' WHERE key = 'dim'", "meta dim -3"),
    ("UPDATE clips SET embedding = x'00000000' WHERE id = 2", "clip 2 has a 4-byte embedding; 8-d embeddings take 32"),
    ("UPDATE clips SET embedding = 'text' WHERE id = 1", "clip 1 has a str embedding"),
    ("UPDATE clips SET embedding = x'0000c07f" + "00000000" * 7 + "' WHERE id = 3", "NaN or infinity"),
    ("DROP TABLE videos", "its tables are ['clips', 'meta']"),
])
def test_damaged_metadata_is_a_clear_error(tmp_path, damage, message):
    path = tmp_path / "lib.vlindex"
    with ClipIndex(path, model="m@1") as ix:
        ix.add_video("a.mp4", clips(np.random.default_rng(4), 3, dim=8))
    db = sqlite3.connect(path)
    db.execute(damage)
    db.commit()
    db.close()
    with pytest.raises(RetrievalIndexError, match=f"is damaged \\(.*{re.escape(message)}"):
        with ClipIndex(path, model="m@1", read_only=True) as ix:
            ix.search(np.ones(8), k=3)


def test_search_and_index_commands_refuse_foreign_files(capsys, tmp_path, family_bundle, video_dir):
    from vidlite.cli import main

    expected = _foreign_files(tmp_path)
    before = {p.name: _digest(p) for p in tmp_path.iterdir()}
    bundle = family_bundle("retrieve")
    for name, message in expected.items():
        for argv in (["search", tmp_path / name, "a red ball"], ["index", tmp_path / name, video_dir / "good.mp4"]):
            assert main([*map(str, argv), "--bundle", str(bundle)]) == 1
            err = capsys.readouterr().err
            assert err.startswith("vidlite: error: ") and message in err and err.count("\n") == 1, err
    assert {p.name: _digest(p) for p in tmp_path.iterdir()} == before
