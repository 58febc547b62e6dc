"""The index cache: hits, incremental re-indexing, damage, concurrency, knowledge-base changes.

Every test uses its own corpus copy and cache folder under ``tmp_path`` and
compares what a cached open gives with what a fresh open without the cache
gives: the cache may only ever make opening faster, never different.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import xref.engine as engine
from xref.cache import APPLICATION_ID, cache_file_for
from xref.cli import main
from xref.corpus import LazyDocument, bundled_corpus_path
from xref.engine import open_workspace
from xref.model import Document
from xref.recognise import Recogniser

EXTRA_TXT = """Pyongyang report

Kim Jong-un met officials of the Workers' Party of Korea in Pyongyang.
Later Kim Jong Un visited Sinuiju, near the Yalu River, and the village of Quellberg.
"""

EXTRA_MD = """---
title: Border notes
author: A. Writer
---
# Border notes

The Ministry of State Security (MSS) watches the border. Jang Song-thaek was executed in 2013.
"""

EXTRA_HTML = """<html><head><title>Defectors</title></head><body><article>
<h1>Defectors</h1><p>Thae Yong-ho left the embassy in London.</p>
<p>He later spoke about Kim Jong-un and the State Security Department.</p>
</article></body></html>"""


# -- helpers --------------------------------------------------------------------------------


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The seeds plus three small files of each kind, in a writable folder."""
    root = tmp_path / "corpus"
    shutil.copytree(bundled_corpus_path(), root)
    (root / "extra").mkdir()
    (root / "extra" / "report.txt").write_text(EXTRA_TXT, encoding="utf-8")
    (root / "extra" / "notes.md").write_text(EXTRA_MD, encoding="utf-8")
    (root / "extra" / "page.html").write_text(EXTRA_HTML, encoding="utf-8")
    (root / "extra" / "empty.txt").write_text("", encoding="utf-8")  # a problem, cached too
    return root


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def open_ws(corpus: Path, cache_dir: Path | None, **kw):
    if cache_dir is None:
        return open_workspace([corpus], use_user_kb=False, use_cache=False, **kw)
    return open_workspace([corpus], use_user_kb=False, cache_dir=cache_dir, **kw)


def snapshot(ws) -> tuple:
    """Everything a caller can see, as plain data."""
    index = ws.index
    docs = [
        (d.id, d.kind, d.title, d.author, d.date, d.publisher, d.url, d.headings, d.text)
        for d in ws.corpus.documents
    ]
    mentions = {doc_id: [m.to_json() for m in ms] for doc_id, ms in index.by_doc.items()}
    entities = sorted((e.id, e.name, e.type, e.discovered) for e in index.entities.values())
    ranking = [(e.id, index.mention_count(e.id), len(index.doc_counts(e.id))) for e in index.mentioned_entities()]
    cooccur = {e.id: [(x.id, n) for x, n in index.cooccurring(e.id, 8)] for e in index.mentioned_entities()}
    problems = [(p.path, p.reason, p.severity) for p in ws.problems if "index cache" not in p.reason]
    return docs, mentions, entities, ranking, cooccur, problems


class Counter:
    """Counts Recogniser.recognise calls in this process."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        original = Recogniser.recognise

        def counting(rec: Recogniser, doc: Document):
            self.calls.append(doc.id)
            return original(rec, doc)

        monkeypatch.setattr(Recogniser, "recognise", counting)


def bump_mtime(path: Path, seconds: int = 10) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + seconds * 1_000_000_000))


# -- hits and incremental re-indexing ---------------------------------------------------------


def test_reopen_reads_the_cache_not_the_files(corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh = snapshot(open_ws(corpus, None))
    first = open_ws(corpus, cache_dir)
    assert first.stats.recognised == first.stats.files - 1  # all but the empty file
    assert snapshot(first) == fresh
    first.close()

    counter = Counter(monkeypatch)
    monkeypatch.setattr(engine, "read_file", lambda path: pytest.fail(f"read {path}"))
    again = open_ws(corpus, cache_dir)
    assert counter.calls == []
    assert (again.stats.cached, again.stats.read, again.stats.recognised) == (again.stats.files, 0, 0)
    assert snapshot(again) == fresh
    assert all(isinstance(d, LazyDocument) for d in again.corpus.documents)
    assert ("extra/empty.txt", "empty file", "warning") in snapshot(again)[5]


def test_new_file_gets_big_pages_and_an_old_small_page_file_is_used(
    corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import xref.cache

    fresh = snapshot(open_ws(corpus, None))
    open_ws(corpus, cache_dir).close()
    with sqlite3.connect(_cache_file(corpus, cache_dir)) as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (xref.cache.PAGE_SIZE,)
    shutil.rmtree(cache_dir)

    monkeypatch.setattr(xref.cache, "PAGE_SIZE", 4096)  # as files made before the page size was chosen
    open_ws(corpus, cache_dir).close()
    monkeypatch.undo()
    again = open_ws(corpus, cache_dir)
    assert (again.stats.cached, again.stats.read) == (again.stats.files, 0)
    assert snapshot(again) == fresh
    assert not [p for p in again.problems if "index cache" in p.reason]
    with sqlite3.connect(again.stats.cache_file) as conn:
        assert conn.execute("PRAGMA page_size").fetchone() == (4096,)


def test_changed_file_is_reindexed_alone(corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_ws(corpus, cache_dir).close()
    changed = corpus / "extra" / "report.txt"
    changed.write_text(EXTRA_TXT + "\nKim Yo-jong spoke in Pyongyang.\n", encoding="utf-8")
    bump_mtime(changed)
    counter = Counter(monkeypatch)
    ws = open_ws(corpus, cache_dir)
    assert counter.calls == ["extra/report.txt"]
    assert (ws.stats.read, ws.stats.recognised, ws.stats.cached) == (1, 1, ws.stats.files - 1)
    assert any(m.surface == "Kim Yo-jong" for m in ws.index.doc_mentions("extra/report.txt"))
    monkeypatch.undo()
    assert snapshot(ws) == snapshot(open_ws(corpus, None))


def test_added_file_is_indexed_alone(corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_ws(corpus, cache_dir).close()
    (corpus / "extra" / "new.txt").write_text("Ri Sol-ju and Kim Jong-un in Wonsan.\n", encoding="utf-8")
    counter = Counter(monkeypatch)
    ws = open_ws(corpus, cache_dir)
    assert counter.calls == ["extra/new.txt"]
    assert ws.stats.read == 1
    assert "extra/new.txt" in ws.index.documents
    monkeypatch.undo()
    assert snapshot(ws) == snapshot(open_ws(corpus, None))


def test_deleted_file_leaves_the_index(corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_ws(corpus, cache_dir).close()
    (corpus / "extra" / "notes.md").unlink()
    counter = Counter(monkeypatch)
    ws = open_ws(corpus, cache_dir)
    assert counter.calls == []
    assert (ws.stats.read, ws.stats.removed) == (0, 1)
    assert "extra/notes.md" not in ws.index.documents
    assert not ws.search("Ministry of State Security") or all(h.doc_id != "extra/notes.md" for h in ws.search("Ministry"))
    monkeypatch.undo()
    assert snapshot(ws) == snapshot(open_ws(corpus, None))
    with sqlite3.connect(ws.stats.cache_file) as conn:
        assert conn.execute("SELECT count(*) FROM docs WHERE path = ?", (b"extra/notes.md",)).fetchone() == (0,)


def test_touched_file_is_hashed_not_reindexed(corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    open_ws(corpus, cache_dir).close()
    bump_mtime(corpus / "extra" / "page.html")
    counter = Counter(monkeypatch)
    ws = open_ws(corpus, cache_dir)
    assert counter.calls == []
    assert (ws.stats.read, ws.stats.touched, ws.stats.recognised) == (1, 1, 0)
    ws.close()
    third = open_ws(corpus, cache_dir)  # the new stamp was stored: not even hashed now
    assert (third.stats.read, third.stats.cached) == (0, third.stats.files)


def test_manifest_change_rereads_that_document(corpus: Path, cache_dir: Path) -> None:
    open_ws(corpus, cache_dir).close()
    manifest = corpus / "manifest.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + '\n[[document]]\nfile = "extra/report.txt"\ntitle = "Renamed"\n',
        encoding="utf-8",
    )
    ws = open_ws(corpus, cache_dir)
    assert ws.index.document("extra/report.txt").title == "Renamed"
    assert ws.stats.read == 1


# -- the knowledge base ----------------------------------------------------------------------


def test_changed_knowledge_base_rerecognises_cached_texts(
    corpus: Path, cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_ws(corpus, cache_dir).close()
    kb = tmp_path / "kb.toml"
    kb.write_text('[[entity]]\nid = "quellberg"\nname = "Quellberg"\ntype = "place"\n', encoding="utf-8")
    monkeypatch.setattr(engine, "read_file", lambda path: pytest.fail(f"read {path}"))
    ws = open_workspace([corpus], kb_path=kb, use_user_kb=False, cache_dir=cache_dir)
    assert ws.stats.read == 0
    assert ws.stats.recognised == ws.stats.files - 1
    assert ws.index.mention_count("quellberg") == 1
    monkeypatch.undo()
    fresh = open_workspace([corpus], kb_path=kb, use_user_kb=False, use_cache=False)
    assert snapshot(ws) == snapshot(fresh)
    ws.close()
    again = open_workspace([corpus], kb_path=kb, use_user_kb=False, cache_dir=cache_dir)
    assert again.stats.recognised == 0


# -- damage ------------------------------------------------------------------------------------


def _cache_file(corpus: Path, cache_dir: Path) -> Path:
    return cache_file_for(corpus, cache_dir)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "foreign", "empty-header"])
def test_damaged_cache_is_set_aside_and_rebuilt(corpus: Path, cache_dir: Path, damage: str) -> None:
    fresh = snapshot(open_ws(corpus, None))
    open_ws(corpus, cache_dir).close()
    path = _cache_file(corpus, cache_dir)
    for side in ("-wal", "-shm"):
        Path(str(path) + side).unlink(missing_ok=True)
    if damage == "garbage":
        path.write_bytes(os.urandom(64 * 1024))
    elif damage == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif damage == "foreign":
        path.unlink()
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE songs (title TEXT)")
            conn.execute("INSERT INTO songs VALUES ('Arirang')")
    else:
        data = bytearray(path.read_bytes())
        data[:100] = b"\x00" * 100
        path.write_bytes(bytes(data))
    ws = open_ws(corpus, cache_dir)
    notes = [p for p in ws.problems if "index cache" in p.reason]
    assert len(notes) == 1 and notes[0].severity == "warning", ws.problems
    assert "moved aside" in notes[0].reason
    assert list(cache_dir.glob(path.name + ".corrupt-*"))
    assert snapshot(ws) == fresh
    ws.close()
    clean = open_ws(corpus, cache_dir)
    assert clean.stats.cached == clean.stats.files
    assert not [p for p in clean.problems if "index cache" in p.reason]


def test_damaged_mention_record_is_recognised_again(corpus: Path, cache_dir: Path) -> None:
    fresh = snapshot(open_ws(corpus, None))
    open_ws(corpus, cache_dir).close()
    with sqlite3.connect(_cache_file(corpus, cache_dir)) as conn:
        doc, data = conn.execute("SELECT doc, data FROM recog LIMIT 1").fetchone()
        spoiled = bytearray(data)
        spoiled[len(spoiled) // 2] ^= 0xFF
        conn.execute("UPDATE recog SET data = ? WHERE doc = ?", (bytes(spoiled), doc))
        conn.execute("DELETE FROM summaries")  # so the records are read at open
    ws = open_ws(corpus, cache_dir)
    assert snapshot(ws) == fresh


def test_damaged_record_read_lazily_is_remade(corpus: Path, cache_dir: Path) -> None:
    fresh = snapshot(open_ws(corpus, None))
    open_ws(corpus, cache_dir).close()
    with sqlite3.connect(_cache_file(corpus, cache_dir)) as conn:
        conn.execute("UPDATE recog SET data = x'00112233'")  # the summary stays: records are read on use
    ws = open_ws(corpus, cache_dir)
    assert snapshot(ws) == fresh


def test_damaged_text_is_read_again_from_its_file(corpus: Path, cache_dir: Path) -> None:
    fresh = snapshot(open_ws(corpus, None))
    open_ws(corpus, cache_dir).close()
    with sqlite3.connect(_cache_file(corpus, cache_dir)) as conn:
        key = conn.execute("SELECT id FROM docs WHERE path = ?", (b"extra/report.txt",)).fetchone()[0]
        conn.execute("UPDATE texts SET text = 'Kim Jong-il was here' WHERE id = ?", (key,))
    ws = open_ws(corpus, cache_dir)
    assert snapshot(ws) == fresh


def test_old_schema_is_replaced_quietly(corpus: Path, cache_dir: Path) -> None:
    open_ws(corpus, cache_dir).close()
    with sqlite3.connect(_cache_file(corpus, cache_dir)) as conn:
        conn.execute("UPDATE meta SET value = '0' WHERE key = 'schema'")
    ws = open_ws(corpus, cache_dir)
    assert not [p for p in ws.problems if "index cache" in p.reason]
    assert ws.stats.cached == 0 and ws.stats.cache_file
    assert not list(cache_dir.glob("*.corrupt-*"))
    with sqlite3.connect(ws.stats.cache_file) as conn:
        assert conn.execute("PRAGMA application_id").fetchone() == (APPLICATION_ID,)


def test_unusable_cache_folder_means_no_cache_and_a_warning(corpus: Path, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    ws = open_ws(corpus, not_a_folder)
    notes = [p for p in ws.problems if "cache" in p.reason]
    assert len(notes) == 1 and notes[0].severity == "warning"
    assert "without a cache" in notes[0].reason
    assert ws.stats.cache_file == ""
    assert snapshot(ws) == snapshot(open_ws(corpus, None))


def test_read_only_cache_file_means_no_cache(corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr("xref.cache._prepare", refuse)
    ws = open_ws(corpus, cache_dir)
    assert ws.stats.cache_file == ""
    assert [p.severity for p in ws.problems if "read-only" in p.reason] == ["warning"]


# -- concurrency -------------------------------------------------------------------------------


def _open_in_child(corpus: str, cache_dir: str, barrier, queue) -> None:
    try:
        barrier.wait(timeout=60)
        ws = open_workspace([corpus], use_user_kb=False, cache_dir=cache_dir, workers=1)
        queue.put(pickle.dumps((snapshot(ws), ws.stats.cache_file)))
    except BaseException as exc:  # report, never hang the test
        queue.put(pickle.dumps(exc))


def test_two_processes_open_the_same_corpus_at_once(corpus: Path, cache_dir: Path) -> None:
    fresh = snapshot(open_ws(corpus, None))
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    barrier = context.Barrier(2)
    queue = context.Queue()
    children = [context.Process(target=_open_in_child, args=(str(corpus), str(cache_dir), barrier, queue))
                for _ in range(2)]
    for child in children:
        child.start()
    results = [pickle.loads(queue.get(timeout=120)) for _ in children]
    for child in children:
        child.join(timeout=60)
    for result in results:
        assert not isinstance(result, BaseException), result
        assert result[0] == fresh
    warm = open_ws(corpus, cache_dir)
    assert warm.stats.cached == warm.stats.files
    assert snapshot(warm) == fresh


def test_snapshot_survives_another_process_rewriting(corpus: Path, cache_dir: Path) -> None:
    """A workspace keeps reading the texts it was built from while another open changes them."""
    reader = open_ws(corpus, cache_dir)
    before = snapshot(reader)
    report = corpus / "extra" / "report.txt"
    report.write_text("Completely different text about Seoul.\n", encoding="utf-8")
    bump_mtime(report)
    writer = open_ws(corpus, cache_dir)
    assert "Seoul" in writer.index.document("extra/report.txt").text
    reader.index._doc_lists.clear()
    reader.cache._texts.clear()  # force reads from the file, inside the old snapshot
    assert snapshot(reader) == before


# -- workers, partial results, no cache --------------------------------------------------------


def test_one_or_two_workers_give_the_same_index(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    one = open_ws(corpus, None, workers=1)
    two = open_ws(corpus, None, workers=2)
    assert two.stats.workers == 2 and one.stats.workers == 1
    assert snapshot(one) == snapshot(two)


def test_cached_build_with_workers_matches(corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    fresh = snapshot(open_ws(corpus, None, workers=1))
    cold = open_ws(corpus, cache_dir, workers=2)
    assert cold.stats.workers == 2
    assert snapshot(cold) == fresh
    warm = open_ws(corpus, cache_dir, workers=2)
    assert snapshot(warm) == fresh


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_forked_workers_use_the_recogniser_built_before_the_fork(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from xref import recognise

    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    log = tmp_path / "builds"  # a file, so builds in the worker processes show too
    real_init = recognise.Recogniser.__init__

    def logging_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{os.getpid()}\n")
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(recognise.Recogniser, "__init__", logging_init)
    ws = open_ws(corpus, None, workers=2)
    assert ws.stats.workers == 2 and ws.stats.recognised == len(ws.corpus.documents)
    assert log.read_text(encoding="utf-8").split() == [str(os.getpid())]


def test_spawned_workers_build_their_own_recogniser(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where workers cannot be forked (macOS, Windows) they start afresh, build the
    recogniser from the entities and give the same index."""
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    one = snapshot(open_ws(corpus, None, workers=1))
    methods: list[str] = []
    real_pool = engine._pool

    def recording_pool(*args):  # type: ignore[no-untyped-def]
        pool = real_pool(*args)
        methods.append(pool._mp_context.get_start_method())
        return pool

    monkeypatch.setattr(engine, "_pool", recording_pool)
    real_platform = sys.platform
    monkeypatch.setattr(sys, "platform", "darwin")  # what _pool looks at to choose spawn
    try:
        spawned = open_ws(corpus, None, workers=2)
    finally:
        monkeypatch.setattr(sys, "platform", real_platform)
    assert methods == ["spawn"] and spawned.stats.workers == 2
    assert snapshot(spawned) == one


def test_one_large_file_is_recognised_in_a_worker_process(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One big file must not be recognised in the caller's thread (the reader's
    # loader): that would hold the interpreter lock, and the screen, meanwhile.
    monkeypatch.setattr(engine, "PARALLEL_MIN_BYTES", 0)
    single = tmp_path / "single"
    single.mkdir()
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt")))
    (single / "big.txt").write_text(text, encoding="utf-8")
    pools: list[int] = []
    real_pool = engine._pool

    def counting_pool(workers, *args):  # type: ignore[no-untyped-def]
        pools.append(workers)
        return real_pool(workers, *args)

    monkeypatch.setattr(engine, "_pool", counting_pool)
    in_pool = open_ws(single, None, workers=2)
    assert pools == [1]
    here = open_ws(single, None, workers=1)  # asked for no worker processes: none
    assert pools == [1]
    assert snapshot(in_pool) == snapshot(here) and in_pool.index.mention_count("kim-jong-un") > 0


def test_partial_workspaces_while_indexing(corpus: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PARTIAL_MIN_BYTES", 0)  # this small corpus counts as large
    seen = []
    ws = open_ws(corpus, cache_dir, partial=lambda part: seen.append(part), partial_every=0)
    assert seen and all(not part.complete for part in seen)
    sizes = [len(part.corpus.documents) for part in seen]
    assert sizes == sorted(sizes) and sizes[-1] <= len(ws.corpus.documents)
    last = seen[-1]
    for doc in last.corpus.documents:  # what a partial workspace shows is right
        assert [m.to_json() for m in last.index.doc_mentions(doc.id)] == [
            m.to_json() for m in ws.index.doc_mentions(doc.id)
        ]
    assert ws.complete


def test_no_partial_workspace_when_little_is_left_to_index(corpus: Path, cache_dir: Path) -> None:
    open_ws(corpus, cache_dir).close()
    one = sorted(corpus.glob("*.txt"))[0]
    os.utime(one, ns=(one.stat().st_atime_ns, one.stat().st_mtime_ns + 1_000_000_000))  # touched
    seen = []
    ws = open_ws(corpus, cache_dir, partial=lambda part: seen.append(part), partial_every=0)
    assert ws.stats.touched == 1 and seen == []  # and no record read just to make one


def test_lazy_documents_pickle_as_plain_documents(corpus: Path, cache_dir: Path) -> None:
    open_ws(corpus, cache_dir).close()
    ws = open_ws(corpus, cache_dir)
    doc = ws.corpus.documents[0]
    copy = pickle.loads(pickle.dumps(doc))
    assert type(copy) is Document and copy.text == doc.text and copy.title == doc.title


def test_no_cache_flag_and_environment(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    cache = tmp_path / "envcache"
    monkeypatch.setenv("XREF_CACHE_DIR", str(cache))
    assert main(["entities", "--no-cache", str(corpus)]) == 0
    assert not cache.exists() or not list(cache.iterdir())
    assert main(["entities", str(corpus)]) == 0
    assert len(list(cache.glob("index-*.sqlite"))) == 1
    monkeypatch.setenv("XREF_NO_CACHE", "1")
    ws = open_workspace([corpus], use_user_kb=False)
    assert ws.stats.cache_file == ""


# -- the index methods for huge entities --------------------------------------------------------


def test_counts_slices_and_steps_agree(corpus: Path, cache_dir: Path) -> None:
    open_ws(corpus, cache_dir).close()
    index = open_ws(corpus, cache_dir).index
    for entity in index.mentioned_entities():
        every = list(index.mentions_of(entity.id))
        assert index.mention_count(entity.id) == len(every) == sum(index.doc_counts(entity.id).values())
        assert index.mention_slice(entity.id, 0, 3) == every[:3]
        assert index.mention_slice(entity.id, len(every) - 2, len(every) + 5) == every[-2:]
        for i, m in enumerate(every):
            assert m in index.mentions_of(entity.id)
            assert index.mentions_of(entity.id).index(m) == i
            assert index.mentions_before(entity.id, m.doc, m.start) == i
            if len(every) > 1:
                assert index.step_entity(m, True) == every[(i + 1) % len(every)]
                assert index.step_entity(m, False) == every[i - 1]
    for doc in index.corpus.documents:
        assert index.doc_mention_count(doc.id) == len(list(index.doc_mentions(doc.id)))
        assert index.doc_line_count(doc.id) == doc.layout.line_count


def test_benchmark_quick_run(tmp_path: Path) -> None:
    """The benchmark harness works end to end on a tiny corpus (it is run by hand for real)."""
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
    out = tmp_path / "RESULTS.md"
    # The Python loops: a real run builds the C accelerator in the working tree, which a test should not.
    env = {**os.environ, "XREF_PURE_PYTHON": "1"}
    proc = subprocess.run(
        [sys.executable, str(script), "--quick", "--work", str(tmp_path / "work"), "--out", str(out)],
        capture_output=True, text=True, timeout=120, env=env,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "Cold index" in text and "Warm open" in text and "Corpus search" in text
    assert "- C accelerator (xref/_speedups.c): off (XREF_PURE_PYTHON is set)" in text


def test_cache_files_of_vanished_corpora_are_removed(corpus: Path, cache_dir: Path, tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    shutil.copytree(corpus, gone)
    open_ws(gone, cache_dir).close()
    stale = cache_file_for(gone, cache_dir)
    assert stale.exists()
    shutil.rmtree(gone)
    open_ws(corpus, cache_dir).close()  # the daily look already happened when "gone" was opened
    assert stale.exists()
    (cache_dir / ".last-cleanup").unlink()
    open_ws(corpus, cache_dir).close()
    assert not stale.exists()
    assert cache_file_for(corpus, cache_dir).exists()


# -- the full-text index, built after opening ------------------------------------------------


def _fts_rows(cache_file: str) -> tuple[int, int]:
    """(texts stored, texts in the full-text index), after FTS5's own consistency checks."""
    with sqlite3.connect(cache_file) as conn:
        conn.execute("INSERT INTO fts (fts, rank) VALUES ('integrity-check', 0)")  # the index itself
        stored = conn.execute("SELECT count(*) FROM texts").fetchone()[0]
        indexed = conn.execute("SELECT count(*) FROM searchable").fetchone()[0]
        if stored == indexed:  # raises if the index disagrees with the texts it was given
            conn.execute("INSERT INTO fts (fts, rank) VALUES ('integrity-check', 1)")
        return stored, indexed


def test_search_index_is_built_after_opening_then_kept(corpus: Path, cache_dir: Path) -> None:
    ws = open_ws(corpus, cache_dir)
    stored, indexed = _fts_rows(ws.stats.cache_file)
    assert stored == len(ws.corpus.documents) and indexed == 0  # opening stores texts, indexes none
    seen: list[tuple[int, int]] = []
    ws.prepare_search(lambda done, total: seen.append((done, total)))
    assert _fts_rows(ws.stats.cache_file) == (stored, stored)
    assert seen and seen[-1][0] == seen[-1][1] > 0
    hits = ws.search("Quellberg")
    assert [h.doc_id for h in hits] == ["extra/report.txt"]
    ws.close()
    again = open_ws(corpus, cache_dir)
    seen.clear()
    again.prepare_search(lambda done, total: seen.append((done, total)))
    assert seen == []  # nothing left to index
    assert [h.doc_id for h in again.search("Quellberg")] == [h.doc_id for h in hits]


def test_first_search_builds_the_index_itself(corpus: Path, cache_dir: Path) -> None:
    ws = open_ws(corpus, cache_dir)
    assert [h.doc_id for h in ws.search("Thae Yong-ho")] == ["extra/page.html"]
    stored, indexed = _fts_rows(ws.stats.cache_file)
    assert indexed == stored


def test_changed_and_deleted_files_leave_the_search_index(corpus: Path, cache_dir: Path) -> None:
    open_ws(corpus, cache_dir).prepare_search()
    (corpus / "extra" / "report.txt").write_text("Pyongyang report\n\nNothing about rivers now: Zorbanville.\n", encoding="utf-8")
    (corpus / "extra" / "page.html").unlink()
    ws = open_ws(corpus, cache_dir)
    ws.prepare_search()
    stored, indexed = _fts_rows(ws.stats.cache_file)
    assert stored == indexed == len(ws.corpus.documents)
    assert ws.search("Quellberg") == [] and ws.search("Thae Yong-ho") == []
    assert [h.doc_id for h in ws.search("Zorbanville")] == ["extra/report.txt"]


def test_search_works_when_the_index_cannot_be_written(corpus: Path, cache_dir: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from xref.cache import IndexCache

    def refuse(self, progress=None):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(IndexCache, "make_searchable", refuse)
    ws = open_ws(corpus, cache_dir)
    assert [h.doc_id for h in ws.search("Quellberg")] == ["extra/report.txt"]  # from a table in memory
    assert _fts_rows(ws.stats.cache_file)[1] == 0


def test_texts_written_after_the_index_caught_up_are_indexed_next_time(tmp_path: Path) -> None:
    from xref.cache import IndexCache, NewDoc

    cache, problems = IndexCache.open(tmp_path / "root", tmp_path / "cache")
    assert cache is not None and not problems

    def add(name: str, text: str) -> None:
        cache.write([NewDoc(name, len(text), 0, b"h", "", "ok", text=text)], "rkey", "x")

    add("a.txt", "alpha words")
    cache.make_searchable()  # as a search during indexing would
    add("b.txt", "bravo words")  # indexing goes on
    cache.make_searchable()
    with cache.search_lock:
        conn = cache.search_connection()
        found = {row[0] for row in conn.execute("SELECT rowid FROM fts WHERE fts MATCH 'bravo'")}
    assert len(found) == 1
    cache.close()
    assert _fts_rows(str(cache.path)) == (2, 2)


def test_texts_are_stored_as_sqlite_text_and_read_back_whole(tmp_path: Path) -> None:
    from xref.cache import IndexCache, NewDoc, text_crc

    # Over several pages; accents, a NUL, a character outside the BMP.
    text = "Kim Jong-un \u2014 \u00abPyongyang\u00bb, Quellberg\x00 \U0001d4b3.\n" * 4000
    cache, _ = IndexCache.open(tmp_path / "root", tmp_path / "cache")
    assert cache is not None
    key = cache.write([NewDoc("a.txt", 1, 0, b"h", "", "ok", text=text)], "rkey", "x")["a.txt"]
    assert cache.raw_text(key) == text and cache.text(key) == text
    with pytest.raises(UnicodeEncodeError):  # as when the str itself was bound
        cache.write([NewDoc("b.txt", 1, 0, b"h", "", "ok", text="lone \udc80")], "rkey", "x")
    cache.close()
    with sqlite3.connect(cache.path) as conn:
        stored = conn.execute("SELECT typeof(text), CAST(text AS BLOB) FROM texts").fetchall()
        row = conn.execute("SELECT length, crc FROM docs WHERE path = ?", (b"a.txt",)).fetchone()
    assert stored == [("text", text.encode("utf-8"))]
    assert row == (len(text), text_crc(text))


def test_benchmark_report_leaves_reader_figures_blank_for_a_size_indexed_only(tmp_path: Path) -> None:
    """The 1 GB corpus is only indexed: its reader cells say "—", not a row of empty figures."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_run", Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    cold = {"seconds": 2.0, "cpu_seconds": 3.6, "cores_busy": 1.8, "search_seconds": 0.5, "rss_kb": 1024,
            "children_rss_kb": 1024}
    opened = {
        "bytes": 10_000_000, "rg": 1.0, "cold": cold, "cold_mb_s": 5.0,
        "tui_ops": {"panel_p95": 0.012, "panel_median": 0.010, "top_panel": 0.015},
    }
    indexed_only = {"bytes": 1_000_000_000, "rg": 40.0, "cold": cold, "cold_mb_s": 5.0}
    results = {
        "sizes": {"10 MB": opened, "1 GB": indexed_only}, "tui": True, "quick": False,
        "seeds": {"xref": 0.3, "minimal": 0.2},
    }
    out = tmp_path / "RESULTS.md"
    bench.write_report(results, out, None)
    row = next(line for line in out.read_text(encoding="utf-8").splitlines()
               if line.startswith("| Side panel in the reader"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[2].startswith("12 ms (median 10 ms)"), cells
    assert cells[3] == "—", cells
    # 2.0 s against rg's 1.0 s and 40.0 s: the ratio keeps a decimal (0.05 is not "0×").
    rg_row = next(line for line in out.read_text(encoding="utf-8").splitlines() if line.startswith("| Cold index ÷"))
    rg_cells = [c.strip() for c in rg_row.strip("|").split("|")]
    assert rg_cells[2:4] == ["2.0× (rg 1.00 s)", "0.1× (rg 40.00 s)"], rg_cells


def test_clean_up_keeps_the_cache_of_a_corpus_it_may_not_look_for(tmp_path: Path, cache_dir: Path, lock_folder) -> None:
    """A corpus folder behind a locked one may still be there: its cache is not deleted, nothing raises."""
    from xref.cache import _GC_MARK, _collect_garbage

    hidden = tmp_path / "private" / "corpus"
    hidden.mkdir(parents=True)
    (hidden / "a.txt").write_text("Kim Jong-un in Pyongyang.\n", encoding="utf-8")
    gone = tmp_path / "gone"
    gone.mkdir()
    (gone / "b.txt").write_text("Kim Jong-il in Pyongyang.\n", encoding="utf-8")
    for root in (hidden, gone):
        open_workspace([root], use_user_kb=False, cache_dir=cache_dir).close()
    shutil.rmtree(gone)
    os.utime(cache_dir / _GC_MARK, (0, 0))  # the last clean-up was long ago
    lock_folder(tmp_path / "private")
    _collect_garbage(cache_dir, cache_dir / "current.sqlite")
    assert cache_file_for(hidden, cache_dir).exists()
    assert not cache_file_for(gone, cache_dir).exists()
