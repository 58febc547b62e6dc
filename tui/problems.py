"""The problems screen (key !): files that could not be loaded, and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen

from tui.keybar import KeyBar, KeyHint
from tui.rowlist import Row, RowList, TextRow
from tui.style import clean
from xref.model import Problem


class ProblemEntry:
    __slots__ = ("problem",)
    selectable = True

    def __init__(self, problem: Problem) -> None:
        self.problem = problem

    def render(self, width: int, palette) -> Text:
        severity = "warning" if self.problem.severity == "warning" else "error"
        text = Text(f"{severity:<8}", style="bold" if severity == "error" else "dim", no_wrap=True)
        text.append(clean(self.problem.path))
        return text


class ProblemReason:
    __slots__ = ("problem",)
    selectable = False
    attached = True

    def __init__(self, problem: Problem) -> None:
        self.problem = problem

    def render(self, width: int, palette) -> Text:
        return Text("        " + clean(self.problem.reason), style="italic", no_wrap=True, overflow="ellipsis")


def problem_rows(problems: Sequence[Problem]) -> list[Row]:
    if not problems:
        return [TextRow(Text("Everything loaded without problems.", style="italic"))]
    rows: list[Row] = []
    for problem in problems:
        rows.append(ProblemEntry(problem))
        rows.append(ProblemReason(problem))
    return rows


class ProblemsScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,exclamation_mark", "close", "Close", id="problems.close"),
    ]

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__()
        self._problems = list(problems)

    def compose(self) -> ComposeResult:
        with Vertical(id="problems-box", classes="modal-box") as box:
            n = len(self._problems)
            box.border_title = f"Load problems ({n})"
            yield RowList(id="problem-rows")
        yield KeyBar()

    def on_mount(self) -> None:
        rows = self.query_one("#problem-rows", RowList)
        rows.set_rows(problem_rows(self._problems), top=True)
        rows.focus()
        KeyHint(self, self.query_one("#problems-box"), "↑↓ move", ("problems.close", "close"))

    @property
    def listed(self) -> list[Problem]:
        return [r.problem for r in self.query_one("#problem-rows", RowList).rows if isinstance(r, ProblemEntry)]

    def action_close(self) -> None:
        self.dismiss(None)
