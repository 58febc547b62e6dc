"""A filter field over a :class:`RowList`: type to narrow, arrows to move, enter to pick.

The field keeps the focus (as in the command palette), so every printable key
filters; up/down/page keys move the list's highlight and enter picks the
highlighted row.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input

from tui.rowlist import RowList


class FilterInput(Input):
    """The filter field; its keys drive the list below it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "list('cursor_down')", "Down", show=False),
        Binding("up", "list('cursor_up')", "Up", show=False),
        Binding("pagedown", "list('page_down')", "Page down", show=False),
        Binding("pageup", "list('page_up')", "Page up", show=False),
        Binding("enter", "submit", "Open", id="filter.open"),
        Binding("escape", "leave", "Close", id="filter.close"),
        Binding("tab", "app.focus_next", "Next pane", id="filter.next_pane"),
    ]

    class ListAction(Message):
        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    class Left(Message):
        """Escape in the filter field."""

    def action_list(self, action: str) -> None:
        self.post_message(self.ListAction(action))

    def action_leave(self) -> None:
        if self.value:
            self.value = ""
        else:
            self.post_message(self.Left())


class FilterList(Vertical):
    """An Input above a RowList; subclasses build the rows for a filter text.

    Picking a row (enter in the field, or a click) posts ``FilterList.Picked``.
    (The list's own ``RowList.Selected`` stops here: Textual does not bubble a
    message past the widget that created it, and enter in the field creates it
    while this container handles ``Input.Submitted``.)
    """

    class Picked(Message):
        def __init__(self, filter_list: FilterList, row: object) -> None:
            super().__init__()
            self.filter_list = filter_list
            self.row = row

        @property
        def control(self) -> FilterList:
            return self.filter_list

    DEFAULT_CSS = """
    FilterList > FilterInput {
        height: 1;
        border: none;
        padding: 0 1;
    }
    """

    def __init__(self, *, placeholder: str = "Type to filter", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder=self._placeholder, classes="filter")
        rows = RowList(classes="rows")
        rows.can_focus = False  # the field keeps the focus; tab goes to the next pane
        yield rows

    @property
    def filter_input(self) -> FilterInput:
        return self.query_one(FilterInput)

    @property
    def row_list(self) -> RowList:
        return self.query_one(RowList)

    def on_filter_input_list_action(self, event: FilterInput.ListAction) -> None:
        event.stop()
        getattr(self.row_list, f"action_{event.action}")()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.apply_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.row_list.action_select()

    def on_row_list_selected(self, event: RowList.Selected) -> None:
        event.stop()
        self.post_message(self.Picked(self, event.row))

    def apply_filter(self, text: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def focus_filter(self) -> None:
        self.filter_input.focus()
