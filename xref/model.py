"""Small, frozen data types shared by every layer of xref.

Offsets are Python string indices into ``Document.text`` -- the exact text
the reader shows -- so ``doc.text[m.start:m.end] == m.surface`` always holds.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from xref import _accel


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


_NON_SPACE = re.compile(r"\S")  # what str.strip() does not strip
_NOT_LEAD = re.compile(r"[^\n \t]")  # what str.lstrip("\n \t") stops at
_PLUS_ONE = (1).__add__
# A run of lines holding only spaces/tabs, between two non-blank lines.
_BLANK_GAP = re.compile(r"\n(?:[ \t]*\n)+")
_TRAILING_BLANK_LINE = re.compile(r"\n[ \t]*\Z")


def word_window(text: str, start: int, end: int, before: int, after: int) -> tuple[int, int]:
    """About ``before`` characters before [start, end) and ``after`` after it,
    cut at spaces so no word is cut in two: the (lo, hi) of the window (the
    text's own ends are kept as they are)."""
    lo = max(0, start - before)
    if lo > 0:
        space = text.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    hi = min(len(text), end + after)
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    return lo, hi


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


class TextLayout:
    """Line and paragraph numbers for any offset of one text.

    A paragraph is a maximal run of non-blank lines. Numbers are 1-based.
    Built once per document in linear time; look-ups are binary searches.
    """

    __slots__ = ("line_starts", "para_starts", "para_ends", "length")

    def __init__(self, text: str) -> None:
        self.length = len(text)
        fast = _accel.speedups
        if fast is not None:  # the same tables, in one compiled pass
            self.line_starts, self.para_starts, self.para_ends = fast.layout(text)
            return
        # Line starts: running sum of (line length + 1) over the lines, in C
        # (split, map, accumulate) rather than a Python step per newline.
        lines = text.split("\n")
        lines.pop()  # the last line's end starts no line
        self.line_starts = list(accumulate(map(_PLUS_ONE, map(len, lines)), initial=0))
        para_starts: list[int] = []
        para_ends: list[int] = []
        pos = 0
        # Regular-expression searches bounded by (pos, end) instead of copying
        # each paragraph to strip it: \S is exactly what str.strip() keeps.
        for gap in _BLANK_GAP.finditer(text):
            end = gap.start()
            if _NON_SPACE.search(text, pos, end):
                first = _NOT_LEAD.search(text, pos, end).start()  # type: ignore[union-attr]
                para_starts.append(_line_start(text, first))
                para_ends.append(end)
            pos = gap.end()
        if _NON_SPACE.search(text, pos):
            first = _NOT_LEAD.search(text, pos).start()  # type: ignore[union-attr]
            para_starts.append(_line_start(text, first))
            trailing_blank = _TRAILING_BLANK_LINE.search(text, pos)
            para_ends.append(trailing_blank.start() if trailing_blank else len(text))
        self.para_starts = para_starts
        self.para_ends = para_ends

    @property
    def line_count(self) -> int:
        # A final newline ends the last line rather than starting an empty one,
        # as editors count: "a\n" has one line.
        n = len(self.line_starts)
        return n - 1 if n > 1 and self.line_starts[-1] == self.length else n

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
    _layout: TextLayout | None = field(default=None, compare=False, repr=False)

    @property
    def layout(self) -> TextLayout:
        """Line and paragraph numbers, computed on first use (most documents of a
        large corpus are never opened)."""
        if self._layout is None:
            object.__setattr__(self, "_layout", TextLayout(self.text))
        return self._layout  # type: ignore[return-value]


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
