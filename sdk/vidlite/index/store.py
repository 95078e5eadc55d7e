"""The index file: one SQLite database (Python's stdlib sqlite3) in WAL mode.

Why SQLite: every ``add_video`` / ``remove_video`` is one transaction, so a crash or power loss
mid-write leaves the file with every committed video intact and none of the half-written one (the
WAL is replayed or discarded on the next open). Embeddings are stored as float32 blobs, L2-normalised
on insert, so search is one matrix product.

A vidlite index is marked as one: SQLite's ``application_id`` is APPLICATION_ID and its
``user_version`` the format (SCHEMA_VERSION). Only such files are opened; any other file (another
program's database, a 0-byte file, not SQLite at all) is refused without a byte of it changed. A file
an earlier vidlite made (no mark, but exactly this schema) is searched as it is and marked the first
time ``vidlite index`` opens it to write. ``read_only=True`` (``vidlite search``) opens the file
read-only: it is never written, never switched to WAL. A new index is built under its partial name
and linked into place, so a kill mid-creation never leaves a half-made (or empty) file at the name.

Search is brute force over all clips held in memory (loaded once, reloaded only when the file
changed): exact, and fast enough up to ~100 k clips (100 k × 256 float32 = 100 MB, a few ms per
query). Beyond that, use an approximate-nearest-neighbour index (FAISS IVF-PQ / HNSW, or hnswlib)
built from the same embeddings — ``ClipIndex.embeddings()`` exports them.
"""
from __future__ import annotations

import functools
import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from vidlite.errors import VidliteError
from vidlite.outputs import OutputFile
from vidlite.ranges import COUNT

APPLICATION_ID = 0x564C4958  # "VLIX" in SQLite's header: this database is a vidlite index
SCHEMA_VERSION = 1  # PRAGMA user_version; also meta 'schema', which vidlite before APPLICATION_ID reads
_SQLITE_MAGIC = b"SQLite format 3\0"


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
_COLUMNS = {"meta": {"key", "value"}, "videos": {"id", "path", "added", "info"},
            "clips": {"id", "video_id", "start", "end", "embedding"}}


def _header_app_id(path: Path) -> int:
    """The application_id in a SQLite file's header, read without SQLite (which would take an empty or
    foreign file for a database to set up); RetrievalIndexError when it is not a SQLite file at all."""
    with open(path, "rb") as f:
        head = f.read(100)
    if not head:
        raise RetrievalIndexError(f"{path} is an empty file, not a vidlite index; remove it or choose another "
                                  f"name, and `vidlite index` creates the index")
    if len(head) < 100 or not head.startswith(_SQLITE_MAGIC):
        raise RetrievalIndexError(f"{path} is not a vidlite index (not a SQLite database); it was not changed")
    return int.from_bytes(head[68:72], "big")


def _video_key(video: str | os.PathLike) -> str:
    p = Path(video)
    return str(p.resolve()) if p.exists() else str(video)


# What SQLite raises on a damaged or unusable file, wherever it meets it: malformed pages, text that
# does not decode, a locked or read-only file.
_SQLITE_ERRORS = (sqlite3.DatabaseError, UnicodeDecodeError)


def _index_errors(method):
    """SQLite's errors on a damaged or unusable file as RetrievalIndexError naming the index, whatever
    call first meets them (a malformed page may show only when a table is read)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except _SQLITE_ERRORS as e:
            raise self._sqlite_error(e) from None
    return wrapper


class ClipIndex:
    """Open (or create) an index file. ``dim`` and ``model`` are fixed when the file is created and
    checked on every later open, so embeddings of different models never mix."""

    def __init__(self, path: str | os.PathLike, *, dim: int | None = None, model: str | None = None,
                 create: bool = True, read_only: bool = False):
        self.path, self.read_only = Path(path), read_only
        if self.path.is_dir():
            raise RetrievalIndexError(f"index {self.path} is a folder; give a file path such as library.vlindex")
        if not self.path.exists() and (read_only or not create):
            raise RetrievalIndexError(f"index file not found: {self.path} (create it with `vidlite index {self.path} VIDEO...`)")
        if not self.path.parent.exists():
            raise RetrievalIndexError(f"folder {self.path.parent} for index {self.path.name} does not exist")
        if not self.path.exists():
            self._create()
        if _header_app_id(self.path) not in (0, APPLICATION_ID):
            raise self._foreign("its SQLite application_id is another program's")
        self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode={'ro' if read_only else 'rw'}", uri=True,
                                   isolation_level=None, check_same_thread=False)
        try:
            marked = self._check_schema()
            if not read_only:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: committed data survives a crash
                if not marked:  # made by an earlier vidlite: mark it, now that it is opened to be written
                    self._db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                    self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            self._db.execute("PRAGMA foreign_keys=ON")
            self.dim, self.model = self._check_meta(dim, model)
        except BaseException as e:
            self._db.close()
            if isinstance(e, _SQLITE_ERRORS):
                raise self._sqlite_error(e) from None
            raise
        self._cache: tuple[int, np.ndarray, np.ndarray] | None = None  # (data_version, ids, matrix)

    def _create(self) -> None:
        out = OutputFile(self.path)
        out.discard()  # a partial file a killed creation left
        db = sqlite3.connect(out.partial, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=OFF")  # a file nobody else sees yet: a crash just drops it
            db.execute(f"PRAGMA application_id={APPLICATION_ID}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
            db.executescript(_SCHEMA)
        finally:
            db.close()
        try:
            out.commit(exclusive=True)
        except FileExistsError:
            pass  # another process created the index meanwhile: it is opened (and checked) like any other

    def _check_schema(self) -> bool:
        """Whether the file is marked as a vidlite index (False: an unmarked one an earlier vidlite made);
        RetrievalIndexError when it is another program's database or a damaged index."""
        app_id = self._db.execute("PRAGMA application_id").fetchone()[0]
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        names = [r[0] for r in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        tables = {name: {row[0] for row in self._db.execute("SELECT name FROM pragma_table_info(?)", (name,))}
                  for name in names}
        if app_id == APPLICATION_ID:
            if version != SCHEMA_VERSION:
                raise RetrievalIndexError(f"index {self.path} has format {version}; this vidlite reads "
                                          f"{SCHEMA_VERSION} (made by a newer vidlite?)")
            if tables != _COLUMNS:
                raise self._damaged(f"its tables are {sorted(tables) or 'missing'}")
            return True
        if app_id == 0 and tables == _COLUMNS:
            return False
        raise self._foreign(f"tables {', '.join(sorted(tables))}" if tables else "an empty database")

    def _foreign(self, what: str) -> RetrievalIndexError:
        return RetrievalIndexError(f"{self.path} is not a vidlite index ({what}); it was not changed. "
                                   f"Give `vidlite index` a new file name to create an index")

    def _sqlite_error(self, e: Exception) -> RetrievalIndexError:
        if isinstance(e, sqlite3.OperationalError):  # locked, read-only file, I/O error
            return RetrievalIndexError(f"cannot use index {self.path}: {e}")
        return self._damaged(str(e))  # malformed pages or text, not a database after all

    def _damaged(self, what: str) -> RetrievalIndexError:
        return RetrievalIndexError(f"index {self.path} is damaged ({what}); build it again with "
                                   f"`vidlite index NEWFILE VIDEO...`")

    def _meta(self) -> dict[str, str]:
        return dict(self._db.execute("SELECT key, value FROM meta"))

    def _check_meta(self, dim: int | None, model: str | None) -> tuple[int | None, str | None]:
        meta = self._meta()
        if not meta:
            if dim is None:
                return None, model  # empty index: fixed by the first add
            self._write_meta(dim, model)
            return dim, model
        try:
            have_dim, schema = int(meta["dim"]), int(meta.get("schema", SCHEMA_VERSION))
        except (KeyError, ValueError):
            raise self._damaged(f"meta dim {meta.get('dim')!r}, schema {meta.get('schema')!r}") from None
        if have_dim < 1:
            raise self._damaged(f"meta dim {have_dim}")
        have_model = meta.get("model") or None
        if schema != SCHEMA_VERSION:
            raise RetrievalIndexError(f"index {self.path} has schema {schema}; this vidlite reads {SCHEMA_VERSION}")
        if dim is not None and dim != have_dim:
            raise RetrievalIndexError(f"index {self.path} holds {have_dim}-d embeddings, got {dim}-d: another model?")
        if model and have_model and model != have_model:
            raise RetrievalIndexError(f"index {self.path} was built with model {have_model!r}, not {model!r}; "
                              f"re-index with that model or use a new index file")
        return have_dim, have_model

    def _write_meta(self, dim: int, model: str | None) -> None:
        self._writable()
        with self._tx():
            self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                 [("schema", str(SCHEMA_VERSION)), ("dim", str(dim)), ("model", model or "")])

    def _writable(self) -> None:
        if self.read_only:
            raise RetrievalIndexError(f"index {self.path} was opened read-only (to search); open it without "
                                      f"read_only to change it")

    def _tx(self):
        db = self._db

        class _Tx:
            def __enter__(self):
                db.execute("BEGIN IMMEDIATE")

            def __exit__(self, exc_type, *rest):
                db.execute("ROLLBACK" if exc_type else "COMMIT")

        return _Tx()

    # -- writing -------------------------------------------------------------------------------
    @_index_errors
    def add_video(self, video: str | os.PathLike, clips, info: dict | None = None) -> int:
        """Store ``clips`` = [(start, end, embedding)] for ``video``, replacing what it had; one transaction.
        Returns the number of clips stored."""
        self._writable()
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

    @_index_errors
    def remove_video(self, video: str | os.PathLike) -> bool:
        self._writable()
        with self._tx():
            n = self._db.execute("DELETE FROM videos WHERE path = ?", (_video_key(video),)).rowcount
        return n > 0

    # -- reading -------------------------------------------------------------------------------
    @_index_errors
    def videos(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT path FROM videos ORDER BY id")]

    @_index_errors
    def __contains__(self, video) -> bool:
        return self._db.execute("SELECT 1 FROM videos WHERE path = ?", (_video_key(video),)).fetchone() is not None

    @_index_errors
    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM clips").fetchone()[0]

    def _matrix(self) -> tuple[np.ndarray, np.ndarray]:
        version = self._db.execute("PRAGMA data_version").fetchone()[0]
        count, max_id = self._db.execute("SELECT COUNT(*), COALESCE(MAX(id), 0) FROM clips").fetchone()
        stamp = (version, count, max_id)
        if self._cache is None or self._cache[0] != stamp:
            rows = self._db.execute("SELECT id, embedding FROM clips ORDER BY id").fetchall()
            if rows and not self.dim:
                raise self._damaged("it holds clips but no embedding size (meta dim)")
            for clip_id, blob in rows:
                if not isinstance(clip_id, int):
                    raise self._damaged(f"a clip's id is {clip_id!r}")
                if not isinstance(blob, bytes) or len(blob) != 4 * self.dim:
                    got = f"{len(blob)}-byte" if isinstance(blob, bytes) else type(blob).__name__
                    raise self._damaged(f"clip {clip_id} has a {got} embedding; {self.dim}-d embeddings "
                                        f"take {4 * self.dim} bytes")
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            mat = np.frombuffer(b"".join(r[1] for r in rows), dtype="<f4").reshape(len(rows), self.dim or 0)
            if not np.all(np.isfinite(mat)):
                raise self._damaged("an embedding holds NaN or infinity")
            self._cache = (stamp, ids, mat)
        return self._cache[1], self._cache[2]

    @_index_errors
    def embeddings(self) -> tuple[np.ndarray, list[Hit]]:
        """All clip embeddings (N, dim), L2-normalised, with what each one is (score 0)."""
        ids, mat = self._matrix()
        return mat, [self._hit(int(i), 0.0) for i in ids]

    def _hit(self, clip_id: int, score: float) -> Hit:
        row = self._db.execute(
            'SELECT v.path, c.start, c."end" FROM clips c JOIN videos v ON v.id = c.video_id WHERE c.id = ?',
            (clip_id,)).fetchone()
        if row is None:
            raise self._damaged(f"clip {clip_id} belongs to no video")
        return Hit(*row, score)

    @_index_errors
    def search(self, query: np.ndarray, k: int = 5, per_video: int | None = None) -> list[Hit]:
        """Top-``k`` clips by cosine similarity to ``query`` (one embedding); ``per_video`` caps hits per video."""
        k = COUNT.check("k", k)
        per_video = None if per_video is None else COUNT.check("per_video", per_video)
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
