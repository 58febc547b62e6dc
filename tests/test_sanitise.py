"""xref.sanitise: terminal-safe text with unchanged length."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xref.sanitise import (
    BIDI_CONTROLS,
    BIDI_PLACEHOLDER,
    sanitise,
    sanitise_line,
    utf8_needs_sanitising,
)

# What must never survive sanitise(), written out independently of the module.
UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def reference(text: str) -> str:
    """Character-by-character statement of the rules (slow, obviously right)."""
    out = []
    for char in text:
        code = ord(char)
        if code < 0x20 and char not in "\t\n":
            out.append(chr(0x2400 + code))
        elif code == 0x7F:
            out.append("\u2421")
        elif 0x80 <= code <= 0x9F or 0xD800 <= code <= 0xDFFF:
            out.append("\ufffd")
        elif char in BIDI_CONTROLS:
            out.append(BIDI_PLACEHOLDER)
        elif char == "\u2028":
            out.append("\u2424")
        elif char == "\u2029":
            out.append("\u00b6")
        else:
            out.append(char)
    return "".join(out)


@pytest.mark.parametrize("code", [c for c in range(0x20) if c not in (9, 10)])
def test_c0_controls_become_control_pictures(code: int) -> None:
    assert sanitise(f"a{chr(code)}b") == f"a{chr(0x2400 + code)}b"


def test_named_control_pictures() -> None:
    assert sanitise("\x1b\x00\x07\x08\r") == "␛␀␇␈␍"
    assert sanitise("\x7f") == "␡"


def test_tab_and_newline_are_kept() -> None:
    text = "a\tb\nc\n\n\td"
    assert sanitise(text) == text


@pytest.mark.parametrize("code", range(0x80, 0xA0))
def test_c1_controls_become_replacement_character(code: int) -> None:
    assert sanitise(f"é{chr(code)}x") == "é\ufffdx"


@pytest.mark.parametrize("char", sorted(BIDI_CONTROLS))
def test_bidi_controls_become_placeholder(char: str) -> None:
    assert sanitise(f"abc{char}def") == f"abc{BIDI_PLACEHOLDER}def"
    assert len(BIDI_PLACEHOLDER) == 1 and BIDI_PLACEHOLDER.isprintable()


def test_all_listed_bidi_controls_are_covered() -> None:
    expected = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A))}
    assert BIDI_CONTROLS == expected


def test_line_and_paragraph_separators_become_visible() -> None:
    # str.splitlines() breaks on them, TextLayout does not: show them instead.
    assert sanitise("a\u2028b\u2029c") == "a\u2424b\u00b6c"


@pytest.mark.parametrize("char", ["\ud800", "\udbff", "\udc00", "\udfff"])
def test_lone_surrogates_become_replacement_character(char: str) -> None:
    out = sanitise(f"x{char}y")
    assert out == "x\ufffdy"
    out.encode("utf-8")  # would raise on a surrogate


def test_osc52_clipboard_sequence_is_defused() -> None:
    attack = "before \x1b]52;c;SGVsbG8=\x07 after"
    out = sanitise(attack)
    assert "\x1b" not in out and "\x07" not in out
    assert out == "before ␛]52;c;SGVsbG8=␇ after"
    assert len(out) == len(attack)


def test_clean_text_is_returned_unchanged() -> None:
    for text in ("plain ascii\n", "Kim Jong-un — 김정은 “quoted”\n", ""):
        assert sanitise(text) is text


def test_long_text_with_scattered_and_dense_controls() -> None:
    # Exercises the chunked replacement: controls far apart, at chunk edges, and in runs.
    body = ("Kim Jong-un’s " * 500) + "\x1b" + ("x" * 1023) + "\x1b\x1b" + ("\x07" * 5000) + "é" * 3000 + "\u202e"
    assert sanitise(body) == reference(body)
    assert sanitise("\x00" * 5000) == "␀" * 5000


@given(st.text())
def test_matches_reference_and_keeps_length(text: str) -> None:
    out = sanitise(text)
    assert len(out) == len(text)
    assert out == reference(text)
    assert UNSAFE.search(out) is None


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_utf8_check_never_misses_anything(text: str) -> None:
    if sanitise(text) != text:
        assert utf8_needs_sanitising(text.encode("utf-8"))


@given(st.text())
def test_utf8_check_with_surrogatepass(text: str) -> None:
    if sanitise(text) != text:
        assert utf8_needs_sanitising(text.encode("utf-8", "surrogatepass"))


def test_utf8_check_cr_allowed() -> None:
    assert utf8_needs_sanitising(b"a\r\nb")
    assert not utf8_needs_sanitising(b"a\r\nb", cr_allowed=True)
    assert utf8_needs_sanitising(b"a\r\n\x1bb", cr_allowed=True)
    assert not utf8_needs_sanitising("Kim “quoted” 김정은\n".encode())
    assert utf8_needs_sanitising("x\u202ey".encode())
    assert utf8_needs_sanitising("x\x85y".encode())


def test_sanitise_line() -> None:
    assert sanitise_line("  A\ttitle\nover\r\nlines  ") == "A title over lines"
    assert sanitise_line("Evil\x1b]0;pwned\x07title") == "Evil␛]0;pwned␇title"
    assert sanitise_line("a\u2028b") == "a b"
    assert sanitise_line("\n\t ") == ""


@given(st.text())
def test_sanitise_line_is_one_safe_line(text: str) -> None:
    out = sanitise_line(text)
    assert "\n" not in out and "\t" not in out
    assert UNSAFE.search(out) is None
    assert out == out.strip()
