"""Small helpers shared by the TUI tests."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tui.app import XrefApp
from xref.engine import Workspace


def make_app(workspace: Workspace, state_dir: Path, config_dir: Path | None = None) -> XrefApp:
    # The config folder sits next to the test's state folder: never the user's own.
    return XrefApp(workspace=workspace, state_dir=state_dir, config_dir=config_dir or state_dir.with_name("config"))


async def settle(pilot: Pilot) -> None:
    """Let every queued message and worker finish."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()


async def open_doc(pilot: Pilot, doc_id: str, offset: int = 0) -> None:
    app: XrefApp = pilot.app  # type: ignore[assignment]
    app.jump_to(doc_id, offset)
    app.reader.focus()
    await settle(pilot)
