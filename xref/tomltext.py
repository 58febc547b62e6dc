"""TOML text to data, with syntax errors that say where (line, column).

Used for the corpus manifest and for knowledge-base files. ``tomllib`` is
imported on the first call: most runs read neither (the built-in knowledge
base is kept parsed).
"""

from __future__ import annotations

import re
from typing import Any

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


class TomlSyntaxError(ValueError):
    """Not valid TOML: ``message`` on ``line`` (1-based; None when unknown), at ``column``."""

    def __init__(self, message: str, line: int | None, column: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column

    @property
    def reason(self) -> str:
        """The message with its column, without the line (callers say the line their way)."""
        return f"{self.message} (column {self.column})" if self.column is not None else self.message


def load_toml(text: str) -> dict[str, Any]:
    """``text`` parsed; raises :class:`TomlSyntaxError` when it is not TOML."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = getattr(exc, "msg", None) or str(exc)
        line: int | None = getattr(exc, "lineno", None)  # Python 3.14+ says where as attributes
        column: int | None = getattr(exc, "colno", None)
        match = _POSITION.search(message)
        if match:
            line, column = int(match.group(1)), int(match.group(2))
            message = message[: match.start()]
        elif _AT_END.search(message):
            message = _AT_END.sub("", message) + " at the end of the file"
            line, column = text.count("\n") + 1, None
        raise TomlSyntaxError(message, line, column) from exc
