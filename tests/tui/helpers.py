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


async def palette_prompts(pilot: Pilot, typed: str = "", *, first_lines: bool = False) -> list[str]:
    """Open the command palette, type ``typed``, and list the prompts it offers."""
    from textual.command import CommandList, CommandPalette

    app = pilot.app
    if not isinstance(app.screen, CommandPalette):
        await pilot.press("ctrl+p")
        await settle(pilot)
    assert isinstance(app.screen, CommandPalette)
    if typed:
        await pilot.press(*typed)
        await pilot.pause(0.3)
        await settle(pilot)
    commands = app.screen.query_one(CommandList)
    prompts = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
    return [p.splitlines()[0] for p in prompts] if first_lines else prompts


async def run_from_palette(pilot: Pilot, typed: str, prompt_start: str) -> None:
    """Type ``typed`` into the command palette and run the first command whose
    prompt starts with ``prompt_start``."""
    from textual.command import CommandList

    prompts = await palette_prompts(pilot, typed)
    commands = pilot.app.screen.query_one(CommandList)
    commands.highlighted = next(i for i, p in enumerate(prompts) if p.startswith(prompt_start))
    await pilot.press("enter")
    await settle(pilot)


def small_workspace(root: Path, files: dict[str, str]) -> Workspace:
    """A workspace of ``files`` (name -> text) written into a new folder ``root``,
    indexed without a cache or the user's knowledge base."""
    from xref.engine import open_workspace

    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return open_workspace([root], kb_path=None, use_user_kb=False, use_cache=False)
