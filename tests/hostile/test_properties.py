"""Properties over arbitrary input that tests/test_properties.py does not cover:
file *names* (any bytes, so lone surrogates in ids), every display string
control-free, and the CLI's JSON lines exact whatever the ids and texts hold."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import UNSAFE, UNSAFE_IN_TEXT
from xref.cli import _jsonl, main
from xref.engine import open_workspace
from xref.sanitise import sanitise, sanitise_line

# Any code point, lone surrogates included (what os.fsdecode makes of a non-UTF-8 name).
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=()), max_size=60)
NAME_BYTES = st.binary(min_size=1, max_size=24).filter(lambda b: b"/" not in b and b"\x00" not in b and
                                                       not b.startswith(b".") and len(b) < 200)
HOSTILE_PIECES = st.sampled_from(["Kim Jong Un", " Pyongyang ", "\x1b]52;c;SGk=\x07", "\x1b[31m", "\x9b", "\u202e",
                                  "[bold]", "[/]", "\r", "\n\n", "\x00", "\udcff", "\x08", "é", "김정은"])
CONTENTS = st.lists(st.one_of(HOSTILE_PIECES, ANY_TEXT), max_size=12).map(
    lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_display_strings_never_hold_a_control_character(text: str) -> None:
    shown = sanitise(text)
    assert len(shown) == len(text)
    assert UNSAFE_IN_TEXT.search(shown) is None
    assert UNSAFE.search(sanitise_line(text)) is None


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["doc", "text", "name", "title"]), ANY_TEXT, min_size=1))
def test_json_lines_are_exact_encodable_and_inert(record: dict[str, str]) -> None:
    out = io.StringIO()
    _jsonl(record, out)
    line = out.getvalue()
    raw = line.encode("utf-8")  # strict: no lone surrogate is written as such
    assert line.endswith("\n") and line.count("\n") == 1
    assert UNSAFE.search(line[:-1]) is None  # nothing a terminal acts on, even unescaped
    assert json.loads(raw) == record


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAME_BYTES, min_size=1, max_size=3, unique=True), contents=st.lists(CONTENTS, min_size=3, max_size=3))
def test_any_file_names_and_contents_load_and_round_trip_through_json(
    tmp_path_factory, names: list[bytes], contents: list[bytes]
) -> None:
    root = tmp_path_factory.mktemp("names")
    for name, data in zip(names, contents):
        with open(os.fsencode(root) + b"/" + name + b".txt", "wb") as handle:
            handle.write(data)
    ws = open_workspace([root], use_user_kb=False, use_cache=False)
    for doc in ws.corpus.documents:
        assert UNSAFE_IN_TEXT.search(doc.text) is None
        for m in ws.index.doc_mentions(doc.id):
            assert doc.text[m.start : m.end] == m.surface
    out, err = io.StringIO(), io.StringIO()
    assert main(["mentions", "--no-cache", str(root)], out=out, err=err) == (0 if ws.corpus.documents else 1)
    err.getvalue().encode("utf-8")
    assert UNSAFE.search(err.getvalue().replace("\n", "")) is None
    records = [json.loads(line.encode("utf-8")) for line in out.getvalue().splitlines()]
    expected = [m.to_json() for doc in ws.corpus.documents for m in ws.index.doc_mentions(doc.id)]
    assert [(r["doc"], r["start"], r["end"], r["text"]) for r in records] == [
        (e["doc"], e["start"], e["end"], e["text"]) for e in expected
    ]
    assert {os.fsdecode(name + b".txt") for name in names} >= {r["doc"] for r in records}
    assert all(Path(root, r["doc"]).exists() for r in records)  # the ids name the files exactly


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.data())
def test_snippets_are_one_clean_line_whatever_the_document_holds(text: str, data: st.DataObject) -> None:
    # The panel draws snippet parts as they are, so they must be safe when made,
    # even for a Document that did not come through the sanitising loader.
    from xref.index import make_snippet
    from xref.model import Document

    doc = Document("d", Path("d.txt"), text)
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    snippet = make_snippet(doc, start, end, width=data.draw(st.integers(1, 30)))
    for part in (snippet.before, snippet.match, snippet.after):
        assert UNSAFE.search(part) is None, part
        assert "\n" not in part and "\t" not in part
