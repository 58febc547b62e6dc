"""The cross-reference index: mentions by entity and by document.

Built once from a corpus and a knowledge base; every query the reader, the side
panel and the command line make is answered from here without scanning text.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from xref.corpus import Corpus
from xref.model import Document, Entity, Mention
from xref.normalise import fold_key, name_key
from xref.recognise import DocResult, Recogniser

SNIPPET_WIDTH = 80


@dataclass(frozen=True, slots=True)
class Snippet:
    """Context around a mention: ``before + match + after`` on one line."""

    before: str
    match: str
    after: str
    line: int
    paragraph: int

    @property
    def text(self) -> str:
        return f"{self.before}{self.match}{self.after}"


def _one_line(s: str) -> str:
    return re.sub(r"\s+", " ", s)


def make_snippet(doc: Document, start: int, end: int, width: int = SNIPPET_WIDTH) -> Snippet:
    """About ``width`` characters each side of [start, end), cut at word boundaries."""
    text = doc.text
    lo = max(0, start - width)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    hi = min(len(text), end + width)
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    before = _one_line(text[lo:start]).lstrip()
    after = _one_line(text[end:hi]).rstrip()
    if lo > 0:
        before = "…" + before
    if hi < len(text):
        after = after + "…"
    return Snippet(before, _one_line(text[start:end]), after, doc.layout.line_of(start), doc.layout.paragraph_of(start))


class CorpusIndex:
    def __init__(self, corpus: Corpus, entities: dict[str, Entity], results: dict[str, DocResult]) -> None:
        self.corpus = corpus
        self.documents: dict[str, Document] = {d.id: d for d in corpus.documents}
        self.doc_order = {d.id: i for i, d in enumerate(corpus.documents)}
        self.entities: dict[str, Entity] = dict(entities)
        self.by_doc: dict[str, list[Mention]] = {}
        self._starts: dict[str, list[int]] = {}
        by_entity: dict[str, list[Mention]] = defaultdict(list)
        surfaces: dict[str, Counter[str]] = defaultdict(Counter)
        for doc in corpus.documents:
            result = results.get(doc.id)
            mentions = result.mentions if result else []
            if result:
                for eid, ent in result.discovered.items():
                    self.entities.setdefault(eid, ent)
            self.by_doc[doc.id] = mentions
            self._starts[doc.id] = [m.start for m in mentions]
            for m in mentions:
                by_entity[m.entity].append(m)
                if self.entities[m.entity].discovered:
                    surfaces[m.entity][m.surface] += 1
        self.by_entity: dict[str, list[Mention]] = dict(by_entity)
        # A discovered entity is named by its most frequent spelling.
        for eid, counts in surfaces.items():
            old = self.entities[eid]
            best = counts.most_common(1)[0][0]
            self.entities[eid] = Entity(old.id, _one_line(best), old.type, discovered=True)
        self._cooccur: dict[str, Counter[str]] | None = None

    # -- documents -------------------------------------------------------------
    def document(self, doc_id: str) -> Document:
        return self.documents[doc_id]

    def doc_mentions(self, doc_id: str) -> list[Mention]:
        return self.by_doc.get(doc_id, [])

    def mention_at(self, doc_id: str, offset: int) -> Mention | None:
        """The mention covering ``offset`` in the document, if any."""
        starts = self._starts.get(doc_id, [])
        i = bisect_right(starts, offset) - 1
        if i >= 0:
            m = self.by_doc[doc_id][i]
            if m.start <= offset < m.end:
                return m
        return None

    def step_mention(self, doc_id: str, offset: int, forward: bool = True) -> Mention | None:
        """Next (or previous) mention in this document after (before) ``offset``; None at the end."""
        starts = self._starts.get(doc_id, [])
        mentions = self.by_doc.get(doc_id, [])
        if forward:
            i = bisect_right(starts, offset)
            return mentions[i] if i < len(mentions) else None
        i = bisect_left(starts, offset) - 1
        current = self.mention_at(doc_id, offset)
        if current is not None:
            i = mentions.index(current) - 1
        return mentions[i] if i >= 0 else None

    # -- entities --------------------------------------------------------------
    def entity(self, entity_id: str) -> Entity:
        return self.entities[entity_id]

    def mentioned_entities(self) -> list[Entity]:
        """Entities with at least one mention, most mentioned first."""
        return sorted(
            (self.entities[e] for e in self.by_entity),
            key=lambda e: (-len(self.by_entity[e.id]), e.name.casefold()),
        )

    def mentions_of(self, entity_id: str) -> list[Mention]:
        return self.by_entity.get(entity_id, [])

    def doc_counts(self, entity_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for m in self.mentions_of(entity_id):
            counts[m.doc] = counts.get(m.doc, 0) + 1
        return counts

    def step_entity(self, mention: Mention, forward: bool = True) -> Mention | None:
        """The next (previous) mention of the same entity in corpus order, wrapping around."""
        mentions = self.mentions_of(mention.entity)
        if len(mentions) < 2:
            return None
        key = (self.doc_order[mention.doc], mention.start)
        keys = [(self.doc_order[m.doc], m.start) for m in mentions]
        if forward:
            i = bisect_right(keys, key)
            return mentions[i % len(mentions)]
        i = bisect_left(keys, key) - 1
        return mentions[i % len(mentions)]

    def snippet(self, mention: Mention, width: int = SNIPPET_WIDTH) -> Snippet:
        return make_snippet(self.documents[mention.doc], mention.start, mention.end, width)

    def cooccurring(self, entity_id: str, limit: int = 10) -> list[tuple[Entity, int]]:
        """Entities named in the same paragraphs as ``entity_id``, with paragraph counts."""
        if self._cooccur is None:
            self._cooccur = self._build_cooccurrence()
        counts = self._cooccur.get(entity_id, Counter())
        return [(self.entities[e], n) for e, n in counts.most_common(limit)]

    def _build_cooccurrence(self) -> dict[str, Counter[str]]:
        table: dict[str, Counter[str]] = defaultdict(Counter)
        for doc_id, mentions in self.by_doc.items():
            layout = self.documents[doc_id].layout
            by_para: dict[int, set[str]] = defaultdict(set)
            for m in mentions:
                by_para[layout.paragraph_of(m.start)].add(m.entity)
            for ents in by_para.values():
                if len(ents) > 60:  # a reference list or table: not meaningful co-occurrence
                    continue
                for a in ents:
                    for b in ents:
                        if a != b:
                            table[a][b] += 1
        return table

    # -- look-up by name -------------------------------------------------------
    def find_entities(self, query: str, limit: int = 10) -> list[tuple[Entity, float]]:
        """Entities whose id, name or alias best matches ``query``; mentioned ones first on ties."""
        q = query.strip()
        if not q:
            return []
        if q in self.entities:
            return [(self.entities[q], 100.0)]
        key, folded = name_key(q), fold_key(q)
        exact = [
            e
            for e in self.entities.values()
            if any(name_key(n) == key or fold_key(n) == folded for n in e.all_names)
        ]
        if exact:
            exact.sort(key=lambda e: -len(self.mentions_of(e.id)))
            return [(e, 100.0) for e in exact[:limit]]
        choices: dict[tuple[str, str], str] = {}
        for e in self.entities.values():
            for n in e.all_names:
                choices[(e.id, n)] = n.casefold()
        found = process.extract(q.casefold(), choices, scorer=fuzz.WRatio, limit=limit * 3, score_cutoff=60)
        best: dict[str, float] = {}
        for _, score, (eid, _) in found:
            best[eid] = max(best.get(eid, 0.0), score)
        ranked = sorted(best.items(), key=lambda kv: (-kv[1], -len(self.mentions_of(kv[0]))))
        return [(self.entities[eid], score) for eid, score in ranked[:limit]]

    def resolve(self, query: str) -> Entity | None:
        found = self.find_entities(query, limit=1)
        return found[0][0] if found and found[0][1] >= 80 else None


def build_index(
    corpus: Corpus,
    entities: Iterable[Entity],
    *,
    recogniser: Recogniser | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CorpusIndex:
    entity_list = list(entities)
    rec = recogniser or Recogniser(entity_list)
    results: dict[str, DocResult] = {}
    total = len(corpus.documents)
    for i, doc in enumerate(corpus.documents, 1):
        results[doc.id] = rec.recognise(doc)
        if progress:
            progress(i, total)
    return CorpusIndex(corpus, {e.id: e for e in entity_list}, results)


def documents_in_order(index: CorpusIndex) -> Sequence[Document]:
    return index.corpus.documents
