"""Full-text search of the whole corpus (key F): ranked paragraphs from every document.

The engine does the searching (:meth:`xref.engine.Workspace.search`, SQLite
FTS5); this screen is a field above a list of hits. Typing restarts a short
timer and the query then runs in a thread worker, so the field never waits for
the database; every query gets a generation number and results of an older
one are dropped. Enter jumps to the highlighted hit (the app records the jump,
so b comes back), escape closes.

Document text is untrusted: snippets and titles only ever become
``rich.text.Text`` built from plain strings, with terminal-unsafe characters
replaced (length-preserving, so the engine's highlight offsets still hold).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from tui.filterlist import FilterInput, FilterList
from tui.keybar import KeyBar, KeyHint
from tui.rowlist import Row, RowList
from tui.style import Palette, clean, document_label, lone_joiners
from xref.sanitise import sanitise
from xref.search import OPERATORS, PER_DOCUMENT, Hit, Reading, read_query

if TYPE_CHECKING:
    from xref.engine import Workspace

SEARCH_LIMIT = 50  # hits asked of the engine (at most a few per document)
DEBOUNCE = 0.15  # seconds of no typing before a query runs
HINT = 'Type words to search every document. "a phrase", AND / OR / NOT and pre* work too.'
_ONE_LINE = str.maketrans({"\n": " ", "\t": " ", "\r": " "})


def safe_snippet(s: str) -> str:
    """``s`` on one line with unsafe characters made visible; the length is kept."""
    return lone_joiners(sanitise(s).translate(_ONE_LINE))


# -- rows ---------------------------------------------------------------------------------
class HitEntry:
    """The selectable line of a hit: document title and line number."""

    __slots__ = ("hit", "title", "line")
    selectable = True

    def __init__(self, hit: Hit, title: str, line: int) -> None:
        self.hit = hit
        self.title = clean(title)
        self.line = line

    def render(self, width: int, palette: Palette) -> Text:
        where = f"  line {self.line}"
        text = Text(" ", no_wrap=True)
        text.append(self.title, style=palette("rowlist--heading"))
        text.truncate(max(1, width - len(where)), overflow="ellipsis", pad=True)
        text.append(where, style=palette("rowlist--dim"))
        return text


class SnippetRow:
    """The hit's context, matched words highlighted; highlighted with its :class:`HitEntry`."""

    __slots__ = ("hit",)
    selectable = False
    attached = True
    INDENT = "    "

    def __init__(self, hit: Hit) -> None:
        self.hit = hit

    def render(self, width: int, palette: Palette) -> Text:
        snippet = safe_snippet(self.hit.snippet)
        spans = [(s, e) for s, e in self.hit.highlights if 0 <= s < e <= len(snippet)]
        room = max(1, width - len(self.INDENT))
        lo = 0
        if spans and spans[0][1] > room - 8:
            # The first match would be cut off: start the line shortly before it.
            lo = max(0, spans[0][0] - room // 4)
        text = Text(self.INDENT + ("…" if lo else ""), no_wrap=True)
        match = palette("rowlist--match", "rowlist--marker") + Style(underline=True)
        pos = lo
        for s, e in spans:
            if e <= pos:
                continue
            s = max(s, pos)
            text.append(snippet[pos:s])
            text.append(snippet[s:e], style=match)
            pos = e
        text.append(snippet[pos:])
        return text


# -- the list -----------------------------------------------------------------------------
class SearchInput(FilterInput):
    """The query field: like a filter field, but escape always closes the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Go to hit", id="corpus_search.go"),
    ]

    def action_leave(self) -> None:
        self.post_message(self.Left())


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one query gave, computed in the worker thread."""

    generation: int
    query: str
    rows: tuple[tuple[Hit, str, int], ...] = ()  # (hit, title, line)
    reading: Reading | None = None  # how the engine read the query
    error: str | None = None  # the search itself failed
    partial: int | None = None  # documents searched while the rest are still being indexed


class CorpusSearchList(FilterList):
    """Query field, status line and ranked hits."""

    DEFAULT_CSS = """
    CorpusSearchList > #corpus-search-status {
        height: auto;
        max-height: 3;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(
        self, workspace: Callable[[], Workspace | None], query: str = "", at: tuple[str, int] | None = None
    ) -> None:
        super().__init__(placeholder="Search the whole corpus…", id="corpus-search-list")
        self._workspace = workspace
        self._initial = query
        self._return_to = at  # (doc_id, offset) of the hit to highlight when the first results come
        self._generation = 0  # of the latest query typed
        self._shown = 0  # generation whose results the list shows
        self._timer: Timer | None = None
        self._pick_when_ready = False
        self.outcome: Outcome | None = None  # the results shown (None: hint or message)
        self._status = Text()

    def compose(self) -> ComposeResult:
        yield SearchInput(value=self._initial, placeholder=self._placeholder, classes="filter")
        yield Static(id="corpus-search-status", markup=False)
        rows = RowList(classes="rows")
        rows.can_focus = False  # the field keeps the focus
        yield rows

    def on_mount(self) -> None:
        self.apply_filter(self.filter_input.value, delay=0)

    @property
    def status(self) -> str:
        """The status line's text: hit count, hint or what went wrong."""
        return self._status.plain

    @property
    def pending(self) -> bool:
        """A query was typed whose results are not shown yet."""
        return self._shown != self._generation

    @property
    def hits(self) -> list[Hit]:
        return [row.hit for row in self.row_list.rows if isinstance(row, HitEntry)]

    # -- running queries ---------------------------------------------------------------
    # (prevent_default: FilterList's own handlers of these would run too.)
    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        event.prevent_default()
        self.apply_filter(event.value)

    def apply_filter(self, text: str, delay: float = DEBOUNCE) -> None:
        self._generation += 1
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if not text.strip():
            self._pick_when_ready = False
            self._show_message(HINT)
            return
        workspace = self._workspace()
        if workspace is None:
            # The app's own message says when loading failed.
            self._show_message("No corpus to search yet: it is still loading (or could not be opened).")
            return
        generation = self._generation
        if delay <= 0:
            self._start(generation, text)
        else:
            self._timer = self.set_timer(delay, lambda: self._start(generation, text))

    def _start(self, generation: int, query: str) -> None:
        self._timer = None
        workspace = self._workspace()
        if generation != self._generation or workspace is None:
            return
        if getattr(workspace, "search_ready", True):
            self._set_status(Text(f"Searching for “{clean(query)}”…"))
        else:
            self._set_status(Text(f"Preparing the search index, then searching for “{clean(query)}”…"))
        self.run_worker(
            lambda: self._search(workspace, generation, query),
            name="corpus-search",
            group="corpus-search",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    @staticmethod
    def _search(workspace: Workspace, generation: int, query: str) -> Outcome:
        """In the worker thread: the hits, with their documents' titles and line numbers."""
        try:
            reading = read_query(query)  # what the search does with it, for the status line
            index = workspace.index
            rows = []
            for hit in workspace.search(query, SEARCH_LIMIT):
                doc = index.document(hit.doc_id)
                rows.append((hit, document_label(doc.title, doc.id), doc.layout.line_of(hit.start)))
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            return Outcome(generation, query, error=f"{type(exc).__name__}: {exc}")
        partial = None if getattr(workspace, "complete", True) else len(workspace.corpus.documents)
        return Outcome(generation, query, tuple(rows), reading, partial=partial)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "corpus-search":
            return
        event.stop()
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, Outcome):
            self._show(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self._set_status(Text(f"The search failed: {clean(str(event.worker.error))}", style="bold"))

    # -- showing results ---------------------------------------------------------------------
    def _show(self, outcome: Outcome) -> None:
        if outcome.generation != self._generation or not self.is_attached:
            return  # an older query: its results are stale
        self._shown = outcome.generation
        self.outcome = outcome
        quoted = f"“{clean(outcome.query)}”"
        reading = outcome.reading
        # Only the last resort is worth a word: closing a quote or reading Jong-un
        # as a phrase searches what the user meant.
        rejected = reading.rejected if reading is not None and reading.fallback else None
        rows: list[Row] = []
        if outcome.error is not None:
            status = Text(f"The search for {quoted} failed: {clean(outcome.error)}", style="bold")
        elif outcome.rows:
            n = len(outcome.rows)
            per_document = Counter(hit.doc_id for hit, _, _ in outcome.rows)
            documents = len(per_document)
            hits = f"{n} hit{'s' if n != 1 else ''}" if n < SEARCH_LIMIT else f"The best {n} hits"
            status = Text(f"{hits} in {documents} document{'s' if documents != 1 else ''}")
            if max(per_document.values()) >= PER_DOCUMENT:
                # Some documents may have more: say why they show no more.
                status.append(f" · at most {PER_DOCUMENT} per document")
            if rejected is not None:
                status.append(" · not valid FTS5 syntax, searched as plain words", style="italic")
            for hit, title, line in outcome.rows:
                rows.append(HitEntry(hit, title, line))
                rows.append(SnippetRow(hit))
        elif reading is not None and not reading.expressions:
            only_operators = bool(outcome.query.split()) and set(outcome.query.split()) <= OPERATORS
            why = "AND, OR, NOT and NEAR join words to search for" if only_operators else "type some letters or digits"
            status = Text(f"Nothing to search for in {quoted}: {why}", style="bold")
        elif rejected is not None:
            status = Text(
                f"No hits for {quoted}: not valid FTS5 syntax ({clean(rejected)}), "
                "and its plain words are not in the corpus",
                style="bold",
            )
        else:
            status = Text(f"No hits for {quoted}")
        if outcome.partial is not None and outcome.error is None:
            status.append(f" · still indexing: searched the {outcome.partial:,} documents ready so far", style="italic")
        self._set_status(status)
        cursor = None
        if self._return_to is not None:
            # Reopened on the last search: back on the hit gone to last time.
            cursor = next((i for i, row in enumerate(rows) if isinstance(row, HitEntry)
                           and (row.hit.doc_id, row.hit.start) == self._return_to), None)
            self._return_to = None
        self.row_list.set_rows(rows, cursor, top=cursor is None)
        if self._pick_when_ready:
            self._pick_when_ready = False
            self.row_list.action_select()

    def _show_message(self, message: str) -> None:
        self._return_to = None
        self._shown = self._generation
        self.outcome = None
        self._set_status(Text(message, style="italic"))
        self.row_list.set_rows([], top=True)

    def _set_status(self, text: Text) -> None:
        self._status = text
        self.query_one("#corpus-search-status", Static).update(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        event.prevent_default()
        if self.pending:
            # Enter typed before the results of the last keys came: pick when they do.
            self._pick_when_ready = True
            if self._timer is not None:
                self._timer.stop()
                self._timer = None
                self._start(self._generation, self.filter_input.value)
        else:
            self.row_list.action_select()


class CorpusSearchScreen(ModalScreen[tuple[str, int] | None]):
    """Returns ``(doc_id, offset)`` of the chosen hit (or None)."""

    DEFAULT_CSS = """
    CorpusSearchScreen {
        align: center middle;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", id="corpus_search.close"),
    ]

    def __init__(
        self, workspace: Callable[[], Workspace | None], query: str = "", at: tuple[str, int] | None = None
    ) -> None:
        """``query``: the text to search for at once (the field shows it selected,
        so typing replaces it); ``at``: the hit to highlight among its results."""
        super().__init__()
        self._workspace = workspace
        self._query = query
        self._at = at

    def compose(self) -> ComposeResult:
        with Vertical(id="corpus-search-box", classes="modal-box") as box:
            box.border_title = "Search the corpus"
            yield CorpusSearchList(self._workspace, self._query, self._at)
        yield KeyBar()

    @property
    def search_list(self) -> CorpusSearchList:
        return self.query_one(CorpusSearchList)

    @property
    def query_text(self) -> str:
        """What the query field holds now."""
        return self.search_list.filter_input.value

    def on_mount(self) -> None:
        self.search_list.focus_filter()
        KeyHint(self, self.query_one("#corpus-search-box"), "type to search", "↑↓ move",
                ("corpus_search.go", "go to the hit"), ("filter.close", "close"))

    def on_filter_list_picked(self, event: FilterList.Picked) -> None:
        event.stop()
        if isinstance(event.row, HitEntry):
            self.dismiss((event.row.hit.doc_id, event.row.hit.start))

    def on_filter_input_left(self, event: FilterInput.Left) -> None:
        event.stop()
        self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(None)
