"""Make untrusted document text safe to show in a terminal, without moving offsets.

Documents are data. A control character in a document must never reach the
terminal as a control character: ESC starts escape sequences (OSC 52 can
write to the user's clipboard, others retitle the window or move the cursor),
BEL rings, BS and CR overwrite what was drawn, bidi controls reorder what the
reader sees. Every replacement here is exactly one character for one
character, so ``len(sanitise(t)) == len(t)`` and every offset computed on the
sanitised text is an offset into what the reader shows.

Replacements:

* C0 controls (U+0000-U+001F) except TAB and LF -> their Unicode Control
  Picture, U+2400 + code (NUL -> "␀", BEL -> "␇", BS -> "␈", ESC -> "␛",
  CR -> "␍").
* DEL (U+007F) -> "␡" (U+2421).
* C1 controls (U+0080-U+009F) -> "\ufffd" (REPLACEMENT CHARACTER): they have
  no pictures, and in text they are almost always mis-decoded bytes.
* Bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)
  -> "¤" (U+00A4, :data:`BIDI_PLACEHOLDER`): a narrow, visible, Latin-1
  character every terminal font has, which does not look like a letter or
  like U+FFFD, so the reader can tell "a bidi control was here" from "a bad
  byte was here".
* LINE SEPARATOR (U+2028) -> "␤" (U+2424) and PARAGRAPH SEPARATOR (U+2029)
  -> "¶" (U+00B6). Not terminal controls, but ``str.splitlines`` and many
  renderers break lines on them while :class:`xref.model.TextLayout` breaks
  only on "\\n"; showing them keeps line numbers and the screen in agreement.
* Lone surrogates (U+D800-U+DFFF) -> "\ufffd": they cannot be encoded for
  output and would crash the writer.

Speed: the common case -- nothing to replace -- is a single scan (for ASCII
text a bytes ``translate``, about 1 ns per character; otherwise one regular
expression search, about 6 ns per character) and returns the input object
itself. When something must be replaced, only fixed-size chunks starting at
each offending character go through ``str.translate`` with a prebuilt table,
because ``str.translate`` with a mapping costs ~100 ns per character on
non-ASCII text (12 s for 100 MB) while the search costs 0.6 s.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "BIDI_CONTROLS",
    "BIDI_PLACEHOLDER",
    "sanitise",
    "sanitise_line",
    "utf8_needs_sanitising",
]

BIDI_PLACEHOLDER: Final = "\u00a4"  # ¤
BIDI_CONTROLS: Final = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_REPLACEMENT: Final = "\ufffd"


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        if code not in (0x09, 0x0A):
            table[code] = chr(0x2400 + code)
    table[0x7F] = "\u2421"
    for code in range(0x80, 0xA0):
        table[code] = _REPLACEMENT
    for char in BIDI_CONTROLS:
        table[ord(char)] = BIDI_PLACEHOLDER
    table[0x2028] = "\u2424"
    table[0x2029] = "\u00b6"
    for code in range(0xD800, 0xE000):
        table[code] = _REPLACEMENT
    return table


_TABLE: Final = _build_table()

# One character class, no "+": CPython's re only uses its fast charset scan
# for a single-character pattern (a "+" makes the search 2-3x slower).
#: The unsafe characters above C0: DEL, C1, bidi controls, line/paragraph
#: separators, lone surrogates (a character-class body, shared with the CLI's JSON).
UNSAFE_ABOVE_C0: Final = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNSAFE: Final = re.compile(f"[\x00-\x08\x0b-\x1f{UNSAFE_ABOVE_C0}]")

# Bytes that are safe in ASCII text: everything but C0 (bar TAB, LF) and DEL.
_ASCII_SAFE: Final = bytes(b for b in range(0x80) if b in (0x09, 0x0A) or 0x20 <= b < 0x7F)
# Same, for raw bytes whose CRs the caller turns into LFs before sanitising.
_RAW_SAFE_WITH_CR: Final = bytes(
    b for b in range(0x100) if not (b < 0x20 and b not in (0x09, 0x0A, 0x0D) or b == 0x7F)
)
_RAW_SAFE: Final = _RAW_SAFE_WITH_CR.replace(b"\r", b"")
# Multi-byte UTF-8 forms of the non-ASCII characters in _TABLE. Each pattern
# starts with a literal byte, which lets re skip ahead at memchr speed.
_UTF8_UNSAFE: Final = (
    re.compile(rb"\xc2[\x80-\x9f]"),  # C1 controls
    re.compile(rb"\xd8\x9c"),  # U+061C ARABIC LETTER MARK
    re.compile(rb"\xe2(?:\x80[\x8e\x8f\xa8-\xae]|\x81[\xa6-\xa9])"),  # bidi, U+2028/9
    re.compile(rb"\xed[\xa0-\xbf]"),  # surrogates (only in surrogatepass output)
)

# Replace this many characters per offending character found: big enough that
# dense runs are handled in few calls, small enough that a lone ESC in 100 MB
# costs microseconds, not a translate of the whole text.
_CHUNK: Final = 1024


def sanitise(text: str) -> str:
    """Return ``text`` with every terminal-unsafe character replaced by a visible one.

    The result has the same length as ``text`` and equal characters at every
    other position; TAB and LF are kept. Returns ``text`` itself when there is
    nothing to replace.
    """
    if text.isascii():
        # O(1) check; the encode is a memcpy and translate-with-delete keeps
        # only the unsafe bytes, so an empty result means "clean".
        if not text.encode("ascii").translate(None, _ASCII_SAFE):
            return text
    match = _UNSAFE.search(text)
    if match is None:
        return text
    parts: list[str] = []
    done = 0
    length = len(text)
    search = _UNSAFE.search
    while match is not None:
        start = match.start()
        end = min(start + _CHUNK, length)
        parts.append(text[done:start])
        parts.append(text[start:end].translate(_TABLE))
        done = end
        match = search(text, end) if end < length else None
    parts.append(text[done:])
    return "".join(parts)


_LINE_SPACES: Final = str.maketrans(
    {"\t": " ", "\n": " ", "\r": " ", "\x0b": " ", "\x0c": " ", "\x85": " ", "\u2028": " ", "\u2029": " "}
)
_SPACE_RUN: Final = re.compile(" {2,}")


def sanitise_line(text: str) -> str:
    """Sanitise a one-line metadata field (title, author, ...).

    Line breaks and tabs (also CR, VT, FF, NEL, U+2028/U+2029) become spaces,
    runs of spaces collapse to one, the ends are stripped, and everything
    else unsafe is replaced as by :func:`sanitise`. Unlike :func:`sanitise`
    this may change the length: metadata carries no offsets.
    """
    line = sanitise(text.translate(_LINE_SPACES))
    return _SPACE_RUN.sub(" ", line).strip()


def utf8_needs_sanitising(data: bytes, *, cr_allowed: bool = False) -> bool:
    """Whether UTF-8 ``data`` holds anything :func:`sanitise` would replace.

    A loader that has the raw bytes can call this instead of scanning the
    decoded text: bytes scans are 2-3x faster than the ``str`` search. With
    ``cr_allowed`` CR bytes are not counted (the loader turns them into LFs
    first). May answer True for data that needs nothing (never the reverse).
    Also right for Windows-1252 bytes decoded by Python's ``cp1252`` codec,
    which maps no byte to a C1 control, bidi control or separator, though
    the multi-byte checks then may say True needlessly.
    """
    if data.translate(None, _RAW_SAFE_WITH_CR if cr_allowed else _RAW_SAFE):
        return True
    if data.isascii():
        return False
    return any(pattern.search(data) is not None for pattern in _UTF8_UNSAFE)
