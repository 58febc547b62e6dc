"""Where the reader was, per corpus, between runs: JSON written atomically.

``state.json`` in ``platformdirs.user_data_dir("xref")`` maps a corpus root to
``{"doc": id, "offset": n}``. A missing, corrupt or unwritable file never
stops the app: it starts at the top and carries on without saving.

Opening a document records the place with :meth:`StateStore.save_later`, on a
background thread (the write ends with an fsync, which can take a while on a
slow or network disk); quitting writes at once with :meth:`StateStore.save`
after :meth:`StateStore.flush`.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from xref.atomic import write_atomically

STATE_FILE = "state.json"
MAX_CORPORA = 200


def default_state_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("xref"))


def corpus_key(root: Path | str) -> str:
    try:
        return str(Path(root).resolve())
    except OSError:
        return str(root)


class StateStore:
    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_state_dir()
        self.path = self.directory / STATE_FILE
        self._pending: tuple[Path | str, str, int] | None = None
        self._writer: threading.Thread | None = None
        self._lock = threading.Lock()  # guards _pending and _writer
        self._io = threading.Lock()  # one write at a time, in the order positions were taken

    def save_later(self, root: Path | str, doc_id: str, offset: int) -> None:
        """Record the position on a background thread; a newer position given
        before the write starts replaces this one."""
        with self._lock:
            self._pending = (root, doc_id, int(offset))
            if self._writer is not None:
                return  # the running writer takes it
            self._writer = threading.Thread(target=self._drain, name="xref-state", daemon=True)
            try:
                self._writer.start()
                return
            except RuntimeError:  # no thread to be had: write it here after all
                self._writer = None
        self.flush()

    def _drain(self) -> None:
        while True:
            with self._io:
                with self._lock:
                    item, self._pending = self._pending, None
                    if item is None:
                        self._writer = None
                        return
                self.save(*item)

    def flush(self) -> None:
        """Write any position still waiting, and wait for a write in progress."""
        with self._io:
            with self._lock:
                item, self._pending = self._pending, None
            if item is not None:
                self.save(*item)

    def _read_all(self) -> dict[str, dict[str, object]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def load(self, root: Path | str) -> tuple[str, int] | None:
        entry = self._read_all().get(corpus_key(root))
        if not isinstance(entry, dict):
            return None
        doc, offset = entry.get("doc"), entry.get("offset", 0)
        if not isinstance(doc, str) or not isinstance(offset, int) or isinstance(offset, bool):
            return None
        return doc, max(0, offset)

    def save(self, root: Path | str, doc_id: str, offset: int) -> bool:
        """Record the position now; False (and no exception) when it cannot be written.
        Call :meth:`flush` first when :meth:`save_later` may have a write waiting."""
        data = self._read_all()
        key = corpus_key(root)
        entry = {"doc": doc_id, "offset": int(offset)}
        if data.get(key) == entry and next(reversed(data), None) == key:
            return True  # already so (reopening where we left off): no write, no fsync
        data.pop(key, None)
        data[key] = entry
        # Keep the most recently saved corpora (dicts keep insertion order).
        while len(data) > MAX_CORPORA:
            data.pop(next(iter(data)))
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, _json_text(data))
        except OSError:
            return False
        return True


def _json_text(data: object) -> str:
    """JSON that UTF-8 can encode: ids of files whose names are not UTF-8 hold lone
    surrogates, which only an ASCII-escaped dump can write (and read back exactly)."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = json.dumps(data, ensure_ascii=True, indent=1)
    return text
