"""The xref reader app: documents | reader | cross-references.

All UI state that spans widgets lives here: the workspace, the current
location, the jump history and which panes show. Widgets report what the
user did with messages (``MentionPanel.JumpRequested``, ``DocumentList.OpenRequested``
...) or, for the reader's cursor moves, a listener; the handlers below decide what
follows.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TextIO

from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.content import Content
from textual.screen import Screen
from textual.widgets import LoadingIndicator, ProgressBar, Static
from textual.worker import get_current_worker

from tui.commands import CorpusSearchCommands, DocumentCommands, EntityCommands
from tui.config import ConfigStore
from tui.doclist import DocumentList
from tui.filterlist import FilterInput
from tui.history import History, Location
from tui.panel import MentionPanel, SidePanel
from tui.reader import Reader
from tui.reader_pane import ReaderPane, SearchBar
from tui.keybar import KeyBar
from tui.messages import CiteRequested
from tui.rowlist import RowList
from tui.state import StateStore
from tui.style import clean
from xref.sanitise import sanitise_line
from xref.corpus import is_missing
from xref.engine import Workspace
from xref.index import CorpusIndex
from xref.model import Mention, Problem

if TYPE_CHECKING:
    from tui.citations import CopiedCitation

# The dialogs (citations, entity index, help, load problems) and the citation
# formats are imported when first used: the first screen needs none of them.

NARROW = "-narrow"
WIDE = "-wide"
WIDE_AT = 130  # columns: from here the three panes sit side by side
LOADING_SHOWN_AFTER = 1.0  # seconds before the loading box appears
SEARCH_INDEX_AFTER = 0.5  # seconds after the corpus is in before the search index is brought up to date
PARTIAL_EVERY = 1.0  # seconds between showing what is indexed so far, while a large corpus indexes

# Key bar groups: "] [ same name", "b f back/fwd".
SAME = Binding.Group("Same name")
HISTORY = Binding.Group("Back/fwd")


class _Stopped(Exception):
    """The app is leaving: stop a background job between two steps."""


class XrefApp(App[int]):
    """Read a corpus and follow every name across it."""

    TITLE = "xref"
    CSS_PATH = "styles.tcss"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, NARROW), (WIDE_AT, WIDE)]
    VERTICAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-short"), (30, "-tall")]
    COMMANDS = App.COMMANDS | {DocumentCommands, EntityCommands, CorpusSearchCommands}

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", tooltip="Every key of every pane", id="app.help"),
        Binding(
            "right_square_bracket", "next_same", "Next mention of this name, in any document",
            id="app.next_same", group=SAME,
        ),
        Binding(
            "left_square_bracket", "previous_same", "Previous mention of this name, in any document",
            id="app.previous_same", group=SAME,
        ),
        Binding("b", "back", "Back to where you were before the last jump", id="app.back", group=HISTORY),
        Binding("f", "forward", "Forward again (undo back)", id="app.forward", group=HISTORY),
        Binding("alt+left", "back", "Back", show=False, id="app.back_alt"),
        Binding("alt+right", "forward", "Forward", show=False, id="app.forward_alt"),
        Binding("e", "entity_index", "Entities", tooltip="Entity index: every name, by type", id="app.entities"),
        Binding("F", "corpus_search", "Search corpus", show=False, tooltip="Search the whole corpus: every document, best matches first", id="app.corpus_search"),
        Binding("d", "toggle_documents", "Docs", tooltip="Show / hide the documents list", id="app.documents"),
        Binding("p", "toggle_panel", "Panel", show=False, tooltip="Show / hide the cross-references panel", id="app.panel"),
        Binding("s", "citation_style", "Citation style", show=False, tooltip="Choose the citation style (remembered)", id="app.citation_style"),
        Binding("c", "last_citation", "Last citation", show=False, tooltip="The last citation as plain text, to select or save to a file", id="app.last_citation"),
        Binding("exclamation_mark", "problems", "Problems", show=False, tooltip="Files that could not be loaded", id="app.problems"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.interrupt"),
    ]

    def __init__(
        self,
        paths: Sequence[str | Path] = (),
        kb_path: str | Path | None = None,
        workspace: Workspace | None = None,
        state_dir: str | Path | None = None,
        config_dir: str | Path | None = None,
        use_cache: bool | None = None,
    ) -> None:
        super().__init__()
        self._paths = list(paths)
        self._kb_path = kb_path
        self._use_cache = use_cache  # None: yes, unless $XREF_NO_CACHE
        self._partial_shown = False  # a partial workspace is on screen while indexing goes on
        self._search_stop = threading.Event()  # set when the app leaves: the search index waits for another day
        self._search_thread: threading.Thread | None = None
        self._mounted = False
        self._progress_built = False
        self._last_progress: tuple[str, int, int] | None = None
        self._loading = "" if workspace is not None else "loading"
        self._early: list[tuple[object, tuple[object, ...]]] = []
        self._early_keys: list[tuple[str, str | None]] = []  # typed for the reader before it had a document
        self.workspace: Workspace | None = workspace
        self._state = StateStore(state_dir)
        self.setting_problems: list[Problem] = []  # e.g. a keymap.json that cannot be used: shown with !
        self._last_search: tuple[str, tuple[str, int] | None] = ("", None)  # F's last query, and the hit gone to
        self._config = ConfigStore(config_dir)
        self._citation_style: str | None = None  # read from the config when first needed
        self.last_citation: CopiedCitation | None = None
        self.history = History()
        self.docs_visible: bool | None = None  # None: the layout's default
        self.panel_visible = True
        self._layout_class = ""

    @property
    def location(self) -> Location | None:
        """Where the reader's cursor is (None before a document is open).

        Read from the reader itself, not from the last cursor-move report, so a
        jump pressed before that message arrives still records the right place.
        """
        try:
            reader = self.reader
        except NoMatches:  # before compose, or after the screen went away
            return None
        doc = reader.current_doc
        if doc is None:
            return None
        shown = self.panel.entity if self._mounted else None
        return Location(doc.id, reader.cursor_offset, shown.id if shown else None, int(reader.scroll_y))

    # -- typed access to the panes --------------------------------------------------
    @property
    def index(self) -> CorpusIndex | None:
        return self.workspace.index if self.workspace else None

    # The panes live on the first screen; query it directly so they are found
    # while a modal screen (entity index, help) is on top.
    def _home_query(self, selector: str, kind: type):
        home = self.screen_stack[0] if self.screen_stack else self.screen
        return home.query_one(selector, kind)

    @property
    def reader(self) -> Reader:
        return self._home_query("#reader", Reader)

    @property
    def reader_pane(self) -> ReaderPane:
        return self._home_query("#reader-pane", ReaderPane)

    @property
    def panel(self) -> MentionPanel:
        return self._home_query("#panel", MentionPanel)

    @property
    def documents(self) -> DocumentList:
        return self._home_query("#documents", DocumentList)

    # -- building -----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        # The screen's breakpoint classes, set while it is still empty: Textual
        # sets them at the screen's first resize, and a class change then
        # restyles every pane once more (a tenth of the first screen's time).
        width, height = self.size
        classes: dict[str, bool] = {}
        for dimension, breakpoints in ((width, self.HORIZONTAL_BREAKPOINTS), (height, self.VERTICAL_BREAKPOINTS)):
            applies = next((name for at, name in sorted(breakpoints, reverse=True) if dimension >= at), None)
            classes.update((name, name == applies) for _, name in breakpoints)
        if self.no_color:
            classes["-mono"] = True  # see styles.tcss: the lit title strip is reversed too
        self.screen.update_classes(classes, animate=False)
        # The keys go to the reader from the start, never to the documents
        # list's filter (the first focusable widget): see also on_event.
        self.screen.AUTO_FOCUS = "#reader"
        with Horizontal(id="panes"):
            documents = DocumentList(id="documents")
            documents.border_title = "Documents"
            yield documents
            with Vertical(id="main"):
                yield ReaderPane(id="reader-pane")
                side = SidePanel(id="side")
                side.border_title = "Cross-references"
                yield side
        yield Vertical(id="loading")  # filled only if loading takes a while: see _set_loading
        yield KeyBar()

    def on_load(self) -> None:
        # What is in memory now (modules, classes, Textual's own objects) stays
        # for the life of the app: the garbage collector need not go through it
        # again. A full collection over it took about 30 ms, once or twice while
        # the first screen was being built. Once per process: a later app in the
        # same process (the tests run many) must not pin the earlier ones' garbage.
        if gc.get_freeze_count() == 0:
            gc.freeze()
        # Start reading the corpus before the screen is built: the index cache
        # is read while Textual composes and styles the panes.
        if self.workspace is None:
            self._load(self._paths, self._kb_path)

    def on_mount(self) -> None:
        self._mounted = True
        self.reader.add_move_listener(self._cursor_moved)
        self._apply_layout()
        if self.workspace is not None:
            self._workspace_ready(self.workspace)
            return
        # The loading box (an animated indicator) only after a moment: an
        # index cache opens in a fraction of a second, and animating meanwhile
        # takes time from the loader.
        self.set_timer(LOADING_SHOWN_AFTER, self._show_loading)
        # The panes stay hidden until there is something to show: drawing them
        # empty first and again a moment later, from a warm cache, only doubled
        # the work of the first screen.
        self._home_query("#panes", Horizontal).display = False
        for call, args in self._early:  # what the loader sent before the panes existed
            call(*args)
        self._early.clear()

    def _when_mounted(self, call, *args) -> bool:  # type: ignore[no-untyped-def]
        """True if the panes exist; otherwise ``call(*args)`` waits for them."""
        if self._mounted:
            return True
        self._early.append((call, args))
        return False

    @property
    def loading_state(self) -> str:
        """"loading" (nothing to show yet), "indexing" (part shown, more coming) or ""."""
        return self._loading

    def _show_loading(self) -> None:
        if self._loading == "loading":
            self._set_loading("loading")

    def _set_loading(self, state: str) -> None:
        self._loading = state
        try:
            box = self._home_query("#loading", Vertical)
        except NoMatches:  # quitting while loading: the screen is already gone
            return
        if state and not self._progress_built:
            # Built on first need: opening from a warm cache never shows them.
            self._progress_built = True
            box.mount_all([
                Static("Loading the corpus…", id="loading-label", markup=False),
                ProgressBar(id="loading-progress", show_eta=False),
                LoadingIndicator(),
            ])
            if self._last_progress is not None:
                self._show_progress(*self._last_progress)
        # Classes on the progress box alone: a class on the App would restyle every widget.
        for name, wanted in (("-loading", state == "loading"), ("-indexing", state == "indexing")):
            if box.has_class(name) != wanted:  # an unchanged class would still restyle the box
                box.set_class(wanted, name)

    @work(thread=True, exclusive=True, group="load")
    def _load(self, paths: list[str | Path], kb_path: str | Path | None) -> None:
        from xref.engine import open_workspace

        worker = get_current_worker()

        def progress(stage: str, done: int, total: int) -> None:
            if not worker.is_cancelled:
                self.call_from_thread(self._show_progress, stage, done, total)

        def partial(ready: Workspace) -> None:
            if not worker.is_cancelled:
                self.call_from_thread(self._workspace_partial, ready)

        try:
            workspace = open_workspace(
                paths, kb_path=kb_path, progress=progress, partial=partial, partial_every=PARTIAL_EVERY,
                use_cache=self._use_cache,
            )
        except Exception as exc:  # noqa: BLE001 - shown to the user, never a crash
            if not worker.is_cancelled:
                self.call_from_thread(self._load_failed, exc)
            return
        if not worker.is_cancelled:
            self.call_from_thread(self._workspace_ready, workspace)

    def _show_progress(self, stage: str, done: int, total: int) -> None:
        if not self._when_mounted(self._show_progress, stage, done, total):
            return
        self._last_progress = (stage, done, total)
        if not self._progress_built:
            return
        label = "Reading documents" if stage == "load" else "Finding names"
        text = f"{label}… {done:,}/{total:,}"
        if self._partial_shown:
            text = f"Indexing {done:,}/{total:,} files; read what is ready"
        try:
            self._home_query("#loading-label", Static).update(Content(text))
            self._home_query("#loading-progress", ProgressBar).update(total=max(total, 1), progress=done)
        except NoMatches:  # quitting while loading: the screen is already gone
            pass

    async def on_event(self, event: events.Event) -> None:
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and self._loading == "loading"
            and len(self.screen_stack) == 1
            and not self._app_key(event.key)
        ):
            # Nothing to read yet: a key for the reader (n, ], /, …) waits for the
            # first document instead of doing nothing. The app's own keys (q, ?, !,
            # ctrl+c, …) work at once.
            self._early_keys.append((event.key, event.character))
            return
        await super().on_event(event)

    async def _on_key(self, event: events.Key) -> None:
        # A key reaches the app's bindings after the focused pane has passed it
        # on; keys typed right after / arrive before the search field has the
        # keys, and as commands they cited, jumped or opened dialogs. They are
        # typed into the field instead. (prevent_default: Textual's own handler,
        # which runs the bindings, would run next.)
        if self._mounted and self.focused is self.reader and self.reader.search_opening:
            event.prevent_default()
            self.reader.post_message(Reader.SearchTyped(event.key, event.character))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("focus_next", "focus_previous") and len(self.screen_stack) > 1:
            # In a dialog with one field that takes the keys (the entity index,
            # corpus search), tab has nowhere to go: not offered in the key bar.
            return len(self.screen.focus_chain) > 1
        return True

    def set_keymap(self, keymap: dict[str, str]) -> None:
        from tui.keymap import with_shared_keys

        super().set_keymap(with_shared_keys(dict(keymap)))

    def _app_key(self, key: str) -> bool:
        """Whether ``key`` is bound on the app or its main screen (keymap.json applied)."""
        for bindings in (self._bindings.copy(), self.screen._bindings.copy()):
            if self._keymap:
                bindings.apply_keymap(self._keymap)
            if key in bindings.key_to_bindings:
                return True
        return False

    def _replay_early_keys(self) -> None:
        keys, self._early_keys = self._early_keys, []
        for key, character in keys:
            self.post_message(events.Key(key, character))

    def _load_failed(self, exc: Exception) -> None:
        if not self._when_mounted(self._load_failed, exc):
            return
        self._early_keys.clear()
        self._set_loading("")
        self._home_query("#panes", Horizontal).display = True
        # The exception text can carry a file name or document bytes: no control characters.
        message = sanitise_line(f"Could not open the corpus: {type(exc).__name__}: {exc}")
        self.notify(message, severity="error", timeout=30, markup=False)

    def _workspace_partial(self, workspace: Workspace) -> None:
        """Part of a large corpus is indexed: show it, keep indexing the rest."""
        if not workspace.corpus.documents or not self._when_mounted(self._workspace_partial, workspace):
            return
        if not self._partial_shown:
            self._partial_shown = True
            self._enter(workspace)
            self._set_loading("indexing")
        else:
            self._adopt(workspace)

    def _adopt(self, workspace: Workspace, *, final: bool = False) -> None:
        """A fuller workspace of the same corpus: take it without moving the reader.
        ``final``: the whole corpus is indexed now."""
        self.workspace = workspace
        index = workspace.index
        self.documents.set_index(index)
        self.documents.set_current(self.reader.current_doc.id if self.reader.current_doc else None)
        self.reader.adopt_index(index)
        if self.reader.current_doc is None:
            first = next(iter(index.documents), None)
            self._open(first, 0)
            return
        # The side panel's counts and mentions grow as documents are indexed.
        in_panel = isinstance(self.focused, MentionPanel)
        if in_panel and not final:
            return  # not under the user's keys while they move in the list
        mention = self.reader.current_mention
        if mention is not None and not in_panel:
            self.panel.show(index, mention.entity, mention)
        else:
            # The same name as shown (it stays when the cursor leaves a name),
            # on the row the user moved to.
            self.panel.adopt_index(index)

    def _workspace_ready(self, workspace: Workspace) -> None:
        if not self._when_mounted(self._workspace_ready, workspace):
            return
        if self._partial_shown:
            self._partial_shown = False
            self._set_loading("")
            self._adopt(workspace, final=True)
        else:
            self._enter(workspace)
        self._notify_problems(workspace)
        if workspace.cache is not None:
            # Not while the first screen of the corpus is being drawn.
            self.set_timer(SEARCH_INDEX_AFTER, lambda: self._prepare_search(workspace))

    def _prepare_search(self, workspace: Workspace) -> None:
        """Bring the cache's full-text index up to date while the user reads, so
        the first search need not wait for it. A plain daemon thread (nothing
        comes back to the app): it stops between batches when the app leaves,
        and whatever is left is done by the next open or search."""
        stop = self._search_stop

        def progress(done: int, total: int) -> None:
            if stop.is_set():
                raise _Stopped

        def run() -> None:
            try:
                workspace.prepare_search(progress)
            except Exception:  # noqa: BLE001 - a search will try again, and say what went wrong
                pass

        self._search_thread = threading.Thread(target=run, name="xref-search-index", daemon=True)
        self._search_thread.start()

    def stop_background(self, wait: float = 1.0) -> None:
        """Stop building the search index (after its current batch, which is kept)."""
        self._search_stop.set()
        if self._search_thread is not None:
            self._search_thread.join(wait)

    def _enter(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self._set_loading("")
        index = workspace.index
        self.documents.set_index(index)
        restored = self._state.load(workspace.root)
        if restored is not None and restored[0] in index.documents:
            doc_id, offset = restored
            self._open(doc_id, offset)
            self.reader.focus()
        else:
            first = next(iter(index.documents), None)
            self._open(first, 0)
            # First visit: the documents list is shown (even when narrow), but the
            # keys go to the reader, so n, ?, q and the rest work from the start.
            self.docs_visible = True
            self._apply_layout()
            self.reader.focus()
        self._home_query("#panes", Horizontal).display = True
        self._replay_early_keys()

    def _notify_problems(self, workspace: Workspace) -> None:
        problems = [*self.setting_problems, *workspace.problems]
        if problems:
            n = len(problems)
            self.notify(
                # markup=False: the toast builds Content(message), never parses it.
                f"{n} file{'s' if n != 1 else ''} had problems loading — press ! to see which."
                if not self.setting_problems else
                f"{n} problem{'s' if n != 1 else ''} with files or settings (keymap.json) — press ! to see them.",
                title="Load problems",
                severity="warning",
                timeout=8,
                markup=False,
            )

    # -- layout ---------------------------------------------------------------------------
    def on_resize(self, event) -> None:
        self.call_after_refresh(self._apply_layout)

    def _apply_layout(self) -> None:
        wide = self.size.width >= WIDE_AT
        layout = WIDE if wide else NARROW
        if layout != self._layout_class:
            # Crossing the breakpoint resets the panes to that layout's default.
            self._layout_class = layout
            if self.docs_visible is not None and self.reader.current_doc is not None:
                self.docs_visible = None
        docs = self.docs_visible if self.docs_visible is not None else (wide or self.reader.current_doc is None)
        self.documents.display = docs
        self._home_query("#side", SidePanel).display = self.panel_visible
        # Narrow: the footer's room goes to the reader's keys, not the palette hint.
        keybar = self._home_query("KeyBar", KeyBar)
        keybar.show_palette = wide
        keybar.refresh()
        self._keep_focus_shown()
        self.refresh_bindings()

    def _keep_focus_shown(self) -> None:
        """Give the reader the keys when the focused pane is hidden (or none is
        focused): keys typed into a pane the user cannot see are lost."""
        home = self.screen_stack[0] if self.screen_stack else None
        if home is None or self.screen is not home or self._home_query("#panes", Horizontal).display is False:
            return
        node = home.focused
        while node is not None and node is not home and node.display:
            node = node.parent
        if node is home:
            return  # the focused widget and all its containers are shown
        self.reader.focus()

    def pop_screen(self):  # type: ignore[override]
        # A dialog gives the focus back to the pane that had it, which a resize
        # meanwhile may have hidden.
        done = super().pop_screen()
        self.call_after_refresh(self._keep_focus_shown)
        return done

    def action_toggle_documents(self) -> None:
        shown = bool(self.documents.display)
        self.docs_visible = not shown
        self._apply_layout()
        if self.docs_visible:
            self.documents.focus_filter()
        elif self.focused is None or self.focused.has_class("filter"):
            self.reader.focus()

    def action_toggle_panel(self) -> None:
        self.panel_visible = not self.panel_visible
        self._apply_layout()
        if not self.panel_visible and isinstance(self.focused, MentionPanel):
            self.reader.focus()

    # -- opening and jumping --------------------------------------------------------------
    def _open(self, doc_id: str | None, offset: int) -> None:
        index = self.index
        if index is None:
            return
        self.reader.open(index, doc_id, offset)
        self.documents.set_current(doc_id)
        if doc_id is not None:
            self.save_state(later=True)

    def _go(self, location: Location) -> None:
        """Show ``location`` without touching the history."""
        if self.index is None or location.doc_id not in self.index.documents:
            return
        if self.reader.current_doc is None or self.reader.current_doc.id != location.doc_id:
            self._open(location.doc_id, location.offset)
        else:
            self.reader.move_to(location.offset)
        reader = self.reader
        if location.top is not None and location.top <= reader.cursor_row < location.top + reader.size.height:
            reader.scroll_to(y=location.top, animate=False, force=True)  # the screen as it was left
        if (
            location.panel is not None
            and reader.current_mention is None
            and location.panel in self.index.entities
            and (self.panel.entity is None or self.panel.entity.id != location.panel)
        ):
            self.panel.show(self.index, location.panel, None)  # the name it stayed on

    def from_palette(self, action: Callable[..., object], *args: object, to_reader: bool = True) -> None:
        """Run a command palette's choice on the panes: first close the dialogs it
        was opened over (an entity index or search left open underneath would
        hide what the command did, or stack a second one on it). ``to_reader``:
        the keys go to the reader if the documents list had them (what was opened
        is read next, as after enter in the list)."""
        from textual.command import CommandPalette

        while len(self.screen_stack) > 1 and not isinstance(self.screen, CommandPalette):
            self.pop_screen()
        action(*args)
        if to_reader and len(self.screen_stack) == 1 and self.focused is self.documents.filter_input:
            self.reader.focus()

    def jump_to(self, doc_id: str, offset: int) -> None:
        """Go to ``offset`` in ``doc_id``, remembering where we were (b goes back)."""
        self.history.jump(self.location)
        self._go(Location(doc_id, offset))
        self.refresh_bindings()

    def goto_entity(self, entity_id: str, *, prefer_current_doc: bool = False) -> None:
        """Show an entity: jump to its first mention (in this document if asked and possible)."""
        index = self.index
        if index is None:
            return
        if not index.mention_count(entity_id):
            self.panel.show(index, entity_id, None)
            return
        target = index.mention_slice(entity_id, 0, 1)[0]
        doc = self.reader.current_doc
        if prefer_current_doc and doc is not None and index.doc_counts(entity_id).get(doc.id):
            # Its first mention in this document, found by binary search (an
            # entity can have hundreds of thousands of mentions).
            here = index.mentions_before(entity_id, doc.id, 0)
            target = index.mention_slice(entity_id, here, here + 1)[0]
        self.jump_to(target.doc, target.start)

    def action_back(self) -> None:
        target = self.history.back(self.location)
        if target is None:
            self.notify("Nothing to go back to", timeout=2, markup=False)
            return
        self._go(target)

    def action_forward(self) -> None:
        target = self.history.forward(self.location)
        if target is None:
            self.notify("Nothing to go forward to", timeout=2, markup=False)
            return
        self._go(target)

    def _step_same(self, forward: bool) -> None:
        index = self.index
        entity = self.panel.entity
        if index is None or entity is None or self.location is None:
            self.notify("Put the cursor on a name first (n steps to the next one)", timeout=3, markup=False)
            return
        here = self.reader.current_mention
        if here is None or here.entity != entity.id:
            loc = self.location
            here = Mention(loc.doc_id, loc.offset, loc.offset, "", entity.id, "")
        target = index.step_entity(here, forward)
        mentions = index.mentions_of(entity.id)
        if target is None and mentions and self.reader.current_mention not in mentions:
            target = mentions[0] if forward else mentions[-1]
        if target is None:
            self.notify("This is the only mention of that name", timeout=2, markup=False)
            return
        key = (index.doc_order[target.doc], target.start)
        here_key = (index.doc_order[here.doc], here.start)
        if (key <= here_key) if forward else (key >= here_key):
            where = "first" if forward else "last"
            self.notify(f"Wrapped around to the {where} mention", timeout=2, markup=False)
        self.jump_to(target.doc, target.start)

    def action_next_same(self) -> None:
        self._step_same(True)

    def action_previous_same(self) -> None:
        self._step_same(False)

    # -- messages from the panes ---------------------------------------------------------
    def _cursor_moved(self, event: Reader.CursorMoved) -> None:
        """The side panel follows the reader (called by the reader itself, in the same frame)."""
        index = self.index
        if index is None or event.doc_id is None:
            return
        panel = self.panel
        mention = event.mention
        if mention is not None:
            if mention != panel.current_mention or panel.entity is None or panel.entity.id != mention.entity:
                panel.show(index, mention.entity, mention)
        elif panel.entity is not None and panel.current_mention is not None:
            # The panel stays on the last name; only the ▶ marker goes.
            panel.show(index, panel.entity.id, None)

    @on(Reader.FollowRequested)
    def _follow(self, event: Reader.FollowRequested) -> None:
        if event.mention is None:
            self.notify("No name under the cursor (n steps to the next one)", timeout=2, markup=False)
            return
        if not self.panel_visible:
            self.panel_visible = True
            self._apply_layout()
        self.panel.focus()

    @on(MentionPanel.JumpRequested)
    def _panel_jump(self, event: MentionPanel.JumpRequested) -> None:
        self.jump_to(event.mention.doc, event.mention.start)

    @on(MentionPanel.EntityRequested)
    def _panel_entity(self, event: MentionPanel.EntityRequested) -> None:
        self.goto_entity(event.entity_id, prefer_current_doc=True)

    @on(CiteRequested)
    def _cite_requested(self, event: CiteRequested) -> None:
        event.stop()
        self.cite(event.doc_id, event.start, event.end, event.what)

    @on(DocumentList.OpenRequested)
    def _open_requested(self, event: DocumentList.OpenRequested) -> None:
        current = self.reader.current_doc
        if current is None or current.id != event.doc_id:
            self.jump_to(event.doc_id, 0)
        self._leave_documents()

    @on(DocumentList.Closed)
    def _documents_closed(self, event: DocumentList.Closed) -> None:
        self._leave_documents()

    def _leave_documents(self) -> None:
        if self.size.width < WIDE_AT:
            self.docs_visible = False
            self._apply_layout()
        self.reader.focus()

    # -- citations -------------------------------------------------------------------------
    @property
    def citation_style(self) -> str:
        """The style citations are copied in: the user's saved choice, else the default."""
        if self._citation_style is None:
            self._citation_style = self._configured_style()
        return self._citation_style

    @citation_style.setter
    def citation_style(self, style: str) -> None:
        self._citation_style = style

    def _configured_style(self) -> str:
        from xref.cite import DEFAULT_STYLE, parse_style

        stored = self._config.get("citation_style")
        try:
            return parse_style(stored) if isinstance(stored, str) else DEFAULT_STYLE
        except ValueError:  # a style a later version wrote, or a typo: the default
            return DEFAULT_STYLE

    def cite(self, doc_id: str, start: int, end: int, what: str = "quote") -> CopiedCitation | None:
        """Copy a citation of ``doc_id[start:end]`` in the current style and say how it went."""
        index = self.index
        if index is None or doc_id not in index.documents:
            return None
        doc = index.document(doc_id)
        if not doc.text[start:end].strip():
            self.notify("Nothing to cite here: put the cursor on some text", timeout=3, markup=False)
            return None
        from tui.citations import CopiedCitation, copy_notification
        from tui.clipboard import deliver
        from xref.cite import format_citation, make_citation

        citation = make_citation(doc, start, end)
        text = format_citation(citation, self.citation_style)
        report = deliver(self, text)
        copied = self.last_citation = CopiedCitation(text, self.citation_style, what, citation, report)
        title, message = copy_notification(copied)
        nothing = not report.terminal and not report.local
        # markup=False: the message quotes the document, which is never markup.
        self.notify(message, title=title, severity="error" if nothing else "information", timeout=8, markup=False)
        return copied

    def set_citation_style(self, style: str) -> None:
        """Use ``style`` from now on and remember it in the user config."""
        from tui.citations import STYLE_NAMES
        from xref.cite import parse_style

        self.citation_style = parse_style(style)
        problem = self._config.set("citation_style", self.citation_style)
        name = STYLE_NAMES.get(self.citation_style, self.citation_style)
        if problem is None:
            self.notify(f"Citation style: {name}", timeout=3, markup=False)
        else:
            self.notify(
                # clean: the path comes from the environment (XDG_CONFIG_HOME), untrusted like any text.
                f"Citation style: {name} for this session (not saved: {clean(problem)} — {clean(str(self._config.path))})",
                severity="warning",
                timeout=8,
                markup=False,
            )

    def _style_preview(self, style: str) -> str:
        """The citation ``style`` would give for the sentence under the reader's cursor."""
        reader = self.reader
        doc = reader.current_doc
        if doc is None:
            return ""
        from xref.cite import format_citation, make_citation, sentence_span

        start, end = reader.selection or sentence_span(doc, reader.cursor_offset)
        if not doc.text[start:end].strip():
            return ""
        return format_citation(make_citation(doc, start, end), style)

    def action_citation_style(self) -> None:
        from tui.citations import StylePicker

        def chosen(style: str | None) -> None:
            if style:
                self.set_citation_style(style)

        self.push_screen(StylePicker(self.citation_style, self._style_preview), chosen)

    def action_last_citation(self) -> None:
        if self.last_citation is None:
            self.notify("Nothing copied yet: y in the reader copies a citation", timeout=3, markup=False)
            return
        from tui.citations import CitationDialog

        self.push_screen(CitationDialog(self.last_citation))

    # -- screens ---------------------------------------------------------------------------
    def action_entity_index(self) -> None:
        if self.index is None:
            return
        from tui.entity_index import EntityIndexScreen

        def chosen(entity_id: str | None) -> None:
            if entity_id:
                self.goto_entity(entity_id)
                self.reader.focus()

        self.push_screen(EntityIndexScreen(self.index), chosen)

    def action_corpus_search(self, query: str = "") -> None:
        from tui.corpus_search import CorpusSearchScreen  # on first use: not needed to start

        at = None
        if not query:
            # F again: the last search, highlighted on the hit gone to (its
            # query is selected, so typing starts a new one).
            query, at = self._last_search
        screen = CorpusSearchScreen(lambda: self.workspace, query, at)

        def chosen(target: tuple[str, int] | None) -> None:
            typed = screen.query_text
            self._last_search = (typed, target if target is not None else (at if typed == query else None))
            if target is not None:
                self.jump_to(*target)  # recorded: b comes back
                self.reader.focus()

        self.push_screen(screen, chosen)

    def action_problems(self) -> None:
        from tui.problems import ProblemsScreen

        self.push_screen(ProblemsScreen([*self.setting_problems, *(self.workspace.problems if self.workspace else [])]))

    def action_help(self) -> None:
        from tui.help import HelpScreen

        self.push_screen(HelpScreen(self.help_sections()))

    def help_sections(self) -> list[tuple[str, type | Iterable[BindingType]]]:
        from tui.citations import CitationDialog, StylePicker
        from tui.corpus_search import CorpusSearchScreen
        from tui.entity_index import EntityIndexScreen

        return [
            ("Everywhere", type(self)),
            ("Reader", Reader),
            ("Search field", SearchBar),
            ("Documents list and filters", FilterInput),
            ("Side panel", MentionPanel),
            ("Side panel and lists", RowList),
            ("Entity index", EntityIndexScreen),
            ("Corpus search (F)", CorpusSearchScreen),
            ("Citation style list", StylePicker),
            ("Last citation", CitationDialog),
            ("Command palette", [Binding(self.COMMAND_PALETTE_BINDING, "command_palette", "Command palette")]),
            ("Focus", [
                Binding("tab", "app.focus_next", "Next pane"),
                Binding("shift+tab", "app.focus_previous", "Previous pane"),
            ]),
        ]

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Each on the panes, as the keys are: a dialog the palette was opened over
        # is closed first (a command run under it changed nothing visible).
        def on_panes(action: Callable[[], object], *, to_reader: bool = True) -> Callable[[], None]:
            return lambda: self.from_palette(action, to_reader=to_reader)

        yield SystemCommand("Entity index", "Every person, organisation and place, most named first (e)", on_panes(self.action_entity_index))
        yield SystemCommand("Documents", "Show or hide the list of documents (d)", on_panes(self.action_toggle_documents, to_reader=False))
        yield SystemCommand("Side panel", "Show or hide the cross-references (p)", on_panes(self.action_toggle_panel))
        yield SystemCommand("Search in document", "Find text in the open document (/)", on_panes(self._command_search, to_reader=False))
        yield SystemCommand("Back", "Go back to where you were before the last jump (b)", on_panes(self.action_back))
        yield SystemCommand("Forward", "Undo a back (f)", on_panes(self.action_forward))
        yield SystemCommand("Cite sentence", "Copy a citation of the sentence under the cursor (y)", on_panes(self._command_cite))
        yield SystemCommand("Cite paragraph", "Copy a citation of the paragraph under the cursor (Y)", on_panes(self._command_cite_paragraph))
        yield SystemCommand("Show last citation", "The last citation as plain text, to select or save (c)", on_panes(self.action_last_citation))
        yield SystemCommand("Citation style…", "Choose how citations are written (s)", on_panes(self.action_citation_style))
        from tui.citations import STYLE_NAMES
        from xref.cite import STYLE_LABELS, STYLES

        for style in STYLES:
            current = " (current)" if style == self.citation_style else ""
            yield SystemCommand(
                f"Citation style: {STYLE_NAMES[style]}",
                f"{STYLE_LABELS[style]}{current}",
                lambda style=style: self.set_citation_style(style),
            )
        yield SystemCommand("Load problems", "Files that could not be loaded (!)", on_panes(self.action_problems))
        yield SystemCommand("Keys", "Every key of every pane (?)", on_panes(self.action_help))
        yield from super().get_system_commands(screen)

    def _command_search(self) -> None:
        self.reader_pane.open_search()

    def _command_cite(self) -> None:
        self.reader.action_cite()

    def _command_cite_paragraph(self) -> None:
        self.reader.action_cite_paragraph()

    # -- state and quitting -------------------------------------------------------------------
    def save_state(self, *, later: bool = False) -> None:
        """Record where the reader is: at once (quitting), or ``later`` on a
        background thread (opening a document: no disk wait on the UI thread)."""
        if self.workspace is None or self.location is None:
            return
        if later:
            self._state.save_later(self.workspace.root, self.location.doc_id, self.location.offset)
        else:
            self._state.flush()
            self._state.save(self.workspace.root, self.location.doc_id, self.location.offset)

    async def action_quit(self) -> None:
        self.save_state()
        self.exit(0)


def run(
    paths: Sequence[str | Path], *, kb_path: str | Path | None = None, err: TextIO, use_cache: bool | None = None
) -> int:
    """Run the reader; the exit code for the shell."""
    for p in paths:
        if is_missing(p):  # one that is there but cannot be read is reported by the loader
            print(f"xref: {sanitise_line(str(p))}: no such file or folder", file=err)
            return 1
    if kb_path is not None:
        # Named on purpose, as for the subcommands: a reader without it would
        # not be what was asked for, and its problem would only show under !.
        from xref.kb import load_knowledge_base

        _, kb_problems = load_knowledge_base(Path(kb_path).expanduser(), use_default_user_file=False)
        if kb_problems:
            print(f"xref: --kb {sanitise_line(f'{kb_problems[0].path}: {kb_problems[0].reason}')}", file=err)
            return 2
    app = XrefApp(paths, kb_path=kb_path, use_cache=use_cache)
    from tui.keymap import load_keymap

    keymap, app.setting_problems = load_keymap()
    if keymap:
        app.set_keymap(keymap)
    _start_resource_tracker()
    loop = asyncio.new_event_loop()
    signals = _exit_on_signals(app, loop)
    try:
        result = app.run(loop=loop)
    except KeyboardInterrupt:
        result = 130
    finally:
        _close_loop(loop, signals)
        app.stop_background()
        app._state.flush()  # a position opened just before leaving, still on its way to disk
    # The position was saved on the way out (q, ctrl+c, a signal): once the app
    # has exited its screens are gone and there is nothing left to ask.
    code = int(result or app.return_code or 0)
    if any(t.is_alive() and not t.daemon for t in threading.enumerate() if t is not threading.main_thread()):
        # Quit while the corpus was still loading: the terminal is restored and
        # the position saved; do not make the user wait for the load to finish.
        # Its worker processes go too: forked ones hold their own queue's pipes
        # (no EOF ever comes) and ignore SIGTERM (the handlers above are inherited).
        import multiprocessing

        for child in multiprocessing.active_children():
            child.kill()
        for stream in (sys.stdout, sys.stderr, err):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    return code


def _start_resource_tracker() -> None:
    """Start multiprocessing's resource tracker while sys.stderr is the real one.

    The engine indexes large corpora in worker processes, started from the
    loading thread; the first one starts the tracker, passing it
    ``sys.stderr.fileno()``. While the app runs, Textual's stderr capture
    answers -1 there, and starting the pool fails ("bad value(s) in
    fds_to_keep"): the reader could not open a corpus of more than 2 MB.
    """
    try:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    except Exception:  # noqa: BLE001 - no tracker on this platform: nothing to prepare
        pass


def _exit_on_signals(app: XrefApp, loop: asyncio.AbstractEventLoop) -> list[int]:
    """SIGTERM, SIGHUP and SIGINT leave the app as q does: position saved, terminal restored.

    Textual handles none of them (in raw mode ctrl+c is a key, not SIGINT);
    their default action would kill the process with the terminal still in
    the alternate screen, raw mode and mouse reporting.
    """

    def leave(signum: int) -> None:
        # Textual skips mounting once exit() was called, and our on_mount then
        # finds no panes: while the app is still mounting, ask again shortly.
        if not (app.is_running and getattr(app, "_is_mounted", True)):
            loop.call_later(0.05, leave, signum)
            return
        try:
            app.workers.cancel_group(app, "load")  # no callbacks from the loader while leaving
            app.save_state()
        except Exception:  # noqa: BLE001 - leaving matters more than the saved position
            pass
        app.exit(return_code=128 + signum)

    installed: list[int] = []
    for name in ("SIGTERM", "SIGHUP", "SIGINT"):
        signum = getattr(signal, name, None)
        if signum is None:
            continue
        try:
            loop.add_signal_handler(signum, leave, int(signum))
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
            continue
        installed.append(int(signum))
    return installed


def _close_loop(loop: asyncio.AbstractEventLoop, signals: list[int]) -> None:
    """What asyncio.run does after its coroutine, except waiting for the loading thread."""
    for signum in signals:
        try:
            loop.remove_signal_handler(signum)
        except (RuntimeError, ValueError):
            pass
    try:
        pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        loop.run_until_complete(loop.shutdown_asyncgens())
    except Exception:  # noqa: BLE001 - the app has already left; never fail on the way out
        pass
    finally:
        loop.close()
