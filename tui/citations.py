"""Citations in the reader: the request message, the notification text, the
style picker (key s) and the last-citation dialog (key c).

The formats themselves live in :mod:`xref.cite`; delivery to the clipboard in
:mod:`tui.clipboard`. Document text only ever reaches the screen as plain
strings (``Content``, ``TextArea``, ``notify(markup=False)``), never markup.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.clipboard import DeliveryReport
from tui.keybar import KeyBar, KeyHint
from xref.atomic import write_atomically
from tui.style import clean
from xref.cite import STYLE_LABELS, STYLES, Citation

# Short names for notifications and titles ("Copied APA citation").
STYLE_NAMES: dict[str, str] = {
    "chicago": "Chicago",
    "apa": "APA",
    "mla": "MLA",
    "markdown": "Markdown",
    "bibtex": "BibTeX",
    "csl-json": "CSL-JSON",
}
DEFAULT_SAVE_PATH = "~/xref-citation.txt"
QUOTE_PREVIEW = 34  # characters of the quote shown in the notification


@dataclass(frozen=True, slots=True)
class CopiedCitation:
    """What the last copy put on the clipboard, for the "last citation" dialog."""

    text: str
    style: str
    what: str
    citation: Citation
    report: DeliveryReport


def locator(c: Citation) -> str:
    if c.paragraphs:
        first, last = c.paragraphs
        return f"¶¶ {first}–{last}" if last > first else f"¶ {first}"
    if c.line:
        return f"line {c.line}"
    return ""


def quote_preview(quote: str, limit: int = QUOTE_PREVIEW) -> str:
    """The quote's start, cut at a word boundary when it is longer than ``limit``."""
    q = clean(quote)
    if len(q) <= limit:
        return f"“{q}”"
    cut = q[: limit - 1]
    if q[limit - 1].isalnum() and " " in cut:  # do not end inside a word
        cut = cut[: cut.rindex(" ")]
    return f"“{cut.rstrip()}…”"


def copy_notification(copied: CopiedCitation) -> tuple[str, str]:
    """(title, message) of the toast after a copy; plain text (notify with markup=False).

    Lines of at most 37 cells where possible (the toast's room on an 80-column
    terminal): what was copied, the quote's start, then one line per route."""
    c, report = copied.citation, copied.report
    title = f"Copied {STYLE_NAMES.get(copied.style, copied.style)} citation"
    what = " · ".join(p for p in (copied.what.capitalize(), locator(c), f"{report.chars} chars") if p)
    lines = [what, quote_preview(c.quote), *report.lines()]
    if not report.terminal and not report.local:
        lines.append("Press c to see it and save it to a file.")
    return title, "\n".join(lines)


# --------------------------------------------------------------------------- #
# Style picker
# --------------------------------------------------------------------------- #


class StylePicker(ModalScreen[str | None]):
    """A short list of the citation styles; returns the chosen one (None: cancelled).

    ``preview(style)`` (optional) gives the citation the user would get, shown
    under the list for the highlighted style."""

    DEFAULT_CSS = """
    StylePicker {
        align: center middle;
    }
    StylePicker > #style-box {
        width: 80%;
        max-width: 90;
        height: auto;
        max-height: 90%;
        border: round $accent;
        border-subtitle-color: $text-muted;
        background: $surface;
    }
    StylePicker OptionList, StylePicker OptionList:focus {
        height: auto;
        max-height: 8;
        border: none;
    }
    StylePicker #style-preview {
        height: auto;
        max-height: 12;
        padding: 0 1;
        color: $text-muted;
        border-top: solid $panel-lighten-2;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "cancel", "Close", id="style.close"),
    ]

    def __init__(self, current: str, preview: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self._current = current
        self._preview = preview

    def compose(self) -> ComposeResult:
        with Vertical(id="style-box") as box:
            box.border_title = "Citation style"
            options = []
            for style in STYLES:
                mark = "● " if style == self._current else "  "
                options.append(Option(Content(f"{mark}{STYLE_LABELS[style]}"), id=style))
            yield OptionList(*options, id="styles", markup=False)
            if self._preview is not None:
                yield Static(Content(""), id="style-preview", markup=False)
        yield KeyBar()  # this dialog's keys, not the reader's under it

    def on_mount(self) -> None:
        options = self.query_one("#styles", OptionList)
        options.highlighted = STYLES.index(self._current) if self._current in STYLES else 0
        options.focus()
        KeyHint(self, self.query_one("#style-box"), "↑↓ move", "⏎ choose", ("style.close", "cancel"))

    @on(OptionList.OptionHighlighted, "#styles")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if self._preview is None or event.option.id is None:
            return
        try:
            text = self._preview(event.option.id)
        except Exception:  # noqa: BLE001 - a preview is a nicety, never a crash
            text = ""
        self.query_one("#style-preview", Static).update(Content(text))

    @on(OptionList.OptionSelected, "#styles")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


# --------------------------------------------------------------------------- #
# The last citation, as plain text (for terminals that ignore OSC 52)
# --------------------------------------------------------------------------- #


def save_text(path_text: str, text: str) -> Path:
    """Write ``text`` (plus a final newline) to ``path_text`` (~ expanded) atomically.

    A new file gets the usual permissions (0666 less the umask), an existing one
    keeps its own. Raises OSError (the caller reports it)."""
    path = Path(os.path.expanduser(path_text.strip()))
    if not path_text.strip():
        raise OSError("no file name given")
    if path.is_dir():
        raise IsADirectoryError(21, "Is a folder", str(path))
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    write_atomically(path, text if text.endswith("\n") else text + "\n")
    try:
        os.chmod(path, mode)
    except OSError:
        pass
    return path


class CitationDialog(ModalScreen[None]):
    """The last citation in a read-only text area, and a field to save it to a file."""

    DEFAULT_CSS = """
    CitationDialog {
        align: center middle;
    }
    CitationDialog > #citation-box {
        width: 90%;
        max-width: 110;
        height: 90%;
        max-height: 30;
        border: round $accent;
        border-subtitle-color: $text-muted;
        background: $surface;
    }
    CitationDialog #citation-how {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    CitationDialog TextArea, CitationDialog TextArea:focus {
        height: 1fr;
        border: none;
    }
    CitationDialog #citation-save {
        height: 1;
        margin-top: 1;
    }
    CitationDialog #citation-save Input {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0 1;
    }
    CitationDialog #citation-save Button {
        height: 1;
        min-width: 8;
        border: none;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="citation.close"),
        Binding("ctrl+s", "save", "Save to file", id="citation.save"),
    ]

    def __init__(self, copied: CopiedCitation, save_path: str = DEFAULT_SAVE_PATH) -> None:
        super().__init__()
        self.copied = copied
        self._save_path = save_path
        self._replace: Path | None = None  # a file that exists, which a second save replaces

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea  # on first use: not needed to start xref

        copied = self.copied
        with Vertical(id="citation-box") as box:
            box.border_title = f"Last citation · {STYLE_NAMES.get(copied.style, copied.style)}"
            yield Static(Content(copied.report.describe()), id="citation-how", markup=False)
            # Tabs (BibTeX, CSL-JSON) as spaces: TextArea wraps a tab as one cell but
            # draws it as four, which cuts long lines off. The file saved keeps the tabs.
            yield TextArea(copied.text.expandtabs(4), read_only=True, soft_wrap=True, id="citation-text")
            with Horizontal(id="citation-save"):
                yield Input(self._save_path, placeholder="file to save the citation to", id="citation-path")
                yield Button("Save", id="citation-save-button", compact=True)
        yield KeyBar()  # this dialog's keys, not the reader's under it

    def on_mount(self) -> None:
        self.query_one("#citation-text").focus()
        KeyHint(self, self.query_one("#citation-box"), "shift+drag selects in most terminals",
                ("citation.save", "save"), ("citation.close", "close"))

    @property
    def text(self) -> str:
        from textual.widgets import TextArea

        return self.query_one("#citation-text", TextArea).text

    @on(Input.Submitted, "#citation-path")
    @on(Button.Pressed, "#citation-save-button")
    def _save_requested(self, event: Message) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        field = self.query_one("#citation-path", Input)
        wanted = Path(os.path.expanduser(field.value.strip())) if field.value.strip() else None
        if wanted is not None and wanted.is_file() and wanted != self._replace:
            # Another file of the same name, perhaps earlier citations: not lost
            # to one key. Saving again to the same name replaces it.
            self._replace = wanted
            self.notify(f"{clean(str(wanted))} exists: save again to replace it, or change the name",
                        title="Not saved yet", severity="warning", timeout=8, markup=False)
            field.focus()
            return
        try:
            path = save_text(field.value, self.copied.text)
        except OSError as exc:
            reason = exc.strerror or str(exc) or type(exc).__name__
            self.notify(
                f"Could not save to {clean(field.value)}: {clean(reason)}",
                title="Not saved",
                severity="error",
                timeout=8,
                markup=False,
            )
            field.focus()
            return
        self.notify(f"Saved the citation to {clean(str(path))}", timeout=5, markup=False)
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
