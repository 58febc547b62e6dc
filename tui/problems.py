"""The problems screen (key !): files that could not be loaded, and why."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.console import Console
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


INDENT = 8  # the reason lines start under the path


class ProblemReason:
    """One line of a problem's reason, wrapped to the list's width: a long one
    (a JSON error's position, a path in the reason) is read whole."""

    __slots__ = ("problem", "line")
    selectable = False
    attached = True

    def __init__(self, problem: Problem, line: str | None = None) -> None:
        self.problem = problem
        self.line = clean(problem.reason) if line is None else line

    def render(self, width: int, palette) -> Text:
        return Text(" " * INDENT + self.line, style="italic", no_wrap=True, overflow="ellipsis")


def problem_rows(problems: Sequence[Problem], width: int = 0, console: Console | None = None) -> list[Row]:
    """Rows of ``problems``; with ``width`` and ``console``, each reason wrapped to it."""
    if not problems:
        return [TextRow(Text("Everything loaded without problems.", style="italic"))]
    rows: list[Row] = []
    room = width - INDENT
    for problem in problems:
        rows.append(ProblemEntry(problem))
        reason = clean(problem.reason)
        if room < 20 or console is None:
            rows.append(ProblemReason(problem, reason))
            continue
        lines = Text(reason).wrap(console, room, overflow="fold")
        rows.extend(ProblemReason(problem, line.plain.rstrip()) for line in lines)
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
        self.call_after_refresh(self._wrap)

    def on_resize(self) -> None:
        self.call_after_refresh(self._wrap)

    def _wrap(self) -> None:
        """The reasons wrapped to the list's width, once it has one."""
        rows = self.query_one("#problem-rows", RowList)
        width = rows.scrollable_content_region.width
        if width > 0 and width != getattr(self, "_wrapped_at", 0):
            self._wrapped_at = width
            rows.set_rows(problem_rows(self._problems, width, self.app.console), top=True)
        KeyHint(self, self.query_one("#problems-box"), "↑↓ move", ("problems.close", "close"))

    @property
    def listed(self) -> list[Problem]:
        return [r.problem for r in self.query_one("#problem-rows", RowList).rows if isinstance(r, ProblemEntry)]

    def action_close(self) -> None:
        self.dismiss(None)
