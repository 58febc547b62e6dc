"""Pure parts of the reader: wrapping, history, saved state."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tui.history import History, Location
from tui.state import StateStore
from tui.wrap import WrapIndex, text_cells, wrap_offsets


def rows_of(text: str, width: int) -> list[str]:
    w = WrapIndex(text, width)
    return [text[slice(*w.span(i))].rstrip("\n") for i in range(len(w))]


def test_wrap_breaks_after_spaces_and_keeps_every_offset() -> None:
    text = "The quick brown fox jumps over the lazy dog.\n\nSecond paragraph here."
    rows = rows_of(text, 12)
    assert all(len(r) <= 12 for r in rows)
    assert rows[0] == "The quick "
    # Rows are contiguous: concatenating them (with the newlines) gives the text back.
    w = WrapIndex(text, 12)
    assert "".join(text[slice(*w.span(i))] for i in range(len(w))) == text
    assert rows.count("") == 1  # the blank line is one empty row


def test_wrap_cuts_words_longer_than_the_row() -> None:
    assert rows_of("abcdefghij", 4) == ["abcd", "efgh", "ij"]


def test_wrap_counts_cells_for_hangul() -> None:
    text = "김정은 위원장 김정은 위원장"
    rows = rows_of(text, 10)
    assert all(text_cells(r) <= 10 for r in rows)
    assert "".join(rows) == text


def test_offset_row_column_round_trip() -> None:
    text = "alpha beta gamma delta\nepsilon"
    w = WrapIndex(text, 11)
    for offset in range(len(text)):
        row = w.row_of(offset)
        assert w.offset_at(row, w.column_of(offset)) == offset


def test_empty_text_has_one_row() -> None:
    assert list(wrap_offsets("", 10)) == [0]
    assert WrapIndex("", 10).span(0) == (0, 0)


def test_history_back_forward_across_documents() -> None:
    h = History()
    a, b, c = Location("x", 1), Location("y", 5), Location("x", 9)
    h.jump(a)  # at a, jump to b
    h.jump(b)  # at b, jump to c
    assert h.back(c) == b
    assert h.back(b) == a
    assert h.back(a) is None
    assert h.forward(a) == b
    assert h.forward(b) == c
    h.back(c)
    h.jump(b)  # a new jump drops the forward list
    assert not h.can_go_forward


def test_state_round_trip_and_atomic_file(tmp_path: Path) -> None:
    store = StateStore(tmp_path / "s")
    assert store.load(tmp_path) is None
    assert store.save(tmp_path, "doc.txt", 42)
    assert store.load(tmp_path) == ("doc.txt", 42)
    assert store.save(tmp_path / "other", "b.txt", 1)
    assert store.load(tmp_path) == ("doc.txt", 42)
    data = json.loads((tmp_path / "s" / "state.json").read_text())
    assert len(data) == 2
    assert [p.name for p in (tmp_path / "s").iterdir()] == ["state.json"]  # no temp files left


def test_state_is_not_rewritten_when_nothing_changed(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    store.save("/corpus/a", "doc.txt", 10)
    store.save("/corpus/b", "other.txt", 3)
    before = store.path.stat().st_ino
    assert store.save("/corpus/b", "other.txt", 3)  # the latest entry, unchanged: no write
    assert store.path.stat().st_ino == before
    store.save("/corpus/a", "doc.txt", 10)  # unchanged, but not the latest: moved last
    assert store.path.stat().st_ino != before
    assert list(json.loads(store.path.read_text()).values())[-1] == {"doc": "doc.txt", "offset": 10}
    assert store.load("/corpus/a") == ("doc.txt", 10) and store.load("/corpus/b") == ("other.txt", 3)


def test_state_saved_later_is_written_off_the_calling_thread_and_the_latest_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import tui.state

    writers: list[str] = []
    gate = threading.Event()
    original = tui.state.write_atomically

    def slow_write(path, data):  # type: ignore[no-untyped-def]
        gate.wait(10)  # a disk that takes its time: the caller must not wait for it
        writers.append(threading.current_thread().name)
        original(path, data)

    monkeypatch.setattr(tui.state, "write_atomically", slow_write)
    store = StateStore(tmp_path)
    for offset in range(50):
        store.save_later("/corpus", "doc.txt", offset)  # returns at once, though no write can finish yet
    assert writers == [] and not store.path.exists()
    gate.set()
    store.flush()  # waits for the write in progress, then writes what is left
    assert store.load("/corpus") == ("doc.txt", 49)
    assert writers and threading.main_thread().name not in writers[:1]  # the first write was the thread's
    assert len(writers) <= 2  # positions given while one was waiting replaced it

    # Quitting: flush, then a write on the spot, which no older position can overtake.
    store.save_later("/corpus", "doc.txt", 60)
    store.flush()
    assert store.save("/corpus", "doc.txt", 61)
    store.flush()
    assert store.load("/corpus") == ("doc.txt", 61)


def test_state_saved_later_is_written_at_once_when_no_thread_can_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    def refuse(self):  # type: ignore[no-untyped-def]
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    store = StateStore(tmp_path)
    store.save_later("/corpus", "doc.txt", 7)
    assert store.load("/corpus") == ("doc.txt", 7)


def test_state_survives_corrupt_file(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text("{not json")
    store = StateStore(tmp_path)
    assert store.load(tmp_path) is None
    assert store.save(tmp_path, "a", 3)
    assert store.load(tmp_path) == ("a", 3)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_state_dir_is_not_an_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        assert StateStore(locked).save(tmp_path, "a", 1) is False
    finally:
        locked.chmod(0o700)


def test_state_dir_that_is_a_file_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert StateStore(blocker / "sub").save(tmp_path, "a", 1) is False


def test_user_keymap_file(tmp_path: Path, monkeypatch) -> None:
    from tui.keymap import load_keymap

    path = tmp_path / "keymap.json"
    monkeypatch.setenv("XREF_KEYMAP", str(path))
    assert load_keymap() == ({}, [])
    path.write_text('{"app.entities": "E", "reader.next_mention": "n,ctrl+n"}')
    assert load_keymap() == ({"app.entities": "E", "reader.next_mention": "n,ctrl+n"}, [])
    for text, said in [
        ("[1, 2]", "must be a JSON object"),
        ('{"app.quit": "x",', "not valid JSON"),
    ]:
        path.write_text(text)
        keymap, problems = load_keymap()
        assert keymap == {} and len(problems) == 1
        assert problems[0].path == str(path) and said in problems[0].reason, problems
    # What can be used applies; each thing that cannot is named.
    path.write_text('{"app.entities": "E", "bogus.id": "z", "app.back": "n", "app.quit": "foo bar",'
                    ' "reader.next_mention": ","}')
    keymap, problems = load_keymap()
    reasons = [p.reason for p in problems]
    assert keymap == {"app.entities": "E", "app.back": "n"}
    assert any("'bogus.id'" in r for r in reasons)
    assert any("app.quit: 'foo bar' is not a list of key names" in r for r in reasons)
    assert any("reader.next_mention: ','" in r for r in reasons)
    assert any(r.startswith("keymap: n is given to app.back and also to") and "reader.next_mention" in r
               for r in reasons), reasons
    assert len(problems) == 4
    # Keys the defaults share by design are no clash; a key another binding of the pane has is.
    path.write_text('{"reader.next_mention": "n,space"}')
    keymap, problems = load_keymap()
    assert [p.reason for p in problems] == [
        "keymap: space is given to reader.next_mention and also to reader.page_down; only one can work"]