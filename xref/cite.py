"""Citations: a quote from a document plus a reference in a few styles.

Hand-written templates (the design guide explains why not citeproc): plain
Chicago notes-bibliography, APA 7, MLA 9, Markdown, BibTeX (biblatex
``@online``) and CSL-JSON that imports into Zotero.

The quoted text is always the exact document text with its white space tidied
(runs of white space, line breaks included, become one space); nothing else in
it is changed, except that the styles which put it in quotation marks
(Chicago, APA, MLA) turn the double quotes inside it into single ones, and
that a Markdown document is quoted without its markup (``**North Korea**``
is quoted as "North Korea"). Missing metadata is left out cleanly: no "None",
no empty quotes, no dangling commas.

Stdlib only, but for pyromark (the corpus's Markdown reader) on the first
Markdown quote; never imports Textual.
"""

from __future__ import annotations

import datetime
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from xref.model import Document
from xref.normalise import KOREAN_SURNAMES

__all__ = [
    "DEFAULT_STYLE",
    "STYLES",
    "STYLE_LABELS",
    "Citation",
    "cite",
    "citation_key",
    "find_quote",
    "format_citation",
    "make_citation",
    "paragraph_span",
    "parse_style",
    "sentence_span",
    "split_authors",
]

STYLES: tuple[str, ...] = ("chicago", "apa", "mla", "markdown", "bibtex", "csl-json")
DEFAULT_STYLE = "chicago"
STYLE_LABELS: dict[str, str] = {
    "chicago": "Chicago (notes, plain text)",
    "apa": "APA 7th edition",
    "mla": "MLA 9th edition",
    "markdown": "Markdown (blockquote + reference)",
    "bibtex": "BibTeX (biblatex @online)",
    "csl-json": "CSL-JSON (Zotero, Mendeley)",
}
_ALIASES: dict[str, str] = {
    "plain": "chicago",
    "text": "chicago",
    "cmos": "chicago",
    "md": "markdown",
    "bib": "bibtex",
    "biblatex": "bibtex",
    "csl": "csl-json",
    "json": "csl-json",
    "csljson": "csl-json",
}


def parse_style(name: str) -> str:
    """The canonical style name for ``name`` (case-insensitive, aliases allowed)."""
    key = name.strip().lower().replace("_", "-")
    if key in STYLES:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    aliases = ", ".join(f"{a} = {s}" for a, s in _ALIASES.items())
    raise ValueError(
        f"unknown citation style {name!r}: choose one of {', '.join(STYLES)} (aliases: {aliases})"
    )


# --------------------------------------------------------------------------- #
# The citation record
# --------------------------------------------------------------------------- #


@dataclass(frozen=True, slots=True)
class Citation:
    doc_id: str
    quote: str
    title: str
    authors: tuple[str, ...]
    publisher: str
    date: str  # as the document gives it: YYYY-MM-DD, YYYY-MM, YYYY or free text
    url: str
    accessed: datetime.date
    paragraph: int | None  # 1-based paragraph of the quote's first character
    line: int | None  # 1-based line of the quote's first character
    last_paragraph: int | None = None  # of its last character, when the quote runs on past ``paragraph``

    @property
    def paragraphs(self) -> tuple[int, int] | None:
        """(first, last) paragraph of the quote, equal for one; None when unknown."""
        if not self.paragraph:
            return None
        return self.paragraph, max(self.paragraph, self.last_paragraph or 0)


def _tidy(text: str) -> str:
    """Runs of white space (newlines, NBSP, ...) become one space; ends stripped."""
    return " ".join(text.split())


# Markdown parse events that carry the document's words, and the inline
# elements whose end joins the words on either side (a block's end parts them).
_MARKDOWN_WORDS = frozenset({"Text", "Code", "Html", "InlineHtml"})
_MARKDOWN_INLINE = frozenset({"Emphasis", "Strong", "Strikethrough", "Link", "Image", "Superscript", "Subscript"})


def _markdown_plain(text: str, start: int, end: int) -> str:
    """The words of Markdown source ``text[start:end]`` without its markup:
    emphasis, strong and code marks, link and image syntax (their text stays),
    heading, blockquote and list markers. The whole text is parsed, so a span
    inside ``**...**`` or a link defined further down is read as its context
    makes it. "" when the source cannot be read."""
    import pyromark  # on the first Markdown quote only

    encoded = text.encode("utf-8", "surrogatepass")
    lo = len(text[:start].encode("utf-8", "surrogatepass"))  # pulldown-cmark's ranges are in bytes
    hi = lo + len(text[start:end].encode("utf-8", "surrogatepass"))
    try:
        events = pyromark.events_with_range(text)  # parsed here, made Python objects as read
    except (ValueError, TypeError, UnicodeError):
        return ""
    pieces: list[str] = []
    for event, span in events:
        a, b = span["start"], span["end"]
        if b <= lo:
            continue
        if isinstance(event, str):  # SoftBreak, HardBreak, Rule
            pieces.append(" ")
            continue
        ((kind, value),) = event.items()
        if kind in _MARKDOWN_WORDS:
            if a >= hi:
                break  # the words come in document order: no later one is quoted
            if lo <= a and b <= hi:
                pieces.append(value)
            else:  # cut by the span: its part of the source, less a code span's backticks
                cut = encoded[max(a, lo) : min(b, hi)].decode("utf-8", "surrogatepass")
                pieces.append(cut.strip("`") if kind == "Code" else cut)
        elif kind == "End":  # value: "Emphasis", or {"Heading": "H1"} for a tag with fields
            if (value if isinstance(value, str) else next(iter(value))) not in _MARKDOWN_INLINE:
                pieces.append(" ")
    return _tidy("".join(pieces))


def make_citation(
    doc: Document, start: int, end: int, *, accessed: datetime.date | None = None
) -> Citation:
    """A citation of ``doc.text[start:end]`` (a reversed span is put in order)."""
    if start > end:
        start, end = end, start
    if start < 0 or end > len(doc.text):
        raise ValueError(f"span {start}:{end} is outside the document (length {len(doc.text)})")
    raw = doc.text[start:end]
    # Locate the quote by its first and last visible characters, so a selection
    # that starts on the blank line before a paragraph (or ends on the one after
    # it) is numbered as that paragraph.
    first = start + (len(raw) - len(raw.lstrip())) if raw.strip() else start
    last = start + len(raw.rstrip()) - 1 if raw.strip() else start
    paragraph = doc.layout.paragraph_of(first)  # 0 when the text has no paragraph
    last_paragraph = doc.layout.paragraph_of(last)
    quote = _tidy(raw)
    if doc.kind == "md" and quote:  # quoted as read, without the markup; a span of markup alone as it is
        quote = _markdown_plain(doc.text, start, end) or quote
    return Citation(
        doc_id=doc.id,
        quote=quote,
        title=_tidy(doc.title),
        authors=split_authors(doc.author),
        publisher=_tidy(doc.publisher),
        date=_tidy(doc.date),
        url=doc.url.strip(),
        accessed=accessed if accessed is not None else datetime.date.today(),
        paragraph=paragraph or None,
        line=doc.layout.line_of(first),
        last_paragraph=last_paragraph if last_paragraph > paragraph else None,
    )


def cite(
    doc: Document,
    start: int,
    end: int,
    style: str = DEFAULT_STYLE,
    *,
    accessed: datetime.date | None = None,
) -> str:
    """Shortcut: ``format_citation(make_citation(...), style)``."""
    return format_citation(make_citation(doc, start, end, accessed=accessed), style)


# --------------------------------------------------------------------------- #
# Names
# --------------------------------------------------------------------------- #

# Surnames that mark a surname-first (Korean) name when the rest of the name
# also looks like romanised Korean syllables.
_KOREAN_SURNAMES = frozenset(s.casefold() for s in KOREAN_SURNAMES)
_ROMAN_SYLLABLE = (
    r"(?:tch|kk|gg|tt|dd|pp|bb|ss|jj|ch|kh|th|ph|sh|k|g|n|d|t|r|l|m|b|p|s|j|h|y|w)?['’]?"
    r"(?:yae|yeo|wae|yŏ|wŏ|ae|ya|eo|ye|yo|yu|wa|wo|we|wi|oe|eu|ui|oo|ee|ou|ai|ay"
    r"|a|e|o|u|i|ŏ|ŭ|ö|ü)"
    r"(?:ng|k|n|t|l|m|p|r|g|b|d)?"
)
_ROMAN_WORD = re.compile(rf"{_ROMAN_SYLLABLE}(?:-?{_ROMAN_SYLLABLE})*", re.IGNORECASE)
_PARTICLES = frozenset("van von der den de da du di del della des la le ten ter bin al el".split())
_SUFFIXES = frozenset(
    s.casefold() for s in "Jr Jr. Sr Sr. II III IV PhD Ph.D. MD M.D.".split()
)
_ORG_WORDS = frozenset(
    s.casefold()
    for s in """
    News Staff Agency Institute Institution Committee Council Center Centre
    Foundation Organization Organisation Association Ministry Department Office
    Service Watch Network Group Team Society University Commission Board Editors
    Editorial Desk Reporters Press Times Daily Alliance Coalition Bureau
    Corporation Company Inc Inc. Ltd Ltd. Union Party Government Nations Radio
    Wikipedia Contributors Correspondents Project Initiative Database Unit
    """.split()
)


@dataclass(frozen=True, slots=True)
class _Name:
    family: str = ""
    given: str = ""
    suffix: str = ""
    literal: str = ""  # organisations and single names: never inverted
    surname_first: bool = False  # Korean-style name, written surname first

    def natural(self) -> str:
        """As one writes it in running text: "Kimikatsu Kinoshita", "Jin Ju-dong"."""
        if self.literal:
            return self.literal
        core = f"{self.family} {self.given}" if self.surname_first else f"{self.given} {self.family}"
        return f"{core} {self.suffix}" if self.suffix else core

    def inverted(self) -> str:
        """MLA: "Kinoshita, Kimikatsu"; Korean-style names stay as written."""
        if self.literal or self.surname_first:
            return self.natural()
        return ", ".join(p for p in (self.family, self.given, self.suffix) if p)

    def apa(self) -> str:
        """APA: "Kinoshita, K."; a surname-first name the same way, its syllables'
        initials joined by a hyphen as the given name is: "Jin, J.-D." (as the
        BibTeX and CSL-JSON styles split it, so a reference manager agrees)."""
        if self.literal:
            return self.natural()
        return ", ".join(p for p in (self.family, _initials(self.given), self.suffix) if p)

    def surname(self) -> str:
        return self.family or self.literal


def _is_org(name: str) -> bool:
    return any(w.casefold().strip(".,") in _ORG_WORDS for w in name.split())


def _looks_korean_given(given: str) -> bool:
    parts = given.split()
    return 0 < len(parts) <= 2 and all(_ROMAN_WORD.fullmatch(p) for p in parts)


def _parse_name(raw: str) -> _Name:
    name = _tidy(raw)
    if _is_org(name):
        return _Name(literal=name)
    if "," in name:
        parts = [p.strip() for p in name.split(",") if p.strip()]
        if len(parts) >= 2 and parts[-1].casefold() in _SUFFIXES:
            suffix = parts.pop()
            if len(parts) == 1:  # "John Smith, Jr."
                base = _parse_name(parts[0])
                if base.literal:
                    return _Name(literal=name)
                return _Name(base.family, base.given, suffix, "", base.surname_first)
        else:
            suffix = ""
        if len(parts) == 2:  # "Kinoshita, Kimikatsu" / "Jin, Ju-dong"
            family, given = parts
            korean = family.casefold() in _KOREAN_SURNAMES and _looks_korean_given(given)
            return _Name(family, given, suffix, "", korean)
        return _Name(literal=name)
    tokens = name.split()
    suffix = ""
    if len(tokens) > 2 and tokens[-1].casefold() in _SUFFIXES:
        suffix = tokens.pop()
    if len(tokens) < 2:
        return _Name(literal=name)
    if (
        len(tokens) <= 3
        and tokens[0].casefold() in _KOREAN_SURNAMES
        and _looks_korean_given(" ".join(tokens[1:]))
    ):
        return _Name(tokens[0], " ".join(tokens[1:]), suffix, "", True)
    i = len(tokens) - 1
    while i > 1 and tokens[i - 1] in _PARTICLES:
        i -= 1
    return _Name(" ".join(tokens[i:]), " ".join(tokens[:i]), suffix)


def _initials(given: str) -> str:
    out: list[str] = []
    for word in given.split():
        pieces = [p for p in word.split("-") if p]
        letters = [next((ch for ch in p if ch.isalpha()), "") for p in pieces]
        out.append("-".join(f"{ch.upper()}." for ch in letters if ch))
    return " ".join(o for o in out if o)


_AUTHOR_SEPARATORS = re.compile(r"\s*;\s*|\s*&\s*|\s+and\s+", re.IGNORECASE)


def split_authors(author: str) -> tuple[str, ...]:
    """Authors from a byline: split on " and ", ";" and "&"; on ", " only when
    every piece looks like a full name (so "Kinoshita, Kimikatsu" stays one)."""
    text = re.sub(r"^by\s+", "", _tidy(author), flags=re.IGNORECASE)
    if not text:
        return ()
    pieces = _AUTHOR_SEPARATORS.split(text)
    if _is_org(text) and any(len(p.strip(" ,").split()) < 2 for p in pieces):
        # "Committee for Human Rights and Democracy" is one body, not two people
        pieces = re.split(r"\s*;\s*", text)
    names: list[str] = []
    for piece in pieces:
        piece = piece.strip(" ,")
        if not piece:
            continue
        parts = [p.strip() for p in piece.split(",") if p.strip()]
        several = len(parts) > 1 and all(
            len(p.split()) >= 2 and p.casefold() not in _SUFFIXES for p in parts
        )
        names.extend(parts if several else [piece])
    return tuple(names)


def _names(c: Citation) -> list[_Name]:
    return [_parse_name(a) for a in c.authors]


def _and_list(items: list[str], conj: str = "and", oxford: bool = True) -> str:
    if len(items) <= 1:
        return "".join(items)
    if len(items) == 2:
        return f"{items[0]} {conj} {items[1]}"
    comma = "," if oxford else ""
    return f"{', '.join(items[:-1])}{comma} {conj} {items[-1]}"


# --------------------------------------------------------------------------- #
# Dates
# --------------------------------------------------------------------------- #

_MONTHS = (
    "January February March April May June July August September October November December"
).split()
_MLA_MONTHS = "Jan. Feb. Mar. Apr. May June July Aug. Sept. Oct. Nov. Dec.".split()


@dataclass(frozen=True, slots=True)
class _Date:
    year: int
    month: int | None = None
    day: int | None = None

    def parts(self) -> list[int]:
        return [p for p in (self.year, self.month, self.day) if p is not None]


def _month_number(word: str) -> int | None:
    w = word.casefold().rstrip(".")
    if len(w) < 3:
        return None
    for i, m in enumerate(_MONTHS, 1):
        if m.casefold().startswith(w):
            return i
    return None


_ISO_DATE = re.compile(
    r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_MONTH_DAY_YEAR = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+)\.?,?\s+(\d{4})")
_MONTH_YEAR = re.compile(r"([A-Za-z]+)\.?,?\s+(\d{4})")


def _parse_date(raw: str) -> _Date | None:
    """Year, month and day from the usual forms; None for free text."""
    text = raw.strip()
    year: int
    month: int | None = None
    day: int | None = None
    if m := _ISO_DATE.fullmatch(text):
        year = int(m[1])
        month = int(m[2]) if m[2] else None
        day = int(m[3]) if m[3] else None
    elif m := _MONTH_DAY_YEAR.fullmatch(text):
        month, day, year = _month_number(m[1]), int(m[2]), int(m[3])
        if month is None:
            return None
    elif m := _DAY_MONTH_YEAR.fullmatch(text):
        day, month, year = int(m[1]), _month_number(m[2]), int(m[3])
        if month is None:
            return None
    elif m := _MONTH_YEAR.fullmatch(text):
        month, year = _month_number(m[1]), int(m[2])
        if month is None:
            return None
    else:
        return None
    try:
        datetime.date(year, month or 1, day or 1)
    except ValueError:
        return None
    return _Date(year, month, day)


def _date_us(d: _Date) -> str:
    """Chicago / APA / Markdown order: "January 17, 2024", "January 2024", "2024"."""
    if d.month is None:
        return str(d.year)
    if d.day is None:
        return f"{_MONTHS[d.month - 1]} {d.year}"
    return f"{_MONTHS[d.month - 1]} {d.day}, {d.year}"


def _date_mla(d: _Date) -> str:
    if d.month is None:
        return str(d.year)
    month = _MLA_MONTHS[d.month - 1]
    return f"{d.day} {month} {d.year}" if d.day else f"{month} {d.year}"


def _date_apa(d: _Date) -> str:
    if d.month is None:
        return str(d.year)
    month = _MONTHS[d.month - 1]
    return f"{d.year}, {month} {d.day}" if d.day else f"{d.year}, {month}"


def _date_iso(d: _Date) -> str:
    return "-".join(f"{p:02d}" if i else str(p) for i, p in enumerate(d.parts()))


def _as_date(d: datetime.date) -> _Date:
    return _Date(d.year, d.month, d.day)


def _published(c: Citation, style: str) -> str:
    if not c.date:
        return ""
    d = _parse_date(c.date)
    if d is None:
        return c.date  # free text: as the document gives it
    return {"mla": _date_mla, "apa": _date_apa, "iso": _date_iso}.get(style, _date_us)(d)


# --------------------------------------------------------------------------- #
# Shared pieces of the plain-text styles
# --------------------------------------------------------------------------- #


def _locator(c: Citation, label: str, plural: str, dash: str = "–") -> str:
    """``label`` and a paragraph ("¶ 4"), or ``plural`` and a range for a quote
    over several ("¶¶ 2–4"); the line when the paragraph is unknown."""
    if c.paragraphs:
        first, last = c.paragraphs
        return f"{plural} {first}{dash}{last}" if last > first else f"{label} {first}"
    if c.line:
        return f"line {c.line}"
    return ""


# What stands before an opening quotation mark, and after a closing one.
_OPENS_AFTER = "([{‘—–"
_CLOSES_BEFORE = ".,;:!?)]}’—–"


def _inner_quotes(text: str) -> str:
    """Double quotes inside a quotation (a quoted title or passage) become single
    ones, American style: “a ‘b’ c”. Which way one turns comes from where it
    stands (after a space it opens, before one it closes), so a document's “
    typed as a closing mark still closes; a mark between two words or two spaces
    keeps its own way, and straight ones then alternate."""
    out: list[str] = []
    opening = True  # what the next straight " is, when its place does not tell
    last = len(text) - 1
    for i, ch in enumerate(text):
        if ch not in '“”"':
            out.append(ch)
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i < last else " "
        opens = before.isspace() or before in _OPENS_AFTER
        closes = after.isspace() or after in _CLOSES_BEFORE
        if opens != closes:
            single = "‘" if opens else "’"
        elif ch == '"':
            single = "‘" if opening else "’"
        else:
            single = "‘" if ch == "“" else "’"
        opening = single == "’"
        out.append(single)
    return "".join(out)


# A title ending in one of these takes no comma or period after it.
_TITLE_END = ("?", "!", ".", "…")


def _quoted(text: str, punct: str) -> str:
    """“text,” with the punctuation inside the quotes, unless text already ends
    in ? ! . or … (then no comma or period is added)."""
    ends_in_quote = text.endswith(("”", '"'))
    inner = _inner_quotes(text)
    if inner.endswith(_TITLE_END) or (ends_in_quote and inner[:-1].endswith((*_TITLE_END, ","))):
        return f"“{inner}”"
    if ends_in_quote:  # “Kim says ‘no,’”
        return f"“{inner[:-1]}{punct}{inner[-1]}”"
    return f"“{inner}{punct}”"


def _with(text: str, punct: str) -> str:
    """``text`` followed by ``punct`` unless it already ends in end punctuation."""
    if punct == "." and text.endswith(_TITLE_END):
        return text
    if punct == "," and text.endswith(","):
        return text
    return text + punct


def _elements(items: Iterable[tuple[str, bool]], end: str = ".") -> str:
    """Join (text, quoted) elements with commas, the last one closed by ``end``;
    empty elements are skipped, so nothing dangles."""
    present = [(t, q) for t, q in items if t]
    pieces: list[str] = []
    for i, (text, quoted) in enumerate(present):
        punct = end if i == len(present) - 1 else ","
        if quoted:
            pieces.append(_quoted(text, punct))
        elif punct:
            pieces.append(_with(text, punct))
        else:
            pieces.append(text)
    return " ".join(pieces)


def _quote_part(c: Citation, locator: str = "") -> str:
    if not c.quote:
        return ""
    quote = _inner_quotes(c.quote)
    return f"“{quote}” ({locator})" if locator else f"“{quote}”"


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


# --------------------------------------------------------------------------- #
# Styles
# --------------------------------------------------------------------------- #


def _chicago_authors(names: list[_Name]) -> str:
    if len(names) >= 4:
        return f"{names[0].natural()} et al."
    return _and_list([n.natural() for n in names])


def _chicago(c: Citation) -> str:
    """Chicago notes-bibliography, web page, as a note with the quote first:
    “quote” Author, “Title,” Site, Month D, YYYY, ¶ N, accessed Month D, YYYY, URL.
    (Chicago puts the access date just before the URL.)"""
    accessed = f"accessed {_date_us(_as_date(c.accessed))}" if c.url else ""
    note = _elements(
        [
            (_chicago_authors(_names(c)), False),
            (c.title, True),
            (c.publisher, False),
            (_published(c, "chicago"), False),
            (_locator(c, "¶", "¶¶"), False),
            (accessed, False),
            (c.url, False),
        ]
    )
    return _join(_quote_part(c), note)


def _apa_authors(names: list[_Name]) -> str:
    written = [n.apa() for n in names]
    if len(written) <= 1:
        return "".join(written)
    return f"{', '.join(written[:-1])}, & {written[-1]}"


def _apa(c: Citation) -> str:
    """APA 7, web page: Author. (YYYY, Month D). Title. Site. URL
    after the quote and its "(para. N)" locator."""
    author = _apa_authors(_names(c))
    date = _published(c, "apa")
    date_block = f"({date or 'n.d.'})."
    title = _with(c.title, ".") if c.title else ""
    site = _with(c.publisher, ".") if c.publisher and c.publisher != author else ""
    if c.url and not c.date:  # undated pages change: say when they were read
        link = f"Retrieved {_date_us(_as_date(c.accessed))}, from {c.url}"
    else:
        link = c.url
    if author:
        blocks = [_with(author, "."), date_block, title, site, link]
    elif title:  # no author: the title moves to the author position
        blocks = [title, date_block, site, link]
    elif site or link or date:
        blocks = [site, date_block, link]
    else:  # nothing to refer to: the quote alone
        blocks = []
    return _join(_quote_part(c, _locator(c, "para.", "paras.")), *blocks)


def _mla_authors(names: list[_Name]) -> str:
    if not names:
        return ""
    if len(names) == 1:
        return names[0].inverted()
    if len(names) == 2:
        return f"{names[0].inverted()}, and {names[1].natural()}"
    return f"{names[0].inverted()}, et al."


def _mla(c: Citation) -> str:
    """MLA 9, web page: Author. “Title.” Site, D Mon. YYYY, URL. Accessed D Mon. YYYY.
    after the quote and its "(par. N)" locator."""
    author = _mla_authors(_names(c))
    accessed = f"Accessed {_date_mla(_as_date(c.accessed))}." if c.url else ""
    return _join(
        _quote_part(c, _locator(c, "par.", "pars.")),
        _with(author, ".") if author else "",
        _elements([(c.title, True)]),
        _elements([(c.publisher, False), (_published(c, "mla"), False), (c.url, False)]),
        accessed,
    )


def _markdown_link(title: str, url: str) -> str:
    safe_url = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
    if not title:
        return f"<{safe_url}>" if url else ""
    if not url:  # quoted, so a bare title is not mistaken for an author
        return f"“{title}”"
    text = re.sub(r"([\\\[\]])", r"\\\1", title)
    return f"[{text}]({safe_url})"


def _markdown(c: Citation) -> str:
    """> quote

    — Author, [Title](URL), Site, Month D, YYYY, ¶ N"""
    attribution = ", ".join(
        p
        for p in (
            _chicago_authors(_names(c)),
            _markdown_link(c.title, c.url),
            c.publisher,
            _published(c, "markdown"),
            _locator(c, "¶", "¶¶"),
        )
        if p
    )
    quote = "\n".join(f"> {_markdown_literal(line)}" for line in c.quote.splitlines())
    return "\n\n".join(p for p in (quote, f"— {attribution}" if attribution else "") if p)


_MARKDOWN_INLINE_MARKS = re.compile(r"([\\`*_\[\]<>|~])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)(#|>|[-+](?=\s)|\d+(?=[.)]\s))")


def _markdown_literal(text: str) -> str:
    """``text`` with backslashes before what Markdown would read as markup:
    emphasis and code marks, links, HTML tags, and a heading, quote or list
    marker at the start, so the quote renders as the words it is."""
    text = _MARKDOWN_INLINE_MARKS.sub(r"\\\1", text)
    m = _MARKDOWN_LINE_START.match(text)
    if m is not None:
        marker = m.group(2)
        # "1." -> "1\." (the number stays; its period is what makes a list)
        escaped = marker + "\\" if marker[0].isdigit() else "\\" + marker
        text = text[: m.start(2)] + escaped + text[m.end(2) :]
    return text


_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "#": r"\#",
    "_": r"\_",
    "$": r"\$",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_STOP_WORDS = frozenset("a an the of on in at to for and or".split())


def _bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_ESCAPES.get(ch, ch) for ch in text)


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citation_key(c: Citation) -> str:
    """``kinoshita2021growing``: first author's surname, year, first title word."""
    names = _names(c)
    who = names[0].surname() if names else c.publisher
    d = _parse_date(c.date)
    year = str(d.year) if d else (m[0] if (m := re.search(r"\b\d{4}\b", c.date)) else "")
    words = [w for w in (_ascii_slug(w) for w in c.title.split()) if w]
    word = next((w for w in words if w not in _STOP_WORDS), words[0] if words else "")
    who_slug = next((s for s in (_ascii_slug(w) for w in who.split()) if s), "")
    if not (who_slug or year or word):
        return _ascii_slug(c.doc_id) or "citation"
    return (who_slug or "anon") + year + word


def _bibtex_name(n: _Name) -> str:
    if n.literal:
        escaped = _bibtex_escape(n.literal)
        return f"{{{escaped}}}" if " " in n.literal else escaped
    parts = [n.family, n.suffix, n.given] if n.suffix else [n.family, n.given]
    return ", ".join(_bibtex_escape(p) for p in parts)


def _bibtex(c: Citation) -> str:
    """biblatex ``@online`` entry; the quote goes in ``annotation``."""
    d = _parse_date(c.date)
    note_parts = [_locator(c, "para.", "paras.", "--")]  # -- is TeX's en dash
    if c.date and d is None:  # free-text date: not a valid biblatex date field
        note_parts.append(c.date)
    fields: list[tuple[str, str]] = [
        ("author", " and ".join(_bibtex_name(n) for n in _names(c))),
        ("title", _bibtex_escape(c.title)),
        ("organization", _bibtex_escape(c.publisher)),
        ("date", _date_iso(d) if d else ""),
        # url is read verbatim: only braces would unbalance the entry
        ("url", c.url.replace("{", "%7B").replace("}", "%7D")),
        ("urldate", c.accessed.isoformat() if c.url else ""),
        ("note", _bibtex_escape("; ".join(p for p in note_parts if p))),
        ("annotation", _bibtex_escape(c.quote)),
    ]
    body = ",\n".join(f"\t{name} = {{{value}}}" for name, value in fields if value)
    return f"@online{{{citation_key(c)},\n{body}\n}}"


_NEWS_WORDS = frozenset(
    s.casefold()
    for s in """
    News Times Daily Post Herald Journal Tribune Gazette Telegraph Guardian
    Ilbo Sinmun Shimbun Yonhap Reuters Press Chronicle Observer Economist
    Independent Hankyoreh Chosun JoongAng Dong-A Asahi Nikkei NK Radio Broadcasting
    """.split()
)


def _csl_name(n: _Name) -> dict[str, str]:
    if n.literal:
        return {"literal": n.literal}
    out = {"family": n.family, "given": n.given}
    if n.suffix:
        out["suffix"] = n.suffix
    return out


def _csl_json(c: Citation) -> str:
    """One CSL item in a JSON array (Zotero: File > Import from Clipboard)."""
    news = any(w.casefold() in _NEWS_WORDS for w in c.publisher.split())
    item: dict[str, object] = {
        "id": citation_key(c),
        "type": "article-newspaper" if news else "webpage",
    }
    if c.title:
        item["title"] = c.title
    names = _names(c)
    if names:
        item["author"] = [_csl_name(n) for n in names]
    if c.publisher:
        item["container-title"] = c.publisher
    if c.date:
        d = _parse_date(c.date)
        item["issued"] = {"date-parts": [d.parts()]} if d else {"raw": c.date}
    if c.url:
        item["URL"] = c.url
        item["accessed"] = {"date-parts": [_as_date(c.accessed).parts()]}
    if c.paragraphs:
        first, last = c.paragraphs
        item["locator"] = f"{first}-{last}" if last > first else str(first)
        item["label"] = "paragraph"
    elif c.line:
        item["locator"], item["label"] = str(c.line), "line"
    if c.quote:
        item["note"] = f"“{c.quote}”"
    # One field a line, values compact: readable, and no runs of spaces.
    fields = ",\n".join(
        f"\t\t{json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}" for k, v in item.items()
    )
    return f"[\n\t{{\n{fields}\n\t}}\n]"


_FORMATTERS = {
    "chicago": _chicago,
    "apa": _apa,
    "mla": _mla,
    "markdown": _markdown,
    "bibtex": _bibtex,
    "csl-json": _csl_json,
}


def format_citation(c: Citation, style: str = DEFAULT_STYLE) -> str:
    """``c`` in ``style`` (a name or alias accepted by :func:`parse_style`)."""
    return _FORMATTERS[parse_style(style)](c)


# --------------------------------------------------------------------------- #
# Spans: the sentence or paragraph around an offset
# --------------------------------------------------------------------------- #


def _paragraph_bounds(doc: Document, offset: int) -> tuple[int, int] | None:
    layout = doc.layout
    if not layout.para_starts:
        return None
    offset = min(max(offset, 0), len(doc.text))
    return layout.paragraph_span(layout.paragraph_of(offset))


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraph_span(doc: Document, offset: int) -> tuple[int, int]:
    """(start, end) of the paragraph holding ``offset``, without its outer white
    space; an offset in a blank gap belongs to the paragraph before it."""
    bounds = _paragraph_bounds(doc, offset)
    if bounds is None:
        clamped = min(max(offset, 0), len(doc.text))
        return clamped, clamped
    return _strip_span(doc.text, *bounds)


# Words whose trailing period is not a full stop.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms messrs dr st mt ft prof gen col lt capt sgt maj adm gov sen rep rev hon
    pres amb fr cmdr cpl pvt supt insp vs cf ca approx fig figs vol vols pp ch
    jan feb mar apr jun jul aug sep sept oct nov dec ave rd blvd dept univ assn est
    """.split()
)
_SENTENCE_END = re.compile(
    r"(?:\.\.\.|[.!?…])+[\"'”’»)\]]*(?:\[\d+\]|\[[a-z ]+\])*[\"'”’»)\]]*(?=\s|\Z)"
)
_LIST_ITEM = re.compile(r"\n(?=[ \t]*(?:[•‣◦▪*-]|\d+[.)])\s)")
_WORD_BEFORE = re.compile(r"[\w.'’-]*\Z")
_LONGEST_WORD = 64  # characters looked back for the word before a period
_NEXT_VISIBLE = re.compile(r"\S")
_SPACE = re.compile(r"\s+")
# In a longer paragraph, the sentence is looked for this many characters either
# side of the offset (a sentence longer than that is cut there).
_SENTENCE_REACH = 10_000


def _is_full_stop(para: str, m: re.Match[str]) -> bool:
    # Every look here stays near the match: a paragraph can be megabytes long,
    # and copying its rest (or searching it from the start) for each of its
    # periods took minutes.
    following = _NEXT_VISIBLE.search(para, m.end())
    after = following[0] if following else ""
    if after.islower():  # "the U.S. and ...", "“Why?” he asked"
        return False
    if not m[0].startswith(".") or m[0].startswith(".."):
        return True
    if m[0] == "." and _numbers_a_list_item(para, m.start()):
        return False
    word = _WORD_BEFORE.search(para, max(0, m.start() - _LONGEST_WORD), m.start())
    token = word[0].lstrip(".") if word else ""
    if not re.fullmatch(r"[A-Za-z.]+", token):  # "Mary's.", "Ju-dong.", "2021."
        return True
    if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token):  # U.S., U.N., e.g., a.m.
        return False
    if len(token) == 1 and token.isalpha():  # initials: "J. Smith", "c. 1970"
        return False
    if token.casefold() in _ABBREVIATIONS:
        return False
    if token in ("No", "Nos", "no", "Nr") and after[:1].isdigit():  # "No. 2"
        return False
    return True


def _inside(para: str, start: int, m: re.Match[str]) -> bool:
    """True when ``m`` closes a parenthesis opened mid-sentence ("(gasp!) Japan")
    or stands inside a curly quotation that closes later ("“Why? U.S. ...”")."""
    if ")" in m[0]:
        paren = para.rfind("(", start, m.start())
        if paren != -1 and _NEXT_VISIBLE.search(para, start, paren) is not None:
            return True
    if para.count("“", start, m.end()) > para.count("”", start, m.end()) and para.find("”", m.end()) != -1:
        return True
    # Straight quotes open and close alike: an odd number so far is one still open.
    return para.count('"', start, m.end()) % 2 == 1 and para.find('"', m.end()) != -1


def _numbers_a_list_item(para: str, period: int) -> bool:
    """Whether the period at ``period`` ends the number of a list item ("  1. ^ …")."""
    lo = max(0, period - 8)
    newline = para.rfind("\n", lo, period)
    if newline == -1 and lo > 0:
        return False
    number = para[newline + 1 : period].strip()
    return number.isdigit()


def _sentence_ends(para: str) -> list[int]:
    breaks = sorted({m.start() for m in _LIST_ITEM.finditer(para)})
    ends: list[int] = []
    start = 0
    for m in _SENTENCE_END.finditer(para):
        while breaks and breaks[0] <= m.start():
            start = breaks.pop(0)
            ends.append(start)
        if _is_full_stop(para, m) and not _inside(para, start, m):
            ends.append(m.end())
            start = m.end()
    ends.extend(breaks)
    ends.append(len(para))
    return sorted(set(ends))


def sentence_span(doc: Document, offset: int) -> tuple[int, int]:
    """(start, end) of the sentence holding ``offset``, never crossing its
    paragraph. A sentence ends at . ! ? … (plus closing quotes, brackets and
    [1]-style references) before white space or the paragraph end; periods of
    abbreviations (U.S., St., Mr., No. 2, Jan., initials) do not end one. An
    offset between two sentences belongs to the next one."""
    bounds = _paragraph_bounds(doc, offset)
    if bounds is None:
        clamped = min(max(offset, 0), len(doc.text))
        return clamped, clamped
    p_start, p_end = bounds
    text = doc.text
    if p_end - p_start > 2 * _SENTENCE_REACH:
        # A paragraph of megabytes (a file without blank lines): its sentences
        # near the offset, from the first word boundary in reach.
        lo, hi = max(p_start, offset - _SENTENCE_REACH), min(p_end, offset + _SENTENCE_REACH)
        if lo > p_start:
            space = _SPACE.search(text, lo, offset)
            lo = space.end() if space else lo
        p_start, p_end = lo, hi
    para = text[p_start:p_end]
    rel = min(max(offset - p_start, 0), max(len(para) - 1, 0))
    start = 0
    for end in _sentence_ends(para):
        if rel < end or end == len(para):
            s, e = _strip_span(para, start, end)
            return p_start + s, p_start + e
        start = end
    return _strip_span(doc.text, p_start, p_end)  # unreachable: len(para) is an end


# --------------------------------------------------------------------------- #
# Finding a quote typed by the user
# --------------------------------------------------------------------------- #

_QUOTE_CLASSES = {
    "'": "['‘’‛′`]",
    "‘": "['‘’‛′`]",
    "’": "['‘’‛′`]",
    "‛": "['‘’‛′`]",
    "`": "['‘’‛′`]",
    '"': '["“”„‟″«»]',
    "“": '["“”„‟″«»]',
    "”": '["“”„‟″«»]',
    "„": '["“”„‟″«»]',
    "«": '["“”„‟″«»]',
    "»": '["“”„‟″«»]',
    "…": r"(?:…|\.\.\.)",
    "—": r"(?:—|–|--)",
    "–": r"(?:—|–|--)",
}


def _quote_pattern(quote: str) -> str:
    quote = quote.replace("...", "…").replace("--", "—")
    words = []
    for word in quote.split():
        words.append("".join(_QUOTE_CLASSES.get(ch) or re.escape(ch) for ch in word))
    return r"\s+".join(words)


def find_quote(doc: Document, quote: str) -> tuple[int, int] | None:
    """Offsets of the first occurrence of ``quote`` in ``doc.text``, ignoring
    differences of white space (line breaks included) and of curly versus
    straight quotes and apostrophes; a case-insensitive match is the fallback."""
    needle = quote.strip()
    if not needle:
        return None
    pos = doc.text.find(needle)
    if pos != -1:
        return pos, pos + len(needle)
    pattern = _quote_pattern(needle)
    for flags in (0, re.IGNORECASE):
        m = re.search(pattern, doc.text, flags)
        if m:
            return m.span()
    return None
