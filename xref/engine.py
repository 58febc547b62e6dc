"""One call from paths to a ready index: the entry point the TUI and CLI share.

:func:`open_workspace` plans the corpus (walk, manifest), then for each file
takes the cheapest way to its mentions:

* unchanged since the index cache saw it (same size and mtime): its text,
  metadata and mentions come from the cache, nothing is read or recognised;
* stamps changed but bytes the same (``touch``): the file is read and hashed
  only;
* new or changed: read, extracted and recognised -- in worker processes over
  batches of files when there is enough text to repay starting them;
* knowledge base changed: the cached text is recognised again, the file is
  not read.

Without the cache (``use_cache=False``, ``--no-cache``, ``$XREF_NO_CACHE``,
or a cache folder we cannot write) every file is read and recognised and the
texts stay in memory.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import sys
import threading
import time
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xref.cache import (
    DocRow,
    IndexCache,
    LayoutLRU,
    NewDoc,
    extract_version,
    file_hash,
    meta_key,
    recognition_key,
    text_crc,
)
from xref.corpus import (
    META_FIELDS,
    Corpus,
    CorpusPlan,
    LazyDocument,
    LoadError,
    is_missing,
    load_document,
    plan_corpus,
    read_file,
)
from xref import _accel
from xref.index import CorpusIndex, add_cooccurrence, merge_cooccurrence, summarise
from xref.kb import KnowledgeBase, load_knowledge_base
from xref.model import Document, Entity, Problem, TextLayout
from xref.store import DocRecord, Summary, pack, pack_summary, unpack, unpack_summary

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

__all__ = ["OpenStats", "Progress", "Workspace", "open_workspace"]

Progress = Callable[[str, int, int], None]

#: Below this much text to read, worker processes cost more than they save.
PARALLEL_MIN_BYTES = 2_000_000
# Less text than this to read and recognise is done in well under a second:
# no partial workspaces then (making them costs reading every cached record).
PARTIAL_MIN_BYTES = 4_000_000
_WRITE_EVERY_DOCS = 256
_WRITE_EVERY_CHARS = 16_000_000


@dataclass
class OpenStats:
    """What opening took: for tests, the benchmark and the curious."""

    files: int = 0  # files in the corpus (loaded or not)
    cached: int = 0  # taken whole from the index cache
    read: int = 0  # files read from disk
    touched: int = 0  # read, found unchanged, not re-indexed
    recognised: int = 0  # recognition runs (read files + cached texts re-recognised)
    removed: int = 0  # cache rows of files no longer in the corpus
    workers: int = 1  # processes that recognised
    cache_file: str = ""  # "" without a cache
    seconds: float = 0.0


@dataclass
class Workspace:
    """A loaded corpus, its knowledge base and index, and everything that went wrong."""

    corpus: Corpus
    kb: KnowledgeBase
    index: CorpusIndex
    problems: list[Problem] = field(default_factory=list)
    stats: OpenStats = field(default_factory=OpenStats)
    cache: IndexCache | None = field(default=None, repr=False, compare=False)
    complete: bool = True  # False for the partial workspaces ``open_workspace(partial=...)`` hands out

    @property
    def root(self) -> Path:
        return self.corpus.root

    def search(self, query: str, limit: int = 20) -> list[Any]:
        """Full-text search of the corpus (see :mod:`xref.search`): list of ``Hit``.
        The first search builds what :meth:`prepare_search` builds, if it is not built yet."""
        return self.index.search(query, limit)

    def prepare_search(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Build the full-text index, if it is not built yet: with the cache, the
        texts indexed since the last time (``progress(done, total)`` in characters);
        without it, an index in memory."""
        self.index.searcher.prepare(progress)

    @property
    def search_ready(self) -> bool:
        """Whether a search can start at once, without building an index first."""
        return self.index.searcher.ready

    def close(self) -> None:
        """Let go of the index cache (texts already read stay readable)."""
        if self.cache is not None:
            self.cache.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_workspace(
    paths: Sequence[str | Path] = (),
    *,
    kb_path: str | Path | None = None,
    use_user_kb: bool = True,
    progress: Progress | None = None,
    use_cache: bool | None = None,
    cache_dir: str | Path | None = None,
    workers: int | None = None,
    partial: Callable[[Workspace], None] | None = None,
    partial_every: float = 1.0,
) -> Workspace:
    """Load ``paths`` (default: the bundled corpus), recognise and index every document.

    Never raises for bad input files, a bad user knowledge base or a bad index
    cache: those become ``problems``, and so does a named path that is there
    but cannot be used (a folder on the way we may not search, a symbolic
    link loop). Raises FileNotFoundError only when nothing is at a named path.

    ``progress(stage, done, total)``: stage "index" while files are read and
    recognised, "load" when the cache supplied everything. ``use_cache``:
    None means yes unless ``$XREF_NO_CACHE`` is set. ``workers``: processes
    for recognition (default: one per core). ``partial(workspace)``: called
    about every ``partial_every`` seconds while a large corpus is indexed,
    with a workspace of the documents ready so far (``complete`` False).
    """
    started = time.perf_counter()
    for p in paths:
        if is_missing(p):
            raise FileNotFoundError(f"{p}: no such file or folder")
    kb, kb_problems = load_knowledge_base(Path(kb_path) if kb_path else None, use_default_user_file=use_user_kb)
    plan = plan_corpus(paths)
    if use_cache is None:
        use_cache = not os.environ.get("XREF_NO_CACHE")
    cache_problems: list[Problem] = []
    cache: IndexCache | None = None
    if use_cache:
        cache, cache_problems = IndexCache.open(plan.root, Path(cache_dir) if cache_dir is not None else None)
    build = _Build(plan, kb, progress, workers, partial, partial_every, kb_problems)
    while True:
        try:
            built = build.run(cache)
            break
        except sqlite3.Error as exc:  # the cache failed under us: never the user's problem
            assert cache is not None
            reason = f"failed while in use ({exc})"
            damaged = isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError)
            if damaged and not build.retried:
                cache_problems += cache.set_aside(reason)
                cache, more = IndexCache.open(plan.root, Path(cache_dir) if cache_dir is not None else None)
                cache_problems += more
            else:
                cache.close()
                cache_problems.append(Problem(str(cache.path), f"index cache {reason}; indexing without it", "warning"))
                cache = None
            build.retried = True
    documents, records, doc_problems, stats = built
    corpus = Corpus(root=plan.root, documents=documents, problems=[*plan.problems, *doc_problems], skipped=plan.skipped)
    summary = build.summary
    if summary is None:
        summary = summarise(records, kb.entities, co_table=build.cooccurrence_table())
    if cache is not None and build.summary is None and build.summary_key:
        keys = [doc._key for doc in documents]  # type: ignore[attr-defined]
        if all(key >= 0 for key in keys):
            cache.store_summary(build.summary_key, pack_summary(summary))
            if not isinstance(records, _LazyRecords):
                # The records are in the cache now: let memory go, read them back when used.
                records = _LazyRecords(cache, build.rkey, documents, keys, [None] * len(documents), build.entities)
    build.slots = []
    index = CorpusIndex(corpus, kb.entities, records=records, summary=summary)
    if cache is not None:
        from xref.search import TableSearcher

        keys = [doc._key for doc in documents]  # type: ignore[attr-defined]
        index.set_searcher(TableSearcher(documents, keys, cache.search_connection, cache.search_lock,
                                         prepare=cache.make_searchable))
        stats.cache_file = str(cache.path)
    stats.seconds = time.perf_counter() - started
    return Workspace(corpus, kb, index, [*kb_problems, *cache_problems, *corpus.problems], stats, cache)


# -- the build ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _Ready:
    """A document whose text and mentions are known: ``key`` finds its text in the source."""

    key: int
    kind: str
    fields: dict[str, Any]
    record: DocRecord | None  # None: read from the cache when first needed
    warning: str | None = None


@dataclass(slots=True)
class _Failed:
    reason: str
    severity: str


class _MemoryTexts:
    """TextSource for the no-cache path: texts in a dict, layouts in a small LRU."""

    def __init__(self) -> None:
        self.texts: dict[int, str] = {}
        self._layouts = LayoutLRU(self.text)

    def text(self, key: int) -> str:
        return self.texts[key]

    def layout(self, key: int) -> TextLayout:
        return self._layouts.get(key)


_SEP = "\x1f"  # never in metadata: sanitising strips C0 controls


def _pack_fields(doc: Document) -> tuple[str, bytes]:
    """A document's metadata as stored in the cache: joined fields, packed heading spans."""
    fields = _SEP.join(getattr(doc, name).replace(_SEP, " ") for name in META_FIELDS)
    return fields, array("q", [n for span in doc.headings for n in span]).tobytes()


def _decoded(text: str | bytes) -> str:
    """A text a worker sent, which it may have sent as UTF-8 (see _load_one)."""
    return text.decode("utf-8") if isinstance(text, bytes) else text


def _fields(fields: str, headings: bytes) -> dict[str, Any]:
    values: dict[str, Any] = dict(zip(META_FIELDS, fields.split(_SEP))) if fields else {}
    if headings:
        flat = array("q")
        flat.frombytes(headings)
        values["headings"] = tuple(zip(flat[::2], flat[1::2]))
    return values


class _Build:
    def __init__(
        self,
        plan: CorpusPlan,
        kb: KnowledgeBase,
        progress: Progress | None,
        workers: int | None,
        partial: Callable[[Workspace], None] | None,
        partial_every: float,
        kb_problems: list[Problem],
    ) -> None:
        self.plan = plan
        self.kb = kb
        self.entities = list(kb.entities.values())
        self.rkey = recognition_key(kb.fingerprint)
        self.extract = extract_version()
        self.progress = progress
        self.workers = max(1, workers if workers is not None else min(os.cpu_count() or 1, 8))
        self.partial = partial
        self.partial_every = partial_every
        self.kb_problems = kb_problems
        self.retried = False

    # -- entry ------------------------------------------------------------------------------
    def run(self, cache: IndexCache | None) -> tuple[list[Document], list[DocRecord], list[Problem], OpenStats]:
        files = self.plan.files
        self.stats = OpenStats(files=len(files))
        self.slots: list[_Ready | _Failed | None] = [None] * len(files)
        self.stamps: dict[int, tuple[int, int] | None] = {}
        self.cache = cache
        self.memory = _MemoryTexts()
        self.summary: Summary | None = None
        self.summary_key = ""
        self.hashes: dict[int, bytes | None] = {}
        self.co_table: dict[str, dict[str, int]] = {}  # co-occurrence of the records in co_covered
        self.co_covered: set[int] = set()
        self.co_dirty = False
        self.recognised_rows: set[int] = set()  # files to read whose cached row has current mentions
        if cache is None:
            self._process([self._load_job(i, None) for i in range(len(files))])
            return self._finish(self.memory)
        return self._run_cached(cache)

    def _run_cached(self, cache: IndexCache) -> tuple[list[Document], list[DocRecord], list[Problem], OpenStats]:
        files = self.plan.files
        cache.begin_snapshot()
        rows = cache.doc_rows()
        have = cache.recognised(self.rkey)
        hits: list[tuple[int, DocRow]] = []
        texts_only: list[tuple[int, DocRow]] = []
        loads: list[tuple[int, DocRow | None]] = []
        for i, (doc_id, path) in enumerate(files):
            try:
                info = os.stat(path)
                stamp: tuple[int, int] | None = (info.st_size, info.st_mtime_ns)
            except OSError:
                stamp = None
            self.stamps[i] = stamp
            row = rows.get(doc_id)
            same_source = (
                row is not None
                and row.meta_key == meta_key(self.plan.manifest.get(doc_id))
                and row.extract == self.extract
            )
            if row is not None and same_source and stamp == (row.size, row.mtime_ns):
                if not row.ok or row.id in have:
                    hits.append((i, row))
                else:
                    texts_only.append((i, row))  # knowledge base changed: recognise the cached text
            else:
                loads.append((i, row if same_source else None))
                if row is not None and same_source and row.ok and row.id in have:
                    self.recognised_rows.add(i)  # if only its stamps changed, nothing to redo
        in_corpus = {doc_id for doc_id, _ in files}
        gone = [p for p in rows if p not in in_corpus] if self.plan.whole_folder else []

        if not texts_only and not loads and not gone:
            # Everything cached: stay in this snapshot and read the mentions.
            damaged = self._read_rows(cache, hits)
            if not damaged:
                self.stats.cached = len(hits)
                if self.progress:
                    self.progress("load", len(files), len(files))
                return self._finish(cache)
            cache.end_snapshot()
            cache.drop_records(damaged, self.rkey)
            self.slots = [None] * len(files)
            return self._run_cached(cache)  # those documents are re-recognised this time
        jobs = [self._load_job(i, row) for i, row in loads]
        jobs += [self._text_job(i, row) for i, row in texts_only]
        if self.partial is not None and sum(self._job_size(job) for job in jobs) < PARTIAL_MIN_BYTES:
            self.partial = None  # a few changed files: done before a partial workspace would help
        if self.partial is not None:
            self._take_rows(cache, hits, records=True)  # for the partial workspaces; read again at the end
        cache.end_snapshot()

        self._process(jobs)
        if gone or texts_only:
            cache.forget(gone, keep_rkey=self.rkey)
            self.stats.removed = len(gone)

        # The final reading, in the snapshot held while the workspace is open:
        # whatever other processes wrote meanwhile, text and mentions agree.
        cache.begin_snapshot()
        rows = cache.doc_rows()
        final: list[tuple[int, DocRow]] = []
        for i, (doc_id, _) in enumerate(files):
            row = rows.get(doc_id)
            slot = self.slots[i]
            if row is not None:
                final.append((i, row))
            elif not (isinstance(slot, _Failed) or (isinstance(slot, _Ready) and slot.key < 0)):
                self.slots[i] = None  # its row went meanwhile: read below, kept in memory
        self._read_rows(cache, final)
        missing = [i for i, slot in enumerate(self.slots) if slot is None]
        if missing:
            self._recover_in_memory(cache, missing)
            if self.summary is not None:  # it was for another set of documents
                self.summary = None
                self._take_rows(cache, [(i, row) for i, row in final if isinstance(self.slots[i], _Ready)],
                                records=True)
        self.stats.cached = len(hits)
        return self._finish(cache)

    # -- reading from the cache -------------------------------------------------------------
    def _read_rows(self, cache: IndexCache, rows: list[tuple[int, DocRow]]) -> list[int]:
        """Fill slots from cache rows, with the stored summary if there is one for
        exactly these documents (then mention records are read lazily)."""
        ok = [(self.plan.files[i][0], row.id) for i, row in rows if row.ok]
        self.summary_key = _summary_key(self.rkey, ok)
        self.summary = None
        blob = cache.summary(self.summary_key)
        if blob is not None:
            try:
                self.summary = unpack_summary(blob, len(ok))
            except ValueError:
                self.summary = None
        damaged = self._take_rows(cache, rows, records=self.summary is None)
        if damaged:
            self.summary = None
        return damaged

    def _take_rows(self, cache: IndexCache, rows: list[tuple[int, DocRow]], *, records: bool) -> list[int]:
        """Fill slots from cache rows; the ids of rows whose record is missing or damaged
        (their slots are left empty). ``records`` False: leave the records to be read lazily."""
        known: dict[int, DocRecord] = {}  # records already in memory for exactly these rows
        if records:
            for i, row in rows:
                slot = self.slots[i]
                if isinstance(slot, _Ready) and slot.record is not None and slot.key == row.id:
                    known[i] = slot.record
        wanted = [row.id for i, row in rows if row.ok and i not in known]
        blobs = cache.records(self.rkey, wanted) if records and wanted else {}
        cache.expect(row for _, row in rows if row.ok)
        self.hashes.update((row.id, row.hash) for _, row in rows if row.ok)
        damaged: list[int] = []
        for i, row in rows:
            if not row.ok:
                self.slots[i] = _Failed(row.reason, row.severity or "error")
                continue
            record: DocRecord | None = known.get(i)
            if records and record is None:
                if i in self.co_covered:  # its counts are in co_table, but this is another record
                    self.co_covered.discard(i)
                    self.co_dirty = True
                blob = blobs.get(row.id)
                try:
                    if blob is None:
                        raise ValueError("no record")
                    record = unpack(blob)
                except ValueError:
                    damaged.append(row.id)
                    self.slots[i] = None
                    continue
            warning = row.reason if row.severity == "warning" else None
            self.slots[i] = _Ready(row.id, row.kind, _fields(row.fields, row.headings), record, warning)
        return damaged

    def _recover_in_memory(self, cache: IndexCache, missing: list[int]) -> None:
        """Documents the cache could not give back: read now, kept in memory only."""
        for results, _ in self._run_jobs([self._load_job(i, None) for i in missing]):
            for result in results:
                i = result[1]
                if result[0] == "error":
                    self.slots[i] = _Failed(result[3], result[4])
                    continue
                _, _, _, kind, fields, headings, text, warning, blob = result
                key = -(i + 1)  # never a row id
                cache.keep_text(key, text)
                self.slots[i] = _Ready(key, kind, _fields(fields, headings), unpack(blob), warning)

    # -- jobs -------------------------------------------------------------------------------
    def _load_job(self, i: int, row: DocRow | None) -> tuple[Any, ...]:
        doc_id, path = self.plan.files[i]
        old_hash = row.hash if row is not None and row.ok else None
        return ("load", i, doc_id, str(path), str(self.plan.root), self.plan.manifest.get(doc_id), old_hash)

    def _text_job(self, i: int, row: DocRow) -> tuple[Any, ...]:
        return ("text", i, self.plan.files[i][0], row.id, row.length, row.crc)

    def _job_size(self, job: tuple[Any, ...]) -> int:
        if job[0] == "text":
            return int(job[4])
        stamp = self.stamps.get(job[1])
        if stamp is not None:
            return stamp[0]
        try:
            return os.path.getsize(job[3])
        except OSError:
            return 0

    def _process(self, jobs: list[tuple[Any, ...]]) -> None:
        """Run ``jobs``, write what they found to the cache (if any), fill the slots."""
        cache = self.cache
        total = len(jobs)
        done = 0
        writes: list[NewDoc] = []
        write_slots: list[int] = []
        write_chars = 0
        touched: dict[str, tuple[int, int]] = {}
        touched_slots: list[int] = []
        records: dict[int, bytes] = {}
        last_partial = time.perf_counter()
        partial_gap = self.partial_every

        def flush() -> None:
            nonlocal writes, write_slots, write_chars, touched, records
            if cache is None:
                return
            if writes:
                ids = cache.write(writes, self.rkey, self.extract)
                for new, i in zip(writes, write_slots):
                    slot = self.slots[i]
                    if new.status == "ok" and isinstance(slot, _Ready):
                        slot.key = ids[new.path]  # the cache now expects its text's length and CRC
            if touched:
                cache.touch(touched)
            if records:
                cache.write_records(records, self.rkey)
            writes, write_slots, write_chars, touched, records = [], [], 0, {}, {}

        for results, part in self._run_jobs(jobs):
            merge_cooccurrence(self.co_table, part)
            for result in results:
                tag, i = result[0], result[1]
                doc_id = self.plan.files[i][0]
                stamp = self.stamps.get(i)
                mkey = meta_key(self.plan.manifest.get(doc_id))
                if tag == "same":  # stamps changed, bytes did not: keep the cached text and mentions
                    self.stats.read += 1
                    self.stats.touched += 1
                    if stamp is not None:
                        touched[doc_id] = stamp
                    touched_slots.append(i)
                elif tag == "error":
                    self.stats.read += 1
                    _, _, digest, reason, severity = result
                    self.slots[i] = _Failed(reason, severity)
                    if cache is not None and stamp is not None and digest is not None:
                        writes.append(NewDoc(doc_id, stamp[0], stamp[1], digest, mkey, "error", reason, severity))
                        write_slots.append(i)
                elif tag == "ok":
                    self.stats.read += 1
                    self.stats.recognised += 1
                    _, _, digest, kind, fields, headings, text, length, warning, blob = result
                    slot = _Ready(i, kind, _fields(fields, headings), unpack(blob), warning)
                    self.slots[i] = slot
                    self.co_covered.add(i)
                    if cache is None:
                        self.memory.texts[i] = _decoded(text)
                    elif stamp is None:  # cannot be keyed: kept out of the cache
                        slot.key = -(i + 1)
                        cache.keep_text(slot.key, _decoded(text))
                    else:
                        slot.key = -1  # until written
                        writes.append(NewDoc(doc_id, stamp[0], stamp[1], digest, mkey, "ok", warning or "",
                                             "warning" if warning else "", kind, fields, headings, text, blob,
                                             length))
                        write_slots.append(i)
                        write_chars += length
                elif tag == "rec":
                    _, _, blob, key = result
                    if key >= 0:
                        self.stats.recognised += 1
                        records[key] = blob
                        self.slots[i] = _Ready(key, "", {}, unpack(blob))  # kind, fields: final reading
                        self.co_covered.add(i)
                    # fields and kind come with the final reading
                done += 1
            if self.progress:
                self.progress("index", done, total)
            if len(writes) >= _WRITE_EVERY_DOCS or write_chars >= _WRITE_EVERY_CHARS:
                flush()
            if self.partial is not None and time.perf_counter() - last_partial >= partial_gap:
                flush()
                started = time.perf_counter()
                self._send_partial()
                last_partial = time.perf_counter()
                # Each partial workspace indexes everything ready so far, so it
                # costs more as the corpus grows: keep it to a fifth of the time.
                partial_gap = max(self.partial_every, 4 * (last_partial - started))
        flush()
        stale = [i for i in touched_slots if i not in self.recognised_rows]
        if stale and cache is not None:
            # Touched files whose cached mentions are for another knowledge base.
            have = cache.recognised(self.rkey)
            rows = cache.doc_rows()
            again = []
            for i in stale:
                row = rows.get(self.plan.files[i][0])
                if row is not None and row.ok and row.id not in have:
                    again.append(self._text_job(i, row))
            if again:
                self._process(again)

    def _run_jobs(self, jobs: list[tuple[Any, ...]]) -> Iterator[_Batch]:
        """Results of ``jobs`` batch by batch, in order; in worker processes when it pays."""
        if not jobs:
            return
        sizes = [self._job_size(job) for job in jobs]
        total_bytes = sum(sizes)
        # A lot of text goes to worker processes even when it is one file (one
        # worker then): recognising it here would hold the interpreter lock for
        # seconds, and the reader's screen with it.
        workers = max(1, min(self.workers, len(jobs)))
        if total_bytes < PARALLEL_MIN_BYTES or self.workers < 2:
            state = _WorkerState(self.entities, self.cache)
            for batch in _batches(jobs, sizes, max(total_bytes // 8, 256_000)):
                yield _run_batch(batch, state)
            return
        from concurrent.futures.process import BrokenProcessPool

        self.stats.workers = workers
        target = max(256_000, min(4_000_000, total_bytes // (workers * 12)))
        batches = deque(_batches(jobs, sizes, target))
        queue: deque[tuple[list[tuple[Any, ...]], Future[_Batch]]] = deque()
        try:
            with _pool(workers, self.entities, self.cache) as pool:
                while batches or queue:
                    while batches and len(queue) < workers * 3:
                        batch = batches.popleft()
                        queue.append((batch, pool.submit(_worker_batch, batch)))
                    batch, future = queue[0]
                    results = future.result()
                    queue.popleft()
                    yield results
        except (BrokenProcessPool, OSError, ValueError):
            # No processes to be had (a worker died, or they could not start):
            # finish here. A real error in a document raises again, here.
            self.stats.workers = 1
            state = _WorkerState(self.entities, self.cache)
            for batch in [b for b, _ in queue] + list(batches):
                yield _run_batch(batch, state)

    # -- results ------------------------------------------------------------------------------
    def _documents(self, source: Any, *, partial: bool) -> tuple[list[Document], list[Any], list[Problem]]:
        documents: list[Document] = []
        records: list[Any] = []
        problems: list[Problem] = []
        for (doc_id, path), slot in zip(self.plan.files, self.slots):
            if isinstance(slot, _Failed):
                problems.append(Problem(doc_id, slot.reason, severity=slot.severity))
                continue
            if slot is None or (partial and (slot.key == -1 or slot.record is None or not slot.kind)):
                if not partial:  # pragma: no cover - every slot is filled by now
                    problems.append(Problem(doc_id, "could not be indexed"))
                continue
            fields = slot.fields
            documents.append(
                LazyDocument(
                    source, slot.key, id=doc_id, path=path, kind=slot.kind,
                    title=fields.get("title", ""), author=fields.get("author", ""), date=fields.get("date", ""),
                    publisher=fields.get("publisher", ""), url=fields.get("url", ""),
                    headings=fields.get("headings", ()),
                )
            )
            records.append(slot.record)
            if slot.warning:
                problems.append(Problem(doc_id, slot.warning, "warning"))
        return documents, records, problems

    def cooccurrence_table(self) -> dict[str, dict[str, int]] | None:
        """Co-occurrence counts of every document's record, if they could be added up
        from the workers' parts (and the records read here); None: count afresh."""
        if self.co_dirty or self.summary is not None:
            return None
        rest = [slot.record for i, slot in enumerate(self.slots)
                if isinstance(slot, _Ready) and i not in self.co_covered]
        if any(record is None for record in rest):
            return None
        add_cooccurrence(self.co_table, rest)  # type: ignore[arg-type]
        self.co_covered.update(i for i, slot in enumerate(self.slots) if isinstance(slot, _Ready))
        return self.co_table

    def _finish(self, source: Any) -> tuple[list[Document], Sequence[DocRecord], list[Problem], OpenStats]:
        documents, records, problems = self._documents(source, partial=False)
        if isinstance(source, IndexCache):
            source.reloader = self._reloader()
        if any(r is None for r in records):
            assert self.cache is not None
            keys = [doc._key for doc in documents]  # type: ignore[attr-defined]
            records = _LazyRecords(self.cache, self.rkey, documents, keys, records, self.entities)
        return documents, records, problems, self.stats

    def _reloader(self) -> Callable[[int], str | None]:
        """Text of a cached document extracted again from its file, if the file is unchanged."""
        where = {slot.key: i for i, slot in enumerate(self.slots) if isinstance(slot, _Ready) and slot.key >= 0}
        hashes = dict(self.hashes)
        plan = self.plan

        def reload(key: int) -> str | None:
            i = where.get(key)
            if i is None:
                return None
            doc_id, path = plan.files[i]
            try:
                raw = read_file(path)
                if file_hash(raw) != hashes.get(key):
                    return None
                return load_document(path, plan.root, plan.manifest.get(doc_id), raw=raw).text
            except LoadError:
                return None

        return reload

    def _send_partial(self) -> None:
        assert self.partial is not None
        source: Any = self.cache if self.cache is not None else self.memory
        documents, records, problems = self._documents(source, partial=True)
        corpus = Corpus(self.plan.root, documents, problems=[*self.plan.problems, *problems], skipped=self.plan.skipped)
        index = CorpusIndex(corpus, self.kb.entities, records=records)
        self.partial(Workspace(corpus, self.kb, index, [*self.kb_problems, *corpus.problems],
                               OpenStats(**vars(self.stats)), None, complete=False))


def _summary_key(rkey: str, docs: list[tuple[str, int]]) -> str:
    h = hashlib.sha1(rkey.encode())
    for doc_id, key in docs:
        h.update(f"{key}\t{doc_id}\n".encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class _LazyRecords(Sequence[DocRecord]):
    """Mention records read from the cache the first time a document needs them.

    A record that turns out damaged is made again from the document's
    (checked) text: same text, same recogniser, same record.
    """

    def __init__(
        self,
        cache: IndexCache,
        rkey: str,
        documents: list[Document],
        keys: list[int],
        loaded: list[DocRecord | None],
        entities: list[Entity],
    ) -> None:
        self._cache = cache
        self._rkey = rkey
        self._documents = documents
        self._keys = keys
        self._loaded = loaded
        self._entities = entities
        self._state: _WorkerState | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._loaded)

    def __getitem__(self, d: int) -> DocRecord:  # type: ignore[override]
        record = self._loaded[d]
        if record is None:
            try:
                blob = self._cache.record(self._rkey, self._keys[d])
                record = unpack(blob) if blob is not None else None
            except (ValueError, sqlite3.Error):
                record = None
            if record is None:
                record = self._remake(d)
            self._loaded[d] = record
        return record

    def _remake(self, d: int) -> DocRecord:
        with self._lock:
            if self._state is None:
                self._state = _WorkerState(self._entities)
        doc = self._documents[d]
        text = doc.text
        result = self._state.recogniser.recognise(Document(doc.id, doc.path, text))
        return DocRecord.from_mentions(result.mentions, result.discovered, TextLayout(text), self._state.known)


def _batches(jobs: list[tuple[Any, ...]], sizes: list[int], target: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    size = 0
    for job, n in zip(jobs, sizes):
        batch.append(job)
        size += n
        if size >= target or len(batch) >= 256:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


# -- worker side -------------------------------------------------------------------------------


class _WorkerState:
    """A recogniser built once per process, and a way to read cached texts."""

    def __init__(self, entities: list[Entity], cache: IndexCache | None = None, cache_path: str | None = None) -> None:
        self.entities = entities
        self._recogniser: Any = None
        self.known = {e.id: e for e in entities}
        self.cache = cache
        self.cache_path = cache_path
        self._conn: sqlite3.Connection | None = None
        #: send texts read as UTF-8 (see _load_one): in the worker processes of an open with a cache
        self.send_utf8 = False

    @property
    def recogniser(self) -> Any:  # built on first use: a touched file needs none
        if self._recogniser is None:
            from xref.recognise import Recogniser

            self._recogniser = Recogniser(self.entities)
        return self._recogniser

    def cached_text(self, key: int) -> str | None:
        if self.cache is not None:
            return self.cache.raw_text(key)
        if self.cache_path is None:
            return None
        if self._conn is None:
            self._conn = sqlite3.connect(f"file:{self.cache_path}?mode=ro", uri=True, timeout=60.0)
        row = self._conn.execute("SELECT text FROM texts WHERE id = ?", (key,)).fetchone()
        return row[0] if row is not None and isinstance(row[0], str) else None


_STATE: _WorkerState | None = None


def _init_worker(start: list[Entity] | _WorkerState, cache_path: str | None) -> None:
    """``start``: the entities to build the recogniser from, or (forked
    workers) a state whose recogniser the parent built before forking."""
    global _STATE
    _detach_from_parent_signals()
    _STATE = start if isinstance(start, _WorkerState) else _WorkerState(start, None, cache_path)
    _STATE.send_utf8 = cache_path is not None


def _detach_from_parent_signals() -> None:
    """A forked worker starts with the reader's signal handling: undo it.

    SIGTERM ends the worker (the inherited handler would only tell the
    parent's event loop, through an inherited wake-up socket); SIGINT is the
    parent's to handle (ctrl+c in the terminal reaches the whole group). On
    Linux the kernel also ends the worker when the process that started it
    dies, even by SIGKILL, so no worker is left behind recognising for nobody.
    """
    import signal

    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    except (ValueError, OSError, AttributeError):  # not the main thread, or no such signal here
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            pr_set_pdeathsig = 1  # from <sys/prctl.h>
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
            if os.getppid() == 1:  # the parent died before the call took effect
                os._exit(1)
        except (OSError, AttributeError):
            pass


def _worker_batch(jobs: list[tuple[Any, ...]]) -> _Batch:
    assert _STATE is not None
    return _run_batch(jobs, _STATE)


_Batch = tuple[list[tuple[Any, ...]], dict[str, dict[str, int]]]


def _run_batch(jobs: list[tuple[Any, ...]], state: _WorkerState) -> _Batch:
    """Results of ``jobs``, and the paragraph co-occurrence counts of the records they
    made (summed here, in the worker, so the main process only adds up batches)."""
    out: list[tuple[Any, ...]] = []
    records: list[DocRecord] = []
    for job in jobs:
        result, record = _load_one(job, state) if job[0] == "load" else _recognise_cached(job, state)
        out.append(result)
        if record is not None:
            records.append(record)
    part: dict[str, dict[str, int]] = {}
    add_cooccurrence(part, records)
    return out, part


def _load_one(job: tuple[Any, ...], state: _WorkerState) -> tuple[tuple[Any, ...], DocRecord | None]:
    _, i, doc_id, path_str, root_str, meta, old_hash = job
    path = Path(path_str)
    try:
        raw = read_file(path)
    except LoadError as err:
        return ("error", i, None, err.reason, err.severity), None
    digest = file_hash(raw)
    if old_hash is not None and digest == old_hash:
        return ("same", i, digest), None
    problems: list[Problem] = []
    try:
        doc = load_document(path, Path(root_str), meta, problems=problems, raw=raw)
    except LoadError as err:
        return ("error", i, digest, err.reason, err.severity), None
    record = _record_of(doc, state)
    warning = problems[0].reason if problems else None
    text: str | bytes = doc.text
    if state.send_utf8:
        # Sent as the UTF-8 the cache stores: pickling the str would encode it
        # just the same, and the main process then writes these bytes instead
        # of decoding them into a str only to encode that again. A text with a
        # lone surrogate, which the cache refuses, goes as a str to fail there.
        try:
            text = doc.text.encode("utf-8")
        except UnicodeEncodeError:
            pass
    return ("ok", i, digest, doc.kind, *_pack_fields(doc), text, len(doc.text), warning, pack(record)), record


def _recognise_cached(job: tuple[Any, ...], state: _WorkerState) -> tuple[tuple[Any, ...], DocRecord | None]:
    _, i, doc_id, key, length, crc = job
    text = state.cached_text(key)
    if text is None or len(text) != length or text_crc(text) != crc:
        # Text lost or damaged: no record is written, so the final reading finds
        # none and reads the file again.
        return ("rec", i, b"", -1), None
    doc = Document(doc_id, Path(doc_id), text)
    record = _record_of(doc, state)
    return ("rec", i, pack(record), key), record


def _record_of(doc: Document, state: _WorkerState) -> DocRecord:
    """The record of ``doc``'s mentions. Built from the recogniser's columns
    when it has them: the same record as ``DocRecord.from_mentions``, without
    a Mention object per mention."""
    result = state.recogniser.recognise(doc)
    taken = getattr(result, "columns", None)
    if taken is None:
        return DocRecord.from_mentions(result.mentions, result.discovered, doc.layout, state.known)
    text = doc.text
    starts, ends = taken.starts, taken.ends
    return DocRecord.from_columns(
        starts,
        ends,
        taken.ents,
        taken.kinds,
        taken.scores,
        lambda i: text[starts[i] : ends[i]],
        result.discovered,
        doc.layout,
        state.known,
    )


def _pool(workers: int, entities: list[Entity], cache: IndexCache | None) -> ProcessPoolExecutor:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork on Linux: quickest, and the workers only run this module's code.
    # (forkserver and spawn start a resource tracker that passes sys.stderr's
    # file descriptor on, and inside Textual sys.stderr has none.) Elsewhere
    # fork is unsafe (macOS system libraries): spawn.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    context = multiprocessing.get_context(method)
    cache_path = str(cache.path) if cache is not None else None
    start: list[Entity] | _WorkerState = entities
    if method == "fork":
        # Built once here, before the workers fork, instead of once in each of
        # them, so they start recognising at once: building the recogniser
        # takes about 0.09 s, and importing numpy (records are built with it
        # when the compiled loops are missing) 0.06 s.
        if _accel.speedups is None:
            import numpy  # noqa: F401

        start = _WorkerState(entities, None, cache_path)
        start.recogniser
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=(start, cache_path))
