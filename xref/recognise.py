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
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import product

import ahocorasick_rs
from rapidfuzz.distance import Levenshtein

from xref.model import Document, Entity, EntityType, MatchKind, Mention
from xref.normalise import (
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

_SYLLABLE = r"(?:tch|ch|sh|ts|kk|tt|pp|ss|jj|ph|th|kh|[bdghjklmnprstw])?[wy]?(?:[aeiouŏŭ]{1,3})(?:ng|n|m|l|k|p|t|r)?"
_GIVEN_PART = re.compile(rf"(?:{_SYLLABLE}){{1,2}}")
_DASH = r"\-\u2010\u2011\u2013"

KOREAN_NAME_AT = re.compile(
    rf"([A-Z][a-z]{{0,4}})[ \u00a0]+([A-Z][a-zŏŭ]{{1,8}}(?:[{_DASH}][A-Za-zŏŭ][a-zŏŭ]{{0,5}}|[ \u00a0][A-Z][a-zŏŭ]{{0,5}})?)(?![\w{_DASH}])"
)

_CAP = r"[A-Z][\w'’\-]*"
ORG_HEADS = (
    "Ministry Department Bureau Office Committee Commission Agency Institute University Association Council Party "
    "Army Command Service News Times Post Daily Center Centre Foundation Society Network Alliance Corporation "
    "Company Group Front Federation Union Academy Embassy Tribunal Court"
).split()
PLACE_HEADS = (
    "Province Provinces River County District Island Islands Mountain Mountains Airport Square Ward Prefecture "
    "Peninsula Strait Sea Bay Valley Lake"
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


def _build_trigger_automaton() -> tuple[ahocorasick_rs.AhoCorasick, list[tuple[str, str]]]:
    """Words that start or end a name shape, found in one automaton pass instead
    of running each shape's regular expression over the whole text."""
    triggers: list[tuple[str, str]] = []
    for surname in sorted(KOREAN_SURNAMES):
        triggers.append((surname.lower() + " ", "surname"))
    for head in ORG_HEADS:
        triggers.append((head.lower(), "org-head"))
    for head in PLACE_HEADS:
        triggers.append((head.lower(), "place-head"))
    for prefix in ORG_PREFIXES:
        triggers.append((prefix.lower() + " of ", "org-prefix"))
    for prefix in NUMBERED_ORGS:
        triggers.append((prefix.lower() + " ", "org-number"))
    triggers.append(("mount ", "place-prefix"))
    merged: dict[str, list[str]] = {}
    for word, kind in triggers:
        merged.setdefault(word, []).append(kind)
    words = list(merged)
    automaton = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.Standard)
    return automaton, [(w, ",".join(merged[w])) for w in words]


_TRIGGERS, _TRIGGER_KINDS = _build_trigger_automaton()


def _shape_triggers(
    text: str, norm: str
) -> tuple[list[int], list[tuple[int, int]], list[tuple[int, int]], list[tuple[int, str]]]:
    """Positions where a Korean name, an institution or a place shape may be."""
    surnames: list[int] = []
    org_heads: list[tuple[int, int]] = []
    place_heads: list[tuple[int, int]] = []
    prefixes: list[tuple[int, str]] = []
    n = len(text)
    for idx, start, end in _TRIGGERS.find_matches_as_indexes(norm, overlapping=True):
        if not text[start].isupper():
            continue
        before = text[start - 1] if start else " "
        if before.isalnum() and not before.islower():
            continue
        glued = before.isalnum()  # "RomanizationJang Jinseong": an infobox glued two words
        kinds = _TRIGGER_KINDS[idx][1]
        for kind in kinds.split(","):
            if kind == "surname":
                surnames.append(start)
            elif glued:
                continue
            elif kind in ("org-head", "place-head"):
                if end < n and (text[end].isalnum() or text[end] in "-\u2010\u2011"):
                    continue
                (org_heads if kind == "org-head" else place_heads).append((start, end))
            elif kind == "org-number":
                if end < n and text[end].isdigit():
                    prefixes.append((start, EntityType.ORGANISATION))
            elif kind == "org-prefix":
                prefixes.append((start, EntityType.ORGANISATION))
            else:
                prefixes.append((start, EntityType.PLACE))
    return surnames, org_heads, place_heads, prefixes


_ORDINALS = frozenset(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth both several various other "
    "some many all several".split()
)
_CONNECTORS = frozenset({"of", "the", "and", "for"})


_TITLE_BEFORE = re.compile(rf"\b(?:{'|'.join(sorted(TITLES))})\.?[ \u00a0]+(?=\Z)")
_NESTED_OF = re.compile(r" of (?:the )?(?=[A-Z])")


def _heading_like(text: str, offset: int) -> bool:
    """True when the line around ``offset`` is a short Title Case line (a heading),
    where every word is capitalised and shape discovery would see names everywhere."""
    ls = text.rfind("\n", 0, offset) + 1
    le = text.find("\n", offset)
    words = text[ls : le if le != -1 else len(text)].split()
    if not 3 <= len(words) <= 14:
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


@dataclass(slots=True)
class DocResult:
    """Mentions of one document plus any entities discovered in it."""

    mentions: list[Mention]
    discovered: dict[str, Entity] = field(default_factory=dict)


@dataclass(slots=True)
class _Span:
    start: int
    end: int
    entity: str
    match: str
    score: float | None = None


def discovered_id(entity_type: str, surface: str) -> str:
    return f"~{entity_type}:{fold_key(surface)}"


class Recogniser:
    """Built once per knowledge base; ``recognise(doc)`` is then one pass per document."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.entities: dict[str, Entity] = {e.id: e for e in entities}
        pattern_owner: dict[str, tuple[str, str, int]] = {}
        ambiguous: set[str] = set()
        self.key_index: dict[str, set[str]] = defaultdict(set)
        self.fold_index: dict[str, set[str]] = defaultdict(set)
        self.by_surname: dict[str, set[str]] = defaultdict(set)  # folded surname -> Korean-named people
        for e in self.entities.values():
            for name in e.all_names:
                if not name.strip():
                    continue
                kind = MatchKind.EXACT if name == e.name else MatchKind.ALIAS
                rule = _case_rule(name)
                for variant in name_variants(name, e.type):
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
        self.ambiguous_names = sorted(ambiguous)
        self._patterns = list(pattern_owner)
        self._owners = [pattern_owner[p] for p in self._patterns]
        self._rules = [owner[2] for owner in self._owners]
        self._automaton = (
            ahocorasick_rs.AhoCorasick(self._patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            if self._patterns
            else None
        )
        # For each pattern, the other patterns that are its prefixes up to a word
        # break, longest first.
        position = {p: i for i, p in enumerate(self._patterns)}
        self._prefixes: dict[int, list[int]] = {}
        for i, pat in enumerate(self._patterns):
            shorter = [position[pat[:k]] for k in range(len(pat) - 1, 0, -1) if pat[k] in " -'" and pat[:k] in position]
            if shorter:
                self._prefixes[i] = shorter
        # Surname/given-name pieces of each Korean-named person, for coreference.
        self._person_parts: dict[str, tuple[set[str], set[str]]] = {}
        self._people = frozenset(e.id for e in self.entities.values() if e.type == EntityType.PERSON)
        for e in self.entities.values():
            if e.type == EntityType.PERSON:
                self._person_parts[e.id] = _name_parts(e.all_names)

    # -- pass 1 ---------------------------------------------------------------
    def _exact(self, text: str, norm: str) -> list[_Span]:
        if self._automaton is None:
            return []
        # Leftmost-longest, non-overlapping: one candidate per place. Where that
        # candidate fails the checks (case, word boundary: "Kim Il-sung Squared"),
        # the longest shorter name it starts with is tried instead.
        found = self._automaton.find_matches_as_indexes(norm)
        valid: list[tuple[int, int, int]] = []
        rejected: list[tuple[int, int]] = []  # (pattern, start)
        n = len(text)
        rules = self._rules
        # The common case inline (this loop runs once per name in the corpus);
        # anything unusual goes through _accept.
        for idx, start, end in found:
            if (
                rules[idx] == _CASE_CAPITAL
                and text[start].isupper()
                and (start == 0 or not text[start - 1].isalnum())
                and (end == n or not text[end].isalnum())
                and text.find("\n\n", start, end) == -1
            ):
                valid.append((start, end, idx))
            elif self._accept(text, idx, start, end):
                valid.append((start, end, idx))
            else:
                rejected.append((idx, start))
        for idx, start in rejected:
            for shorter in self._prefixes.get(idx, ()):
                if self._accept(text, shorter, start, start + len(self._patterns[shorter])):
                    valid.append((start, start + len(self._patterns[shorter]), shorter))
                    break
        if rejected:
            valid.sort(key=lambda t: (t[0], t[0] - t[1]))
        spans: list[_Span] = []
        last_end = -1
        for start, end, idx in valid:
            if start < last_end:
                continue
            entity_id, kind, _ = self._owners[idx]
            span = _Span(start, end, entity_id, kind)
            spans.extend(self._split_nested(text, span) if " of " in text[start:end] else (span,))
            last_end = end
        return spans

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
        return "\n\n" not in text[start:end]

    def _split_nested(self, text: str, span: _Span) -> list[_Span]:
        """"Politburo of the Workers' Party of Korea" names two entities when both
        halves are names in their own right; link each half to its own entity so
        both sets of cross-references include the mention."""
        surface = text[span.start : span.end]
        m = _NESTED_OF.search(surface)
        if m is None:
            return [span]
        head, tail_start = surface[: m.start()], m.end()
        head_ids = self.key_index.get(name_key(head), set())
        tail_ids = self.key_index.get(name_key(surface[tail_start:]), set())
        tail = surface[tail_start:]
        if len(head_ids) != 1 or len(tail_ids) != 1 or head_ids == tail_ids or span.entity in tail_ids:
            return [span]
        if " " not in tail.strip():
            return [span]  # "Workers' Party of Korea" is one name, not "Workers' Party" + "Korea"
        (head_id,), (tail_id,) = head_ids, tail_ids
        return [
            _Span(span.start, span.start + len(head), head_id, self._kind_of(head_id, head)),
            _Span(span.start + tail_start, span.end, tail_id, self._kind_of(tail_id, surface[tail_start:])),
        ]

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
            pool: Iterable[str] = self.by_surname.get(fold_key(tokens(surface)[0]), ())
            threshold = FUZZY_THRESHOLD
        else:
            return None  # institutions and places only resolve exactly or folded
        best: dict[str, float] = {}
        for eid in pool:
            entity = self.entities[eid]
            score = 0.0
            for name in entity.all_names:
                s1 = Levenshtein.normalized_similarity(key, name_key(name)) * 100
                s2 = Levenshtein.normalized_similarity(folded, fold_key(name)) * 100
                score = max(score, s1, s2)
            if eid in local:
                score += SAME_DOC_BONUS
            best[eid] = score
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
        norm = match_text(text)
        spans = self._exact(text, norm)
        taken = _Coverage(spans)
        local = {s.entity for s in spans}
        discovered: dict[str, Entity] = {}
        surnames, org_heads, place_heads, prefixes = _shape_triggers(text, norm)

        # pass 2: Korean-name shapes, found from their surnames
        for p in surnames:
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
                taken.add(_Span(m.start(), m.end(), eid, how, score))
                local.add(eid)
                continue
            shaped_given = any(c in given for c in "-\u2010\u2011\u2013 \u00a0")
            if shaped_given:
                eid = discovered_id(EntityType.PERSON, surface)
                discovered.setdefault(eid, Entity(eid, unify(surface), EntityType.PERSON, discovered=True))
                taken.add(_Span(m.start(), m.end(), eid, MatchKind.DISCOVERED))
                local.add(eid)

        # pass 2b: institution and place shapes, found from their head words
        candidates: list[tuple[int, int, str]] = []
        for heads, etype in ((org_heads, EntityType.ORGANISATION), (place_heads, EntityType.PLACE)):
            for h, head_end in heads:
                window_start = max(0, h - 120)
                m = _CAPS_BEFORE.search(text, window_start, h)
                if m is not None:
                    candidates.append((m.start(), head_end, etype))
        for p, etype in prefixes:
            m = (ORG_PREFIX_AT if etype == EntityType.ORGANISATION else PLACE_PREFIX_AT).match(text, p)
            if m is not None:
                candidates.append((m.start(), m.end(), etype))
        candidates.sort()
        for raw_start, end, etype in candidates:
            start = raw_start + _trim_leading(text[raw_start:end])
            surface = text[start:end]
            if end - start < 4 or " " not in surface.strip() or "\n\n" in surface:
                continue
            if taken.overlaps(start, end) or _heading_like(text, start):
                continue
            resolved = self.resolve_name(surface, entity_type=etype)
            if resolved:
                eid, how, score = resolved
            else:
                eid, how, score = discovered_id(etype, surface), MatchKind.DISCOVERED, None
                discovered.setdefault(eid, Entity(eid, unify(surface), etype, discovered=True))
            taken.add(_Span(start, end, eid, how, score))
            local.add(eid)

        # pass 3: coreference inside this document
        self._coreference(text, norm, taken, discovered)

        mentions = [
            Mention(doc.id, s.start, s.end, text[s.start : s.end], s.entity, str(s.match), s.score)
            for s in taken.sorted()
        ]
        return DocResult(mentions, discovered)

    def _coreference(self, text: str, norm: str, taken: _Coverage, discovered: dict[str, Entity]) -> None:
        # Surnames and given names of the people named in full in this document.
        surname_owner: dict[str, set[str]] = defaultdict(set)
        given_owner: dict[str, set[str]] = defaultdict(set)
        surfaces_of: dict[str, set[str]] = defaultdict(set)
        people = self._people
        for sp in taken.spans:
            if (sp.entity in people or sp.entity in discovered) and sp.match != MatchKind.COREFERENCE:
                surfaces_of[sp.entity].add(text[sp.start : sp.end])
        kb_parts: dict[str, tuple[set[str], set[str]]] = {}
        for eid, surfaces in surfaces_of.items():
            entity = self.entities.get(eid) or discovered.get(eid)
            if entity is None or entity.type != EntityType.PERSON:
                continue
            used_s, used_g = _name_parts(surfaces)
            for word in used_s:
                surname_owner[word].add(eid)
            for word in used_g:
                given_owner[word].add(eid)
            kb_parts[eid] = self._person_parts.get(eid) or _name_parts(entity.all_names)
        # Surnames from the knowledge base's other spellings count only where the
        # spellings used in this document leave no doubt (Park Sang-hak's alias
        # "Pak Sang-hak" must not make "Pak" ambiguous with Pak Jong-chon).
        used_surnames, used_givens = set(surname_owner), set(given_owner)
        for eid, (kb_s, kb_g) in kb_parts.items():
            for word in kb_s - used_surnames:
                surname_owner[word].add(eid)
            for word in kb_g - used_givens:
                given_owner[word].add(eid)
        unique: dict[str, str] = {}
        for table in (surname_owner, given_owner):
            for word, owners in table.items():
                if len(owners) == 1 and word.casefold() not in STOPWORDS:
                    unique[word] = next(iter(owners))
        if unique:
            variants: dict[str, str] = {}
            for word, eid in unique.items():
                for v in name_variants(word, "coreference"):
                    variants.setdefault(v, eid)
            words = list(variants)
            automaton = ahocorasick_rs.AhoCorasick(words, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest)
            n = len(text)
            for idx, start, end in automaton.find_matches_as_indexes(norm):
                if not text[start].isupper() or (start and text[start - 1].isalnum()):
                    continue
                if end < n and (text[end].isalnum() or text[end] in "-\u2010\u2011\u2013"):
                    continue
                if taken.overlaps(start, end):
                    continue
                title = _TITLE_BEFORE.search(text, max(0, start - 16), start)
                if title is not None and not taken.overlaps(title.start(), start):
                    start = title.start()
                taken.add(_Span(start, end, variants[words[idx]], MatchKind.COREFERENCE))

        # Acronyms defined in the text: "World Health Organization (WHO)".
        defined: dict[str, str] = {}
        for m in re.finditer(r"\(([A-Z][A-Z&]{1,7})\)", text):
            acronym = m.group(1)
            before = taken.ending_near(m.start())
            if before is None:
                continue
            surface = text[before.start : before.end]
            initials = "".join(w[0] for w in re.findall(r"[A-Za-z][\w'’]*", surface) if w[0].isupper())
            if _is_subsequence(acronym.replace("&", ""), initials):
                defined[acronym] = before.entity
        for acronym, eid in defined.items():
            for m in re.finditer(rf"\b{re.escape(acronym)}\b", text):
                if not taken.overlaps(m.start(), m.end()):
                    taken.add(_Span(m.start(), m.end(), eid, MatchKind.COREFERENCE))


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
    """Claimed, non-overlapping spans of one document, kept sorted by start."""

    __slots__ = ("spans", "_starts")

    def __init__(self, spans: list[_Span]) -> None:
        self.spans = sorted(spans, key=lambda s: s.start)
        self._starts = [s.start for s in self.spans]

    def add(self, span: _Span) -> None:
        i = bisect_left(self._starts, span.start)
        self._starts.insert(i, span.start)
        self.spans.insert(i, span)

    def sorted(self) -> list[_Span]:
        return self.spans

    def overlaps(self, start: int, end: int) -> bool:
        # Spans never overlap, so only the last one starting before `end` can reach into [start, end).
        i = bisect_left(self._starts, end)
        return i > 0 and self.spans[i - 1].end > start

    def ending_near(self, offset: int) -> _Span | None:
        """The span that ends at most two characters before ``offset``."""
        i = bisect_left(self._starts, offset)
        if i > 0 and offset - 2 <= self.spans[i - 1].end <= offset:
            return self.spans[i - 1]
        return None
