"""The persistent index cache: one SQLite file per corpus root.

Reopening an unchanged corpus reads this file instead of reading, parsing and
recognising every document again. It lives in the user cache folder
(``platformdirs.user_cache_dir("xref")``, or ``$XREF_CACHE_DIR``), is named
after a hash of the corpus root, and uses WAL mode so that several xref
processes can read it while one writes.

Tables:

* ``meta``: schema version and who wrote the file;
* ``docs``: one row per file (document id = path relative to the root):
  size, mtime and content hash of the file, the manifest entry and extractor
  version it was read with, its metadata, or why it could not be loaded;
* ``texts``: the extracted text of each document (``id`` = ``docs.id``), read
  as documents are opened;
* ``fts``: the full-text index of ``texts`` (FTS5, external content), and
  ``searchable``: the ids of the texts it holds. Indexing a text for search
  costs more than storing it, so it is done after the corpus is open (in the
  background in the reader, or on the first search), through a connection
  of its own;
* ``recog``: a document's mentions (:func:`xref.store.pack`) for one
  recognition key (knowledge-base fingerprint + recogniser version), so a
  changed knowledge base re-recognises cached texts without reading files.

A row is never changed in place: a changed file gets a new ``docs.id``, and a
reader holds one read transaction (a WAL snapshot) for as long as its
workspace is open, so what it reads stays consistent with its index whatever
other processes write meanwhile.

Damage is detected, not trusted: the header (application id, schema), a
``quick_check`` for small files, SQLite's own page checks on every read, and
CRC32s over every mention blob and every text. A damaged or foreign file is
renamed aside (``*.corrupt-<time>``) with a message and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from xref import __version__
from xref.model import Problem, TextLayout
from xref.search import FTS_TOKENIZE

__all__ = [
    "APPLICATION_ID",
    "SCHEMA_VERSION",
    "CacheError",
    "DocRow",
    "IndexCache",
    "cache_file_for",
    "default_cache_dir",
    "extract_version",
    "recognise_version",
]

APPLICATION_ID = 0x78726566  # "xref"
SCHEMA_VERSION = 5
QUICK_CHECK_BELOW = 64 * 1024 * 1024  # quick_check reads the whole file: only for small ones
TEXTS_KEPT_CHARS = 48 * 1024 * 1024  # recently read texts kept decoded
LAYOUTS_KEPT = 256
SEARCH_BATCH_CHARS = 1_000_000  # text put into the full-text index per transaction
# Page size of a new file. The texts fill most of it and most of them span
# several 4 KiB pages, and every page costs two writes into the WAL and a read
# and a write when checkpointed: with bigger pages writing a corpus makes a
# tenth of the system calls. A file made with another page size is used as it
# is (SQLite keeps the size in the file's header).
PAGE_SIZE = 32768

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS docs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path BLOB NOT NULL UNIQUE,      -- document id, UTF-8 (surrogatepass: any file name)
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash BLOB,
    meta_key TEXT NOT NULL,
    extract TEXT NOT NULL,
    status TEXT NOT NULL,           -- 'ok' or 'error'
    reason TEXT NOT NULL DEFAULT '',
    severity TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT '',
    fields TEXT NOT NULL DEFAULT '',  -- title, author, date, publisher, url joined by U+001F
    headings BLOB NOT NULL DEFAULT x'',  -- (start, end) pairs as native 64-bit integers
    length INTEGER NOT NULL DEFAULT 0,
    crc INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS texts (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(text, content = 'texts', content_rowid = 'id', tokenize = '{FTS_TOKENIZE}');
CREATE TABLE IF NOT EXISTS searchable (id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS recog (
    doc INTEGER NOT NULL,
    rkey TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (doc, rkey)
);
CREATE TABLE IF NOT EXISTS summaries (key TEXT PRIMARY KEY, written REAL NOT NULL, data BLOB NOT NULL);
"""
SUMMARIES_KEPT = 3


class CacheError(Exception):
    """The cache file cannot be used; ``str()`` says why, for people."""


# -- where, and which version --------------------------------------------------------------


def default_cache_dir() -> Path:
    env = os.environ.get("XREF_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_cache_dir("xref"))


def cache_file_for(root: Path, cache_dir: Path) -> Path:
    """The cache file of the corpus at ``root``: readable name plus a hash of the full path."""
    resolved = str(Path(root).resolve())
    digest = hashlib.sha1(resolved.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_" else "_" for c in Path(resolved).name)[:40] or "root"
    return cache_dir / f"index-{name}-{digest}.sqlite"


def _sources_hash(*modules: str) -> str:
    h = hashlib.sha1(__version__.encode())
    here = Path(__file__).resolve().parent
    for name in modules:
        try:
            h.update((here / f"{name}.py").read_bytes())
        except OSError:
            h.update(name.encode())
    return h.hexdigest()[:16]


@cache
def extract_version() -> str:
    """Changes whenever reading a file could give another text or metadata."""
    return _sources_hash("corpus", "sanitise", "model")


@cache
def recognise_version() -> str:
    """Changes whenever recognising a text could give other mentions."""
    return _sources_hash("recognise", "normalise", "store", "model")


def recognition_key(kb_fingerprint: str) -> str:
    return hashlib.sha1(f"{kb_fingerprint}:{recognise_version()}".encode()).hexdigest()[:20]


def meta_key(meta: Mapping[str, str] | None) -> str:
    """A short key for a document's manifest entry ("" when it has none)."""
    if not meta:
        return ""
    blob = json.dumps(dict(meta), sort_keys=True, ensure_ascii=False)
    return hashlib.sha1(blob.encode("utf-8")).hexdigest()[:16]


def file_hash(raw: bytes) -> bytes:
    return hashlib.blake2b(raw, digest_size=16).digest()


def text_crc(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


# -- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocRow:
    id: int
    path: str
    size: int
    mtime_ns: int
    hash: bytes | None
    meta_key: str
    extract: str
    status: str
    reason: str
    severity: str
    kind: str
    fields: str
    headings: bytes
    length: int
    crc: int

    @property
    def ok(self) -> bool:
        return self.status == "ok"



_DOC_COLUMNS = (
    "id, path, size, mtime_ns, hash, meta_key, extract, status, reason, severity, kind, fields, headings, length, crc"
)


@dataclass(slots=True)
class NewDoc:
    """What to write for one file that was read (``text`` None: it could not be loaded)."""

    path: str
    size: int
    mtime_ns: int
    hash: bytes | None
    meta_key: str
    status: str
    reason: str = ""
    severity: str = ""
    kind: str = ""
    fields: str = ""
    headings: bytes = b""
    text: str | bytes | None = None  # bytes: its UTF-8, and ``length`` its length in characters
    record: bytes | None = None
    length: int = 0


# -- the cache -------------------------------------------------------------------------------


class IndexCache:
    """An open cache file. Thread-safe: one connection behind a lock.

    Also the :class:`~xref.corpus.TextSource` of the documents it hands out:
    ``text(key)``/``layout(key)`` read ``fts`` and keep recent results.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection) -> None:
        self.path = path
        self._conn = conn
        self.lock = threading.RLock()
        self._in_snapshot = False
        self._texts: OrderedDict[int, str] = OrderedDict()
        self._text_chars = 0
        self._layouts = LayoutLRU(self.text)
        self._expected: dict[int, tuple[int, int]] = {}  # key -> (length, crc) of the text
        self._fallback: dict[int, str] = {}
        self._search_conn: sqlite3.Connection | None = None
        self.search_lock = threading.RLock()
        # Texts written through this object, and how many of those writes the
        # full-text index had caught up with when last brought up to date.
        self._text_writes = 0
        self._searchable_at = -1
        self.reads = 0  # texts read from the file (for tests and the benchmark)
        #: key -> the text extracted again from the document's file, or None when the
        #: file changed since; used when a cached text fails its check.
        self.reloader: Callable[[int], str | None] | None = None

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, root: Path, cache_dir: Path | None = None) -> tuple[IndexCache | None, list[Problem]]:
        """The cache of ``root``'s corpus, or None (and a warning) when it cannot be used.

        A damaged or foreign file is set aside and a new one made, with a warning.
        Never raises.
        """
        folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        problems: list[Problem] = []
        try:
            folder.mkdir(parents=True, exist_ok=True)
            if not folder.is_dir():
                raise NotADirectoryError(f"{folder} is not a folder")
        except OSError as exc:
            reason = exc.strerror or str(exc)
            problems.append(_warning(folder, f"cannot use the index cache folder ({reason}); indexing without a cache"))
            return None, problems
        path = cache_file_for(root, folder)
        for attempt in range(2):
            try:
                conn = _connect(path)
            except sqlite3.Error as exc:
                if path.exists() and attempt == 0 and _set_aside(path, problems, f"cannot be opened ({exc})"):
                    continue
                problems.append(_warning(path, f"cannot open the index cache ({exc}); indexing without a cache"))
                return None, problems
            try:
                _prepare(conn, path, root)
                _collect_garbage(folder, path)
                return cls(path, conn), problems
            except _OldSchema:
                conn.close()  # ours, from another xref version: nothing worth keeping or reporting
                if attempt == 0 and _remove(path):
                    continue
                problems.append(_warning(path, "index cache from another xref version cannot be replaced; indexing without a cache"))
                return None, problems
            except CacheError as exc:
                conn.close()
                if attempt == 0 and _set_aside(path, problems, str(exc)):
                    continue
                problems.append(_warning(path, f"index cache unusable ({exc}); indexing without a cache"))
                return None, problems
            except sqlite3.DatabaseError as exc:
                conn.close()
                if _is_readonly(exc):
                    problems.append(_warning(path, "index cache is read-only; indexing without a cache"))
                    return None, problems
                if attempt == 0 and _set_aside(path, problems, f"damaged ({exc})"):
                    continue
                problems.append(_warning(path, f"index cache unusable ({exc}); indexing without a cache"))
                return None, problems
        return None, problems  # pragma: no cover - the loop returns

    def close(self) -> None:
        with self.lock:
            try:
                if self._in_snapshot:
                    self._conn.execute("COMMIT")
                self._conn.close()
            except sqlite3.Error:
                pass
            self._in_snapshot = False
        with self.search_lock:
            if self._search_conn is not None:
                try:
                    self._search_conn.close()
                except sqlite3.Error:
                    pass
                self._search_conn = None

    def set_aside(self, reason: str) -> list[Problem]:
        """Close and rename this file aside after damage found while using it."""
        self.close()
        problems: list[Problem] = []
        _set_aside(self.path, problems, reason)
        return problems

    # -- transactions -------------------------------------------------------------------------
    def begin_snapshot(self) -> None:
        """Start the read transaction every later read sees (until :meth:`end_snapshot`)."""
        with self.lock:
            if not self._in_snapshot:
                self._conn.execute("BEGIN")
                self._conn.execute("SELECT count(*) FROM meta").fetchone()  # take the snapshot now
                self._in_snapshot = True

    def end_snapshot(self) -> None:
        with self.lock:
            if self._in_snapshot:
                self._conn.execute("COMMIT")
                self._in_snapshot = False

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            if self._in_snapshot:
                raise RuntimeError("cannot write inside the read snapshot")
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- reading rows ---------------------------------------------------------------------------
    def doc_rows(self) -> dict[str, DocRow]:
        with self.lock:
            rows = self._conn.execute(f"SELECT {_DOC_COLUMNS} FROM docs").fetchall()
        out: dict[str, DocRow] = {}
        for row in rows:
            path = _path(row[1])
            out[path] = DocRow(row[0], path, *row[2:])
        return out

    def recognised(self, rkey: str) -> set[int]:
        with self.lock:
            return {doc for (doc,) in self._conn.execute("SELECT doc FROM recog WHERE rkey = ?", (rkey,))}

    def records(self, rkey: str, ids: Iterable[int]) -> dict[int, bytes]:
        """Packed mention records of documents ``ids`` for recognition key ``rkey``."""
        wanted = list(ids)
        out: dict[int, bytes] = {}
        with self.lock:
            if len(wanted) > 500:  # most of the file: one scan beats many look-ups
                want = set(wanted)
                for doc, data in self._conn.execute("SELECT doc, data FROM recog WHERE rkey = ?", (rkey,)):
                    if doc in want:
                        out[doc] = data
            else:
                for doc in wanted:
                    row = self._conn.execute("SELECT data FROM recog WHERE doc = ? AND rkey = ?", (doc, rkey)).fetchone()
                    if row is not None:
                        out[doc] = row[0]
        return out

    def record(self, rkey: str, key: int) -> bytes | None:
        with self.lock:
            row = self._conn.execute("SELECT data FROM recog WHERE doc = ? AND rkey = ?", (key, rkey)).fetchone()
        return row[0] if row is not None else None

    def summary(self, key: str) -> bytes | None:
        """The corpus summary stored under ``key`` (see :mod:`xref.store`), if any."""
        with self.lock:
            row = self._conn.execute("SELECT data FROM summaries WHERE key = ?", (key,)).fetchone()
        return row[0] if row is not None else None

    def store_summary(self, key: str, data: bytes) -> bool:
        """Keep a summary for the next open (best effort; the few most recent are kept).

        Written through a connection of its own: this one may be holding its snapshot.
        """
        try:
            conn = _connect(self.path)
            try:
                conn.execute("BEGIN IMMEDIATE")
                conn.execute("INSERT OR REPLACE INTO summaries (key, written, data) VALUES (?, ?, ?)",
                             (key, time.time(), data))
                conn.execute(
                    "DELETE FROM summaries WHERE key NOT IN"
                    " (SELECT key FROM summaries ORDER BY written DESC LIMIT ?)", (SUMMARIES_KEPT,)
                )
                conn.execute("COMMIT")
            finally:
                conn.close()
        except sqlite3.Error:
            return False
        return True

    def expect(self, rows: Iterable[DocRow]) -> None:
        """Remember the length and CRC of the texts of ``rows``, checked on every read."""
        for row in rows:
            self._expected[row.id] = (row.length, row.crc)

    def keep_text(self, key: int, text: str) -> None:
        """Serve ``text`` for ``key`` from memory (a document the file could not take)."""
        with self.lock:
            self._fallback[key] = text

    # -- TextSource -----------------------------------------------------------------------------
    def text(self, key: int) -> str:
        with self.lock:
            found = self._texts.get(key)
            if found is not None:
                self._texts.move_to_end(key)
                return found
            fallback = self._fallback.get(key)
            if fallback is not None:
                return fallback
            try:
                row = self._conn.execute("SELECT text FROM texts WHERE id = ?", (key,)).fetchone()
            except sqlite3.Error:
                row = None
            self.reads += 1
            text = row[0] if row is not None and isinstance(row[0], str) else None
            expected = self._expected.get(key)
            if text is None or (expected is not None and (len(text), text_crc(text)) != expected):
                # Damaged or gone: the file itself, if it still holds the same bytes.
                text = self.reloader(key) if self.reloader is not None else None
                if text is None or (expected is not None and (len(text), text_crc(text)) != expected):
                    text = self._unavailable(key)
                self._fallback[key] = text
                return text
            self._texts[key] = text
            self._text_chars += len(text)
            while self._text_chars > TEXTS_KEPT_CHARS and len(self._texts) > 1:
                _, old = self._texts.popitem(last=False)
                self._text_chars -= len(old)
            return text

    def _unavailable(self, key: int) -> str:
        # Offsets in the index point into the text that was cached; without it,
        # keep the length (so nothing indexes past the end) and say what happened.
        length = self._expected.get(key, (0, 0))[0]
        notice = "[The index cache lost this document's text. Reopen the corpus to re-read it.]"
        return (notice + " " * length)[: max(length, len(notice))]

    def layout(self, key: int) -> TextLayout:
        return self._layouts.get(key)

    def connection(self) -> sqlite3.Connection:
        return self._conn

    # -- writing ----------------------------------------------------------------------------------
    def write(self, docs: Iterable[NewDoc], rkey: str, extract: str) -> dict[str, int]:
        """Store freshly read files (replacing their old rows); their new ids by path."""
        ids: dict[str, int] = {}
        with self._writing() as conn:
            for doc in docs:
                self._drop_path(conn, doc.path)
                # Encoded once, for the CRC and for the file: a str would be
                # encoded again as it is bound. CAST stores these bytes as TEXT,
                # exactly what binding the str stores, and "strict" fails on a
                # lone surrogate where binding the str would.
                if isinstance(doc.text, bytes):
                    data, length = doc.text, doc.length
                elif doc.text is not None:
                    data, length = doc.text.encode("utf-8"), len(doc.text)
                else:
                    data, length = None, 0
                crc = zlib.crc32(data) if data is not None else 0
                cur = conn.execute(
                    "INSERT INTO docs (path, size, mtime_ns, hash, meta_key, extract, status, reason, severity,"
                    " kind, fields, headings, length, crc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (_blob(doc.path), doc.size, doc.mtime_ns, doc.hash, doc.meta_key, extract, doc.status, doc.reason,
                     doc.severity, doc.kind, doc.fields, doc.headings, length, crc),
                )
                key = int(cur.lastrowid)  # type: ignore[arg-type]
                ids[doc.path] = key
                if data is not None:
                    conn.execute("INSERT INTO texts (id, text) VALUES (?, CAST(? AS TEXT))", (key, data))
                    self._expected[key] = (length, crc)  # what reading it back must give
                if doc.record is not None:
                    conn.execute("INSERT INTO recog (doc, rkey, data) VALUES (?, ?, ?)", (key, rkey, doc.record))
        self._text_writes += 1
        return ids

    def write_records(self, records: Mapping[int, bytes], rkey: str) -> None:
        with self._writing() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO recog (doc, rkey, data) VALUES (?, ?, ?)",
                ((doc, rkey, data) for doc, data in records.items()),
            )

    def touch(self, stamps: Mapping[str, tuple[int, int]]) -> None:
        """New size and mtime for files whose content turned out unchanged."""
        with self._writing() as conn:
            conn.executemany(
                "UPDATE docs SET size = ?, mtime_ns = ? WHERE path = ?",
                ((size, mtime, _blob(path)) for path, (size, mtime) in stamps.items()),
            )

    def forget(self, paths: Iterable[str] = (), *, keep_rkey: str | None = None) -> None:
        """Drop the rows of ``paths``, and recognition results of any other key than ``keep_rkey``."""
        with self._writing() as conn:
            for path in paths:
                self._drop_path(conn, path)
            if keep_rkey is not None:
                conn.execute("DELETE FROM recog WHERE rkey != ?", (keep_rkey,))

    def drop_records(self, ids: Iterable[int], rkey: str) -> None:
        with self._writing() as conn:
            conn.executemany("DELETE FROM recog WHERE doc = ? AND rkey = ?", ((i, rkey) for i in ids))

    @staticmethod
    def _drop_path(conn: sqlite3.Connection, path: str) -> None:
        row = conn.execute("SELECT id, status FROM docs WHERE path = ?", (_blob(path),)).fetchone()
        if row is None:
            return
        old = row[0]
        conn.execute("DELETE FROM docs WHERE id = ?", (old,))
        conn.execute("DELETE FROM recog WHERE doc = ?", (old,))
        if row[1] == "ok":
            if conn.execute("DELETE FROM searchable WHERE id = ?", (old,)).rowcount:
                # An external-content index forgets a text only when told what it held.
                conn.execute("INSERT INTO fts (fts, rowid, text) SELECT 'delete', id, text FROM texts WHERE id = ?", (old,))
            conn.execute("DELETE FROM texts WHERE id = ?", (old,))

    # -- full-text search ---------------------------------------------------------------------
    def search_connection(self) -> sqlite3.Connection:
        """The connection full-text search uses, its own: it sees the index as it
        is now, where this cache's connection may hold an older snapshot. Use it
        holding :attr:`search_lock`."""
        with self.search_lock:
            if self._search_conn is None:
                self._search_conn = _connect(self.path)
            return self._search_conn

    def make_searchable(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Put every text not yet in the full-text index into it: about
        ``SEARCH_BATCH_CHARS`` per transaction, so a writer in another process
        waits for one batch at most. ``progress(done, total)``, in characters.
        Raises sqlite3.Error when the file cannot be written."""
        with self.search_lock:
            writes = self._text_writes  # before looking: a write after this is looked at next time
            if self._searchable_at == writes:
                return
            conn = self.search_connection()
            pending = self._unsearchable(conn)
            total = sum(length for _, length in pending)
            done = 0
            batch: list[int] = []
            size = 0
            for i, (key, length) in enumerate(pending):
                batch.append(key)
                size += length
                if size < SEARCH_BATCH_CHARS and i + 1 < len(pending):
                    continue
                marks = ",".join("?" * len(batch))
                conn.execute("BEGIN IMMEDIATE")
                try:
                    # Another process may have indexed some meanwhile, or replaced them.
                    conn.execute(f"INSERT INTO fts (rowid, text) SELECT id, text FROM texts WHERE id IN ({marks})"
                                 " AND id NOT IN (SELECT id FROM searchable)", batch)
                    conn.execute(f"INSERT OR IGNORE INTO searchable (id) SELECT id FROM texts WHERE id IN ({marks})",
                                 batch)
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                done += size
                batch, size = [], 0
                if progress is not None:
                    progress(done, total)
            self._searchable_at = writes

    @staticmethod
    def _unsearchable(conn: sqlite3.Connection) -> list[tuple[int, int]]:
        return conn.execute(
            "SELECT id, length FROM docs WHERE status = 'ok' AND id NOT IN (SELECT id FROM searchable) ORDER BY id"
        ).fetchall()

    def raw_text(self, key: int) -> str | None:
        """A text straight from the file (no checks, no caching): for re-recognition."""
        with self.lock:
            row = self._conn.execute("SELECT text FROM texts WHERE id = ?", (key,)).fetchone()
        return row[0] if row is not None and isinstance(row[0], str) else None


# -- helpers ---------------------------------------------------------------------------------------


class LayoutLRU:
    """Line and paragraph layouts of the texts read most recently (``LAYOUTS_KEPT``
    of them), made from ``text_of(key)`` on first use; safe across threads."""

    def __init__(self, text_of: Callable[[int], str]) -> None:
        self._text_of = text_of
        self._layouts: OrderedDict[int, TextLayout] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: int) -> TextLayout:
        with self._lock:
            found = self._layouts.get(key)
            if found is not None:
                self._layouts.move_to_end(key)
                return found
        layout = TextLayout(self._text_of(key))  # outside the lock: reading the text may take a while
        with self._lock:
            self._layouts[key] = layout
            while len(self._layouts) > LAYOUTS_KEPT:
                self._layouts.popitem(last=False)
        return layout


def _blob(path: str) -> bytes:
    """A document id or path as stored: sqlite3 cannot bind a str holding the lone
    surrogates ``os.fsdecode`` makes of a non-UTF-8 file name; bytes it can."""
    return path.encode("utf-8", "surrogatepass")


def _path(stored: bytes | str) -> str:
    return stored.decode("utf-8", "surrogatepass") if isinstance(stored, bytes) else stored


def _warning(path: Path, reason: str) -> Problem:
    return Problem(str(path), reason, "warning")


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=60.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA busy_timeout = 60000")
    return conn


def _is_readonly(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def _prepare(conn: sqlite3.Connection, path: Path, root: Path) -> None:
    """Check a file is ours and whole; make the tables of a new one. Raises CacheError."""
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.DatabaseError as exc:  # "file is not a database"
        raise CacheError(f"not an SQLite file ({exc})") from None
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if app_id == 0 and not tables:
        _create(conn, root)
        return
    if app_id != APPLICATION_ID:
        raise CacheError("not an xref index cache (another program's SQLite file)")
    if not {"meta", "docs", "texts", "fts", "searchable", "recog", "summaries"} <= tables:
        raise CacheError("tables missing")
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    if meta.get("schema") != str(SCHEMA_VERSION):
        # Ours, from another xref version: nothing to keep, nothing to report.
        raise _OldSchema(meta.get("schema", "?"))
    if meta.get("byteorder") not in (None, _byteorder()):
        raise CacheError("written on a machine with another byte order")
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size < QUICK_CHECK_BELOW:
        result = conn.execute("PRAGMA quick_check(1)").fetchone()
        if not result or result[0] != "ok":
            raise CacheError(f"failed its integrity check ({result[0] if result else 'no answer'})")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")


class _OldSchema(CacheError):
    pass


def _byteorder() -> str:
    import sys

    return sys.byteorder


def _create(conn: sqlite3.Connection, root: Path) -> None:
    # Takes effect only while the file is empty: before WAL mode and the tables.
    conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
    mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have made the tables since we looked.
        if conn.execute("PRAGMA application_id").fetchone()[0] == 0:
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [("schema", str(SCHEMA_VERSION)), ("byteorder", _byteorder()), ("created_by", f"xref {__version__}"),
                 ("journal", mode), ("root", _blob(str(Path(root).resolve())))],
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _set_aside(path: Path, problems: list[Problem], reason: str) -> bool:
    """Rename a bad cache file (and its WAL) aside; True when the name is free again."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        os.replace(path, target)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, target.with_name(target.name + suffix))
    except FileNotFoundError:
        pass  # another process set it aside first
    except OSError as exc:
        problems.append(_warning(path, f"index cache {reason}, and cannot be moved aside ({exc.strerror or exc})"))
        return False
    problems.append(_warning(path, f"index cache {reason}; moved aside to {target.name} and rebuilt"))
    return True


def _remove(path: Path) -> bool:
    try:
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    except OSError:
        return False
    return True


GC_EVERY = 24 * 3600  # seconds between looks for cache files of corpora that are gone
_GC_MARK = ".last-cleanup"


def _gone(root: str) -> bool:
    """Whether the corpus folder ``root`` surely no longer exists. A folder we
    may not look into (one on the way is locked) may still be there: kept."""
    try:
        os.stat(root)
    except (FileNotFoundError, NotADirectoryError):
        return True
    except (OSError, ValueError):
        return False
    return False


def _collect_garbage(folder: Path, current: Path) -> None:
    """Delete the cache files of corpora whose folder no longer exists (at most daily).

    Never raises; a file in use, locked or unreadable is left alone.
    """
    mark = folder / _GC_MARK
    try:
        if time.time() - mark.stat().st_mtime < GC_EVERY:
            return
    except OSError:
        pass
    try:
        mark.touch()
        candidates = [p for p in folder.glob("index-*.sqlite") if p != current]
    except OSError:
        return
    for path in candidates:
        try:
            conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.1)
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'root'").fetchone()
            finally:
                conn.close()
        except sqlite3.Error:
            continue
        if row is None or not isinstance(row[0], bytes) or not _gone(_path(row[0])):
            continue
        for suffix in ("", "-wal", "-shm"):
            try:
                path.with_name(path.name + suffix).unlink(missing_ok=True)
            except OSError:
                pass
