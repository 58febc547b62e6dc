"""The user's key remapping: ``keymap.json``, read and checked.

A JSON object of binding id -> keys (comma-separated Textual key names), in
xref's config folder or the file ``$XREF_KEYMAP`` names. What cannot be used
(a file that is not JSON, an id no binding has, a key name with spaces, a key
given to two bindings that then cannot both work) is reported as a problem
naming the file, and left out; the rest applies.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from pathlib import Path

from textual.binding import Binding
from textual.dom import DOMNode

from xref.model import Problem

# Modules holding the app's panes and dialogs, each with its bindings.
_MODULES = ("tui.app", "tui.reader", "tui.panel", "tui.doclist", "tui.filterlist", "tui.rowlist", "tui.help",
            "tui.entity_index", "tui.corpus_search", "tui.problems", "tui.citations", "tui.reader_pane")
# A Textual key name: letters, digits, underscores, modifiers joined by "+"; or one printable character.
_KEY = re.compile(r"^(?:[A-Za-z0-9_]+(?:\+[A-Za-z0-9_]+)*|[^\s,])$")


def keymap_path() -> Path:
    import platformdirs

    return Path(os.environ.get("XREF_KEYMAP") or Path(platformdirs.user_config_dir("xref")) / "keymap.json")


def known_bindings() -> dict[str, tuple[str, str]]:
    """Binding id -> (default keys, the class that holds it), over every pane and dialog."""
    for name in _MODULES:
        importlib.import_module(name)
    found: dict[str, tuple[str, str]] = {}
    todo: list[type] = [DOMNode]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__module__.startswith("tui."):
            continue
        for binding in cls.__dict__.get("BINDINGS", ()):
            if isinstance(binding, Binding) and binding.id:
                found.setdefault(binding.id, (binding.key, cls.__qualname__))
    return found


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], list[Problem]]:
    """The usable part of the keymap file (empty if there is none), and its problems."""
    path = path or keymap_path()
    where = str(path)
    try:
        if not path.exists():
            return {}, []
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [Problem(where, f"keymap not read ({exc}); the default keys apply", "warning")]
    except ValueError as exc:
        return {}, [Problem(where, f"keymap is not valid JSON ({exc}); the default keys apply", "warning")]
    if not isinstance(data, dict):
        return {}, [Problem(where, "keymap must be a JSON object of binding id -> keys; the default keys apply",
                            "warning")]
    known = known_bindings()
    problems: list[Problem] = []
    keymap: dict[str, str] = {}
    for binding_id, keys in data.items():
        if binding_id not in known:
            problems.append(Problem(where, f"keymap: no binding has the id {binding_id!r} (the ids are listed "
                                           "dim in ?); left out", "warning"))
        elif not isinstance(keys, str) or not all(_KEY.match(k.strip()) for k in keys.split(",")):
            problems.append(Problem(where, f"keymap: {binding_id}: {keys!r} is not a list of key names like "
                                           "'n' or 'ctrl+right,w'; left out", "warning"))
        else:
            keymap[binding_id] = ",".join(k.strip() for k in keys.split(","))
    problems += _clashes(where, keymap, known)
    return keymap, problems


def with_shared_keys(keymap: dict[str, str]) -> dict[str, str]:
    """``keymap`` plus, unchanged, the bindings that share a default key with a
    remapped one (n: the next name and the next search hit, which take turns).

    Textual drops every binding of a key when it moves one of them away, so
    remapping the next name to "n,ctrl+n" took n from the next search hit."""
    if not keymap:
        return keymap
    known = known_bindings()
    out = dict(keymap)
    for binding_id in keymap:
        default, scope = known.get(binding_id, ("", ""))
        keys = {k.strip() for k in default.split(",")}
        for other, (other_default, other_scope) in known.items():
            if other_scope == scope and other not in keymap and keys & {k.strip() for k in other_default.split(",")}:
                out[other] = other_default
    return out


def _clashes(where: str, keymap: dict[str, str], known: dict[str, tuple[str, str]]) -> list[Problem]:
    """A remapped key that another binding of the same pane has, or that an app
    binding and a reading pane both have (the pane's wins while it has focus):
    only one of them can work there. Keys the defaults already share (n for the
    next name and the next search hit, which take turns) are not reported."""
    app_scope = known.get("app.quit", ("", "XrefApp"))[1]

    def holders(keys_of: dict[str, str]) -> dict[tuple[str, str], set[str]]:
        out: dict[tuple[str, str], set[str]] = {}
        for binding_id, (default, scope) in known.items():
            for key in keys_of.get(binding_id, default).split(","):
                out.setdefault((scope, key.strip()), set()).add(binding_id)
        return out

    def sharing(table: dict[tuple[str, str], set[str]], scope: str, key: str) -> set[str]:
        ids = set(table.get((scope, key), ()))
        if scope == app_scope:
            for pane in _READING_PANES:
                ids |= table.get((pane, key), set())
        elif scope in _READING_PANES:
            ids |= table.get((app_scope, key), set())
        return ids

    now, before = holders(keymap), holders({})
    problems: list[Problem] = []
    for binding_id, keys in keymap.items():
        default, scope = known[binding_id]
        for key in keys.split(","):
            others = sharing(now, scope, key) - {binding_id}
            if key in {k.strip() for k in default.split(",")}:
                others -= sharing(before, scope, key)
            if others:
                problems.append(Problem(where, f"keymap: {key} is given to {binding_id} and also to "
                                               f"{', '.join(sorted(others))}; only one can work", "warning"))
    return problems


# Panes whose own bindings shadow the app's while they have focus.
_READING_PANES = ("Reader", "MentionPanel")
