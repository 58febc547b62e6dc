"""Find and resolve the people, organisations and places in one document.

Passes, in order, each skipping text an earlier pass already claimed:

1. exact: one Aho-Corasick automaton over every knowledge-base name and its
   spelling variants, run on a same-length normalised copy of the text;
2. shapes: Korean-name, institution and place shapes the automaton missed,
   resolved by romanisation folding, then by rapidfuzz with a margin, else
   kept as *discovered* entities;
3. coreference: bare surnames, titled surnames, given names and acronyms
   defined in the text, linked to the one entity they can mean in this document.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import compress, product, repeat
from operator import itemgetter
from typing import Any

import ahocorasick_rs
from rapidfuzz.distance import Levenshtein

from xref import _accel
from xref.model import Document, Entity, EntityType, MatchKind, Mention
from xref.normalise import (
    APOSTROPHES,
    KOREAN_SURNAMES,
    MONTHS,
    STOPWORDS,
    TITLES,
    fold_key,
    match_text,
    name_key,
    tokens,
    unify,
)

FUZZY_THRESHOLD = 85.0  # minimum similarity (0-100) for a typo to resolve
FUZZY_MARGIN = 5.0  # and this much better than the best different entity
SAME_DOC_BONUS = 3.0  # entities already named in the document are likelier


# --- spelling variants of one knowledge-base name ---------------------------

_CASE_UPPER = 2  # acronym: the text must be upper case too ("WHO" not "who")
_CASE_CAPITAL = 1  # the text must start with a capital ("Atria", not "atria")
_CASE_ANY = 0
_ASCII_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _case_rule(name: str) -> int:
    letters = [c for c in name if c.isalpha()]
    if not letters or not letters[0].isascii():
        return _CASE_ANY  # Hangul and other scripts have no case
    if not any(c.islower() for c in letters) and len(letters) <= 8:
        return _CASE_UPPER
    if letters[0].isupper():
        return _CASE_CAPITAL
    return _CASE_ANY


def is_korean_name(name: str) -> bool:
    parts = tokens(name)
    return 2 <= len(parts) <= 4 and parts[0] in KOREAN_SURNAMES


def name_variants(name: str, entity_type: str) -> set[str]:
    """Normalised spellings of ``name`` the automaton should accept.

    Every hyphen may also be a space or nothing (Il-sung / Il sung / Ilsung);
    inside a Korean given name a space may also be a hyphen or nothing
    (Won Hong / Won-hong / Wonhong); apostrophes may be dropped (Workers Party).
    """
    base = match_text(unify(name))
    if entity_type == EntityType.PERSON and is_korean_name(name):
        # Separators after the surname are given-name syllable joins.
        first_space = base.find(" ")
        head, rest = base[: first_space + 1], base[first_space + 1 :]
        pieces = re.split(r"([ -])", rest)
    else:
        head, rest = "", base
        pieces = re.split(r"(-)", rest)
    words = pieces[0::2]
    seps = pieces[1::2]
    if len(seps) > 4:  # keep the variant count bounded
        choices: list[tuple[str, ...]] = [tuple(seps)]
    else:
        choices = list(product(*[("-", " ", "") for _ in seps]))
    out: set[str] = set()
    for combo in choices:
        joined = words[0] + "".join(s + w for s, w in zip(combo, words[1:]))
        out.add(head + joined)
    for v in list(out):
        if "'" in v:
            out.add(v.replace("'", ""))
    return {v for v in out if len(v.strip()) >= 2}


# --- shapes -----------------------------------------------------------------

# Letters of romanised Korean: McCune-Reischauer writes ŏ and ŭ with a breve,
# and some texts (and keyboards) with a caron instead.
_ROMAN_LOW = "a-zŏŭǒǔ"
_ROMAN_CAP = "A-ZŎŬǑǓ"
_SYLLABLE = r"(?:tch|ch|sh|ts|kk|tt|pp|ss|jj|ph|th|kh|[bdghjklmnprstw])?[wy]?(?:[aeiouŏŭǒǔ]{1,3})(?:ng|n|m|l|k|p|t|r)?"
_GIVEN_PART = re.compile(rf"(?:{_SYLLABLE}){{1,2}}")
_DASH_CHARS = "-\u00ad\u2010\u2011\u2013"  # what joins the syllables of a given name
_DASH = re.escape(_DASH_CHARS)  # the same, inside a character class

KOREAN_NAME_AT = re.compile(
    rf"([A-Z][a-z]{{0,4}})[ \u00a0]+([{_ROMAN_CAP}][{_ROMAN_LOW}]{{1,8}}(?:[{_DASH}][{_ROMAN_CAP}{_ROMAN_LOW}][{_ROMAN_LOW}]{{0,5}}|[ \u00a0][{_ROMAN_CAP}][{_ROMAN_LOW}]{{0,5}})?)(?![\w{_DASH}])"
)

_CAP = r"[A-Z][\w'’\-]*"
ORG_HEADS = (
    "Ministry Department Bureau Office Committee Commission Agency Institute University Association Council Party "
    "Army Command Service News Times Post Daily Center Centre Foundation Society Network Alliance Corporation "
    "Company Group Front Federation Union Academy Embassy Tribunal Court Hospital Factory Mill School"
).split()
PLACE_HEADS = (
    "Province Provinces River County District Island Islands Mountain Mountains Airport Square Ward Prefecture "
    "Peninsula Strait Sea Bay Valley Lake Stadium Palace Mausoleum Museum Station"
).split()
ORG_PREFIXES = "Ministry Department Office Bureau Committee Commission Council Academy".split()
NUMBERED_ORGS = "Office Bureau Room Unit Department".split()
# One to four capitalised words ending exactly where a head word starts.
_CAPS_BEFORE = re.compile(rf"(?<![\w'’\-])(?:{_CAP} ){{1,4}}(?=\Z)")
ORG_PREFIX_AT = re.compile(
    rf"(?:{'|'.join(ORG_PREFIXES)}) of (?:the )?{_CAP}(?: (?:and |of |for |the )?{_CAP}){{0,4}}"
    rf"|(?:{'|'.join(NUMBERED_ORGS)}) \d+\b"
)
PLACE_PREFIX_AT = re.compile(rf"Mount {_CAP}")


_ORG_HEAD, _PLACE_HEAD, _ORG_PREFIX, _ORG_NUMBER, _PLACE_PREFIX = range(5)


def _build_trigger_automaton() -> tuple[ahocorasick_rs.AhoCorasick, list[tuple[str, tuple[int, ...]]]]:
    """Words that end or start an institution or place shape, found in one
    automaton pass (over the normalised text) instead of running each shape's
    regular expression over the whole text."""
    triggers: list[tuple[str, int]] = []
    for head in ORG_HEADS:
        triggers.append((head.lower(), _ORG_HEAD))
    for head in PLACE_HEADS:
        triggers.append((head.lower(), _PLACE_HEAD))
    for prefix in ORG_PREFIXES:
        triggers.append((prefix.lower() + " of ", _ORG_PREFIX))
    for prefix in NUMBERED_ORGS:
        triggers.append((prefix.lower() + " ", _ORG_NUMBER))
    triggers.append(("mount ", _PLACE_PREFIX))
    merged: dict[str, list[int]] = {}
    for word, kind in triggers:
        merged.setdefault(word, []).append(kind)
    words = list(merged)
    automaton = ahocorasick_rs.AhoCorasick(
        words, matchkind=ahocorasick_rs.MatchKind.Standard, implementation=ahocorasick_rs.Implementation.DFA
    )
    return automaton, [(w, tuple(merged[w])) for w in words]


_TRIGGERS, _TRIGGER_KINDS = _build_trigger_automaton()
_TRIGGER_KIND_LIST = [kinds for _, kinds in _TRIGGER_KINDS]
# The same, as one bit per kind for the compiled loop, which gives each word at
# most one of the prefix kinds (true of these words: they end differently).
_TRIGGER_KIND_BITS = bytes(sum(1 << kind for kind in kinds) for kinds in _TRIGGER_KIND_LIST)
assert all(sum(k in kinds for k in (_ORG_PREFIX, _ORG_NUMBER, _PLACE_PREFIX)) <= 1 for kinds in _TRIGGER_KIND_LIST)
_TRIGGER_WORDS = [word for word, _ in _TRIGGER_KINDS]

# Surnames, searched in the text itself (case kept), exactly as KOREAN_NAME_AT
# needs them: the title-case surname, then a space or no-break space. Searching
# the lower-cased text for "o ", "to ", "an ", "im " ... would report hundreds of
# thousands of places in ordinary words, every one of which the pattern rejects.
_SURNAME_WORDS = sorted(KOREAN_SURNAMES)
# The compiled search finds a surname as a capital and lower-case letters.
_PLAIN_SURNAMES = all(re.fullmatch(r"[A-Z][a-z]{0,7}", s) for s in _SURNAME_WORDS)
_SURNAME_TRIGGERS = ahocorasick_rs.AhoCorasick(
    [s + sep for s in _SURNAME_WORDS for sep in (" ", "\u00a0")],
    matchkind=ahocorasick_rs.MatchKind.Standard,
    implementation=ahocorasick_rs.Implementation.DFA,
)


def _shape_triggers(
    text: str, norm: str, taken: _Coverage | None = None
) -> tuple[list[int], list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, str]]]:
    """Positions where a Korean name, an institution or a place shape may be,
    leaving out those starting inside a span of ``taken``."""
    fast = _accel.speedups
    if fast is not None and _PLAIN_SURNAMES:
        # Both searches and their checks in one compiled pass, which looks
        # for trigger words only at capitals that start words.
        spans = (taken.starts, taken.ends) if taken is not None else (None, None)
        return fast.shape_triggers(  # type: ignore[no-any-return]
            text, norm, _TRIGGER_WORDS, _TRIGGER_KIND_BITS, _SURNAME_WORDS,
            EntityType.ORGANISATION, EntityType.PLACE, *spans,
        )
    surnames: list[int] = []
    org_heads: list[tuple[int, int]] = []
    place_heads: list[tuple[int, int]] = []
    prefixes: list[tuple[int, str]] = []
    n = len(text)
    for _, start, _ in _SURNAME_TRIGGERS.find_matches_as_indexes(text, overlapping=True):
        # Not right after a capital or a digit ("KIM" is not "Kim"); right after a
        # lower-case letter is fine ("RomanizationJang Jinseong": glued infobox words).
        if start:
            before = text[start - 1]
            if before.isalnum() and not before.islower():
                continue
        surnames.append(start)
    kind_list = _TRIGGER_KIND_LIST
    for idx, start, end in _TRIGGERS.find_matches_as_indexes(norm, overlapping=True):
        if not text[start].isupper():
            continue
        if start and text[start - 1].isalnum():
            continue  # inside a word, or glued to the one before
        for kind in kind_list[idx]:
            if kind == _ORG_HEAD or kind == _PLACE_HEAD:
                if end < n and (text[end].isalnum() or text[end] in "-\u2010\u2011"):
                    continue
                (org_heads if kind == _ORG_HEAD else place_heads).append((start, end))
            elif kind == _ORG_NUMBER:
                if end < n and text[end].isdigit():
                    prefixes.append((start, EntityType.ORGANISATION))
            elif kind == _ORG_PREFIX:
                prefixes.append((start, EntityType.ORGANISATION))
            else:
                prefixes.append((start, EntityType.PLACE))
    if taken is not None:
        surnames = list(compress(surnames, taken.free(surnames)))
        org_heads = list(compress(org_heads, taken.free(list(map(_FIRST, org_heads)))))
        place_heads = list(compress(place_heads, taken.free(list(map(_FIRST, place_heads)))))
        prefixes = list(compress(prefixes, taken.free(list(map(_FIRST, prefixes)))))
    return surnames, org_heads, place_heads, prefixes


_ORDINALS = frozenset(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth both several various other "
    "some many all several".split()
)
_CONNECTORS = frozenset({"of", "the", "and", "for"})


_TITLE_BEFORE = re.compile(rf"\b(?:{'|'.join(sorted(TITLES))})\.?[ \u00a0]+(?=\Z)")
_NESTED_OF = re.compile(r" of (?:the )?(?=[A-Z])")
_POSSESSIVE_OF_PLACE = re.compile(rf"(.+?)[{APOSTROPHES}']s[ \u00a0]+([A-Z].*)", re.DOTALL)
_WORD_RUN = re.compile(r"\S+")  # what str.split() splits into


def _heading_like(text: str, offset: int) -> bool:
    """True when the line around ``offset`` is a short Title Case line (a heading),
    where every word is capitalised and shape discovery would see names everywhere."""
    ls = text.rfind("\n", 0, offset) + 1
    le = text.find("\n", offset)
    # Words of the line, but no more than a heading can have: a document of
    # one long line must not be split whole for every candidate on it.
    words: list[str] = []
    for word in _WORD_RUN.finditer(text, ls, le if le != -1 else len(text)):
        words.append(word.group())
        if len(words) > 14:
            return False
    if len(words) < 3:
        return False
    caps = sum(1 for w in words if w[:1].isupper() or w.casefold() in _CONNECTORS or w in {"in", "a", "to", "on"})
    return caps / len(words) >= 0.85


def _trim_leading(span_text: str) -> int:
    """Characters to drop from the front of a shape match: sentence starters
    ("The", "According") and other capitalised function words."""
    drop = 0
    for m in re.finditer(r"\S+\s*", span_text):
        word = m.group().strip().strip("'’").casefold()
        if word in STOPWORDS or word in MONTHS or word in _ORDINALS:
            drop = m.end()
            continue
        break
    return drop


def _valid_given(given: str) -> bool:
    parts = [p for p in re.split(rf"[{_DASH} \u00a0]", given.lower()) if p]
    if not parts or len(parts) > 2:
        return False
    syllables = 0
    for p in parts:
        if not _GIVEN_PART.fullmatch(p):
            return False
        syllables += 1 if len(parts) == 2 else 2
    return syllables <= 4


# --- result -----------------------------------------------------------------


# Per-pattern flags of the compiled exact loop (xref/_speedups.c: EX_*).
_EX_QUICK, _EX_UPPER, _EX_PREFIXES, _EX_RULE_CAPITAL, _EX_RULE_UPPER, _EX_SPACE, _EX_GUARD = (1 << i for i in range(7))


class DocResult:
    """Mentions of one document plus any entities discovered in it.

    The recogniser fills it with parallel columns (``columns``: starts, ends,
    entity ids, match kinds, scores); the :class:`Mention` objects are only
    made when ``mentions`` is first read. The indexer builds its records from
    the columns and never needs them (one object per mention adds up)."""

    __slots__ = ("_mentions", "discovered", "columns", "_doc_id", "_text")

    def __init__(self, mentions: list[Mention], discovered: dict[str, Entity] | None = None) -> None:
        self._mentions: list[Mention] | None = mentions
        self.discovered: dict[str, Entity] = discovered if discovered is not None else {}
        self.columns: _Coverage | None = None
        self._doc_id = ""
        self._text = ""

    @classmethod
    def from_columns(cls, doc_id: str, text: str, taken: _Coverage, discovered: dict[str, Entity]) -> DocResult:
        result = cls([], discovered)
        result._mentions = None
        result.columns, result._doc_id, result._text = taken, doc_id, text
        return result

    @property
    def mentions(self) -> list[Mention]:
        if self._mentions is None:
            taken, text, doc_id = self.columns, self._text, self._doc_id
            assert taken is not None
            self._mentions = [
                Mention(doc_id, s, e, text[s:e], eid, str(kind), score)
                for s, e, eid, kind, score in zip(taken.starts, taken.ends, taken.ents, taken.kinds, taken.scores)
            ]
        return self._mentions

    @mentions.setter
    def mentions(self, value: list[Mention]) -> None:
        self._mentions, self.columns = value, None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DocResult):
            return NotImplemented
        return (self.mentions, self.discovered) == (other.mentions, other.discovered)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"DocResult(mentions={self.mentions!r}, discovered={self.discovered!r})"


def discovered_id(entity_type: str, surface: str) -> str:
    return f"~{entity_type}:{fold_key(surface)}"


class Recogniser:
    """Built once per knowledge base; ``recognise(doc)`` is then one pass per document."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: dict[str, Entity] = {e.id: e for e in entities}
        pattern_owner: dict[str, tuple[str, str, int]] = {}
        ambiguous: set[str] = set()
        guards: dict[str, int] = {}  # pattern -> the check it needs: see _guard_of
        self.key_index: dict[str, set[str]] = defaultdict(set)
        self.fold_index: dict[str, set[str]] = defaultdict(set)
        self.by_surname: dict[str, set[str]] = defaultdict(set)  # folded surname -> Korean-named people
        for e in self.entities.values():
            for name in e.all_names:
                if not name.strip():
                    continue
                kind = MatchKind.EXACT if name == e.name else MatchKind.ALIAS
                rule = _case_rule(name)
                guard = _guard_of(name, e.type)
                for variant in name_variants(name, e.type):
                    if guard:
                        guards[variant] = guard
                    owner = pattern_owner.get(variant)
                    if owner is not None and owner[0] != e.id:
                        ambiguous.add(variant)
                    elif owner is None or kind == MatchKind.EXACT:
                        pattern_owner[variant] = (e.id, kind, rule)
                self.key_index[name_key(name)].add(e.id)
                self.fold_index[fold_key(name)].add(e.id)
                if e.type == EntityType.PERSON and is_korean_name(name):
                    self.by_surname[fold_key(tokens(name)[0])].add(e.id)
        for variant in ambiguous:
            pattern_owner.pop(variant, None)
        self._patterns = list(pattern_owner)
        self._owners = [pattern_owner[p] for p in self._patterns]
        self._rules = [owner[2] for owner in self._owners]
        # A DFA: a bigger automaton than the default NFA, but fewer steps per character.
        self._automaton = (
            ahocorasick_rs.AhoCorasick(
                self._patterns,
                matchkind=ahocorasick_rs.MatchKind.LeftmostLongest,
                implementation=ahocorasick_rs.Implementation.DFA,
            )
            if self._patterns
            else None
        )
        # Per-pattern facts, in lists indexed by pattern number, so the loop over
        # automaton hits does list look-ups instead of string work:
        # _quick: a capitalised name with no double space (the automaton hit's
        #   text cannot then hold a paragraph break), checked inline;
        # _upper: an acronym, which a lower-case letter at its start rules out;
        # _nests: could hold " of " or "'s " (and so name two nested entities).
        self._guards = [guards.get(p, 0) for p in self._patterns]
        self._described: dict[str, str] = {}  # entity id -> its names and description, for _another_countrys
        self._splits: dict[tuple[str, str], Any] = {}  # (name's text, entity) -> _split_nested's answer
        self._similar: dict[tuple[str, str, str], dict[str, float]] = {}  # see _fuzzy
        self._quick = [
            rule == _CASE_CAPITAL and "  " not in p and not guard
            for p, rule, guard in zip(self._patterns, self._rules, self._guards)
        ]
        self._upper = [rule == _CASE_UPPER and p[0] in _ASCII_LETTERS for p, rule in zip(self._patterns, self._rules)]
        self._nests = [" of " in p or "'s " in p for p in self._patterns]
        self._owner_ids = [owner[0] for owner in self._owners]
        self._owner_kinds = [owner[1] for owner in self._owners]
        # For each pattern, the other patterns that are its prefixes up to a word
        # break, longest first.
        position = {p: i for i, p in enumerate(self._patterns)}
        self._prefixes: dict[int, list[int]] = {}
        for i, pat in enumerate(self._patterns):
            shorter = [position[pat[:k]] for k in range(len(pat) - 1, 0, -1) if pat[k] in " -'" and pat[:k] in position]
            if shorter:
                self._prefixes[i] = shorter
        # The same facts as one byte per pattern, for the compiled loop.
        self._exact_flags = bytes(
            (_EX_QUICK if quick else 0)
            | (_EX_UPPER if upper else 0)
            | (_EX_PREFIXES if i in self._prefixes else 0)
            | (_EX_RULE_CAPITAL if rule == _CASE_CAPITAL else 0)
            | (_EX_RULE_UPPER if rule == _CASE_UPPER else 0)
            | (_EX_SPACE if " " in pattern else 0)
            | (_EX_GUARD if guard else 0)
            for i, (pattern, quick, upper, rule, guard) in enumerate(
                zip(self._patterns, self._quick, self._upper, self._rules, self._guards)
            )
        )
        # Surname/given-name pieces of each Korean-named person, for coreference.
        self._person_parts: dict[str, tuple[set[str], set[str]]] = {}
        self._people = frozenset(e.id for e in self.entities.values() if e.type == EntityType.PERSON)
        for e in self.entities.values():
            if e.type == EntityType.PERSON:
                self._person_parts[e.id] = _name_parts(e.all_names)

    # -- pass 1 ---------------------------------------------------------------
    def _exact(self, text: str, norm: str) -> _Coverage:
        """Knowledge-base names, as a coverage (parallel columns, in text order)."""
        if self._automaton is None:
            return _Coverage()
        # Leftmost-longest, non-overlapping: one candidate per place. Where that
        # candidate fails the checks (case, word boundary: "Kim Il-sung Squared"),
        # the longest shorter name it starts with is tried instead.
        found = self._automaton.find_matches_as_indexes(norm)
        prefixes = self._prefixes
        fast = _accel.speedups
        late: list[tuple[int, int, int]] = []  # accepted after the pass: out of text order
        if fast is not None:
            # The loop of _exact_hits, compiled, giving the columns of the hits
            # it accepts; it hands back the hits whose checks need Python
            # (guards, acronyms in non-ASCII letters).
            idxs, starts, ends, slow, rejected = fast.exact_filter(found, text, self._exact_flags)
            for hit in slow:
                idx, start, end = hit
                if self._accept(text, idx, start, end):
                    late.append(hit)
                elif idx in prefixes:
                    rejected.append((idx, start))
        else:
            valid, rejected = self._exact_hits(found, text)
            idxs, starts, ends = (list(col) for col in zip(*valid)) if valid else ([], [], [])
        if rejected:
            patterns = self._patterns
            for idx, start in rejected:
                for shorter in prefixes[idx]:
                    end = start + len(patterns[shorter])
                    if self._accept(text, shorter, start, end):
                        late.append((shorter, start, end))
                        break
        # Hits never overlap (the shorter names tried lie inside a rejected
        # hit), and their starts are distinct: each late one has its place.
        for idx, start, end in late:
            i = bisect_left(starts, start)
            idxs.insert(i, idx)
            starts.insert(i, start)
            ends.insert(i, end)
        if not idxs:
            return _Coverage()
        return self._columns_of(idxs, starts, ends, text, norm)

    def _exact_hits(
        self, found: list[tuple[int, int, int]], text: str
    ) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
        """The automaton's hits that pass the checks, in order, and (pattern,
        start) of the rejected ones that have shorter names to try."""
        valid: list[tuple[int, int, int]] = []  # (pattern, start, end): the automaton's own tuples
        append = valid.append
        n = len(text)
        quick, upper, prefixes = self._quick, self._upper, self._prefixes
        rejected: list[tuple[int, int]] = []
        # The common case inline (this loop runs once per name in the corpus);
        # anything unusual goes through _accept.
        for hit in found:
            idx, start, end = hit
            if quick[idx]:
                if (
                    text[start].isupper()
                    and (start == 0 or not text[start - 1].isalnum())
                    and (end == n or not text[end].isalnum())
                ):
                    append(hit)
                    continue
            elif upper[idx] and text[start].islower():
                # An acronym in lower case ("us", "who"): _accept would say no.
                if idx in prefixes:
                    rejected.append((idx, start))
                continue
            if self._accept(text, idx, start, end):
                append(hit)
            elif idx in prefixes:
                rejected.append((idx, start))
        return valid, rejected

    def _columns_of(self, idxs: list[int], starts: list[int], ends: list[int], text: str, norm: str) -> _Coverage:
        """The coverage of the accepted hits (patterns, starts and ends, in
        text order), with nested names split in two."""
        ents = list(map(self._owner_ids.__getitem__, idxs))
        kinds = list(map(self._owner_kinds.__getitem__, idxs))
        # "X of Y" and "X's Y" names may stand for two entities; only patterns
        # holding " of " or "'s " can (the text's spelling unifies into theirs).
        nested = [i for i in compress(range(len(idxs)), map(self._nests.__getitem__, idxs))
                  if " of " in text[starts[i] : ends[i]] or "'s " in norm[starts[i] : ends[i]]]
        splits = self._splits
        for i in reversed(nested):  # from the end, so splitting keeps earlier indexes
            start = starts[i]
            key = (text[start : ends[i]], ents[i])
            parts = splits.get(key, False)
            if parts is False:
                if len(splits) >= 4096:
                    splits.clear()
                parts = splits[key] = self._split_nested(key[0], key[1])
            if parts is not None:
                (s1, e1, id1, k1), (s2, e2, id2, k2) = parts
                starts[i : i + 1] = (start + s1, start + s2)
                ends[i : i + 1] = (start + e1, start + e2)
                ents[i : i + 1] = (id1, id2)
                kinds[i : i + 1] = (k1, k2)
        return _Coverage(starts, ends, ents, kinds)

    def _accept(self, text: str, idx: int, start: int, end: int) -> bool:
        """Word boundaries, case rules and paragraph breaks for one automaton hit."""
        _, _, rule = self._owners[idx]
        first = text[start]
        if first.isalnum() and start > 0 and text[start - 1].isalnum():
            # Scraped infoboxes glue words: "ResidenceSouth Korea". A lower-to-upper
            # step counts as a word boundary for names of two or more words.
            if not (first.isupper() and text[start - 1].islower() and " " in self._patterns[idx]):
                return False
        if end < len(text) and text[end - 1].isascii():
            after = text[end]
            if after.isalnum() or (after == "$" and rule == _CASE_UPPER):
                return False  # inside a longer word, or a currency ("US$3,000")
        if rule == _CASE_UPPER:
            surface = text[start:end]
            if surface.upper() != surface:
                return False
        elif rule == _CASE_CAPITAL and not first.isupper():
            return False
        guard = self._guards[idx]
        if guard == _FOREIGN_OWNER:
            if self._another_countrys(self._owner_ids[idx], text, start, end):
                return False
        elif guard and _guarded(text, start, end, guard):
            return False
        return "\n\n" not in text[start:end]

    def _another_countrys(self, entity_id: str, text: str, start: int, end: int) -> bool:
        """Whether the text makes the institution at [start, end) another
        country's than ``entity_id``'s, whose names or description say whose it is
        ("Japan's Foreign Ministry" is not North Korea's)."""
        country = _foreign_country(text, start, end)
        if country is None:
            return False
        said = self._described.get(entity_id)
        if said is None:
            entity = self.entities[entity_id]
            said = self._described[entity_id] = " ".join((*entity.all_names, entity.description))
        return not any(word in said for word in country)

    def _split_nested(
        self, surface: str, entity: str
    ) -> tuple[tuple[int, int, str, str], tuple[int, int, str, str]] | None:
        """"Politburo of the Workers' Party of Korea" names two entities when both
        halves are names in their own right; link each half to its own entity so
        both sets of cross-references include the mention. None: keep it whole.
        Offsets are in ``surface``, the name's text.

        "China's Foreign Ministry" (an alias of the Chinese ministry) is a place
        and, after it, the ministry: the place links to itself, and "Foreign
        Ministry" to the owner of the whole alias (not to whatever the bare
        words name elsewhere)."""
        m = _NESTED_OF.search(surface)
        if m is None:
            return self._split_possessive(surface, entity)
        head, tail_start = surface[: m.start()], m.end()
        head_ids = self.key_index.get(name_key(head), set())
        tail_ids = self.key_index.get(name_key(surface[tail_start:]), set())
        tail = surface[tail_start:]
        if len(head_ids) != 1 or len(tail_ids) != 1 or head_ids == tail_ids or entity in tail_ids:
            return None
        if " " not in tail.strip():
            return None  # "Workers' Party of Korea" is one name, not "Workers' Party" + "Korea"
        (head_id,), (tail_id,) = head_ids, tail_ids
        return (
            (0, len(head), head_id, self._kind_of(head_id, head)),
            (tail_start, len(surface), tail_id, self._kind_of(tail_id, surface[tail_start:])),
        )

    def _split_possessive(
        self, surface: str, entity: str
    ) -> tuple[tuple[int, int, str, str], tuple[int, int, str, str]] | None:
        m = _POSSESSIVE_OF_PLACE.match(surface)
        if m is None:
            return None
        head_ids = self.key_index.get(name_key(m.group(1)), set())
        if len(head_ids) != 1 or entity in head_ids:
            return None
        (head_id,) = head_ids
        if self.entities[head_id].type != EntityType.PLACE:
            return None  # "Kim Il-sung's Mausoleum": a name, not a place and what it owns
        return (
            (0, m.end(1), head_id, self._kind_of(head_id, m.group(1))),
            (m.start(2), len(surface), entity, MatchKind.ALIAS),
        )

    def _kind_of(self, entity_id: str, surface: str) -> str:
        return MatchKind.EXACT if name_key(self.entities[entity_id].name) == name_key(surface) else MatchKind.ALIAS

    # -- resolution of a candidate name ---------------------------------------
    def resolve_name(
        self, surface: str, *, entity_type: str | None = None, local: set[str] | frozenset[str] = frozenset()
    ) -> tuple[str, str, float | None] | None:
        """(entity id, how, score) for a name the automaton did not match, or None."""
        key = name_key(surface)
        hits = self._typed(self.key_index.get(key, ()), entity_type)
        if len(hits) == 1:
            return next(iter(hits)), MatchKind.ALIAS, None
        folded = fold_key(surface)
        hits = self._typed(self.fold_index.get(folded, ()), entity_type)
        if len(hits) == 1:
            return next(iter(hits)), MatchKind.FOLDED, None
        if len(hits) > 1:
            return None  # two entities share the folded spelling: do not guess
        return self._fuzzy(surface, key, folded, entity_type, local)

    def _typed(self, ids: Iterable[str], entity_type: str | None) -> set[str]:
        return {i for i in ids if entity_type is None or self.entities[i].type == entity_type}

    def _fuzzy(
        self, surface: str, key: str, folded: str, entity_type: str | None, local: set[str] | frozenset[str]
    ) -> tuple[str, str, float] | None:
        if entity_type == EntityType.PERSON and is_korean_name(surface):
            surname = fold_key(tokens(surface)[0])
            threshold = FUZZY_THRESHOLD
        else:
            return None  # institutions and places only resolve exactly or folded
        # The similarity of a spelling to each person of its surname, worked
        # out once: a typo comes back in document after document.
        cache_key = (surname, key, folded)
        similar = self._similar.get(cache_key)
        if similar is None:
            similar = {}
            for eid in self.by_surname.get(surname, ()):
                score = 0.0
                for name in self.entities[eid].all_names:
                    s1 = Levenshtein.normalized_similarity(key, name_key(name)) * 100
                    s2 = Levenshtein.normalized_similarity(folded, fold_key(name)) * 100
                    score = max(score, s1, s2)
                similar[eid] = score
            if len(self._similar) >= 4096:
                self._similar.clear()
            self._similar[cache_key] = similar
        best = {eid: score + SAME_DOC_BONUS if eid in local else score for eid, score in similar.items()}
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        top_id, top = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        if top < threshold or top - runner < FUZZY_MARGIN:
            return None
        return top_id, MatchKind.FUZZY, min(top, 100.0)

    # -- the whole document ----------------------------------------------------
    def recognise(self, doc: Document) -> DocResult:
        text = doc.text
        taken, discovered = self.recognise_columns(text)
        return DocResult.from_columns(doc.id, text, taken, discovered)

    def recognise_columns(self, text: str) -> tuple[_Coverage, dict[str, Entity]]:
        """What :meth:`recognise` finds, as parallel columns (spans in text order)."""
        norm = match_text(text)
        taken = self._exact(text, norm)
        local = set(taken.ents)
        discovered: dict[str, Entity] = {}
        # A shape starting inside a claimed span would overlap it, and so would
        # an institution or place whose head word (never trimmed away) is inside
        # one; claims only grow, so such triggers go before any work is done.
        # The rest are checked again as they come (earlier shapes claim more).
        surnames, org_heads, place_heads, prefixes = _shape_triggers(text, norm, taken)
        covers = taken.covers

        # pass 2: Korean-name shapes, found from their surnames
        for p in surnames:
            # A shape starting inside a claimed span would overlap it: skip it
            # before the regular expression (most are names the automaton found).
            if covers(p):
                continue
            m = KOREAN_NAME_AT.match(text, p)
            if m is None:
                continue
            surname, given = m.group(1), m.group(2)
            if surname not in KOREAN_SURNAMES or taken.overlaps(m.start(), m.end()):
                continue
            if given.split()[0].casefold() in STOPWORDS or given.casefold() in MONTHS:
                continue
            if not _valid_given(given):
                continue
            surface = m.group()
            resolved = self.resolve_name(surface, entity_type=EntityType.PERSON, local=local)
            if resolved:
                eid, how, score = resolved
                taken.add(m.start(), m.end(), eid, how, score)
                local.add(eid)
                continue
            shaped_given = any(c in given for c in "-\u2010\u2011\u2013 \u00a0")
            if shaped_given:
                eid = discovered_id(EntityType.PERSON, surface)
                discovered.setdefault(eid, Entity(eid, unify(surface), EntityType.PERSON, discovered=True))
                taken.add(m.start(), m.end(), eid, MatchKind.DISCOVERED)
                local.add(eid)

        # pass 2b: institution and place shapes, found from their head words
        candidates: list[tuple[int, int, str]] = []
        for heads, etype in ((org_heads, EntityType.ORGANISATION), (place_heads, EntityType.PLACE)):
            for h, head_end in heads:
                # A head word inside a claimed span: its candidate would overlap
                # that span (the head word is never trimmed away, and claims only
                # grow), so it would be dropped below; skip the window search.
                if covers(h):
                    continue
                window_start = max(0, h - 120)
                m = _CAPS_BEFORE.search(text, window_start, h)
                if m is not None:
                    candidates.append((m.start(), head_end, etype))
        for p, etype in prefixes:
            if covers(p):  # likewise: the candidate would start inside a claimed span
                continue
            m = (ORG_PREFIX_AT if etype == EntityType.ORGANISATION else PLACE_PREFIX_AT).match(text, p)
            if m is not None:
                candidates.append((m.start(), m.end(), etype))
        candidates.sort()
        for raw_start, end, etype in candidates:
            start = raw_start + _trim_leading(text[raw_start:end])
            surface = text[start:end]
            if end - start < 4 or " " not in surface.strip() or "\n\n" in surface:
                continue
            if _heading_like(text, start):
                continue
            if taken.overlaps(start, end) and not self._named_after(text, taken, start, end, discovered):
                continue
            resolved = self.resolve_name(surface, entity_type=etype)
            if (
                resolved
                and _guard_of(surface, etype) == _FOREIGN_OWNER
                and self._another_countrys(resolved[0], text, start, end)
            ):
                continue  # another country's institution of the same name, as in pass 1
            if resolved:
                eid, how, score = resolved
            else:
                eid, how, score = discovered_id(etype, surface), MatchKind.DISCOVERED, None
                discovered.setdefault(eid, Entity(eid, unify(surface), etype, discovered=True))
            taken.add(start, end, eid, how, score)
            local.add(eid)

        # pass 3: coreference inside this document
        self._coreference(text, norm, taken, discovered)
        return taken, discovered

    def _named_after(
        self, text: str, taken: _Coverage, start: int, end: int, discovered: dict[str, Entity]
    ) -> bool:
        """Whether [start, end), an institution or place shape, is named after a
        person whose name inside it was claimed ("Kim Jong-il Military
        University", "Kim Il-sung Stadium"): then that claim is dropped, for the
        name stands for the institution, not the person. Not for a possessive
        ("Kim Jong-un's Office")."""
        i = bisect_left(taken.starts, start)
        if i >= len(taken) or taken.starts[i] >= end or (i and taken.ends[i - 1] > start):
            return False
        if i + 1 < len(taken) and taken.starts[i + 1] < end:
            return False  # more than one name inside
        eid, name_end = taken.ents[i], taken.ends[i]
        person = eid in self._people or (eid in discovered and discovered[eid].type == EntityType.PERSON)
        if not person or name_end >= end or text[name_end] not in " \u00a0":
            return False
        taken.remove(i)
        return True

    def _coreference(self, text: str, norm: str, taken: _Coverage, discovered: dict[str, Entity]) -> None:
        # Surnames and given names of the people named in full in this document.
        surname_owner: dict[str, set[str]] = defaultdict(set)
        given_owner: dict[str, set[str]] = defaultdict(set)
        surfaces_of: dict[str, set[str]] = defaultdict(set)
        people = self._people
        starts, ends, ents, kinds = taken.starts, taken.ends, taken.ents, taken.kinds
        coreference = MatchKind.COREFERENCE
        if discovered or coreference in kinds:
            chosen = [
                i for i, e in enumerate(ents) if (e in people or e in discovered) and kinds[i] != coreference
            ]
        else:  # the usual case: pick the people's spans with a C-level filter
            chosen = list(compress(range(len(ents)), map(people.__contains__, ents)))
        # Distinct (entity, surface) pairs in text order (a dict keeps the first of
        # each), so each entity's set of surfaces is filled in the same order as
        # one add per span would, without a Python step per span.
        surfaces = map(
            text.__getitem__, map(slice, map(starts.__getitem__, chosen), map(ends.__getitem__, chosen))
        )
        for eid, surface in dict.fromkeys(zip(map(ents.__getitem__, chosen), surfaces)):
            surfaces_of[eid].add(surface)
        kb_parts: dict[str, tuple[set[str], set[str]]] = {}
        unnamed: dict[str, tuple[bool, bool]] = {}  # no surname / no given name in the spellings used
        for eid, surfaces_used in surfaces_of.items():
            entity = self.entities.get(eid) or discovered.get(eid)
            if entity is None or entity.type != EntityType.PERSON:
                continue
            used_s, used_g = _name_parts_of(tuple(surfaces_used))
            for word in used_s:
                surname_owner[word].add(eid)
            for word in used_g:
                given_owner[word].add(eid)
            kb_parts[eid] = self._person_parts.get(eid) or _name_parts(entity.all_names)
            unnamed[eid] = (not used_s, not used_g)
        # Surnames from the knowledge base's other spellings count only where the
        # spellings used in this document leave no doubt (Park Sang-hak's alias
        # "Pak Sang-hak" must not make "Pak" ambiguous with Pak Jong-chon), or
        # where they give none: a person named only in Hangul (김정남) or by an
        # epithet still shares the surname "Kim" with the other Kims named.
        used_surnames, used_givens = set(surname_owner), set(given_owner)
        for eid, (kb_s, kb_g) in kb_parts.items():
            no_surname, no_given = unnamed[eid]
            for word in kb_s if no_surname else kb_s - used_surnames:
                surname_owner[word].add(eid)
            for word in kb_g if no_given else kb_g - used_givens:
                given_owner[word].add(eid)
        unique: dict[str, str] = {}
        for table in (surname_owner, given_owner):
            for word, owners in table.items():
                if len(owners) == 1 and word.casefold() not in STOPWORDS:
                    unique[word] = next(iter(owners))
        if unique:
            variants: dict[str, str] = {}
            for word, eid in unique.items():
                for v in _coreference_variants(word):
                    variants.setdefault(v, eid)
            words = list(variants)
            fast = _accel.speedups
            if fast is not None:
                # The automaton's search and the filter, compiled: with tens of
                # words, a table of them beats building an automaton per document.
                found = fast.coref_scan(norm, text, words, starts, ends)
            else:
                automaton = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
                found = _coref_candidates(automaton.find_matches_as_indexes(norm), text, taken)
            # Spans added below end before the next hit starts (hits do not
            # overlap), so the candidates found before adding any stay right.
            for idx, start, end in found:
                if _in_other_name(text, start, end):
                    continue
                title = _TITLE_BEFORE.search(text, max(0, start - 16), start)
                if title is not None and not taken.overlaps(title.start(), start):
                    start = title.start()
                taken.add(start, end, variants[words[idx]], MatchKind.COREFERENCE)

        # Acronyms defined in the text: "World Health Organization (WHO)".
        defined: dict[str, str] = {}
        for m in _ACRONYM_DEFINED.finditer(text):
            acronym = m.group(1)
            before = taken.ending_near(m.start())
            if before < 0:
                continue
            surface = text[starts[before] : ends[before]]
            initials = "".join(w[0] for w in _WORD.findall(surface) if w[0].isupper())
            if _is_subsequence(acronym.replace("&", ""), initials):
                defined[acronym] = ents[before]
        for acronym, eid in defined.items():
            for start in _whole_words(text, acronym):
                end = start + len(acronym)
                if not taken.overlaps(start, end):
                    taken.add(start, end, eid, MatchKind.COREFERENCE)


_LONGER_GIVEN = 1  # "Kim Il": not when the given name goes on ("Kim Il-chol", "Kim Il-seong")
_AFTER_SURNAME = 2  # "Young-min" (a given name alone): not after a surname ("Kim Young-min")
_GIVEN_TAIL = re.compile(rf"[{_ROMAN_CAP}{_ROMAN_LOW}]{{1,6}}(?![\w{_DASH}])")
_SURNAME_BEFORE = re.compile(r"(?<![\w\-])([A-Z][a-z]{0,4})[ \u00a0]\Z")


_FOREIGN_OWNER = 3  # "Foreign Ministry": not when another country's ("Japan's Foreign Ministry")

# Words of institution names that every country has: a name made of them alone
# ("Foreign Ministry", "Politburo", "General Staff") is a particular country's
# only when the text does not say it is another's.
_GENERIC_ORG_WORDS = frozenset(
    {w.lower() for w in ORG_HEADS}
    | set("foreign central general staff state security political politburo presidium of the people's peoples "
          "national defence defense affairs public supreme assembly military navy air force social".split())
)
# Countries, as a text may name them next to an institution, and the words that
# say an entity is that country's own (searched in its name, aliases and description).
_COUNTRIES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("Japan", "Japanese", "Tokyo"), ("Japan",)),
    (("Russia", "Russian", "Moscow", "Kremlin"), ("Russia",)),
    (("Soviet", "Soviet Union", "USSR"), ("Soviet",)),
    (("China", "Chinese", "Beijing", "PRC"), ("China", "Chinese")),
    (("South Korea", "South Korean", "Seoul", "ROK"), ("South Korea",)),
    (("US", "U.S.", "United States", "America", "American", "Washington"), ("United States", "American")),
    (("Britain", "British", "UK", "London"), ("Britain", "British", "United Kingdom")),
    (("Vietnam", "Vietnamese", "Hanoi"), ("Vietnam",)),
    (("Cuba", "Cuban", "Havana"), ("Cuba",)),
    (("Syria", "Syrian"), ("Syria",)),
    (("Iran", "Iranian", "Tehran"), ("Iran",)),
    (("Mongolia", "Mongolian", "Ulaanbaatar"), ("Mongolia",)),
    (("Germany", "German", "Berlin"), ("Germany", "German")),
    (("France", "French", "Paris"), ("France", "French")),
)
_COUNTRY_OF = {word: owners for words, owners in _COUNTRIES for word in words}
_COUNTRY_WORDS = "|".join(sorted((re.escape(w) for w in _COUNTRY_OF), key=len, reverse=True))
_COUNTRY_BEFORE = re.compile(rf"(?<![\w.])({_COUNTRY_WORDS})(?:['’]s)?[ \u00a0]+\Z")
_COUNTRY_AFTER = re.compile(rf"[ \u00a0]+(?:of|in)[ \u00a0]+(?:the[ \u00a0]+)?({_COUNTRY_WORDS})(?![\w])")


def _foreign_country(text: str, start: int, end: int) -> tuple[str, ...] | None:
    """The words naming the country that the text gives an institution at
    [start, end) ("Japan's Foreign Ministry", "the Central Committee of the
    Chinese Communist Party"), or None."""
    m = _COUNTRY_BEFORE.search(text, max(0, start - 24), start) or _COUNTRY_AFTER.match(text, end)
    return _COUNTRY_OF[m.group(1)] if m is not None else None


def _guard_of(name: str, entity_type: str) -> int:
    """Which check a name needs beyond word boundaries (0: none)."""
    if entity_type == EntityType.ORGANISATION:
        words = [t.lower().replace("’", "'") for t in tokens(name)]
        return _FOREIGN_OWNER if words and all(w in _GENERIC_ORG_WORDS for w in words) else 0
    if entity_type != EntityType.PERSON:
        return 0
    parts = tokens(name)
    if is_korean_name(name):
        return _LONGER_GIVEN if len(parts) == 2 else 0
    if "-" in unify(name) and 1 <= len(parts) <= 2 and all(_GIVEN_PART.fullmatch(p.lower()) for p in parts):
        return _AFTER_SURNAME
    return 0


def _guarded(text: str, start: int, end: int, guard: int) -> bool:
    """Whether the name at [start, end) is only part of a longer Korean name."""
    if guard == _LONGER_GIVEN:
        if end + 1 < len(text) and text[end] in _DASH_CHARS:
            tail = _GIVEN_TAIL.match(text, end + 1)
            return tail is not None and _GIVEN_PART.fullmatch(tail.group().lower()) is not None
        return False
    before = _SURNAME_BEFORE.search(text, max(0, start - 8), start)
    return before is not None and before.group(1) in KOREAN_SURNAMES


_FIRST = itemgetter(0)
_WORD_BEFORE = re.compile(r"([A-Z][\w'’.\-]*)[ \u00a0]\Z")
_WORD_AFTER = re.compile(r"[ \u00a0]+([\w'’\-]+)")
_SENTENCE_START = re.compile(r"(?:\A|\n|[.!?:;\"“‘(\[][ \u00a0]*)\Z")
_OTHER_NAMES_TITLES = frozenset({"Rev", "Reverend", "St", "Saint"})  # "Rev. Moon" is not Moon Jae-in
# A surname before these names a family or a government, not the person.
_COLLECTIVES = frozenset("family families dynasty dynasties clan clans regime regimes era government administration".split())


def _coref_candidates(found: list[tuple[int, int, int]], text: str, taken: _Coverage) -> list[tuple[int, int, int]]:
    """The coreference automaton's hits that start with a capital at a word
    start, end at a word end (not before the dash of a longer given name) and
    lie outside every claimed span."""
    n = len(text)
    out = []
    for hit in found:
        _, start, end = hit
        if not text[start].isupper() or (start and text[start - 1].isalnum()):
            continue
        if end < n and (text[end].isalnum() or text[end] in _DASH_CHARS):
            continue
        if not taken.overlaps(start, end):
            out.append(hit)
    return out


def _in_other_name(text: str, start: int, end: int) -> bool:
    """Whether a bare surname or given name at [start, end) is part of another
    name or term, so it does not stand for the person named in full: the word
    before it is a capitalised one that is not a title or an ordinary word
    ("Sung Kim", "Central Park", "Rev. Moon"), the word after it is capitalised
    ("Trump Tower", "Park Avenue"), or it names a family or a government
    ("the Kim dynasty", "the Moon administration")."""
    before = _WORD_BEFORE.search(text, max(0, start - 40), start)
    if before is not None:
        word = before.group(1)
        plain = word.rstrip(".")
        if plain in _OTHER_NAMES_TITLES:
            return True
        if word.endswith("."):
            return False  # "…in New York. Park said": the sentence before ended
        # A capitalised word that starts a sentence ("Later Jang defected") is
        # just that; inside one, it is most likely a name's first part.
        opening = _SENTENCE_START.search(text, max(0, before.start() - 3), before.start()) is not None
        if not (
            opening
            or plain in TITLES
            or plain.casefold() in STOPWORDS
            or plain.casefold() in MONTHS
            or word.endswith(("'s", "’s"))  # "Pyongyang's Kim"
        ):
            return True
    after = _WORD_AFTER.match(text, end)
    if after is not None:
        word = after.group(1)
        if word[0].isupper() and word.casefold() not in STOPWORDS:
            return True
        if word.casefold() in _COLLECTIVES:
            return True
    return False


_ACRONYM_DEFINED = re.compile(r"\(([A-Z][A-Z&]{1,7})\)")


def _whole_words(text: str, word: str) -> Iterator[int]:
    """Starts of ``word`` in ``text`` where a regular expression's ``\\b``
    would match on both sides (a word character is a letter, a digit or _),
    left to right and not overlapping, as ``re.finditer`` gives them:
    ``str.find`` is many times quicker than the regular expression's scan."""
    size = len(word)
    word_first, word_last = _is_word_char(word[0]), _is_word_char(word[-1])
    n = len(text)
    at = text.find(word)
    while at != -1:
        end = at + size
        before = _is_word_char(text[at - 1]) if at else False
        after = _is_word_char(text[end]) if end < n else False
        if before != word_first and after != word_last:
            yield at
            at = text.find(word, end)
        else:
            at = text.find(word, at + 1)


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"
_WORD = re.compile(r"[A-Za-z][\w'’]*")


@lru_cache(maxsize=16384)
def _coreference_variants(word: str) -> frozenset[str]:
    """name_variants of a coreference word, computed once per process."""
    return frozenset(name_variants(word, "coreference"))


@lru_cache(maxsize=16384)
def _name_parts_of(names: tuple[str, ...]) -> tuple[set[str], set[str]]:
    """_name_parts of ``names`` (in this order), computed once per process.
    The sets returned are shared: callers only read them."""
    return _name_parts(names)


def _is_subsequence(needle: str, hay: str) -> bool:
    it = iter(hay)
    return bool(needle) and all(c in it for c in needle)


def _name_parts(names: Iterable[str]) -> tuple[set[str], set[str]]:
    """Surnames and (hyphenated or two-part) given names of a person's names.

    Korean order: surname first. Otherwise the last word is taken as the surname
    (Kimikatsu Kinoshita -> Kinoshita)."""
    surnames: set[str] = set()
    givens: set[str] = set()
    for name in names:
        if name.isupper():
            # A headline's "KIM IL-SUNG" is Kim Il-sung, surname first: read in
            # capitals it took "SUNG" for a Western-order surname, and every
            # "Sung" of the document (Sung Kim, the US envoy) for him.
            name = name.title()
        parts = tokens(name)
        if not parts or not parts[0][:1].isupper():
            continue
        if len(parts) == 1:
            continue
        if parts[0] in KOREAN_SURNAMES:
            surnames.add(parts[0])
            given_parts = parts[1:]
            if len(given_parts) == 2 and len("".join(given_parts)) >= 4:
                givens.add(given_parts[0] + "-" + given_parts[1].lower())
        elif parts[-1][:1].isupper() and len(parts[-1]) >= 3:
            surnames.add(parts[-1])
    return surnames, givens


class _Coverage:
    """Claimed, non-overlapping spans of one document, kept sorted by start, as
    parallel columns (no object per span: a document has hundreds)."""

    __slots__ = ("starts", "ends", "ents", "kinds", "scores")

    def __init__(
        self,
        starts: list[int] | None = None,
        ends: list[int] | None = None,
        ents: list[str] | None = None,
        kinds: list[str] | None = None,
    ) -> None:
        # Callers pass columns already in text order.
        self.starts: list[int] = starts if starts is not None else []
        self.ends: list[int] = ends if ends is not None else []
        self.ents: list[str] = ents if ents is not None else []
        self.kinds: list[str] = kinds if kinds is not None else []
        self.scores: list[float | None] = [None] * len(self.starts)

    def __len__(self) -> int:
        return len(self.starts)

    def add(self, start: int, end: int, entity: str, kind: str, score: float | None = None) -> None:
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)
        self.ents.insert(i, entity)
        self.kinds.insert(i, kind)
        self.scores.insert(i, score)

    def remove(self, i: int) -> None:
        for column in (self.starts, self.ends, self.ents, self.kinds, self.scores):
            del column[i]

    def overlaps(self, start: int, end: int) -> bool:
        # Spans never overlap, so only the last one starting before `end` can reach into [start, end).
        i = bisect_left(self.starts, end)
        return i > 0 and self.ends[i - 1] > start

    def covers(self, offset: int) -> bool:
        """Whether a span holds ``offset`` (then any range starting there overlaps it)."""
        i = bisect_right(self.starts, offset)
        return i > 0 and self.ends[i - 1] > offset

    def free(self, offsets: list[int]) -> list[bool]:
        """For each of ``offsets`` (any order), whether no span holds it: the
        same answers as ``not covers(offset)``, computed in one C-level pass
        (and at once: the answers are for the spans as they are now)."""
        ends_before = [-1, *self.ends]  # ends_before[i]: end of the span before span i
        at = map(bisect_right, repeat(self.starts), offsets)
        return list(map(int.__le__, map(ends_before.__getitem__, at), offsets))

    def ending_near(self, offset: int) -> int:
        """Number of the span that ends at most two characters before ``offset``, or -1."""
        i = bisect_left(self.starts, offset)
        if i > 0 and offset - 2 <= self.ends[i - 1] <= offset:
            return i - 1
        return -1
