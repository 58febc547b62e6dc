"""Properties that must hold for any input: offsets slice to surfaces, mentions
never overlap, loading never raises, JSON output round-trips."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xref.cli import main
from xref.corpus import load_corpus, load_document, LoadError
from xref.kb import load_builtin
from xref.model import Document
from xref.recognise import Recogniser

NAMES = ["Kim Jong-un", "Kim Jong Un", "KIM JONG-UN", "Kim Jong-num", "Jang Jin-sung", "Chang Chinsŏng", "장진성",
         "SSD", "Bowibu", "Pyongyang", "North Korean", "North Korea’s", "Ministry of State Security", "Jang", "Kim",
         "President Moon", "Moon Jae-in", "(WHO)", "World Health Organization", "Office 101", "Tumen River"]
pieces = st.one_of(
    st.sampled_from(NAMES),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=12),
    st.sampled_from([" ", "\n", "\n\n", "-", "’s ", ". ", "\x1b[31m", "\x00", "\u202e", "[bold]", "[/]"]),
)
texts = st.lists(pieces, max_size=40).map("".join)


@pytest.fixture(scope="module")
def recogniser():
    return Recogniser(load_builtin().entities.values())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=texts)
def test_mentions_slice_to_their_surface_and_never_overlap(recogniser, text):
    doc = Document(id="p.txt", path=Path("p.txt"), text=text)
    mentions = recogniser.recognise(doc).mentions
    last_end = -1
    for m in mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.surface
        assert m.start >= last_end
        last_end = m.end


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=2000), ext=st.sampled_from([".txt", ".md", ".html", ".htm", ".markdown"]))
def test_loading_arbitrary_bytes_never_raises_anything_but_loaderror(tmp_path_factory, data, ext):
    folder = tmp_path_factory.mktemp("bytes")
    path = folder / f"f{ext}"
    path.write_bytes(data)
    try:
        doc = load_document(path, folder)
    except LoadError:
        return
    for ch in doc.text:
        code = ord(ch)
        assert ch in "\t\n" or not (code < 32 or code == 127 or 0x80 <= code < 0xA0)


@settings(max_examples=60, deadline=None)
@given(data=st.lists(st.binary(max_size=400), min_size=1, max_size=4))
def test_corpus_of_arbitrary_files_always_loads(tmp_path_factory, data):
    folder = tmp_path_factory.mktemp("corpus")
    for i, blob in enumerate(data):
        (folder / f"d{i}.txt").write_bytes(blob)
    corpus = load_corpus([folder])
    assert len(corpus.documents) + len([p for p in corpus.problems if p.severity == "error" or "empty" in p.reason]) >= 1
    assert {d.id for d in corpus.documents} <= {f"d{i}.txt" for i in range(len(data))}


@settings(max_examples=40, deadline=None)
@given(text=texts)
def test_json_lines_round_trip(tmp_path_factory, text):
    folder = tmp_path_factory.mktemp("json")
    (folder / "d.txt").write_text(text + "\nKim Jong-un.", encoding="utf-8", errors="surrogatepass")
    out, err = io.StringIO(), io.StringIO()
    loaded = bool(load_corpus([folder]).documents)  # not when the text makes the file binary
    assert main(["mentions", str(folder)], out=out, err=err) == (0 if loaded else 1)
    for line in out.getvalue().splitlines():
        rec = json.loads(line)
        assert json.loads(json.dumps(rec, ensure_ascii=False)) == rec
        assert "\x1b" not in line


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \n", max_size=80), st.data())
def test_word_windows_hold_the_span_and_cut_only_at_spaces(text: str, data: st.DataObject) -> None:
    from xref.model import word_window

    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    before, after = data.draw(st.integers(0, 20)), data.draw(st.integers(0, 20))
    lo, hi = word_window(text, start, end, before, after)
    assert 0 <= lo <= start <= end <= hi <= len(text)
    assert lo >= start - before and hi <= end + after  # never wider than asked
    # Cut after a space (or where no space was in reach), never inside a word that has room.
    if lo > 0 and " " in text[max(0, start - before) : start]:
        assert text[lo - 1] == " "
    if hi < len(text) and " " in text[end : min(len(text), end + after)]:
        assert text[hi] == " "


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab \n", max_size=120), st.data())
def test_snippets_keep_to_the_paragraph_of_the_mention(text: str, data: st.DataObject) -> None:
    from xref.index import make_snippet

    doc = Document("d", Path("d.txt"), text)
    layout = doc.layout
    if not layout.paragraph_count:
        return
    p = data.draw(st.integers(1, layout.paragraph_count))
    p_start, p_end = layout.paragraph_span(p)
    start = data.draw(st.integers(p_start, p_end))
    end = data.draw(st.integers(start, p_end))
    snippet = make_snippet(doc, start, end, width=data.draw(st.integers(1, 40)))
    before, after = snippet.before.removeprefix("…"), snippet.after.removesuffix("…")
    # Only the paragraph's own words, on one line: what it holds before and after the mention.
    assert before.strip() in " ".join(text[p_start:start].split())
    assert after.strip() in " ".join(text[end:p_end].split())
    # "…" only where the paragraph goes on.
    if snippet.before.startswith("…"):
        assert text[p_start:start].strip() != before.strip()
    if snippet.after.endswith("…"):
        assert text[end:p_end].strip() != after.strip()


def test_a_snippet_stops_at_a_heading() -> None:
    from xref.index import make_snippet

    text = "Early life\nKim Jong-un was born in Pyongyang.\n\nEducation\nHe studied in Bern."
    heading = (0, len("Early life"))
    doc = Document("d.md", Path("d.md"), text, kind="md", headings=(heading, (47, 56)))
    start = text.index("Kim")
    snippet = make_snippet(doc, start, start + len("Kim Jong-un"), width=60)
    assert (snippet.before, snippet.after) == ("", " was born in Pyongyang.")
    snippet = make_snippet(doc, 0, len("Early"), width=60)  # in the heading: the heading only
    assert (snippet.match, snippet.after) == ("Early", " life")
    bern = text.index("Bern")
    snippet = make_snippet(doc, bern, bern + 4, width=60)
    assert (snippet.before, snippet.after) == ("He studied in ", ".")
