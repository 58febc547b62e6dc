"""The compiled loops (xref/_speedups.c) give what their Python twins give.

The rest of the suite runs with the compiled loops (see conftest.py); these
tests run the recogniser both ways on the same texts and compare, and feed
the compiled functions input no document makes (out-of-range hits, words of
one character) to check they refuse it or cope, and never crash."""

from __future__ import annotations

from array import array
from pathlib import Path

import ahocorasick_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import conftest
from tests.test_speed_equivalence import PIECES
from xref import _accel
from xref import recognise as R
from xref.kb import load_builtin
from xref.model import Document, TextLayout
from xref.store import DocRecord
from xref.normalise import match_text

ROOT = Path(__file__).resolve().parent.parent
FAST = conftest.SPEEDUPS
needs_fast = pytest.mark.skipif(FAST is None, reason=f"the C accelerator is not built: {conftest.SPEEDUPS_MISSING}")
pytestmark = needs_fast

# Pieces that reach coreference, acronyms and the compiled exact pass's
# hand-backs (guards, acronyms in non-ASCII letters, Hangul).
MORE_PIECES = [
    "Jang Jin-sung", "Jang", "JANG", "Jin-sung", "Jin Sung", "Choe", "Choi", "Sung Kim", "Kim Il", "Kim Il-chol",
    "Kim Jong-nam", "Kim Jong-num", "Young-min", "Kim Young-min", "President Park", "Park", "Park Avenue",
    "(SSD)", "SSD", "State Security Department ", "Japan's ", "Foreign Ministry", "Politburo", "the Kim dynasty",
    "장진성", "김정은", "Kim Jŏng Ŭn", "ＵＳ", "ÜN ", "US", "Reconnaissance General Bureau (RGB)", "RGB", "Rev. Moon",
    "Moon Jae-in", "Moon", "Ri Sol-ju", "Ri", "Σ", "ς", "İ", "Kim Il-sung Stadium", "Workers' Party of Korea",
    "China's Foreign Ministry", "Ministry of ", "Office ", "39", "Mount Paektu", "Kimikatsu Kinoshita", "Kinoshita",
]
texts = st.lists(st.sampled_from(PIECES + MORE_PIECES), max_size=50).map("".join)


@pytest.fixture(scope="module")
def recogniser() -> R.Recogniser:
    return R.Recogniser(load_builtin().entities.values())


def both_ways(monkeypatch: pytest.MonkeyPatch, run):
    """``run()`` with the compiled loops, then with the Python ones."""
    monkeypatch.setattr(_accel, "speedups", FAST)
    fast = run()
    monkeypatch.setattr(_accel, "speedups", None)
    plain = run()
    monkeypatch.setattr(_accel, "speedups", FAST)
    return fast, plain


def generated_texts(folder: Path, size: int, seed: int) -> list[str]:
    """The .txt documents of the benchmark generator, written into ``folder``."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import make_corpus
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    make_corpus.generate(folder, size, seed=seed)
    return [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*.txt"))]


def columns(recogniser: R.Recogniser, text: str):
    taken, discovered = recogniser.recognise_columns(text)
    return taken.starts, taken.ends, taken.ents, taken.kinds, taken.scores, sorted(discovered)


# -- match_text ----------------------------------------------------------------


def test_match_text_agrees_on_every_character(monkeypatch) -> None:
    """Every code point, alone and among ASCII, Latin-1, Hangul and astral
    neighbours (which set how wide the str is stored)."""
    everything = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000 and c not in (0x3A3, 0x130)]
    monkeypatch.setattr(_accel, "speedups", None)
    for neighbour in ("", "A", "ÿ", "가", "\U0001f600"):
        for at in range(0, len(everything), 4096):
            text = neighbour.join(everything[at : at + 4096])
            fast, plain = FAST.match_text(text), match_text(text)
            assert fast == plain, at
            assert hash(fast) == hash(plain)  # stored at the right width: equal strs hash alike


def test_nfc_quick_says_yes_only_for_composed_text() -> None:
    """Every character it passes is in composed form whatever surrounds it;
    texts of such characters pass, and a decomposed letter does not."""
    import unicodedata

    passed = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000 and FAST.nfc_quick("가" + chr(c))]
    assert all(unicodedata.is_normalized("NFC", c) and unicodedata.combining(c) == 0 for c in passed)
    assert len(passed) > 30000
    assert FAST.nfc_quick("Jang Jin-sung 장진성 — “quoted”") and FAST.nfc_quick("plain ascii")
    assert not FAST.nfc_quick("Kim Il-so\u0306ng")  # o + combining breve
    assert not FAST.nfc_quick("\u1100\u1161")  # Hangul jamo, which compose


@pytest.mark.parametrize(
    ("text", "expected"),
    [("ΟΔΟΣ ΣΑΣ", "οδος σας"), ("Σ", "σ"), ("KİM\tJONG", "kİm jong"), ("İstanbul’s", "İstanbul's")],
)
def test_match_text_leaves_context_dependent_letters_to_python(monkeypatch, text: str, expected: str) -> None:
    """Final sigma depends on the letters around it, and U+0130 lower-cases to
    two characters: the compiled pass hands such texts back."""
    assert FAST.match_text(text) is None
    monkeypatch.setattr(_accel, "speedups", FAST)
    assert match_text(text) == expected


# -- the recogniser, both ways -----------------------------------------------------


@pytest.mark.parametrize("seed", sorted(p.name for p in (ROOT / "seeds").glob("*.txt")))
def test_seeds_recognised_alike(recogniser, monkeypatch, seed: str) -> None:
    text = (ROOT / "seeds" / seed).read_text(encoding="utf-8")
    fast, plain = both_ways(monkeypatch, lambda: columns(recogniser, text))
    assert fast == plain
    assert len(fast[0]) > 20  # every seed names many people, places and organisations


def test_generated_corpus_recognised_alike(recogniser, monkeypatch, tmp_path) -> None:
    """Documents of the benchmark generator: dense with names, variants, typos and Hangul."""
    texts = generated_texts(tmp_path, 400_000, seed=7)
    assert len(texts) > 5
    fast, plain = both_ways(monkeypatch, lambda: [columns(recogniser, t) for t in texts])
    assert fast == plain
    assert sum(len(doc[0]) for doc in fast) > 1000


def records(recogniser: R.Recogniser, texts: list[str]) -> list[tuple]:
    """Every table of each text's record, with its array type code."""
    out = []
    for i, text in enumerate(texts):
        doc = Document(f"d{i}", Path(f"d{i}"), text)
        taken, discovered = recogniser.recognise_columns(text)
        record = DocRecord.from_columns(
            taken.starts, taken.ends, taken.ents, taken.kinds, taken.scores,
            lambda k: text[taken.starts[k] : taken.ends[k]], discovered, doc.layout, recogniser.entities,
        )
        out.append(tuple(
            (name, value.typecode, list(value)) if isinstance(value, array) else (name, value)
            for name, value in ((name, getattr(record, name)) for name in DocRecord.__slots__)
        ))
    return out


def test_records_built_alike(recogniser, monkeypatch, tmp_path) -> None:
    """The seeds and generated documents: the same tables, of the same widths."""
    texts = generated_texts(tmp_path, 300_000, seed=11)
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    texts += ["", "No names here.", "Kim Jong-un\n\n\nKim Jong-un and Pyongyang"]
    fast, plain = both_ways(monkeypatch, lambda: records(recogniser, texts))
    assert fast == plain
    assert any(dict((t[0], t[1:]) for t in doc)["co_b"][1] for doc in fast)  # some document has pairs


@pytest.mark.parametrize("n_ents", [3, 128, 129, 700])
def test_record_tables_alike_for_few_and_many_entities(monkeypatch, n_ents: int) -> None:
    """Up to 128 entities the compiled tables count pairs in a square table,
    beyond that they sort a list of them: both give numpy's rows."""
    import random

    rnd = random.Random(n_ents)
    starts, ids, parts, pos = [], [], [], 0
    while len(set(ids)) < n_ents or len(parts) < 5:
        size = rnd.choice([1, 2, 3, 5, 8, 70])  # 70: more than a paragraph may name
        for _ in range(size):
            starts.append(pos)
            ids.append(f"e{rnd.randrange(n_ents)}")
            pos += 3
        parts.append("ab " * size)
        pos += 2
    text = "\n\n".join(parts)
    layout = TextLayout(text)
    assert layout.paragraph_count == len(parts)
    build = lambda: DocRecord.from_columns(  # noqa: E731
        starts, [s + 1 for s in starts], ids, ["exact"] * len(ids), [None] * len(ids), lambda i: "x", {}, layout
    )
    fast, plain = both_ways(monkeypatch, build)
    assert fast == plain
    assert [fast.co_b.typecode, fast.co_group.typecode] == [plain.co_b.typecode, plain.co_group.typecode]
    assert len(fast.co_b) > 0


def test_record_tables_need_text_order() -> None:
    """Starts out of text order: the compiled tables leave the record to numpy."""
    assert FAST.record_tables(["a", "b"], [5, 1], [0], 60, 10) is None
    ents, *_ = FAST.record_tables(["a", "b", "a"], [1, 5, 9], [0], 60, 10)
    assert ents == ("a", "b")


@settings(max_examples=500, deadline=None)
@given(texts)
def test_random_texts_recognised_alike(recogniser, text: str) -> None:
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, plain = both_ways(monkeypatch, lambda: columns(recogniser, text))
    assert fast == plain


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200), st.sampled_from(PIECES + MORE_PIECES))
def test_any_unicode_recognised_alike(recogniser, text: str, piece: str) -> None:
    """Any code points at all, lone surrogates included: the same answer both
    ways, and the same layout, never a crash."""
    text = text + piece + text[::-1]
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, plain = both_ways(monkeypatch, lambda: (columns(recogniser, text), _layout_tables(text)))
    assert fast == plain


def _layout_tables(text: str) -> tuple:
    layout = TextLayout(text)
    return layout.line_starts, layout.para_starts, layout.para_ends


@settings(max_examples=300, deadline=None)
@given(texts)
def test_shape_triggers_alike(recogniser, text: str) -> None:
    """Alone, and leaving out the triggers inside the names the exact pass claimed."""
    norm = match_text(text)
    taken = recogniser._exact(text, norm)
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast, plain = both_ways(monkeypatch, lambda: (R._shape_triggers(text, norm), R._shape_triggers(text, norm, taken)))
    assert fast == plain


# -- coreference search ----------------------------------------------------------------

letters = st.sampled_from(list("abkjs -'é가"))
words = st.lists(st.text(letters, min_size=1, max_size=4), min_size=1, max_size=8, unique=True)


@settings(max_examples=1000, deadline=None)
@given(st.data())
def test_coref_scan_finds_what_the_automaton_finds(data) -> None:
    """Leftmost-longest and not overlapping, as the automaton, then filtered
    as _coref_candidates filters, including words of one character and words
    starting with a non-ASCII letter. The text is made of the words (in any
    case) and of what may stand around them."""
    chosen = data.draw(words)
    pieces = [*chosen, *(w.upper() for w in chosen), *(w.capitalize() for w in chosen), *" -'\u2011\u00ad.xK가É"]
    text = "".join(data.draw(st.lists(st.sampled_from(pieces), max_size=30)))
    taken = R._Coverage()
    for start, size in data.draw(st.lists(st.tuples(st.integers(0, 80), st.integers(1, 6)), max_size=4)):
        if start < len(text) and not taken.overlaps(start, start + size):
            taken.add(start, min(len(text), start + size), "x", "exact")
    norm = match_text(text)
    automaton = ahocorasick_rs.AhoCorasick(chosen, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
    expected = R._coref_candidates(automaton.find_matches_as_indexes(norm), text, taken)
    assert FAST.coref_scan(norm, text, chosen, taken.starts, taken.ends) == expected


# -- input no document makes ------------------------------------------------------------


def test_bad_input_is_refused_not_a_crash(recogniser) -> None:
    flags = recogniser._exact_flags
    with pytest.raises(ValueError):
        FAST.exact_filter([(0, 5, 99)], "short", flags)
    with pytest.raises(ValueError):
        FAST.exact_filter([(len(flags), 0, 1)], "short", flags)
    with pytest.raises(TypeError):
        FAST.exact_filter([(0, 1)], "short", flags)
    triggers = (["party"], b"\x01", ["Kim"], "organisation", "place")
    with pytest.raises(ValueError):
        FAST.shape_triggers("Kim Party", "kim part", *triggers, None, None)  # norm of another length
    with pytest.raises(ValueError):
        FAST.shape_triggers("Kim Party", "kim party", ["party"], b"", ["Kim"], "o", "p", None, None)
    with pytest.raises(ValueError):
        FAST.shape_triggers("Kim Party", "kim party", ["pärty"], b"\x01", ["Kim"], "o", "p", None, None)
    with pytest.raises(ValueError):
        FAST.shape_triggers("Kim Party", "kim party", ["party"], b"\x01", ["KIM"], "o", "p", None, None)
    with pytest.raises(ValueError):
        FAST.shape_triggers("Kim Party", "kim party", *triggers, [0], [])
    assert FAST.shape_triggers("Kim Party", "kim party", *triggers, None, None) == ([0], [(4, 9)], [], [])
    assert FAST.shape_triggers("Kim Party", "kim party", *triggers, [0], [3]) == ([], [(4, 9)], [], [])
    # A capital outside ASCII whose lower case is an ASCII letter (the Kelvin sign) starts a word too.
    kelvin = "\u212aorea Party"
    assert FAST.shape_triggers(kelvin, match_text(kelvin), ["korea"], b"\x01", ["Kim"], "o", "p", None, None) == (
        [], [(0, 5)], [], []
    )
    with pytest.raises(ValueError):
        FAST.coref_scan("abc", "abcd", ["ab"], [], [])
    with pytest.raises(ValueError):
        FAST.coref_scan("abc", "abc", ["ab"], [1], [])
    with pytest.raises(TypeError):
        FAST.coref_scan("abc", "abc", [b"ab"], [], [])
    assert FAST.coref_scan("ab", "Ab", ["", "ab"], [], []) == [(1, 0, 2)]  # an empty word matches nothing
    with pytest.raises(TypeError):
        FAST.match_text(b"bytes")
    from types import SimpleNamespace

    def record(co_b: list[int], co_group: list[int]) -> SimpleNamespace:
        return SimpleNamespace(ents=("a", "b"), co_b=array("H", co_b), co_n=array("i", [1] * len(co_b)),
                               co_group=array("i", co_group))

    with pytest.raises(ValueError):
        FAST.add_cooccurrence({}, [record([5], [0, 1, 1])])  # a partner that is not there
    with pytest.raises(ValueError):
        FAST.add_cooccurrence({}, [record([1], [0, 9, 9])])  # rows past the end
    with pytest.raises(ValueError):
        FAST.add_cooccurrence({}, [record([1], [0, 1])])  # rows for an entity too few
    table: dict = {"a": {"b": 2}}
    FAST.add_cooccurrence(table, [record([1, 0], [0, 1, 2])])
    assert table == {"a": {"b": 3}, "b": {"a": 1}}
