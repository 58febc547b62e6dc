"""The fast paths of indexing give exactly what the plain versions they replaced gave.

Each test keeps a small, obviously right reference (the code before it was made
fast) and compares it with the real code on generated texts built from pieces
that hit the edge cases: capitals after lower-case letters, no-break spaces,
all-caps surnames, blank lines made of spaces and tabs, Unicode white space.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from bisect import bisect_left
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

import ahocorasick_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import conftest
from xref import _accel
from xref import recognise as R
from xref.model import Document, EntityType, TextLayout
from xref.normalise import KOREAN_SURNAMES, match_text
from xref.store import COOCCURRENCE_MAX, DocRecord

PIECES = [
    "Kim ", "KIM ", "kim ", "Kim\u00a0", "Kim\t", "O ", "Ko ", "WoO ", "Yang ", "to ", "an ", "Im ",
    "Jong-un", "Jong Un", "Il-sung", "Ri Sol-ju ", "Sol",
    "Party", "party", "Workers' Party", "River", "Yalu River", "Office 39", "office 39", "Bureau ",
    "Ministry of State Security", "Mount Paektu", "Mount ", "Daily NK", "News", "Sea", "sea",
    "Room 39", "Department of ", "The ", "In May ", "North Korea", "South Korea", "WHO", "who", "(WHO)",
    "World Health Organization ", "UN ", "us ", "US$", "x", "A", "é", "İ", "K", "1", "-", "\u2011",
    " ", "  ", "\n", "\n\n", "\n \t\n", "\t", "\u00a0", "\u3000", "\x0b", ".", ",", "’s ",
]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@contextmanager
def loops(compiled: bool) -> Iterator[None]:
    """The compiled loops (skipping when they are not built), or their Python twins."""
    if compiled and conftest.SPEEDUPS is None:
        pytest.skip(f"the C accelerator is not built: {conftest.SPEEDUPS_MISSING}")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(_accel, "speedups", conftest.SPEEDUPS if compiled else None)
        yield


# -- TextLayout --------------------------------------------------------------------------


def reference_layout(text: str) -> tuple[list[int], list[int], list[int]]:
    line_starts = [0, *(m.end() for m in re.finditer("\n", text))]
    para_starts: list[int] = []
    para_ends: list[int] = []
    pos = 0
    for gap in re.finditer(r"\n(?:[ \t]*\n)+", text):
        if text[pos : gap.start()].strip():
            lead = len(text[pos : gap.start()]) - len(text[pos : gap.start()].lstrip("\n \t"))
            para_starts.append(text.rfind("\n", 0, pos + lead) + 1)
            para_ends.append(gap.start())
        pos = gap.end()
    if text[pos:].strip():
        lead = len(text[pos:]) - len(text[pos:].lstrip("\n \t"))
        para_starts.append(text.rfind("\n", 0, pos + lead) + 1)
        trailing = re.compile(r"\n[ \t]*\Z").search(text, pos)
        para_ends.append(trailing.start() if trailing else len(text))
    return line_starts, para_starts, para_ends


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_layout_matches_reference(compiled: bool, text: str) -> None:
    with loops(compiled):
        layout = TextLayout(text)
    assert (layout.line_starts, layout.para_starts, layout.para_ends) == reference_layout(text)


@pytest.mark.parametrize(
    ("text", "lines"),
    [("", 1), ("a", 1), ("a\n", 1), ("a\r\n", 1), ("a\nb", 2), ("a\n\n", 2), ("\n", 1), ("a\nb\n", 2)],
)
def test_line_count_is_an_editors(text: str, lines: int) -> None:
    layout = TextLayout(text)
    assert layout.line_count == lines
    assert layout.line_of(max(0, len(text) - 1)) <= lines  # the last character is on a counted line
    assert layout.line_span(lines)[1] <= len(text)


# -- shape triggers ----------------------------------------------------------------------


def reference_triggers(text: str) -> tuple[list[int], list, list, list]:
    """The single lower-cased automaton over surnames and heads, as before."""
    words: dict[str, list[str]] = {}
    for s in sorted(KOREAN_SURNAMES):
        words.setdefault(s.lower() + " ", []).append("surname")
    for kind, kind_id in ((R.ORG_HEADS, "org-head"), (R.PLACE_HEADS, "place-head")):
        for h in kind:
            words.setdefault(h.lower(), []).append(kind_id)
    for p in R.ORG_PREFIXES:
        words.setdefault(p.lower() + " of ", []).append("org-prefix")
    for p in R.NUMBERED_ORGS:
        words.setdefault(p.lower() + " ", []).append("org-number")
    words.setdefault("mount ", []).append("place-prefix")
    patterns = list(words)
    automaton = ahocorasick_rs.AhoCorasick(patterns)
    norm, n = match_text(text), len(text)
    surnames, org, place, prefixes = [], [], [], []
    for idx, start, end in automaton.find_matches_as_indexes(norm, overlapping=True):
        if not text[start].isupper():
            continue
        before = text[start - 1] if start else " "
        if before.isalnum() and not before.islower():
            continue
        glued = before.isalnum()
        for kind in words[patterns[idx]]:
            if kind == "surname":
                surnames.append(start)
            elif glued:
                continue
            elif kind in ("org-head", "place-head"):
                if end < n and (text[end].isalnum() or text[end] in "-\u2010\u2011"):
                    continue
                (org if kind == "org-head" else place).append((start, end))
            elif kind == "org-number":
                if end < n and text[end].isdigit():
                    prefixes.append((start, EntityType.ORGANISATION))
            elif kind == "org-prefix":
                prefixes.append((start, EntityType.ORGANISATION))
            else:
                prefixes.append((start, EntityType.PLACE))
    return surnames, org, place, prefixes


def korean_name_starts(text: str, surnames: list[int]) -> list[int]:
    """The surname positions where pass 2 goes on past its first checks."""
    kept = []
    for p in surnames:
        m = R.KOREAN_NAME_AT.match(text, p)
        if m is not None and m.group(1) in KOREAN_SURNAMES:
            kept.append(p)
    return kept


@settings(max_examples=600, deadline=None)
@given(texts)
def test_shape_triggers_match_reference(text: str) -> None:
    surnames, org, place, prefixes = R._shape_triggers(text, match_text(text))
    ref_surnames, ref_org, ref_place, ref_prefixes = reference_triggers(text)
    # Heads and prefixes: the same lists (their order does not matter: they are sorted later).
    assert (sorted(org), sorted(place), sorted(prefixes)) == (sorted(ref_org), sorted(ref_place), sorted(ref_prefixes))
    # Surnames: the case-kept search finds fewer places, but the same ones survive, in order.
    assert korean_name_starts(text, surnames) == korean_name_starts(text, ref_surnames)
    assert set(surnames) <= set(ref_surnames)


def test_trigger_heads_are_never_trimmed() -> None:
    """Pass 2b skips heads inside claimed spans because trimming never drops the head word."""
    from xref.normalise import MONTHS, STOPWORDS

    words = {w.casefold() for w in [*R.ORG_HEADS, *R.PLACE_HEADS, *R.ORG_PREFIXES, *R.NUMBERED_ORGS, "Mount"]}
    assert not words & (STOPWORDS | MONTHS | R._ORDINALS)


# -- records from columns ----------------------------------------------------------------


def reference_cooccurrence(starts: list[int], ent_list: list[int], n_ents: int, layout: TextLayout) -> tuple:
    cuts = [bisect_left(starts, p) for p in layout.para_starts[1:]]
    pair_counts: Counter = Counter()
    lo = 0
    for hi in (*cuts, len(starts)):
        if hi - lo >= 2:
            ents = set(ent_list[lo:hi])
            if 2 <= len(ents) <= COOCCURRENCE_MAX:
                pair_counts.update(combinations(sorted(ents), 2))
        lo = hi
    pairs: dict[int, dict[int, int]] = defaultdict(dict)
    for (a, b), n in sorted(pair_counts.items()):
        pairs[a][b] = n
        pairs[b][a] = n
    co_b, co_n, co_group = [], [], [0]
    for k in range(n_ents):
        for b, n in pairs.get(k, {}).items():
            co_b.append(b)
            co_n.append(n)
        co_group.append(len(co_b))
    return co_b, co_n, co_group


def reference_order(ent_list: list[int], n_ents: int) -> tuple[list[int], list[int]]:
    order = sorted(range(len(ent_list)), key=lambda i: (ent_list[i], i))
    group = [0]
    for k in range(n_ents):
        group.append(group[-1] + ent_list.count(k))
    return order, group


# A paragraph: how many distinct entities it names (a few, or right at
# COOCCURRENCE_MAX, where lists and tables start being dropped) and how many
# extra mentions repeat them; blank paragraphs and a mention before the first
# paragraph too.
MAX = COOCCURRENCE_MAX
paragraphs = st.lists(
    st.tuples(st.one_of(st.integers(0, 8), st.sampled_from([MAX - 1, MAX, MAX + 1])), st.integers(0, 20)),
    max_size=10,
)


def generated_record(shape: list[tuple[int, int]], rnd, lead: bool, prefix: str = "e") -> tuple:
    """A record of generated paragraphs (see ``paragraphs``): (record, starts, ids, layout)."""
    text_parts: list[str] = []
    starts: list[int] = []
    ids: list[str] = []
    pos = 0
    if lead:  # a mention on a first line that is only spaces: before the first paragraph
        text_parts.append(" \n")
        starts.append(0)
        ids.append(f"{prefix}0")
        pos = 2
    for distinct, repeats in shape:
        names = rnd.sample(range(MAX + 20), distinct)
        names += [rnd.choice(names) for _ in range(repeats if names else 0)]
        rnd.shuffle(names)
        words = [f"{prefix}{k}" for k in names] or ["x"]
        offset = pos
        for word in words:
            if word != "x":
                starts.append(offset)
                ids.append(word)
            offset += len(word) + 1
        para = " ".join(words)
        text_parts.append(para + "\n\n")
        pos += len(para) + 2
    text = "".join(text_parts)
    ends = [s + 1 for s in starts]
    layout = TextLayout(text)
    record = DocRecord.from_columns(
        starts, ends, ids, ["exact"] * len(ids), [None] * len(ids), lambda i: text[starts[i] : ends[i]], {}, layout
    )
    return record, starts, ids, layout


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "numpy"])
@settings(max_examples=150, deadline=None)
@given(shape=paragraphs, rnd=st.randoms(use_true_random=False), lead=st.booleans())
def test_record_tables_match_the_plain_version(compiled: bool, shape: list[tuple[int, int]], rnd, lead: bool) -> None:
    """Entity order, groups and paragraph co-occurrence of DocRecord.from_columns
    (compiled, or whole-array code) against a plain loop over paragraphs and pairs."""
    with loops(compiled):
        record, starts, ids, layout = generated_record(shape, rnd, lead)
    ent_no = {e: k for k, e in enumerate(dict.fromkeys(ids))}
    ent_list = [ent_no[e] for e in ids]
    assert record.ents == tuple(ent_no)
    assert list(record.ent) == ent_list
    assert (list(record.order), list(record.group)) == reference_order(ent_list, len(ent_no))
    ref = reference_cooccurrence(starts, ent_list, len(ent_no), layout)
    assert (list(record.co_b), list(record.co_n), list(record.co_group)) == ref


def reference_add_cooccurrence(table: dict, records: list) -> None:
    for rec in records:
        for k, a in enumerate(rec.ents):
            for j in range(rec.co_group[k], rec.co_group[k + 1]):
                b = rec.ents[rec.co_b[j]]
                table.setdefault(a, {})
                table[a][b] = table[a].get(b, 0) + rec.co_n[j]


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "numpy"])
@settings(max_examples=60, deadline=None)
@given(docs=st.lists(st.tuples(paragraphs, st.sampled_from("ef")), max_size=5), rnd=st.randoms(use_true_random=False),
       dense=st.booleans())
def test_cooccurrence_sums_match_the_plain_version(compiled: bool, docs: list, rnd, dense: bool) -> None:
    """add_cooccurrence (compiled, or arrays) against a loop over every record's
    rows: onto a table that already holds counts, with entities shared between
    documents or not, in both of numpy's ways of adding up (a dense array of
    pairs or a sort)."""
    with loops(compiled):
        check_cooccurrence_sums(docs, rnd, dense)


def check_cooccurrence_sums(docs: list, rnd, dense: bool) -> None:
    from xref import index

    records = [generated_record(shape, rnd, False, prefix)[0] for shape, prefix in docs]
    half = len(records) // 2
    expected: dict = {}
    reference_add_cooccurrence(expected, records)
    got: dict = {}
    old = index._DENSE_PAIRS
    index._DENSE_PAIRS = old if dense else 0
    try:
        index.add_cooccurrence(got, records[:half])
        index.add_cooccurrence(got, records[half:])
    finally:
        index._DENSE_PAIRS = old
    assert got == expected
    assert all(type(n) is int for row in got.values() for n in row.values())


@pytest.fixture(scope="module")
def recogniser() -> R.Recogniser:
    from xref.kb import load_builtin

    return R.Recogniser(load_builtin().entities.values())


@pytest.mark.parametrize("seed", sorted(p.name for p in (Path(__file__).parent.parent / "seeds").glob("*.txt")))
def test_columns_and_mentions_give_one_record(recogniser: R.Recogniser, seed: str) -> None:
    text = (Path(__file__).parent.parent / "seeds" / seed).read_text(encoding="utf-8")
    doc = Document(seed, Path(seed), text)
    result = recogniser.recognise(doc)
    taken = result.columns
    assert taken is not None
    starts, ends = taken.starts, taken.ends
    fast = DocRecord.from_columns(
        starts, ends, taken.ents, taken.kinds, taken.scores, lambda i: text[starts[i] : ends[i]],
        result.discovered, doc.layout,
    )
    assert fast == DocRecord.from_mentions(result.mentions, result.discovered, doc.layout)
    assert [m.surface for m in result.mentions] == [text[s:e] for s, e in zip(starts, ends)]
    ent_no = {e: k for k, e in enumerate(dict.fromkeys(taken.ents))}
    ref = reference_cooccurrence(list(starts), [ent_no[e] for e in taken.ents], len(ent_no), doc.layout)
    assert (list(fast.co_b), list(fast.co_n), list(fast.co_group)) == ref


# -- headings: the line's words, counted only as far as a heading can go --------------------


def reference_heading_like(text: str, offset: int) -> bool:
    ls = text.rfind("\n", 0, offset) + 1
    le = text.find("\n", offset)
    words = text[ls : le if le != -1 else len(text)].split()
    if not 3 <= len(words) <= 14:
        return False
    caps = sum(1 for w in words if w[:1].isupper() or w.casefold() in R._CONNECTORS or w in {"in", "a", "to", "on"})
    return caps / len(words) >= 0.85


@settings(max_examples=300, deadline=None)
@given(texts, st.integers(min_value=0, max_value=2000))
def test_heading_test_matches_the_plain_version(text: str, at: int) -> None:
    offset = min(at, max(0, len(text) - 1))
    assert R._heading_like(text, offset) == reference_heading_like(text, offset)


# -- HTML: libxml2's tree and BeautifulSoup's give one text ------------------------------
#
# Pages nested deeper than libxml2 keeps are read by BeautifulSoup instead, so both
# walks must give the same paragraphs for any page both parsers read alike: pages
# whose elements are properly nested and closed.

from xref import corpus as C  # noqa: E402

_WORDS = ["Kim Jong-un", "Pyongyang", "  ", " ", "\n", "\t", "a\u00a0b", "&amp;", "&#27;", "é", "x", "Office 39", ""]
_INLINE = ["span", "b", "i", "u", "em", "time"]  # not <a>: links may not nest
_PHRASING_BLOCK = ["p", "h1", "h2", "h3", "pre"]  # blocks that may hold only inline content
# Not <li>: one opened inside another closes it (as browsers do, and libxml2), which
# html.parser does not know, so "<li hidden><li>x</li></li>" is not properly nested.
_FLOW_BLOCK = ["div", "blockquote", "section", "article", "header", "footer", "nav", "main", "figure"]
_ATTRS = ["", " hidden", ' role="navigation"', ' style="display: none"', ' style="color: red"', ' class="c"']


def _element(names: list[str], inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(names), st.sampled_from(_ATTRS), inner).map(
        lambda t: f"<{t[0]}{t[1]}>{t[2]}</{t[0]}>")


_text = st.lists(st.sampled_from(_WORDS), max_size=4).map("".join)
_inline = st.recursive(_text, lambda inner: st.lists(st.one_of(inner, _element(_INLINE, inner)), max_size=3).map("".join),
                       max_leaves=6)
_raw = st.tuples(st.sampled_from(["script", "style"]), _text).map(lambda t: f"<{t[0]}>{t[1]}</{t[0]}>")
_flow = st.recursive(
    st.one_of(_inline, _raw, st.just("<br>"), _element(_PHRASING_BLOCK, _inline),
              _inline.map(lambda s: f"<ul><li>{s}</li><li>{s}</li></ul>"),
              _inline.map(lambda s: f"<table><tr><td>{s}</td><td>{s}</td></tr></table>")),
    lambda inner: st.lists(st.one_of(inner, _element(_FLOW_BLOCK, inner)), max_size=3).map("".join),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(_flow)
def test_html_walks_of_both_trees_agree(body: str) -> None:
    page = f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"
    parsed = C._parse_html(page)
    assert parsed is not None and parsed[1]
    assert C._lxml_text(parsed[0]) == C._soup_text(page)


def test_html_deeper_than_libxml2_keeps_is_read_whole() -> None:
    page = "<html><head><title>Deep</title></head><body>" + "<div>" * 3000 + "<p>Bottom text</p>" + "</div>" * 3000
    parsed = C._parse_html(page)
    assert parsed is not None and not parsed[1]  # libxml2 stopped short: the slower parser is needed
    text, _, meta = C._html_to_text(page)
    assert text == "Bottom text" and meta["title"] == "Deep"


# -- Markdown: pulldown-cmark finds the headings markdown-it found -----------------------


def reference_markdown(text: str) -> tuple[list[tuple[int, int]], str]:
    """Heading line spans and the first heading's text, from markdown-it-py (CommonMark)."""
    from markdown_it import MarkdownIt

    layout = TextLayout(text)
    tokens = MarkdownIt("commonmark").parse(text)
    spans, title = [], ""
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and token.map is not None:
            spans.append((layout.line_span(token.map[0] + 1)[0], layout.line_span(min(token.map[1], layout.line_count))[1]))
            if not title:
                pieces = [c.content if c.type in ("text", "code_inline", "image") else " "
                          for c in tokens[i + 1].children or () if c.type in ("text", "code_inline", "image", "softbreak", "hardbreak")]
                title = "".join(pieces)
    return spans, title


_MD_PIECES = ["# ", "## ", "###### ", "####### ", "Kim Jong-un", "Office 39", " ", "\n", "\n\n", "===", "---", "> ",
              "- ", "1. ", "    ", "```", "~~~", "*a*", "`c`", "é", "한", "<b>x</b>", "[link](u)", "![alt](i.png)",
              "\\#", "&amp;", " #", "  \n"]
# No tabs: pulldown-cmark keeps a closing "#" followed by a tab in the heading's
# text ("# A #\t" is "A #\t"; CommonMark and markdown-it say "A"). Titles only.


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_MD_PIECES), max_size=30).map(lambda pieces: "\n" + "".join(pieces)))  # no front matter
def test_markdown_headings_match_markdown_it(text: str) -> None:
    spans, title = reference_markdown(text)
    headings, own = C._markdown_structure(text, TextLayout(text))
    assert list(headings) == spans
    assert own.get("title", "") == C.sanitise_line(title)[:200]


# -- HTML white space ------------------------------------------------------------------


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from([" ", "\t", "\n", "\r", "\f", "\x0b", "\u00a0", "\u3000", "a", "é", "가"]), max_size=60))
def test_html_space_collapses_as_the_regular_expression_did(text: str) -> None:
    from xref.corpus import _collapse_html_space

    assert _collapse_html_space(text) == re.sub(r"[\t\n\r\f][ \t\n\r\f]*| [ \t\n\r\f]+", " ", text).strip(" ")
