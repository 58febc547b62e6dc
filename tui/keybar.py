"""A one-line footer of the active keys.

Textual's ``Footer`` recomposes a widget per key whenever the focus moves,
which re-lays-out the whole screen (about a tenth of a second per tab press
here). This bar draws the same information as one line of text: no children,
no layout, just a repaint when the bindings change.
"""

from __future__ import annotations

from functools import cache
from itertools import groupby
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget


class KeyBar(Widget):
    """Shows the keys of the focused pane and the app; click a key to press it."""

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $panel;
    }
    KeyBar > .keybar--key {
        color: $text-accent;
        text-style: bold;
    }
    KeyBar > .keybar--description {
        color: $text;
    }
    KeyBar > .keybar--disabled {
        color: $text-disabled;
    }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"keybar--key", "keybar--description", "keybar--disabled"}

    def __init__(self, *, show_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_palette = show_palette
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each item

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: object) -> None:
        self.refresh()

    def _items(self) -> list[tuple[list[tuple[Binding, bool]], str]]:
        """[(bindings shown together, description)] in binding-chain order."""
        seen_actions: set[str] = set()
        ranked: list[tuple[int, int, Binding, bool]] = []
        nodes: dict[int, int] = {}
        for node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.show and binding.action not in seen_actions:
                seen_actions.add(binding.action)
                rank = nodes.setdefault(id(node), len(nodes))
                order = _declared_order(type(node))
                ranked.append((rank, order.get(binding.id or "", len(order)), binding, enabled))
        # In the order the panes declare them: a keymap.json remap puts the
        # bindings it moves last, which split pairs such as "b f Back/fwd".
        ranked.sort(key=lambda item: item[:2])
        shown = [(binding, enabled) for _, _, binding, enabled in ranked]
        items: list[tuple[list[tuple[Binding, bool]], str]] = []
        for group, members in groupby(shown, key=lambda pair: pair[0].group):
            members = list(members)
            if group is not None and len(members) > 1:
                items.append((members, group.description))
            else:
                items.extend(([member], member[0].description) for member in members)
        return items

    def render(self) -> Text:
        width = self.content_region.width
        key_style = self.get_component_rich_style("keybar--key", partial=True)
        description_style = self.get_component_rich_style("keybar--description", partial=True)
        disabled_style = self.get_component_rich_style("keybar--disabled", partial=True)
        text = Text(no_wrap=True, overflow="crop")
        spans: list[tuple[int, int, str]] = []
        palette = ""
        if self.show_palette and self.app.ENABLE_COMMAND_PALETTE:
            palette_binding = Binding(self.app.COMMAND_PALETTE_BINDING, "command_palette")
            palette = f" {self.app.get_key_display(palette_binding)} palette "
        room = width - len(palette)
        for members, description in self._items():
            keys = " ".join(self.app.get_key_display(binding) for binding, _ in members)
            enabled = any(on for _, on in members)
            item_len = 1 + len(keys) + (1 + len(description) if description else 0) + 1
            if text.cell_len + item_len > room:
                continue  # a shorter one after it may still fit
            start = text.cell_len
            text.append(" ")
            text.append(keys, style=key_style if enabled else disabled_style)
            if description:
                text.append(" " + description, style=description_style if enabled else disabled_style)
            text.append(" ")
            spans.append((start, text.cell_len, members[0][0].key))
        if palette and text.cell_len + len(palette) <= width:
            text.append(" " * (width - text.cell_len - len(palette)))
            start = text.cell_len
            text.append(palette, style=description_style)
            text.stylize(key_style, start + 1, start + 1 + len(palette.split()[0]))
            spans.append((start, text.cell_len, self.app.COMMAND_PALETTE_BINDING))
        self._spans = spans
        return text

    @property
    def plain(self) -> str:
        return self.render().plain

    async def _on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                await self.app.simulate_key(key.split(",")[0])
                return


@cache
def _declared_order(cls: type) -> dict[str, int]:
    """Binding id -> place in the BINDINGS of ``cls`` and its bases (bases first);
    worked out once per class, not at every redraw of the bar."""
    order: dict[str, int] = {}
    for klass in reversed(cls.__mro__):
        for binding in klass.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                order.setdefault(binding.id, len(order))
    return order


HintPart = str | tuple[str, str]


def key_hint(screen: Screen[object], *parts: HintPart) -> str:
    """A border hint such as "⏎ open · esc close", from the keys bound now.

    A part is fixed words ("↑↓ move") or ``(binding id, words)``; the key shown
    for an id is the one the focused pane's binding chain has for it, so a
    ``keymap.json`` remap shows here too. An id bound to no key is left out.
    """
    keys: dict[str, str] = {}
    for _node, binding, _enabled, _tooltip in screen.active_bindings.values():
        if binding.id and binding.id not in keys:
            keys[binding.id] = screen.app.get_key_display(binding)
    shown: list[str] = []
    for part in parts:
        if isinstance(part, str):
            shown.append(part)
        elif part[0] in keys:
            shown.append(f"{keys[part[0]]} {part[1]}")
    return " · ".join(shown)


class KeyHint:
    """Keeps a widget's border subtitle equal to ``key_hint(screen, *parts)``,
    redrawn whenever the screen's bindings change (focus moves, a remap)."""

    def __init__(self, screen: Screen[object], target: Widget, *parts: HintPart) -> None:
        self.screen, self.target, self.parts = screen, target, parts
        screen.bindings_updated_signal.subscribe(target, self.update)
        self.update()

    def update(self, _screen: object = None) -> None:
        # Content, not a str: Textual reads a str as markup, and hints hold key names.
        self.target.border_subtitle = Content(key_hint(self.screen, *self.parts))
