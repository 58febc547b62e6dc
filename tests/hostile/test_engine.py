"""The engine on the hostile corpus: every broken file reported with its reason,
everything else loaded, every control character a visible placeholder, offsets exact."""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

import pytest

from tests.hostile import corpus as hc
from tests.hostile.conftest import UNSAFE, UNSAFE_IN_TEXT, Hostile, slow_enabled
from xref.corpus import load_corpus
from xref.engine import open_workspace
from xref.kb import load_knowledge_base


def test_every_broken_file_is_reported_with_its_reason_and_the_rest_loads(hostile: Hostile) -> None:
    ws = hostile.workspace
    reported = {p.path: p.reason for p in ws.problems}
    assert reported == hostile.problems(vanished=True)
    for problem in ws.problems:
        assert problem.severity == ("warning" if problem.path in hc.WARNINGS else "error"), problem
    ids = {doc.id for doc in ws.corpus.documents}
    assert ids == set(hc.LOADED)
    assert not ids & set(reported) - {"latin1.txt"}  # latin1.txt loads, with a warning


def test_the_plain_loader_reports_the_same(hostile: Hostile) -> None:
    corpus = load_corpus([hostile.root])
    assert {p.path: p.reason for p in corpus.problems} == hostile.problems()  # vanishing.txt is gone by now
    assert {doc.id for doc in corpus.documents} == set(hc.LOADED)


def test_control_characters_become_placeholders_one_for_one(hostile: Hostile) -> None:
    doc = hostile.workspace.corpus.get("escapes.txt")
    assert doc is not None
    raw = (hostile.root / "escapes.txt").read_text(encoding="utf-8")
    assert doc.title == hc.ESCAPES_TITLE_SHOWN
    expected = raw.replace("\r", "\n").replace(hc.ESCAPES_TITLE_RAW, hc.ESCAPES_TITLE_SHOWN)
    for before, after in hc.SHOWN:
        assert len(before) == len(after)
        assert after in doc.text, after
        expected = expected.replace(before, after)
    expected = expected.replace(hc.NUL_RAW, hc.NUL_SHOWN)
    assert hc.CR_SHOWN in doc.text and hc.NUL_SHOWN in doc.text
    assert doc.text == expected  # nothing else changed, nothing moved
    assert len(doc.text) == len(raw)
    # Offsets are offsets into the file's own text.
    starts = [m.start for m in hostile.workspace.index.doc_mentions("escapes.txt") if m.surface == "Kim Jong Un"]
    assert starts == [raw.index("Kim Jong Un arrived"), raw.index("Kim Jong Un again")]


def test_no_document_text_or_metadata_holds_a_control_character(hostile: Hostile) -> None:
    for doc in hostile.workspace.corpus.documents:
        assert UNSAFE_IN_TEXT.search(doc.text) is None, doc.id
        for field in (doc.title, doc.author, doc.date, doc.publisher, doc.url):
            assert UNSAFE.search(field) is None, (doc.id, field)
    for entity in hostile.workspace.index.mentioned_entities():
        for field in (entity.name, entity.description, entity.hangul, *entity.aliases):
            assert UNSAFE.search(field) is None, (entity.id, field)


def test_markup_looking_text_is_kept_as_written(hostile: Hostile) -> None:
    corpus = hostile.workspace.corpus
    markup, html = corpus.get("markup.txt"), corpus.get("markup-title.html")
    assert markup is not None and html is not None
    assert markup.title == hc.MARKUP_TITLE
    assert markup.text == hc.MARKUP_TITLE + "\n\n" + hc.MARKUP_BODY
    assert html.title == hc.HTML_TITLE and html.author == hc.HTML_AUTHOR
    assert html.text.startswith("[red]Kim Jong Un[/red] visited [b]Pyongyang[/b] [/x].")
    # A raw ESC in the HTML source and one written as the entity &#27; are both shown.
    assert "␛[31mRED ALERT␛[0m and entity ␛[32mgreen␛[0m." in html.text


def test_bidi_latin1_and_hostile_file_names(hostile: Hostile) -> None:
    corpus = hostile.workspace.corpus
    bidi = corpus.get("bidi.md")
    assert bidi is not None and bidi.title == hc.BIDI_HEADING_SHOWN
    assert "Body with ¤isolate¤ and Kim Jong Un" in bidi.text
    latin1 = corpus.get("latin1.txt")
    assert latin1 is not None and latin1.text == hc.LATIN1_SHOWN + "\n"
    # Ids are paths, kept exact (so `xref cite ID` finds the file); every view sanitises them.
    assert corpus.get(hc.ESC_NAME) is not None and corpus.get(hc.BAD_NAME_ID) is not None


def test_size_depth_and_change_while_loading(hostile: Hostile) -> None:
    corpus, index = hostile.workspace.corpus, hostile.workspace.index
    long_line = corpus.get("long-line.txt")
    assert long_line is not None and len(long_line.text) == hc.LONG_LINE_CHARS and "\n" not in long_line.text
    assert long_line.title.endswith("…") and len(long_line.title) == 200
    assert [m.surface for m in index.doc_mentions("long-line.txt")][-1] == "Pyongyang"
    large = corpus.get("large.txt")
    assert large is not None and len(large.text) >= hc.LARGE_BYTES
    assert len(index.doc_mentions("large.txt")) > 100
    deep = corpus.get(hc.DEEP_ID)
    assert deep is not None and hc.DEEP_ID.count("/") == hc.DEEP_LEVELS + 1
    changing = corpus.get(hc.CHANGING)
    assert changing is not None and changing.text == hc.CHANGED_TEXT  # read after the change, not a mix


def test_every_mention_slices_to_its_surface_and_none_overlap(hostile: Hostile) -> None:
    index = hostile.workspace.index
    for doc in hostile.workspace.corpus.documents:
        end = -1
        for m in index.doc_mentions(doc.id):
            assert doc.text[m.start : m.end] == m.surface, (doc.id, m)
            assert m.start >= end, (doc.id, m)
            end = m.end


def test_user_kb_names_that_look_like_markup_are_kept_and_escapes_shown(hostile: Hostile) -> None:
    entity = hostile.workspace.index.entity(hc.KB_ENTITY_ID)
    assert entity.name == hc.KB_ENTITY_NAME
    assert entity.description == hc.KB_ENTITY_DESCRIPTION_SHOWN
    surfaces = [m.surface for m in hostile.workspace.index.mentions_of(hc.KB_ENTITY_ID)]
    assert surfaces == ["Comrade Zebulon"]


def test_a_malformed_user_kb_names_file_and_line_and_the_builtin_one_is_used(hostile: Hostile) -> None:
    broken = hostile.root / hc.KB_BROKEN
    kb, problems = load_knowledge_base(broken)
    assert [(p.path, p.reason) for p in problems] == [(str(broken), hostile.expected[str(broken)])]
    assert "kim-jong-un" in kb
    ws = open_workspace([hostile.root / "markup.txt"], kb_path=broken, use_user_kb=False, use_cache=False)
    assert {p.path: p.reason for p in ws.problems} == {
        str(broken): hostile.expected[str(broken)],
        "manifest.toml": hostile.expected["manifest.toml"],  # one file given: its folder's manifest applies
    }
    assert {m.entity for m in ws.index.doc_mentions("markup.txt")} >= {"kim-jong-un", "pyongyang"}


def test_an_unusable_cache_folder_means_no_cache_and_says_so(hostile: Hostile, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    ws = open_workspace([hostile.root / "markup.txt"], use_user_kb=False, cache_dir=blocker / "cache")
    assert [(p.path, p.reason, p.severity) for p in ws.problems if p.path != "manifest.toml"] == [
        (str(blocker / "cache"), "cannot use the index cache folder (Not a directory); indexing without a cache",
         "warning"),
    ]
    assert ws.cache is None and len(ws.index.doc_mentions("markup.txt")) == 2  # Kim Jong Un, Pyongyang


def test_a_file_name_that_is_not_utf8_with_the_index_cache(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "plain.txt").write_text("Kim Jong Un.\n")
    with open(os.fsencode(root) + b"/" + hc.BAD_NAME, "wb") as handle:
        handle.write(b"Kim Jong Un in a file whose name is not UTF-8.\n")
    for _ in range(2):  # written to the cache, then read back from it
        ws = open_workspace([root], use_user_kb=False, cache_dir=tmp_path / "cache")
        assert {doc.id for doc in ws.corpus.documents} == {"plain.txt", hc.BAD_NAME_ID}
        assert [m.surface for m in ws.index.doc_mentions(hc.BAD_NAME_ID)] == ["Kim Jong Un"]
        ws.close()
    assert ws.stats.cached == 2


def test_the_5mb_file_path_is_exercised(hostile: Hostile) -> None:
    # The same code path as the 100 MB file below, at a size the fast run affords.
    assert os.path.getsize(hostile.root / "large.txt") >= hc.LARGE_BYTES


@pytest.mark.slow
@pytest.mark.skipif(not slow_enabled(), reason="set XREF_SLOW=1 to load a 100 MB file")
def test_a_100mb_single_file_loads(tmp_path: Path) -> None:
    root = tmp_path / "big"
    hc.build(root, big=True)
    started = time.perf_counter()
    ws = open_workspace([root], use_user_kb=False, use_cache=False)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest worker process
    huge = ws.corpus.get("huge.txt")
    assert huge is not None and len(huge.text) == hc.HUGE_BYTES
    mentions = ws.index.doc_mentions("huge.txt")
    assert mentions and all(huge.text[m.start : m.end] == m.surface for m in mentions[:1000])
    print(f"\n100 MB file: opened in {seconds:.1f} s ({ws.stats.workers} processes), peak RSS {peak_mb:.0f} MB "
          f"(largest worker {workers_mb:.0f} MB), {len(mentions)} mentions")


def test_an_unreadable_file_is_reported_even_as_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """chmod 000 does not stop root: the refusal is simulated where the loader opens files."""
    import errno

    root = tmp_path / "corpus"
    root.mkdir()
    secret = root / "secret.txt"
    secret.write_text("Kim Jong Un, but nobody may read this.\n")
    (root / "open.txt").write_text("Kim Jong Un in Pyongyang.\n")
    real_open = os.open

    def refusing_open(path, flags, mode=0o777, *, dir_fd=None):  # type: ignore[no-untyped-def]
        if os.fspath(path) == str(secret):
            raise PermissionError(errno.EACCES, "Permission denied", str(secret))
        return real_open(path, flags, mode, dir_fd=dir_fd)

    monkeypatch.setattr(os, "open", refusing_open)
    ws = open_workspace([root], use_user_kb=False, use_cache=False, workers=1)
    assert [(p.path, p.reason, p.severity) for p in ws.problems] == [("secret.txt", "permission denied", "error")]
    assert [doc.id for doc in ws.corpus.documents] == ["open.txt"]
