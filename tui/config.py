"""User settings the reader remembers between runs: ``config.json``.

It lives in ``platformdirs.user_config_dir("xref")`` (next to ``keymap.json``)
and holds a flat JSON object; today only ``citation_style``. Keys this version
does not know are kept when the file is rewritten. Like the saved position
(:mod:`tui.state`), a missing, corrupt or unwritable file never stops the app:
reads fall back to defaults and a failed write is reported, not raised.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from xref.atomic import write_atomically

CONFIG_FILE = "config.json"


def default_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("xref"))


class ConfigStore:
    def __init__(self, directory: Path | str | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_config_dir()
        self.path = self.directory / CONFIG_FILE

    def load(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.load().get(key, default)

    def set(self, key: str, value: Any) -> str | None:
        """Store one setting; None when saved, else why it could not be (never raises)."""
        data = self.load()
        data[key] = value
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomically(self.path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
        except OSError as exc:
            return exc.strerror or type(exc).__name__
        return None
