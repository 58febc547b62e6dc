"""xref's terminal reader (Textual). ``tui.app.XrefApp`` is the app, ``tui.app.run`` the entry point.

Modules: app (state, layout, keys), reader / reader_pane / wrap (the Line-API
document view), panel (cross-references), doclist, entity_index, help,
problems, commands (palette providers), rowlist / filterlist / keybar (shared
widgets), history, state (saved position), style (entity styles, safe text),
citations (cite keys' message, style picker, last-citation dialog), clipboard
(OSC 52 + local clipboard delivery), config (remembered settings).
"""

from __future__ import annotations

from typing import Any

__all__ = ["XrefApp", "run"]


def __getattr__(name: str) -> Any:  # lazy, so `import tui.wrap` does not build the app
    if name in __all__:
        from tui import app

        return getattr(app, name)
    raise AttributeError(name)
