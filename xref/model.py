"""Small, frozen data types shared by every layer of xref.

Offsets are Python string indices into ``Document.text`` -- the exact text
the reader shows -- so ``doc.text[m.start:m.end] == m.surface`` always holds.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class EntityType(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    EVENT = "event"
    WORK = "work"
    OTHER = "other"


class MatchKind(StrEnum):
    """How a mention was tied to its entity (shown in the side panel)."""

    EXACT = "exact"  # the canonical name, modulo case/hyphen/space/apostrophe
    ALIAS = "alias"  # a listed alias (acronym, renaming, Hangul, ...)
    FOLDED = "folded"  # equal after romanisation folding (McCune-Reischauer vs RR)
    FUZZY = "fuzzy"  # a typo resolved by rapidfuzz with a margin
    COREFERENCE = "coreference"  # bare surname / title / defined acronym in the same document
    DISCOVERED = "discovered"  # a name-shaped phrase the knowledge base lacks


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one input file; never stops the rest from loading."""

    path: str
    reason: str
    severity: str = "error"  # "error": file not loaded; "warning": loaded with a caveat

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class TextLayout:
    """Line and paragraph numbers for any offset of one text.

    A paragraph is a maximal run of non-blank lines. Numbers are 1-based.
    Built once per document in linear time; look-ups are binary searches.
    """

    __slots__ = ("line_starts", "para_starts", "para_ends", "length")

    def __init__(self, text: str) -> None:
        self.length = len(text)
        line_starts = [0]
        find = text.find
        pos = find("\n")
        while pos != -1:
            line_starts.append(pos + 1)
            pos = find("\n", pos + 1)
        self.line_starts = line_starts
        para_starts: list[int] = []
        para_ends: list[int] = []
        in_para = False
        n = len(line_starts)
        for i, start in enumerate(line_starts):
            end = line_starts[i + 1] - 1 if i + 1 < n else len(text)
            blank = not text[start:end].strip()
            if not blank and not in_para:
                para_starts.append(start)
                in_para = True
            elif blank and in_para:
                para_ends.append(line_starts[i] - 1)
                in_para = False
        if in_para:
            para_ends.append(len(text))
        self.para_starts = para_starts
        self.para_ends = para_ends

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    @property
    def paragraph_count(self) -> int:
        return len(self.para_starts)

    def line_of(self, offset: int) -> int:
        return bisect_right(self.line_starts, offset)

    def line_span(self, line: int) -> tuple[int, int]:
        """(start, end) of 1-based ``line``, end excluding the newline."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else self.length
        return start, end

    def paragraph_of(self, offset: int) -> int:
        """1-based paragraph containing ``offset``; a blank gap counts as the paragraph before it
        (or the first one), so every offset has a paragraph number."""
        if not self.para_starts:
            return 0
        return max(1, bisect_right(self.para_starts, offset))

    def paragraph_span(self, para: int) -> tuple[int, int]:
        return self.para_starts[para - 1], self.para_ends[para - 1]


@dataclass(frozen=True, slots=True)
class Document:
    id: str  # path relative to the corpus root, '/'-separated
    path: Path
    text: str  # sanitised text exactly as the reader shows it
    kind: str = "txt"  # txt / md / html
    title: str = ""
    author: str = ""
    date: str = ""
    publisher: str = ""
    url: str = ""
    headings: tuple[tuple[int, int], ...] = ()  # (start, end) offsets of headings
    layout: TextLayout = field(default=None, compare=False, repr=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.layout is None:
            object.__setattr__(self, "layout", TextLayout(self.text))


@dataclass(frozen=True, slots=True)
class Entity:
    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    hangul: str = ""
    description: str = ""
    distinct_from: tuple[str, ...] = ()
    discovered: bool = False

    @property
    def all_names(self) -> tuple[str, ...]:
        names = (self.name, *self.aliases)
        return (*names, self.hangul) if self.hangul else names


@dataclass(frozen=True, slots=True)
class Mention:
    doc: str
    start: int
    end: int
    surface: str
    entity: str
    match: str
    score: float | None = None  # rapidfuzz score for fuzzy matches

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "doc": self.doc,
            "start": self.start,
            "end": self.end,
            "text": self.surface,
            "entity": self.entity,
            "match": self.match,
        }
        if self.score is not None:
            out["score"] = round(self.score, 1)
        return out
