"""SVG snapshots of the main screen, the entity index and the help, at 80x24 and 160x48.

Update after an intended change with ``python -m pytest tests/tui/test_snapshots.py --snapshot-update``
and look at the report before committing the new SVGs.
"""

from __future__ import annotations

import pytest

from tests.tui.helpers import make_app

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
KIM_JONG_UN_DOC = "001_e0b5316b38a22238.txt"


def _first_offset(seeds, doc_id: str, entity_id: str) -> int:
    return next(m.start for m in seeds.index.doc_mentions(doc_id) if m.entity == entity_id)


@pytest.mark.parametrize("size", SIZES)
def test_main_screen_on_a_mention(snap_compare, seeds, tmp_path, size):
    app = make_app(seeds, tmp_path / "state")
    offset = _first_offset(seeds, KIM_JONG_UN_DOC, "kim-jong-un")

    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        pilot.app.jump_to(KIM_JONG_UN_DOC, offset)
        pilot.app.reader.focus()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_first_start_document_list(snap_compare, seeds, tmp_path, size):
    app = make_app(seeds, tmp_path / "state")

    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def _open_then_press(key: str):
    async def run_before(pilot):
        await pilot.app.workers.wait_for_complete()
        pilot.app.jump_to(KIM_JONG_UN_DOC, 0)
        pilot.app.reader.focus()
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_entity_index(snap_compare, seeds, tmp_path, size):
    app = make_app(seeds, tmp_path / "state")
    assert snap_compare(app, terminal_size=size, run_before=_open_then_press("e"))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare, seeds, tmp_path, size):
    app = make_app(seeds, tmp_path / "state")
    assert snap_compare(app, terminal_size=size, run_before=_open_then_press("question_mark"))
