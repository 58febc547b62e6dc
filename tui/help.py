"""The help screen (key ?): every key of every pane, as currently mapped."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen

from tui.keybar import KeyBar, KeyHint
from tui.rowlist import Row, RowList, TextRow

INTRO = ("Every key of every pane. Notes on how things work are at the end.",)

NOTES = (
    "xref shows one document in the middle, the documents on the left and, on the "
    "right (or below), every other mention of the name under the cursor.",
    "Names are styled by type: person bold+underlined, organisation underlined, "
    "place italic+underlined, names xref discovered itself dim.",
    "n / N step through the names of the document; after a search (/) they step "
    "through the search hits instead, until escape ends the search.",
    "The side panel follows the cursor and stays on the last name when the cursor leaves it; "
    "] / [ go to the next / previous mention of that name anywhere in the corpus.",
    "b / f (alt+left / alt+right) go back and forward through your jumps, across documents.",
    "y copies a citation of the sentence under the cursor, Y of its paragraph; v starts a selection "
    "(move to extend it, y cites it, escape drops it). In the side panel y / Y cite the highlighted "
    "mention. s chooses the style (remembered); c shows the last citation as plain text and saves it "
    "to a file, for terminals that ignore clipboard copies (OSC 52).",
    "Keys can be remapped: put {\"binding id\": \"keys\"} pairs (ids are shown dim after each key) "
    "in keymap.json in xref's config folder, or point XREF_KEYMAP at such a file.",
)


Entries = list[tuple[str, list[tuple[str, str, str]]]]  # (section title, [(keys, description, binding id)])


def binding_entries(app: App[object], sections: Sequence[tuple[str, type[DOMNode] | Iterable[BindingType]]]) -> Entries:
    """Every binding of every section, with its keys as currently mapped."""
    keymap: dict[str, str] = getattr(app, "_keymap", {}) or {}
    out: Entries = []
    for title, source in sections:
        bindings = source.BINDINGS if isinstance(source, type) else source
        seen: set[tuple[str, str]] = set()
        entries: list[tuple[str, str, str]] = []
        for item in bindings:
            binding = item if isinstance(item, Binding) else Binding(*item)
            if binding.system or not binding.description:
                continue
            keys = keymap.get(binding.id, binding.key) if binding.id else binding.key
            shown = " ".join(
                app.get_key_display(Binding(k.strip(), binding.action)) for k in keys.split(",") if k.strip()
            )
            if (shown, binding.description) in seen:
                continue
            seen.add((shown, binding.description))
            entries.append((shown, binding.tooltip or binding.description, binding.id or ""))
        if entries:
            out.append((title, entries))
    return out


def binding_rows(app: App[object], entries: Entries, width: int | None = None) -> list[Row]:
    """Rows "keys  description  id" for ``entries``. With a ``width``, a long
    description wraps under itself instead of being cut off at the edge."""
    rows: list[Row] = []
    key_width = max((len(keys) for _, section in entries for keys, _, _ in section), default=0) + 2
    if width is not None:
        key_width = min(key_width, max(4, width // 3))
    for title, section in entries:
        rows.append(TextRow(Text("")))
        rows.append(TextRow(Text(title, style="bold underline")))
        for keys, description, binding_id in section:
            body = Text(description)
            if binding_id:
                body.append(f"  {binding_id}", style="dim")
            if width is None:
                lines = [body]
            else:
                lines = list(body.wrap(app.console, max(8, width - 2 - key_width)))
            if len(keys) + 1 > key_width:  # keys wider than their column: a line of their own
                rows.append(TextRow(Text.assemble("  ", (keys, "bold"), no_wrap=True)))
            else:
                rows.append(TextRow(Text.assemble("  ", (keys.ljust(key_width), "bold"), lines.pop(0), no_wrap=True)))
            rows.extend(TextRow(Text.assemble(" " * (2 + key_width), line, no_wrap=True)) for line in lines)
    return rows


class HelpRows(RowList):
    """The help text: intro paragraphs and the key tables wrapped to the width, then notes."""

    def __init__(self, entries: Entries, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._entries = entries
        self._built_width = -1

    def on_resize(self, event) -> None:
        width = max(10, self.scrollable_content_region.width)
        if width != self._built_width:
            self._built_width = width
            rows: list[Row] = []
            for paragraph in INTRO:
                for line in Text(paragraph, style="italic").wrap(self.app.console, width):
                    rows.append(TextRow(line))
            rows.extend(binding_rows(self.app, self._entries, width))
            rows.append(TextRow(Text("")))
            rows.append(TextRow(Text("Notes", style="bold underline")))
            for paragraph in NOTES:
                for line in Text("• " + paragraph).wrap(self.app.console, width):
                    rows.append(TextRow(line))
            self.set_rows(rows, top=True)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "close", "Close", id="help.close"),
    ]

    def __init__(self, sections: Sequence[tuple[str, type[DOMNode] | Iterable[BindingType]]]) -> None:
        super().__init__()
        self._sections = sections

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box", classes="modal-box") as box:
            box.border_title = "Keys"
            yield HelpRows(binding_entries(self.app, self._sections), id="help-rows")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#help-rows", RowList).focus()
        KeyHint(self, self.query_one("#help-box"), "↑↓ scroll", ("help.close", "close"))

    @property
    def text(self) -> str:
        """The key tables, one line per binding whatever the screen's width."""
        rows = binding_rows(self.app, binding_entries(self.app, self._sections))
        palette = self.query_one(RowList).palette
        return "\n".join(row.render(1000, palette).plain for row in rows)

    def action_close(self) -> None:
        self.dismiss(None)
