"""A large corpus is readable while it indexes: partial workspaces, then the final one."""

from __future__ import annotations

from pathlib import Path

import pytest

import tui.app as app_module
from tests.tui.conftest import run_async
from tui.app import XrefApp

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _corpus(root: Path, copies: int) -> list[str]:
    """``copies`` documents made from the seeds' text (about 2 MB in all)."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    root.mkdir()
    names = []
    for i in range(copies):
        name = f"doc{i:03d}.txt"
        (root / name).write_text(f"Copy {i}\n\n" + texts[i % len(texts)], encoding="utf-8")
        names.append(name)
    return names


@run_async
async def test_partial_corpus_is_usable_and_the_final_one_keeps_the_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = _corpus(tmp_path / "corpus", 60)
    monkeypatch.setattr(app_module, "PARTIAL_EVERY", 0.0)  # show every batch as it comes
    app = XrefApp(paths=[tmp_path / "corpus"], state_dir=tmp_path / "state", config_dir=tmp_path / "config",
                  use_cache=False)
    seen: list[dict[str, object]] = []
    original = app._workspace_partial

    def partial(workspace):  # type: ignore[no-untyped-def]
        if not app._mounted:  # too early: the app calls this again once the panes exist
            original(workspace)
            return
        first = not app._partial_shown
        original(workspace)
        ready = len(workspace.corpus.documents)
        seen.append({"ready": ready, "listed": len(app.documents.shown_ids),
                     "indexing": app.loading_state == "indexing", "loading": app.loading_state == "loading"})
        if first and ready:
            # What a reader does meanwhile: opens a document and moves in it.
            app.jump_to(workspace.corpus.documents[0].id, 200)

    app._workspace_partial = partial  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert seen, "no partial workspace was shown"
        first = seen[0]
        assert first["indexing"] and not first["loading"]
        assert 0 < first["ready"] < len(names)  # type: ignore[operator]
        assert first["listed"] == first["ready"]
        # Finished: all documents, the progress line gone, the reader where the user put it.
        assert app.loading_state == ""
        assert app.workspace is not None and app.workspace.complete
        assert app.documents.shown_ids == names
        assert app.reader.current_doc.id == names[0]
        assert app.reader.cursor_offset == 200
        assert app.reader._index is app.index  # the reader reads the final index
        app.reader.focus()
        await pilot.press("n")
        mention = app.reader.current_mention
        assert mention is not None and app.panel.entity is not None
        assert app.panel.entity.id == mention.entity


@run_async
async def test_small_corpus_opens_without_a_partial_step(tmp_path: Path) -> None:
    _corpus(tmp_path / "corpus", 2)
    app = XrefApp(paths=[tmp_path / "corpus"], state_dir=tmp_path / "state", config_dir=tmp_path / "config",
                  use_cache=False)
    calls: list[int] = []
    original = app._workspace_partial
    app._workspace_partial = lambda ws: (calls.append(1), original(ws))  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert calls == []
        assert app.workspace is not None and len(app.documents.shown_ids) == 2


@run_async
async def test_the_side_panel_in_use_takes_the_final_counts_and_keeps_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.panel import EntityTitle, MentionPanel

    _corpus(tmp_path / "corpus", 60)
    monkeypatch.setattr(app_module, "PARTIAL_EVERY", 0.0)
    app = XrefApp(paths=[tmp_path / "corpus"], state_dir=tmp_path / "state", config_dir=tmp_path / "config",
                  use_cache=False)
    held: list[object] = []
    original = app._workspace_partial

    def partial(workspace):  # type: ignore[no-untyped-def]
        first = app._mounted and not app._partial_shown
        original(workspace)
        if first and workspace.corpus.documents:
            # The user goes into the side panel on a name and moves down its list.
            doc = workspace.corpus.documents[0]
            mention = next(m for m in workspace.index.doc_mentions(doc.id) if m.entity == "north-korea")
            app.jump_to(doc.id, mention.start)
            app.panel.focus()
            app.panel.action_cursor_down()
            held.append(app.panel.highlighted_mention)
            held.append(workspace.index.mention_count("north-korea"))

    app._workspace_partial = partial  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        assert held, "no partial workspace was shown"
        highlighted, partial_count = held
        assert isinstance(app.focused, MentionPanel)
        final_count = app.index.mention_count("north-korea")
        assert final_count > partial_count  # type: ignore[operator]
        assert app.panel.entity is not None and app.panel.entity.id == "north-korea"
        title = app.query_one(EntityTitle).plain
        assert f"{final_count:,} mentions" in title or f"{final_count:,} in" in title, title
        assert app.panel.highlighted_mention == highlighted
