"""Full-text search: ranking, offsets, snippets, query escaping, cache or not, the CLI."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from xref.cli import main
from xref.engine import open_workspace
from xref import search
from xref.search import Hit, fts_query

DOCS = {
    "a-many.txt": "Wonsan harbour\n\nThe Wonsan harbour was busy. Wonsan harbour cranes, Wonsan harbour ships.\n\n"
    "Unrelated closing words.\n",
    "b-once.txt": "A report\n\nOne line mentions Wonsan harbour in passing.\n",
    "c-split.txt": "Split\n\nWonsan is a city.\n\nA harbour is a place for ships.\n",
    "d-none.txt": "Nothing\n\nPyongyang and Kaesong only.\n",
    "e-hangul.md": "# 원산\n\n원산 항구에서 배가 떠났다. Kim Jong-un visited Wonsan.\n",
    "f-diacritics.txt": "Romanised\n\nChang Chinsŏng wrote about the border.\n",
}


@pytest.fixture(params=["cache", "memory"])
def ws(request: pytest.FixtureRequest, tmp_path: Path):
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in DOCS.items():
        (root / name).write_text(text, encoding="utf-8")
    if request.param == "cache":
        open_workspace([root], use_user_kb=False, cache_dir=tmp_path / "cache").close()
        workspace = open_workspace([root], use_user_kb=False, cache_dir=tmp_path / "cache")
        assert workspace.stats.cached == len(DOCS)
    else:
        workspace = open_workspace([root], use_user_kb=False, use_cache=False)
    yield workspace
    workspace.close()


def _check_offsets(ws, hits: list[Hit]) -> None:
    for hit in hits:
        text = ws.index.document(hit.doc_id).text
        assert 0 <= hit.start <= hit.end <= len(text)
        assert "\n" not in hit.snippet
        for s, e in hit.highlights:
            assert 0 <= s < e <= len(hit.snippet)
        if hit.end > hit.start:
            # The first highlight is the hit's own text.
            s, e = hit.highlights[0]
            assert hit.snippet[s:e] == re.sub(r"\s", " ", text[hit.start : hit.end])


def test_best_document_first_with_offsets_and_snippets(ws) -> None:
    hits = ws.search("wonsan harbour")
    assert [h.doc_id for h in hits][:1] == ["a-many.txt"]
    assert {h.doc_id for h in hits} >= {"a-many.txt", "b-once.txt", "c-split.txt"}
    assert "d-none.txt" not in {h.doc_id for h in hits}
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    first = hits[0]
    assert ws.index.document(first.doc_id).text[first.start : first.end].casefold() in {"wonsan harbour", "wonsan"}
    _check_offsets(ws, hits)


def test_words_in_different_paragraphs_still_give_a_hit(ws) -> None:
    hits = [h for h in ws.search("wonsan harbour") if h.doc_id == "c-split.txt"]
    assert len(hits) == 1
    text = ws.index.document("c-split.txt").text
    assert text[hits[0].start : hits[0].end].casefold() in {"wonsan", "harbour"}


def test_phrase_prefix_and_operators(ws) -> None:
    assert {h.doc_id for h in ws.search('"harbour cranes"')} == {"a-many.txt"}
    assert "a-many.txt" in {h.doc_id for h in ws.search("harb*")}
    assert {h.doc_id for h in ws.search("Pyongyang OR Kaesong")} == {"d-none.txt"}
    assert "b-once.txt" not in {h.doc_id for h in ws.search("wonsan NOT passing")}


def test_hangul_and_diacritics(ws) -> None:
    hangul = ws.search("원산")
    assert hangul and {h.doc_id for h in hangul} == {"e-hangul.md"}
    assert ws.index.document("e-hangul.md").text[hangul[0].start : hangul[0].end] == "원산"
    hits = ws.search("chinsong")  # diacritics folded: ŏ = o
    assert [h.doc_id for h in hits] == ["f-diacritics.txt"]
    text = ws.index.document(hits[0].doc_id).text
    assert text[hits[0].start : hits[0].end] == "Chinsŏng"


@pytest.mark.parametrize(
    "query",
    ['"unclosed phrase', "Kim Jong-un", "a:b", "AND", "OR OR", "NOT", "(", ")", "*", "^x", "NEAR(", '"', "''",
     "wonsan harbour\"", "-", "x AND", "✓", "   ", "col:umn", "Wonsan's"],
)
def test_awkward_queries_never_raise(ws, query: str) -> None:
    hits = ws.search(query)
    assert isinstance(hits, list)
    _check_offsets(ws, hits)


def test_hyphenated_name_is_found_as_a_phrase(ws) -> None:
    hits = ws.search("Kim Jong-un")
    assert [h.doc_id for h in hits] == ["e-hangul.md"]
    text = ws.index.document("e-hangul.md").text
    assert text[hits[0].start : hits[0].end] == "Kim Jong-un"


def test_limit_and_no_match(ws) -> None:
    assert len(ws.search("wonsan", limit=2)) == 2
    assert ws.search("zebra") == []
    assert ws.search("") == []
    assert ws.search("wonsan", limit=0) == []


def test_json_scores_keep_four_significant_digits(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    assert Hit("d", 0, 1, "x", 2.2345678e-06).to_json()["score"] == 2.235e-06
    assert Hit("d", 0, 1, "x", 12.345678).to_json()["score"] == 12.35
    # A word in every document scores about 1e-6: it used to print as 0.0.
    monkeypatch.setenv("XREF_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "corpus"
    root.mkdir()
    for i in range(3):
        (root / f"{i}.txt").write_text(SENTENCE * (i + 1), encoding="utf-8")
    assert main(["search", "Wonsan", str(root), "--format", "jsonl"]) == 0
    scores = [json.loads(line)["score"] for line in capsys.readouterr().out.splitlines()]
    assert len(scores) == 3 and all(0 < score < 1e-3 for score in scores)


def test_fts_query_quotes_every_word() -> None:
    assert fts_query('Kim "Jong-un" a:b pre*') == '"Kim" "Jong" "un" "a" "b" "pre"*'
    assert fts_query("*** ---") == ""


def test_cli_search(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XREF_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in DOCS.items():
        (root / name).write_text(text, encoding="utf-8")
    assert main(["search", "wonsan harbour", str(root), "--format", "jsonl", "--limit", "3"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 3 and lines[0]["doc"] == "a-many.txt"
    assert {"doc", "start", "end", "snippet", "score", "line", "title", "paragraph"} <= set(lines[0])
    assert main(["search", "wonsan", str(root)]) == 0  # JSON lines by default, like mentions and entities
    assert all(json.loads(line)["doc"] for line in capsys.readouterr().out.splitlines())
    assert main(["search", "wonsan", str(root), "--format", "table"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:4] == ["DOC", "LINE", "PARA", "SCORE"]
    assert main(["search", "zebra", str(root), "--no-cache"]) == 1
    assert "no matches" in capsys.readouterr().err


# -- long paragraphs ------------------------------------------------------------------------
SENTENCE = "Kim Jong-un visited Wonsan. "


def _corpus(tmp_path: Path, docs: dict[str, str], cache: bool):
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in docs.items():
        (root / name).write_text(text, encoding="utf-8")
    if cache:
        return open_workspace([root], use_user_kb=False, cache_dir=tmp_path / "cache")
    return open_workspace([root], use_user_kb=False, use_cache=False)


class _Recording(sqlite3.Connection):
    """Records the longest text put into the scratch paragraph table."""

    longest = 0

    def executemany(self, sql, rows):  # type: ignore[override]
        if "INTO p(" in sql:
            rows = list(rows)
            _Recording.longest = max([_Recording.longest, *(len(text) for _, text in rows)])
        return super().executemany(sql, rows)


@pytest.mark.parametrize("cache", [True, False])
def test_a_long_paragraph_goes_into_the_scratch_table_in_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: bool
) -> None:
    # highlight() is quadratic in the length of its row: a 20 MB one-line file took
    # minutes when its one paragraph was one row.
    long = SENTENCE * 20_000  # 560 kB on one line
    ws = _corpus(tmp_path, {"long.txt": "Title\n\n" + long + "\n"}, cache)
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        search.sqlite3, "connect", lambda *a, **k: real_connect(*a, **{"factory": _Recording, **k})
    )
    _Recording.longest = 0
    try:
        hits = ws.search("Wonsan", limit=5)
    finally:
        ws.close()
    assert 0 < _Recording.longest <= 10_000  # pieces of a few thousand characters, not 560 kB
    assert len(hits) == 1  # one paragraph: one hit, however many pieces matched
    hit = hits[0]
    assert hit.paragraph == 2
    text = ws.index.document("long.txt").text
    assert text[hit.start : hit.end] == "Wonsan"
    s, e = hit.highlights[0]
    assert hit.snippet[s:e] == "Wonsan"


@pytest.mark.parametrize("cache", [True, False])
def test_pieces_keep_offsets_paragraph_numbers_and_phrases_across_cuts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: bool
) -> None:
    monkeypatch.setattr(search, "PIECE", 60)
    monkeypatch.setattr(search, "OVERLAP", 25)
    filler = [f"word{i}" for i in range(60)]
    docs = {}
    for at in range(0, 60, 3):  # the phrase at every place relative to the cuts
        words = filler[:at] + ["Kim", "Jong-un", "visited"] + filler[at:]
        docs[f"d{at:02}.txt"] = "Title\n\nshort paragraph\n\n" + " ".join(words) + "\n\nend\n"
    ws = _corpus(tmp_path, docs, cache)
    try:
        hits = ws.search('"Kim Jong-un visited"', limit=100)
        assert sorted(h.doc_id for h in hits) == sorted(docs)
        for hit in hits:
            text = ws.index.document(hit.doc_id).text
            assert hit.paragraph == 3
            assert text[hit.start : hit.end] == "Kim Jong-un visited"
            s, e = hit.highlights[0]
            assert hit.snippet[s:e] == "Kim Jong-un visited"
            layout = ws.index.document(hit.doc_id).layout
            assert layout.para_starts[2] <= hit.start < hit.end <= layout.para_ends[2]
    finally:
        ws.close()


def test_pieces_cover_the_paragraph_cut_between_words() -> None:
    text = "x " + " ".join(f"w{i:05}" for i in range(5000)) + " " + "y" * 9000 + " z"
    pieces = search._pieces(text, 2, len(text))
    assert pieces[0][0] == 2 and pieces[-1][1] == len(text)
    for (s1, e1), (s2, e2) in zip(pieces, pieces[1:]):
        assert s1 < s2 <= e1  # they move on, and overlap where there are words to share
        assert s2 < e1 or "y" * 30 in text[s2 - 30 : s2]
    for s, e in pieces:
        assert 0 < e - s <= search.PIECE
        assert s == 2 or text[s - 1] == " " or text[s - 1] == "y"  # a very long word is cut anyway


# -- how queries are read ---------------------------------------------------------------------
@pytest.mark.parametrize("cache", [True, False])
def test_plain_words_rank_the_exact_phrase_first(tmp_path: Path, cache: bool) -> None:
    # Both words many times, never side by side: bm25 alone puts this document first.
    dense = "Office 101, Room 39, Office 102, Room 39."
    docs = {
        "a-scattered.txt": "Offices\n\n" + dense + "\n\n" + dense + "\n",
        "b-phrase.txt": "Notes\n\n" + dense + "\n\nOnce upon a time, in a long and winding story about many other "
        "things, a place called Office 39 was named by someone who did not know much about it.\n",
    }
    ws = _corpus(tmp_path, docs, cache)
    try:
        hits = ws.search("Office 39")
        assert [(h.doc_id, h.paragraph) for h in hits] == [
            ("b-phrase.txt", 3),  # the phrase: first, though the other paragraph has both words more often
            ("b-phrase.txt", 2),  # then all the words, in the same document
            ("a-scattered.txt", 2),
            ("a-scattered.txt", 3),
        ]
        first = hits[0]
        assert ws.index.document(first.doc_id).text[first.start : first.end] == "Office 39"
        s, e = first.highlights[0]
        assert first.snippet[s:e] == "Office 39" and len(first.highlights) == 1  # not every lone 39
        # Not plain words: FTS5 as written, bm25 alone.
        assert ws.search("Office AND 39")[0].doc_id == "a-scattered.txt"
    finally:
        ws.close()


def test_read_query() -> None:
    read = search.read_query
    assert read("Kim Jong-un") == search.Reading(('"Kim Jong-un"', '"Kim" "Jong-un"'), ('"Kim"', '"Jong-un"'))
    assert read("Wonsan?") == search.Reading(('"Wonsan"',), ('"Wonsan"',))
    assert read("???") == search.Reading((), ())  # nothing to search for, but nothing rejected
    # FTS5 syntax, as written or mended: not the fallback.
    assert read('"Pyongyang') == search.Reading(('"Pyongyang"',), ('"Pyongyang"',))
    assert read('Kim AND Jong-un*') == search.Reading(('Kim AND "Jong-un"*',), ('"Kim"', '"Jong-un"*'))
    assert not read("harb*").fallback and not read("wonsan NOT passing").fallback
    # The fallback: FTS5 rejects every spelling.
    reading = read("a:b")
    assert reading.fallback and reading.expressions == ('"a" "b"',)
    assert reading.rejected is not None and "no such column" in reading.rejected
    reading = read("Kim AND (Russia")
    assert reading.fallback and reading.expressions == ('"Kim" "Russia"',)  # AND is no word
    reading = read("[*]")
    assert reading.fallback and reading.expressions == ()


@pytest.mark.parametrize(
    ("expression", "terms"),
    [
        ("Kim AND Russia", ['"Kim"', '"Russia"']),
        ("wonsan NOT passing", ['"wonsan"']),
        ("a NOT (b OR c) AND d", ['"a"', '"d"']),
        ("NEAR(kim russia, 10) OR \"harbour cranes\" OR pre* OR text:wonsan OR ^first",
         ['"kim"', '"russia"', '"harbour cranes"', "pre*", '"wonsan"', '"first"']),
        ("{text}: wonsan NOT text:harbour", ['"wonsan"']),
        ('"a ""quoted"" word" OR b', ['"a ""quoted"" word"', '"b"']),
        ("x NOT NEAR(a b, 3) AND (y OR z)", ['"x"', '"y"', '"z"']),
    ],
)
def test_terms_leave_out_operators_and_what_not_excludes(expression: str, terms: list[str]) -> None:
    assert search._terms(expression) == terms


@pytest.mark.parametrize("cache", [True, False])
def test_operators_are_never_searched_as_words(tmp_path: Path, cache: bool) -> None:
    # Kim and Russia in different paragraphs: the document matches, no paragraph does,
    # and the hit is the best paragraph for any of the words -- "and" is not one.
    docs = {"a.txt": "Title\n\nKim visited the border.\n\nRussia and China and Mongolia and more, and so on.\n"}
    ws = _corpus(tmp_path, docs, cache)
    try:
        for query in ("Kim AND Russia", "Russia AND Kim", "Kim AND Russia NOT nothing",
                      "NEAR(Kim border, 5) AND Russia"):
            hits = ws.search(query)
            assert len(hits) == 1, query
            words = {hit.snippet[s:e].casefold() for hit in hits for s, e in hit.highlights}
            assert words and words <= {"kim", "russia", "border"}, (query, words)
        # The fallback (FTS5 rejects the query) leaves operators out too.
        hits = ws.search("Russia AND (")
        assert [hit.snippet[s:e] for hit in hits for s, e in hit.highlights] == ["Russia"]
    finally:
        ws.close()


def test_cli_notes_the_plain_words_fallback(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XREF_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in DOCS.items():
        (root / name).write_text(text, encoding="utf-8")
    assert main(["search", "wonsan AND (", str(root)]) == 0
    err = capsys.readouterr().err
    assert "not valid FTS5 syntax" in err and 'searched as plain words: "wonsan"' in err
    for query in ("Kim Jong-un", "Wonsan?", '"wonsan harbour'):
        assert main(["search", query, str(root)]) == 0
        assert capsys.readouterr().err == "", query


def test_cli_help_says_at_most_three_hits_per_document(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "at most 3 hits" in help_text and "at most 3 per document" in help_text
