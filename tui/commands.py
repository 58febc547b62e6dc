"""Command palette (ctrl+p) providers: documents and entities.

Textual's ``Matcher.highlight`` and string prompts/help are parsed as markup,
so every hit here is built as ``Content`` from plain strings instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from tui.style import TYPE_LABELS, clean, document_label

if TYPE_CHECKING:
    from tui.app import XrefApp

MAX_DOCUMENT_HITS = 50


def highlight(label: str, query: str, style: str = "bold reverse") -> Content:
    """``label`` as Content, the first case-insensitive occurrence of ``query`` styled."""
    content = Content(label)
    q = query.strip().casefold()
    if q:
        at = label.casefold().find(q)
        if at >= 0 and len(label.casefold()) == len(label):
            content = content.stylize(style, at, at + len(q))
    return content


class DocumentCommands(Provider):
    """Open a document by title, id, author or date."""

    @property
    def xref(self) -> XrefApp:
        return cast("XrefApp", self.app)

    async def search(self, query: str) -> Hits:
        index = self.xref.index
        if index is None:
            return
        matcher = self.matcher(query)
        # Textual's fuzzy scores are unbounded; the query matched against itself is
        # the best possible, so dividing by it gives 0..1. Documents then stay below
        # an exact entity hit (1.0): "Kim Jong Un" offers the person before a
        # document whose title happens to contain the name.
        best = matcher.match(query) or 1.0
        hits = []
        typed = query.strip().casefold()
        for doc in index.corpus.documents:
            label = document_label(doc.title, doc.id)
            haystack = f"{label} {clean(doc.id)} {clean(doc.author)}"
            if typed and (typed in label.casefold() or typed in clean(doc.id).casefold()):
                # Part of the title or file name, word for word: the document itself
                # is meant ("page.html", "001_e0b5", a title typed out in full).
                score = 0.95
            else:
                score = 0.95 * min(1.0, max(matcher.match(label), matcher.match(haystack) * 0.9) / best)
            if score > 0:
                hits.append((score, doc, label))
        hits.sort(key=lambda h: -h[0])
        for score, doc, label in hits[:MAX_DOCUMENT_HITS]:
            meta = " · ".join(x for x in (clean(doc.author), clean(doc.date), clean(doc.id)) if x)
            yield Hit(
                score,
                highlight("Open: " + label, query),
                (lambda d=doc.id: self.xref.from_palette(self.xref.jump_to, d, 0)),
                text=label,
                help=Content(meta),  # type: ignore[arg-type]  # Content, never markup
            )

    async def discover(self) -> Hits:
        index = self.xref.index
        if index is None:
            return
        for doc in index.corpus.documents[:MAX_DOCUMENT_HITS]:
            label = document_label(doc.title, doc.id)
            yield DiscoveryHit(
                Content("Open: " + label),
                (lambda d=doc.id: self.xref.from_palette(self.xref.jump_to, d, 0)),
                text=label,
                help=Content(clean(doc.id)),  # type: ignore[arg-type]
            )


class EntityCommands(Provider):
    """Go to an entity by any of its names (aliases, variant spellings, Hangul)."""

    @property
    def xref(self) -> XrefApp:
        return cast("XrefApp", self.app)

    async def search(self, query: str) -> Hits:
        index = self.xref.index
        if index is None or not query.strip():
            return
        for entity, score in index.find_entities(query, limit=8):
            count = len(index.mentions_of(entity.id))
            if count == 0:
                continue
            kind = TYPE_LABELS.get(str(entity.type), str(entity.type))
            name = clean(entity.name)
            prompt = Content.assemble(
                ("Entity: ", "dim"),
                highlight(name, query),
                (f"  {kind} · {count} mention{'s' if count != 1 else ''}", "dim"),
            )
            also = ", ".join(clean(a) for a in entity.aliases[:6])
            help_text = clean(entity.description) or (f"also: {also}" if also else "")
            yield Hit(
                1.0 if score >= 100 else 0.9 * score / 100.0,
                prompt,
                (lambda e=entity.id: self.xref.from_palette(self.xref.goto_entity, e)),
                text=name,
                help=Content(help_text) if help_text else None,  # type: ignore[arg-type]
            )


class CorpusSearchCommands(Provider):
    """The corpus search (key F); words typed in the palette are offered as a search."""

    NAME = "Search the whole corpus…"
    HELP = "Full-text search of every document, best matches first (F)"

    @property
    def xref(self) -> XrefApp:
        return cast("XrefApp", self.app)

    def _open_search(self, query: str = "") -> None:
        self.xref.from_palette(self.xref.action_corpus_search, query)

    async def discover(self) -> Hits:
        yield DiscoveryHit(
            Content(self.NAME),
            self._open_search,
            text=self.NAME,
            help=Content(self.HELP),  # type: ignore[arg-type]
        )

    async def search(self, query: str) -> Hits:
        score = self.matcher(query).match(self.NAME)
        if score > 0:
            yield Hit(
                score,
                highlight(self.NAME, query),
                self._open_search,
                text=self.NAME,
                help=Content(self.HELP),  # type: ignore[arg-type]
            )
        words = clean(query)
        if words:
            # Below commands, exact names (1.0) and documents whose title matches well,
            # above fuzzy name matches (< 0.9): typing a word offers to search for it.
            yield Hit(
                0.9,
                Content.assemble("Search the whole corpus for ", (f"“{words}”", "bold")),
                (lambda q=words: self._open_search(q)),
                text=f"Search the whole corpus for {words}",
                help=Content(self.HELP),  # type: ignore[arg-type]
            )
