"""The cross-reference index: mentions by entity and by document.

Built once from a corpus and a knowledge base; every query the reader, the side
panel and the command line make is answered from here without scanning text.

Mentions are stored compactly (:mod:`xref.store`: integer arrays per
document) and become :class:`~xref.model.Mention` objects only when asked
for, so a corpus with millions of mentions fits in memory and an entity with
hundreds of thousands of them answers counts, slices and next/previous steps
in microseconds. The lists returned by :meth:`CorpusIndex.doc_mentions` and
:meth:`CorpusIndex.mentions_of` are read-only sequences that build their
items on demand (``len`` is free; ``list(...)`` gives a plain list).
"""

from __future__ import annotations

import re
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections import Counter, OrderedDict, defaultdict
from itertools import accumulate
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, overload

from xref import _accel
from xref.corpus import Corpus
from xref.model import Document, Entity, Mention, word_window
from xref.normalise import fold_key, name_key
from xref.sanitise import sanitise
from xref.store import COOCCURRING_KEPT, DocRecord, Summary, distinct_sorted

if TYPE_CHECKING:
    from xref.recognise import DocResult
    from xref.search import Hit, Searcher

SNIPPET_WIDTH = 80
_DOC_LISTS_KEPT = 16  # documents whose Mention lists stay built
_COOCCUR_KEPT = 256  # entities whose co-occurrence counts stay computed


@dataclass(frozen=True, slots=True)
class Snippet:
    """Context around a mention: ``before + match + after`` on one line, safe to
    show as it is (no line breaks, no control characters)."""

    before: str
    match: str
    after: str
    line: int
    paragraph: int

    @property
    def text(self) -> str:
        return f"{self.before}{self.match}{self.after}"


_SPACES = re.compile(r"\s+")


def _one_line(s: str) -> str:
    # Loaded text is sanitised already (then this returns the same string);
    # a Document made some other way is made safe here, once, for every viewer.
    return sanitise(_SPACES.sub(" ", s))


def make_snippet(doc: Document, start: int, end: int, width: int = SNIPPET_WIDTH) -> Snippet:
    """About ``width`` characters each side of [start, end), cut at word
    boundaries, from the mention's own paragraph or heading: text from the one
    before or after would read as if it ran on ("…Occupation Poet Jang
    Jin-sung (Korean: …"). "…" marks a cut inside it."""
    text = doc.text
    layout = doc.layout
    first, last = _snippet_bounds(doc, start, end)
    lo, hi = word_window(text, start, end, width, width)
    # "…" where words were left out (not just white space).
    cut_before = lo > first and _NON_SPACE.search(text, first, lo) is not None
    cut_after = hi < last and _NON_SPACE.search(text, hi, last) is not None
    lo, hi = max(lo, first), min(hi, last)
    before = _one_line(text[lo:start]).lstrip()
    after = _one_line(text[end:hi]).rstrip()
    if cut_before:
        before = "…" + before
    if cut_after:
        after = after + "…"
    return Snippet(before, _one_line(text[start:end]), after, layout.line_of(start), layout.paragraph_of(start))


_NON_SPACE = re.compile(r"\S")


def _snippet_bounds(doc: Document, start: int, end: int) -> tuple[int, int]:
    """The span of the paragraph holding [start, end), narrowed to the heading
    holding it, or to the text between the headings around it."""
    layout = doc.layout
    first, last = 0, len(doc.text)
    para = layout.paragraph_of(start)
    if para:
        p_start, p_end = layout.paragraph_span(para)
        if p_start <= start and end <= p_end:
            first, last = p_start, p_end
    for h_start, h_end in doc.headings:
        if h_start <= start and end <= h_end:
            return max(first, h_start), min(last, h_end)
        if h_end <= start:
            first = max(first, h_end)
        elif h_start >= end:
            last = min(last, h_start)
            break  # headings are in text order
    return first, last


class _Postings:
    """Where one entity is mentioned: documents (corpus order), its number in each
    document's entity table, and running mention counts (``cum[j]`` mentions before
    the j-th document)."""

    __slots__ = ("docs", "locals", "cum")

    def __init__(self, docs: array, locals: array, counts: array) -> None:  # noqa: A002
        self.docs = docs
        self.locals = locals
        self.cum = array("q", accumulate(counts, initial=0))

    @property
    def total(self) -> int:
        return self.cum[-1]


# -- list-like views -----------------------------------------------------------------------


class MentionSequence(Sequence[Mention]):
    """A read-only, list-like sequence of mentions whose items are made on demand."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  # like a list

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, (str, bytes)):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    def __add__(self, other: Iterable[Mention]) -> list[Mention]:
        return [*self, *other]

    def __radd__(self, other: Iterable[Mention]) -> list[Mention]:
        return [*other, *self]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self)} mentions>"


class _DocMentions(MentionSequence):
    __slots__ = ("_index", "_doc")

    def __init__(self, index: CorpusIndex, doc: int) -> None:
        self._index = index
        self._doc = doc

    def __len__(self) -> int:
        return self._index.summary.doc_mentions[self._doc]

    @overload
    def __getitem__(self, i: int) -> Mention: ...
    @overload
    def __getitem__(self, i: slice) -> list[Mention]: ...
    def __getitem__(self, i: int | slice) -> Mention | list[Mention]:
        return self._index._doc_list(self._doc)[i]

    def __iter__(self) -> Iterator[Mention]:
        return iter(self._index._doc_list(self._doc))

    def __contains__(self, m: object) -> bool:
        if not isinstance(m, Mention):
            return False
        index = self._index
        return m.doc == index._ids[self._doc] and index.mention_at(m.doc, m.start) == m

    def index(self, m: Any, start: int = 0, stop: int | None = None) -> int:
        if m in self:
            i = bisect_left(self._index._records[self._doc].starts, m.start)
            if start <= i and (stop is None or i < stop):
                return i
        raise ValueError(f"{m!r} is not in the list")


class _EntityMentions(MentionSequence):
    __slots__ = ("_index", "_entity")

    def __init__(self, index: CorpusIndex, entity_id: str) -> None:
        self._index = index
        self._entity = entity_id

    def __len__(self) -> int:
        return self._index.mention_count(self._entity)

    @overload
    def __getitem__(self, i: int) -> Mention: ...
    @overload
    def __getitem__(self, i: slice) -> list[Mention]: ...
    def __getitem__(self, i: int | slice) -> Mention | list[Mention]:
        n = len(self)
        if isinstance(i, slice):
            start, stop, step = i.indices(n)
            if step == 1:
                return self._index.mention_slice(self._entity, start, stop)
            return [self[j] for j in range(start, stop, step)]
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("mention index out of range")
        return self._index.mention_slice(self._entity, i, i + 1)[0]

    def __iter__(self) -> Iterator[Mention]:
        return self._index._iter_entity(self._entity)

    def __contains__(self, m: object) -> bool:
        if not isinstance(m, Mention) or m.entity != self._entity or m.doc not in self._index.doc_order:
            return False
        return self._index.mention_at(m.doc, m.start) == m

    def index(self, m: Any, start: int = 0, stop: int | None = None) -> int:
        if m in self:
            i = self._index._entity_position(self._entity, m.doc, m.start, right=False)
            if start <= i and (stop is None or i < stop):
                return i
        raise ValueError(f"{m!r} is not in the list")


class _ByDoc(Mapping[str, MentionSequence]):
    def __init__(self, index: CorpusIndex) -> None:
        self._index = index

    def __getitem__(self, doc_id: str) -> MentionSequence:
        if doc_id not in self._index.doc_order:
            raise KeyError(doc_id)
        return self._index.doc_mentions(doc_id)  # type: ignore[return-value]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index._ids)

    def __len__(self) -> int:
        return len(self._index._ids)


class _ByEntity(Mapping[str, MentionSequence]):
    def __init__(self, index: CorpusIndex) -> None:
        self._index = index

    def __getitem__(self, entity_id: str) -> MentionSequence:
        if entity_id not in self._index._entity_no:
            raise KeyError(entity_id)
        return _EntityMentions(self._index, entity_id)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index._entity_no)

    def __len__(self) -> int:
        return len(self._index._entity_no)


# -- the index -------------------------------------------------------------------------------


_WORDS = re.compile(r"[^\W_]+")  # the words of a name, for look-ups


class CorpusIndex:
    """Mentions of a corpus by document and by entity.

    Build it with :func:`xref.engine.open_workspace`;
    ``CorpusIndex(corpus, entities, results)`` from recognition results also works.
    """

    def __init__(
        self,
        corpus: Corpus,
        entities: Mapping[str, Entity],
        results: Mapping[str, DocResult] | None = None,
        *,
        records: Sequence[DocRecord] | None = None,
        summary: Summary | None = None,
        cooccurrence: bool = False,
    ) -> None:
        self.corpus = corpus
        docs = corpus.documents
        self._docs: list[Document] = list(docs)
        self._ids: list[str] = [d.id for d in docs]
        self.documents: dict[str, Document] = {d.id: d for d in docs}
        self.doc_order: dict[str, int] = {doc_id: i for i, doc_id in enumerate(self._ids)}
        self.entities: dict[str, Entity] = dict(entities)
        if records is None:
            results = results or {}
            records = []
            for doc in docs:
                result = results.get(doc.id)
                records.append(
                    DocRecord.from_mentions(
                        result.mentions if result else [], result.discovered if result else {}, doc.layout, entities
                    )
                )
        if len(records) != len(docs):
            raise ValueError("one record per document expected")
        self._records: Sequence[DocRecord] = records
        if summary is None:
            summary = summarise(records, entities, cooccurrence=cooccurrence)
        self.summary = summary
        for eid, name, etype in summary.named:
            self.entities[eid] = Entity(eid, name, etype, discovered=True)
        self._entity_no: dict[str, int] = {eid: k for k, eid in enumerate(summary.entity_ids)}
        offsets, counts = summary.offsets, summary.counts
        self._totals = [sum(counts[offsets[k] : offsets[k + 1]]) for k in range(len(summary.entity_ids))]
        self._postings_built: dict[int, _Postings] = {}
        self._lock = threading.RLock()
        self._doc_lists: OrderedDict[int, list[Mention]] = OrderedDict()
        self._cooccur: OrderedDict[str, Counter[str]] = OrderedDict()
        self._searcher: Searcher | None = None

    def _postings(self, entity_id: str) -> _Postings | None:
        k = self._entity_no.get(entity_id)
        if k is None:
            return None
        found = self._postings_built.get(k)
        if found is None:
            s = self.summary
            lo, hi = s.offsets[k], s.offsets[k + 1]
            found = self._postings_built[k] = _Postings(s.docs[lo:hi], s.locals[lo:hi], s.counts[lo:hi])
        return found

    # -- documents -------------------------------------------------------------
    def document(self, doc_id: str) -> Document:
        return self.documents[doc_id]

    def doc_mentions(self, doc_id: str) -> Sequence[Mention]:
        """Mentions in one document in text order (empty for an unknown id)."""
        d = self.doc_order.get(doc_id)
        if d is None:
            return []
        return _DocMentions(self, d)

    def doc_mention_count(self, doc_id: str) -> int:
        d = self.doc_order.get(doc_id)
        return 0 if d is None else self.summary.doc_mentions[d]

    def doc_line_count(self, doc_id: str) -> int:
        """Lines of a document, without reading its text."""
        return self.summary.doc_lines[self.doc_order[doc_id]]

    def _doc_list(self, d: int) -> list[Mention]:
        with self._lock:
            found = self._doc_lists.get(d)
            if found is not None:
                self._doc_lists.move_to_end(d)
                return found
        doc = self._docs[d]
        built = self._records[d].mentions(doc.id, doc.text)
        with self._lock:
            self._doc_lists[d] = built
            while len(self._doc_lists) > _DOC_LISTS_KEPT:
                self._doc_lists.popitem(last=False)
        return built

    def _mention(self, d: int, i: int) -> Mention:
        with self._lock:
            built = self._doc_lists.get(d)
        if built is not None:
            return built[i]
        doc = self._docs[d]
        return self._records[d].mention(doc.id, doc.text, i)

    def mention_at(self, doc_id: str, offset: int) -> Mention | None:
        """The mention covering ``offset`` in the document, if any."""
        d = self.doc_order.get(doc_id)
        if d is None:
            return None
        rec = self._records[d]
        i = bisect_right(rec.starts, offset) - 1
        if i >= 0 and rec.starts[i] <= offset < rec.ends[i]:
            return self._mention(d, i)
        return None

    def step_mention(self, doc_id: str, offset: int, forward: bool = True) -> Mention | None:
        """Next (or previous) mention in this document after (before) ``offset``; None at the end."""
        d = self.doc_order.get(doc_id)
        if d is None:
            return None
        rec = self._records[d]
        starts = rec.starts
        if forward:
            i = bisect_right(starts, offset)
            return self._mention(d, i) if i < len(starts) else None
        covering = bisect_right(starts, offset) - 1
        if covering >= 0 and starts[covering] <= offset < rec.ends[covering]:
            i = covering - 1
        else:
            i = bisect_left(starts, offset) - 1
        return self._mention(d, i) if i >= 0 else None

    # -- entities --------------------------------------------------------------
    def entity(self, entity_id: str) -> Entity:
        return self.entities[entity_id]

    def mentioned_entities(self) -> list[Entity]:
        """Entities with at least one mention, most mentioned first."""
        totals = self._totals
        return sorted(
            (self.entities[e] for e in self._entity_no),
            key=lambda e: (-totals[self._entity_no[e.id]], e.name.casefold()),
        )

    def mentions_of(self, entity_id: str) -> Sequence[Mention]:
        """Every mention of an entity in corpus order (a lazy, list-like sequence)."""
        if entity_id not in self._entity_no:
            return []
        return _EntityMentions(self, entity_id)

    def mention_count(self, entity_id: str) -> int:
        k = self._entity_no.get(entity_id)
        return self._totals[k] if k is not None else 0

    def mention_slice(self, entity_id: str, start: int, stop: int) -> list[Mention]:
        """Mentions ``start`` to ``stop`` (exclusive) of an entity in corpus order, like
        ``mentions_of(entity_id)[start:stop]`` but only building those."""
        p = self._postings(entity_id)
        if p is None:
            return []
        start, stop, _ = slice(start, stop).indices(p.total)
        out: list[Mention] = []
        if start >= stop:
            return out
        cum = p.cum
        j = bisect_right(cum, start) - 1
        i = start
        while i < stop:
            d, k = p.docs[j], p.locals[j]
            rec = self._records[d]
            base = rec.group[k] - cum[j]
            upto = min(stop, cum[j + 1])
            order = rec.order
            for g in range(i, upto):
                out.append(self._mention(d, order[base + g]))
            i = upto
            j += 1
        return out

    def _iter_entity(self, entity_id: str) -> Iterator[Mention]:
        p = self._postings(entity_id)
        if p is None:
            return
        for d, k in zip(p.docs, p.locals):
            rec = self._records[d]
            for i in rec.entity_mentions(k):
                yield self._mention(d, i)

    def doc_counts(self, entity_id: str) -> dict[str, int]:
        """Mentions of the entity per document, in corpus order."""
        p = self._postings(entity_id)
        if p is None:
            return {}
        ids, cum = self._ids, p.cum
        return {ids[d]: cum[j + 1] - cum[j] for j, d in enumerate(p.docs)}

    def _entity_position(self, entity_id: str, doc_id: str, start: int, *, right: bool) -> int:
        """How many mentions of the entity come before (doc, start) in corpus
        order; ``right``: also count those at exactly that place."""
        p = self._postings(entity_id)
        assert p is not None
        d = self.doc_order[doc_id]
        j = bisect_left(p.docs, d)
        position = p.cum[j]
        if j < len(p.docs) and p.docs[j] == d:
            rec = self._records[d]
            k = p.locals[j]
            starts, order = rec.starts, rec.order
            within = range(rec.group[k], rec.group[k + 1])
            find = bisect_right if right else bisect_left
            position += find(within, start, key=lambda g: starts[order[g]])
        return position

    def mentions_before(self, entity_id: str, doc_id: str, start: int) -> int:
        """How many mentions of ``entity_id`` come before offset ``start`` of
        ``doc_id`` in corpus order: a mention's own position among them, when it
        is one. A binary search; the entity must have mentions."""
        return self._entity_position(entity_id, doc_id, start, right=False)

    def step_entity(self, mention: Mention, forward: bool = True) -> Mention | None:
        """The next (previous) mention of the same entity in corpus order, wrapping around."""
        p = self._postings(mention.entity)
        if p is None or p.total < 2:
            return None
        n = p.total
        if forward:
            i = self._entity_position(mention.entity, mention.doc, mention.start, right=True)
        else:
            i = self._entity_position(mention.entity, mention.doc, mention.start, right=False) - 1
        return self.mention_slice(mention.entity, i % n, i % n + 1)[0]

    def snippet(self, mention: Mention, width: int = SNIPPET_WIDTH) -> Snippet:
        return make_snippet(self.documents[mention.doc], mention.start, mention.end, width)

    def cooccurring(self, entity_id: str, limit: int = 10) -> list[tuple[Entity, int]]:
        """Entities named in the same paragraphs as ``entity_id``, with paragraph counts."""
        s = self.summary
        k = self._entity_no.get(entity_id)
        if k is None:
            return []
        if s.co_offsets is not None and limit <= COOCCURRING_KEPT:
            lo, hi = s.co_offsets[k], s.co_offsets[k + 1]
            ids = s.entity_ids
            return [(self.entities[ids[b]], n) for b, n in zip(s.co_partner[lo:hi], s.co_count[lo:hi])][:limit]
        with self._lock:
            counts = self._cooccur.get(entity_id)
            if counts is not None:
                self._cooccur.move_to_end(entity_id)
        if counts is None:
            counts = self._count_cooccurring(entity_id)
            with self._lock:
                self._cooccur[entity_id] = counts
                while len(self._cooccur) > _COOCCUR_KEPT:
                    self._cooccur.popitem(last=False)
        return [(self.entities[e], n) for e, n in _rank_partners(counts, self.entities)[:limit]]

    def _count_cooccurring(self, entity_id: str) -> Counter[str]:
        counts: Counter[str] = Counter()
        p = self._postings(entity_id)
        if p is None:
            return counts
        for d, k in zip(p.docs, p.locals):
            rec = self._records[d]
            lo, hi = rec.co_group[k], rec.co_group[k + 1]
            if lo == hi:
                continue
            ents = rec.ents
            for b, n in zip(rec.co_b[lo:hi], rec.co_n[lo:hi]):
                counts[ents[b]] += n
        return counts

    # -- look-up by name -------------------------------------------------------
    def find_entities(self, query: str, limit: int = 10) -> list[tuple[Entity, float]]:
        """Entities whose id, name or alias best matches ``query``; mentioned ones first on ties."""
        return self._rank_entities(query)[0][:limit]

    def _rank_entities(self, query: str) -> tuple[list[tuple[Entity, float]], bool, set[str]]:
        """Every entity that matches ``query``, best first, and whether they match
        exactly (the id, or a name or alias after name folding) rather than fuzzily,
        and the ids of those with a name holding every word of the query.

        Every name is scored, not the first few: with a cut, which of the names
        tied on the best score were kept depended on where they stood in the
        knowledge base, so a short list could rank first another entity than a
        longer one.
        """
        q = query.strip()
        if not q:
            return [], False, set()
        if q in self.entities:
            return [(self.entities[q], 100.0)], True, {q}
        count = self.mention_count
        key, folded = name_key(q), fold_key(q)
        exact = [
            e
            for e in self.entities.values()
            if any(name_key(n) == key or fold_key(n) == folded for n in e.all_names)
        ]
        if exact:
            exact.sort(key=lambda e: -count(e.id))
            return [(e, 100.0) for e in exact], True, {e.id for e in exact}
        choices: dict[tuple[str, str], str] = {}
        for e in self.entities.values():
            for n in e.all_names:
                choices[(e.id, n)] = n.casefold()
        from rapidfuzz import fuzz, process

        found = process.extract(q.casefold(), choices, scorer=fuzz.WRatio, limit=None, score_cutoff=60)
        best: dict[str, float] = {}
        whole: set[str] = set()  # entities with a name holding every word of the query
        words = set(_WORDS.findall(q.casefold()))
        for name, score, (eid, _) in found:
            best[eid] = max(best.get(eid, 0.0), score)
            if words and words <= set(_WORDS.findall(name)):
                whole.add(eid)
        # On a tie, a name holding the query's words beats one that only scores
        # well as a part of it: "Jong-un" is Kim Jong-un before the UN.
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], kv[0] not in whole, -count(kv[0])))
        return [(self.entities[eid], score) for eid, score in ranked], False, whole

    def resolve_candidates(self, query: str) -> list[Entity]:
        """The entities ``query`` may name, for a command that needs one.

        One when the query is an id, an exact name or alias (after name folding;
        the most mentioned if several share it), or when one entity alone has
        the best fuzzy score; every entity tied on that score when several are
        (a query that could name any of them), keeping only those with a name
        holding all the query's words if some have one ("Jong-un" names Kim
        Jong-un, not the UN); none when nothing scores 80.
        The first is always the one :meth:`find_entities` ranks first.
        """
        ranked, exact, whole = self._rank_entities(query)
        if not ranked or ranked[0][1] < 80:
            return []
        if exact:
            return [ranked[0][0]]
        top = ranked[0][1]
        tied = [e for e, score in ranked if score == top]
        if any(e.id in whole for e in tied):  # only those holding the query's words (ranked first)
            tied = [e for e in tied if e.id in whole]
        return tied

    def resolve(self, query: str) -> Entity | None:
        """The entity :meth:`find_entities` ranks first, if it scores 80 or more
        (of several tied, the most mentioned: see :meth:`resolve_candidates`)."""
        found = self.resolve_candidates(query)
        return found[0] if found else None

    # -- views kept for callers of the first index -----------------------------------
    @property
    def by_doc(self) -> Mapping[str, Sequence[Mention]]:
        """Mentions by document id, in corpus order (a read-only mapping)."""
        return _ByDoc(self)

    @property
    def by_entity(self) -> Mapping[str, Sequence[Mention]]:
        """Mentions by entity id, for entities with at least one (a read-only mapping)."""
        return _ByEntity(self)

    # -- full-text search -------------------------------------------------------------
    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """Paragraphs matching ``query`` across the corpus, best first (see :mod:`xref.search`)."""
        return self.searcher.search(query, limit)

    @property
    def searcher(self) -> Searcher:
        with self._lock:
            if self._searcher is None:
                from xref.search import MemorySearcher

                self._searcher = MemorySearcher(self._docs)
            return self._searcher

    def set_searcher(self, searcher: Searcher) -> None:
        self._searcher = searcher


def _rank_partners(counts: Mapping[str, int], entities: Mapping[str, Entity]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], entities[kv[0]].name.casefold(), kv[0]))


def _best_spelling(counts: Mapping[str, int]) -> str:
    """The commonest spelling; on a tie the first in (casefolded, exact) order, so the
    name does not depend on which document was read first."""
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0].casefold(), kv[0]))[0]


def summarise(
    records: Sequence[DocRecord],
    entities: Mapping[str, Entity],
    *,
    cooccurrence: bool = True,
    co_table: Mapping[str, Mapping[str, int]] | None = None,
) -> Summary:
    """The corpus-level tables of :class:`CorpusIndex` (postings, counts, names), from
    every document's record. ``cooccurrence``: also rank every entity's partners (a
    pass over all co-occurrence pairs: the slow part), or take them from ``co_table``
    (see :func:`add_cooccurrence`)."""
    entity_no: dict[str, int] = {}
    docs_by: list[array] = []
    locals_by: list[array] = []
    counts_by: list[array] = []
    found_type: dict[str, str] = {}
    spellings: dict[str, dict[str, int]] = {}
    doc_mentions = array("i")
    doc_lines = array("i")
    for d, rec in enumerate(records):
        doc_mentions.append(len(rec))
        doc_lines.append(rec.lines)
        for ent in rec.discovered:
            found_type.setdefault(ent.id, ent.type)
        for eid, surface, n in rec.surfaces:
            counts = spellings.get(eid)
            if counts is None:
                counts = spellings[eid] = {}
            counts[surface] = counts.get(surface, 0) + n
        group = rec.group
        for k, eid in enumerate(rec.ents):
            no = entity_no.get(eid)
            if no is None:
                no = entity_no[eid] = len(docs_by)
                docs_by.append(array("i"))
                locals_by.append(array("i"))
                counts_by.append(array("i"))
            docs_by[no].append(d)
            locals_by[no].append(k)
            counts_by[no].append(group[k + 1] - group[k])
    entity_ids = list(entity_no)
    named: list[tuple[str, str, str]] = []
    for eid in entity_ids:
        known = entities.get(eid)
        if eid in spellings:
            etype = known.type if known is not None else found_type.get(eid, "other")
            named.append((eid, _one_line(_best_spelling(spellings[eid])), etype))
        elif known is None and eid in found_type:  # pragma: no cover - a discovered entity always has spellings
            named.append((eid, eid, found_type[eid]))
    offsets = array("q", [0])
    docs, locals_, counts_all = array("i"), array("i"), array("i")
    for a_docs, a_locals, a_counts in zip(docs_by, locals_by, counts_by):
        docs.extend(a_docs)
        locals_.extend(a_locals)
        counts_all.extend(a_counts)
        offsets.append(len(docs))
    summary = Summary(entity_ids, offsets, docs, locals_, counts_all, doc_mentions, doc_lines, named)
    if cooccurrence or co_table is not None:
        if co_table is None:
            co_table = {}
            add_cooccurrence(co_table, records)
        final = dict(entities)
        for eid, name, etype in named:
            final[eid] = Entity(eid, name, etype, discovered=True)
        co_offsets, co_partner, co_count = array("q", [0]), array("i"), array("i")
        for eid in entity_ids:
            for partner, n in _rank_partners(co_table.get(eid, {}), final)[:COOCCURRING_KEPT]:
                co_partner.append(entity_no[partner])
                co_count.append(n)
            co_offsets.append(len(co_partner))
        summary.co_offsets, summary.co_partner, summary.co_count = co_offsets, co_partner, co_count
    return summary


def add_cooccurrence(table: dict[str, dict[str, int]], records: Iterable[DocRecord]) -> None:
    """Add the paragraph co-occurrence counts of ``records`` to ``table`` (by entity id).

    A sum over documents, so parts computed apart (in worker processes) add up.
    Summed as arrays (numpy): a 100 MB corpus has 1.5 million (entity, partner)
    entries in its records but only thousands of distinct pairs, so a Python
    step per entry would cost far more than the table it makes. The compiled
    loops do take that step, in C, and spare the import of numpy.
    """
    fast = _accel.speedups
    if fast is not None:
        fast.add_cooccurrence(table, records)
        return
    import numpy as np

    number: defaultdict[str, int] = defaultdict()
    number.default_factory = number.__len__  # entity ids numbered in order of first sight
    rows: list[Any] = []
    partners: list[Any] = []
    counts: list[Any] = []
    for rec in records:
        if not rec.co_b:
            continue
        ents = rec.ents
        g = np.fromiter(map(number.__getitem__, ents), np.int64, len(ents))
        rows.append(np.repeat(g, np.diff(np.frombuffer(rec.co_group, rec.co_group.typecode))))
        partners.append(g[np.frombuffer(rec.co_b, rec.co_b.typecode)])
        counts.append(np.frombuffer(rec.co_n, rec.co_n.typecode))
    if not rows:
        return
    size = len(number)
    pairs = np.concatenate(rows) * size + np.concatenate(partners)
    weights = np.concatenate(counts).astype(np.int64)
    if size * size <= _DENSE_PAIRS:
        sums = np.bincount(pairs, weights, size * size).astype(np.int64)
        pairs = np.flatnonzero(sums)
        sums = sums[pairs]
    else:
        order = np.argsort(pairs, kind="stable")
        pairs, first = distinct_sorted(pairs[order])
        sums = np.add.reduceat(weights[order], first)
    ids = list(number)
    a_no, b_no = np.divmod(pairs, size)
    for a, b, n in zip(a_no.tolist(), b_no.tolist(), sums.tolist()):
        row = table.get(ids[a])
        if row is None:
            row = table[ids[a]] = {}
        e = ids[b]
        row[e] = row.get(e, 0) + n


_DENSE_PAIRS = 1 << 22  # add_cooccurrence counts pairs in a dense array up to this many entity pairs


def merge_cooccurrence(table: dict[str, dict[str, int]], part: Mapping[str, Mapping[str, int]]) -> None:
    for a, counts in part.items():
        row = table.get(a)
        if row is None:
            table[a] = dict(counts)
            continue
        for b, n in counts.items():
            row[b] = row.get(b, 0) + n
