"""The index file: one SQLite database (Python's stdlib sqlite3) in WAL mode.

Why SQLite: every ``add_video`` / ``remove_video`` is one transaction, so a crash or power loss
mid-write leaves the file with every committed video intact and none of the half-written one (the
WAL is replayed or discarded on the next open). Embeddings are stored as float32 blobs, L2-normalised
on insert, so search is one matrix product.

Search is brute force over all clips held in memory (loaded once, reloaded only when the file
changed): exact, and fast enough up to ~100 k clips (100 k × 256 float32 = 100 MB, a few ms per
query). Beyond that, use an approximate-nearest-neighbour index (FAISS IVF-PQ / HNSW, or hnswlib)
built from the same embeddings — ``ClipIndex.embeddings()`` exports them.
"""
from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidlite.errors import VidliteError

SCHEMA_VERSION = 1


class RetrievalIndexError(VidliteError):
    """The index file cannot be used (not an index, another model's embeddings, wrong dimension)."""


@dataclass(frozen=True)
class Hit:
    video: str
    start: float
    end: float
    score: float  # cosine similarity, -1..1

    def as_dict(self) -> dict:
        return {"video": self.video, "start": round(self.start, 3), "end": round(self.end, 3),
                "score": round(self.score, 4)}


_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS videos (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, added REAL NOT NULL, info TEXT);
CREATE TABLE IF NOT EXISTS clips (
    id INTEGER PRIMARY KEY, video_id INTEGER NOT NULL REFERENCES videos(id) ON DELETE CASCADE,
    start REAL NOT NULL, "end" REAL NOT NULL, embedding BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS clips_by_video ON clips(video_id);
"""


def _video_key(video: str | os.PathLike) -> str:
    p = Path(video)
    return str(p.resolve()) if p.exists() else str(video)


class ClipIndex:
    """Open (or create) an index file. ``dim`` and ``model`` are fixed when the file is created and
    checked on every later open, so embeddings of different models never mix."""

    def __init__(self, path: str | os.PathLike, *, dim: int | None = None, model: str | None = None,
                 create: bool = True):
        self.path = Path(path)
        if self.path.is_dir():
            raise RetrievalIndexError(f"index {self.path} is a folder; give a file path such as library.vlindex")
        if not self.path.exists() and not create:
            raise RetrievalIndexError(f"index file not found: {self.path} (create it with `vidlite index {self.path} VIDEO...`)")
        if not self.path.parent.exists():
            raise RetrievalIndexError(f"folder {self.path.parent} for index {self.path.name} does not exist")
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: committed data survives a crash
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as e:
            raise RetrievalIndexError(f"{self.path} is not a vidlite index ({e})") from None
        self.dim, self.model = self._check_meta(dim, model)
        self._cache: tuple[int, np.ndarray, np.ndarray] | None = None  # (data_version, ids, matrix)

    def _meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM meta"))

    def _check_meta(self, dim: int | None, model: str | None) -> tuple[int | None, str | None]:
        meta = self._meta()
        if not meta:
            if dim is None:
                return None, model  # empty index: fixed by the first add
            self._write_meta(dim, model)
            return dim, model
        have_dim, have_model = int(meta["dim"]), meta.get("model") or None
        if int(meta.get("schema", SCHEMA_VERSION)) != SCHEMA_VERSION:
            raise RetrievalIndexError(f"index {self.path} has schema {meta['schema']}; this vidlite reads {SCHEMA_VERSION}")
        if dim is not None and dim != have_dim:
            raise RetrievalIndexError(f"index {self.path} holds {have_dim}-d embeddings, got {dim}-d: another model?")
        if model and have_model and model != have_model:
            raise RetrievalIndexError(f"index {self.path} was built with model {have_model!r}, not {model!r}; "
                              f"re-index with that model or use a new index file")
        return have_dim, have_model

    def _write_meta(self, dim: int, model: str | None) -> None:
        with self._tx():
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                 [("schema", str(SCHEMA_VERSION)), ("dim", str(dim)), ("model", model or "")])

    def _tx(self):
        db = self._db

        class _Tx:
            def __enter__(self):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, *rest):
                db.execute("ROLLBACK" if exc_type else "COMMIT")

        return _Tx()

    # -- writing -------------------------------------------------------------------------------
    def add_video(self, video: str | os.PathLike, clips, info: dict | None = None) -> int:
        """Store ``clips`` = [(start, end, embedding)] for ``video``, replacing what it had; one transaction.
        Returns the number of clips stored."""
        rows = []
        for start, end, emb in clips:
            v = np.asarray(emb, dtype=np.float32).reshape(-1)
            if self.dim is None:
                self.dim = v.size
                self._write_meta(self.dim, self.model)
            if v.size != self.dim:
                raise RetrievalIndexError(f"clip embedding of {video} has {v.size} values; index {self.path} holds {self.dim}")
            if not np.all(np.isfinite(v)):
                raise RetrievalIndexError(f"clip embedding of {video} at {start:.2f}s contains NaN/inf")
            v = v / max(float(np.linalg.norm(v)), 1e-12)
            rows.append((float(start), float(end), v.astype("<f4").tobytes()))
        key = _video_key(video)
        with self._tx():
            self._db.execute("DELETE FROM videos WHERE path = ?", (key,))
            vid = self._db.execute("INSERT INTO videos(path, added, info) VALUES (?, ?, ?)",
                                   (key, time.time(), json.dumps(info or {}))).lastrowid
            self._db.executemany('INSERT INTO clips(video_id, start, "end", embedding) VALUES (?, ?, ?, ?)',
                                 [(vid, *r) for r in rows])
        return len(rows)

    def remove_video(self, video: str | os.PathLike) -> bool:
        with self._tx():
            n = self._db.execute("DELETE FROM videos WHERE path = ?", (_video_key(video),)).rowcount
        return n > 0

    # -- reading -------------------------------------------------------------------------------
    def videos(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT path FROM videos ORDER BY id")]

    def __contains__(self, video) -> bool:
        return self._db.execute("SELECT 1 FROM videos WHERE path = ?", (_video_key(video),)).fetchone() is not None

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM clips").fetchone()[0]

    def _matrix(self) -> tuple[np.ndarray, np.ndarray]:
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        count, max_id = self._db.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM clips").fetchone()
        stamp = (version, count, max_id)
        if self._cache is None or self._cache[0] != stamp:
            rows = self._db.execute("SELECT id, embedding FROM clips ORDER BY id").fetchall()
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            mat = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), self.dim or 0)
            self._cache = (stamp, ids, mat)
        return self._cache[1], self._cache[2]

    def embeddings(self) -> tuple[np.ndarray, list[Hit]]:
        """All clip embeddings (N, dim), L2-normalised, with what each one is (score 0)."""
        ids, mat = self._matrix()
        return mat, [self._hit(int(i), 0.0) for i in ids]

    def _hit(self, clip_id: int, score: float) -> Hit:
        path, start, end = self._db.execute(
            'SELECT v.path, c.start, c."end" FROM clips c JOIN videos v ON v.id = c.video_id WHERE c.id = ?',
            (clip_id,)).fetchone()
        return Hit(path, start, end, score)

    def search(self, query: np.ndarray, k: int = 5, per_video: int | None = None) -> list[Hit]:
        """Top-``k`` clips by cosine similarity to ``query`` (one embedding); ``per_video`` caps hits per video."""
        if k < 1:
            raise ValueError(f"k must be >= 1, got {k}")
        q = np.asarray(query, dtype=np.float32).reshape(-1)
        ids, mat = self._matrix()
        if len(ids) == 0:
            return []
        if q.size != mat.shape[1]:
            raise RetrievalIndexError(f"query embedding has {q.size} values; index {self.path} holds {mat.shape[1]}")
        scores = mat @ (q / max(float(np.linalg.norm(q)), 1e-12))
        if per_video is None and k < len(scores):
            top = np.argpartition(-scores, k - 1)[:k]
            order = top[np.argsort(-scores[top], kind="stable")]
        else:
            order = np.argsort(-scores, kind="stable")
        hits, seen = [], {}
        for j in order:
            hit = self._hit(int(ids[j]), float(scores[j]))
            if per_video is not None:
                if seen.get(hit.video, 0) >= per_video:
                    continue
                seen[hit.video] = seen.get(hit.video, 0) + 1
            hits.append(hit)
            if len(hits) == k:
                break
        return hits

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "ClipIndex":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
