"""The knowledge base: curated entities read from TOML files.

The built-in file ``xref/data/kb.toml`` ships with the package; a user file in
the same format (by default ``<user config dir>/xref/kb.toml``) merges over it.
A broken user file must never stop the program, so :func:`load_knowledge_base`
turns its errors into :class:`~xref.model.Problem` values and carries on with
the built-in knowledge base. A broken built-in file is our bug and raises.

Every error names the file and the line: tomllib's position for syntax errors,
otherwise the line of the offending ``[[entity]]`` header, found by counting
headers in the raw text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs

from xref.corpus import is_missing
from xref.model import Entity, EntityType, Problem
from xref.sanitise import sanitise_line
from xref.tomltext import TomlSyntaxError, load_toml

__all__ = [
    "KBError",
    "KnowledgeBase",
    "LINE_KEY",
    "default_user_kb_path",
    "load_builtin",
    "load_file",
    "load_knowledge_base",
    "merge",
]

#: Key under which :func:`load_file` records the line of each table's header.
LINE_KEY = "_line"

_STRING_FIELDS = ("id", "name", "type", "hangul", "description")
_LIST_FIELDS = ("aliases", "distinct_from")
_BOOL_FIELDS = ("replace_aliases",)
_KNOWN_FIELDS = frozenset((*_STRING_FIELDS, *_LIST_FIELDS, *_BOOL_FIELDS))
_TYPES = tuple(t.value for t in EntityType)
_TYPE_SPELLINGS = {"organization": EntityType.ORGANISATION.value}
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_HEADER = re.compile(r"""^[ \t]*\[\[[ \t]*(?:entity|"entity"|'entity')[ \t]*\]\]""", re.MULTILINE)


class KBError(Exception):
    """A knowledge-base file that cannot be used, with where and why.

    ``str(error)`` reads ``path:line: reason`` (``path: reason`` when no line
    applies), with the home directory shortened to ``~``.
    """

    def __init__(self, path: str | Path, line: int | None, reason: str) -> None:
        self.path = str(path)
        self.line = line
        self.reason = reason
        where = _display_path(self.path)
        super().__init__(f"{where}:{line}: {reason}" if line else f"{where}: {reason}")

    def __reduce__(self) -> tuple[type[KBError], tuple[str, int | None, str]]:
        return (KBError, (self.path, self.line, self.reason))

    def to_problem(self) -> Problem:
        prefix = f"line {self.line}: " if self.line else ""
        return Problem(self.path, prefix + self.reason)


@dataclass
class KnowledgeBase:
    """Entities by id, and the files they were read from (built-in first)."""

    entities: dict[str, Entity] = field(default_factory=dict)
    sources: list[Path] = field(default_factory=list)

    def get(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def by_type(self, entity_type: str | EntityType) -> list[Entity]:
        wanted = str(entity_type)
        return [e for e in self.entities.values() if e.type == wanted]

    def __len__(self) -> int:
        return len(self.entities)

    def __iter__(self) -> Iterator[Entity]:
        return iter(self.entities.values())

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self.entities

    @property
    def fingerprint(self) -> str:
        """sha256 of the content, independent of file order and alias order.

        Suitable as a cache key: it changes exactly when some entity does.
        """
        canonical = [
            [
                e.id,
                e.name,
                e.type,
                sorted(e.aliases),
                e.hangul,
                e.description,
                sorted(e.distinct_from),
                e.discovered,
            ]
            for e in sorted(self.entities.values(), key=lambda e: e.id)
        ]
        blob = json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# --------------------------------------------------------------------- paths


def default_user_kb_path() -> Path:
    return Path(platformdirs.user_config_dir("xref")) / "kb.toml"


def _display_path(path: str) -> str:
    try:
        home = Path.home()
        relative = Path(path).relative_to(home)
    except (ValueError, RuntimeError, OSError):
        return path
    return str(Path("~") / relative)


# ------------------------------------------------------------------- reading


def load_file(path: Path | str) -> list[dict[str, Any]]:
    """Read and check one knowledge-base file; raise :class:`KBError` if unusable.

    Returns one dict per ``[[entity]]`` table with the fields checked and
    stripped, plus the header's line number under :data:`LINE_KEY`. Whether
    every entity has a name and type, and whether ``distinct_from`` ids exist,
    depends on what the file is merged over, so :func:`merge` checks that.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KBError(path, None, f"cannot read the file ({exc.strerror or exc})") from exc
    return _parse(data, path)


def _parse(data: bytes, path: Path) -> list[dict[str, Any]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise KBError(path, line, "the file is not UTF-8 text") from exc
    text = text.removeprefix("\ufeff")
    try:
        document = load_toml(text)
    except TomlSyntaxError as exc:
        raise KBError(path, exc.line, f"invalid TOML: {exc.reason}") from exc

    headers = [text.count("\n", 0, m.start()) + 1 for m in _HEADER.finditer(text)]
    for key in document:
        if key != "entity":
            raise KBError(path, _key_line(text, key), f"unknown top-level key {key!r}; expected only [[entity]] tables")
    tables = document.get("entity", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        line = headers[0] if headers else _key_line(text, "entity")
        raise KBError(path, line, "'entity' must be an array of tables, each written as [[entity]]")

    checked: list[dict[str, Any]] = []
    first_line: dict[str, int | None] = {}
    for index, table in enumerate(tables):
        line = headers[index] if index < len(headers) else None
        entry = _check_table(table, index, line, path)
        entity_id = entry["id"]
        if entity_id in first_line:
            earlier = first_line[entity_id]
            where = f" (first defined on line {earlier})" if earlier else ""
            raise KBError(path, line, f"duplicate id {entity_id!r}{where}")
        first_line[entity_id] = line
        checked.append(entry)
    return checked


def _key_line(text: str, key: str) -> int | None:
    pattern = re.compile(rf"""^[ \t]*\[*[ \t]*["']?{re.escape(key)}\b""", re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _check_table(table: Mapping[str, Any], index: int, line: int | None, path: Path | str) -> dict[str, Any]:
    """Check one table's fields and return a cleaned copy (with its line)."""
    raw_id = table.get("id")
    if raw_id is None:
        raise KBError(path, line, f"entity #{index + 1} has no id")
    if not isinstance(raw_id, str):
        raise KBError(path, line, f"entity #{index + 1}: 'id' must be a string, not {_toml_type(raw_id)}")
    entity_id = raw_id.strip()
    if not _SLUG.fullmatch(entity_id):
        raise KBError(
            path, line, f"entity id {raw_id!r} is not a lowercase slug (a-z, 0-9 and single hyphens, e.g. 'kim-jong-un')"
        )
    label = f"entity {entity_id!r}"

    entry: dict[str, Any] = {LINE_KEY: line}
    for key, value in table.items():
        if key == LINE_KEY:
            continue
        if key not in _KNOWN_FIELDS:
            known = ", ".join(sorted(_KNOWN_FIELDS))
            raise KBError(path, line, f"{label} has unknown field {key!r} (known fields: {known})")
        if key in _STRING_FIELDS:
            if not isinstance(value, str):
                raise KBError(path, line, f"{label}: {key!r} must be a string, not {_toml_type(value)}")
            entry[key] = value.strip()
        elif key in _LIST_FIELDS:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise KBError(path, line, f"{label}: {key!r} must be a list of strings")
            items = [v.strip() for v in value]
            if any(not v for v in items):
                raise KBError(path, line, f"{label}: {key!r} contains an empty string")
            entry[key] = items
        elif not isinstance(value, bool):
            raise KBError(path, line, f"{label}: {key!r} must be true or false, not {_toml_type(value)}")
        else:
            entry[key] = value
    entry["id"] = entity_id

    if "name" in entry and not entry["name"]:
        raise KBError(path, line, f"{label} has an empty name")
    if "type" in entry:
        spelled = entry["type"].lower()
        spelled = _TYPE_SPELLINGS.get(spelled, spelled)
        if spelled not in _TYPES:
            raise KBError(
                path, line, f"{label} has unknown type {entry['type']!r} (expected one of: {', '.join(_TYPES)})"
            )
        entry["type"] = spelled
    for other in entry.get("distinct_from", ()):
        if other == entity_id:
            raise KBError(path, line, f"{label} lists itself in distinct_from")
    return entry


def _toml_type(value: object) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "an array", dict: "a table"}
    return names.get(type(value), type(value).__name__)


# ------------------------------------------------------------------- merging


def merge(base: KnowledgeBase, overrides: Iterable[Mapping[str, Any]], source: Path | str) -> KnowledgeBase:
    """Return a new knowledge base: ``base`` with the tables of ``source`` applied.

    A table whose id exists updates that entity: the fields it gives replace the
    old ones, except ``aliases`` and ``distinct_from``, which are added to the
    existing lists (``replace_aliases = true`` makes the given aliases replace
    them instead). A table with a new id adds an entity and needs a name and a
    type. Afterwards every ``distinct_from`` id must exist, and the relation is
    made symmetric. ``base`` is not modified. Raises :class:`KBError`.
    """
    source_path = Path(source)
    entities = dict(base.entities)
    applied: list[dict[str, Any]] = []
    for index, table in enumerate(overrides):
        entry = _check_table(table, index, table.get(LINE_KEY), source_path)
        applied.append(entry)
        entities[entry["id"]] = _apply(entities.get(entry["id"]), entry, source_path)

    for entry in applied:
        for other in entry.get("distinct_from", ()):
            if other not in entities:
                raise KBError(
                    source_path,
                    entry[LINE_KEY],
                    f"entity {entry['id']!r}: distinct_from names unknown id {other!r}",
                )

    return KnowledgeBase(_symmetric(entities), [*base.sources, source_path])


def _clean_text(value: Any) -> Any:
    """User files are untrusted like documents: no control characters in names."""
    if isinstance(value, str):
        return sanitise_line(value)
    if isinstance(value, list):
        return [sanitise_line(v) if isinstance(v, str) else v for v in value]
    return value


def _apply(old: Entity | None, entry: Mapping[str, Any], source: Path) -> Entity:
    entry = {k: (_clean_text(v) if k != LINE_KEY else v) for k, v in entry.items()}
    entity_id: str = entry["id"]
    line = entry.get(LINE_KEY)
    if old is None:
        if not entry.get("name"):
            raise KBError(source, line, f"entity {entity_id!r} has no name")
        if not entry.get("type"):
            raise KBError(source, line, f"entity {entity_id!r} has no type (one of: {', '.join(_TYPES)})")
        name: str = entry["name"]
        return Entity(
            id=entity_id,
            name=name,
            type=entry["type"],
            aliases=_clean_aliases(entry.get("aliases", ()), name),
            hangul=entry.get("hangul", ""),
            description=entry.get("description", ""),
            distinct_from=_unique(entry.get("distinct_from", ())),
        )
    name = entry.get("name", old.name)
    if entry.get("replace_aliases", False):
        aliases = _clean_aliases(entry.get("aliases", ()), name)
    else:
        aliases = _clean_aliases((*old.aliases, *entry.get("aliases", ())), name)
    return dataclasses.replace(
        old,
        name=name,
        type=entry.get("type", old.type),
        aliases=aliases,
        hangul=entry.get("hangul", old.hangul),
        description=entry.get("description", old.description),
        distinct_from=_unique((*old.distinct_from, *entry.get("distinct_from", ()))),
    )


def _clean_aliases(aliases: Iterable[str], name: str) -> tuple[str, ...]:
    """Aliases without repeats (ignoring case) and without the name itself."""
    seen = {name.casefold()}
    kept: list[str] = []
    for alias in aliases:
        key = alias.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(alias)
    return tuple(kept)


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def _symmetric(entities: dict[str, Entity]) -> dict[str, Entity]:
    additions: dict[str, list[str]] = {}
    for entity in entities.values():
        for other in entity.distinct_from:
            target = entities.get(other)
            if target is not None and entity.id not in target.distinct_from:
                additions.setdefault(other, []).append(entity.id)
    if not additions:
        return entities
    result = dict(entities)
    for entity_id, extra in additions.items():
        old = result[entity_id]
        result[entity_id] = dataclasses.replace(old, distinct_from=_unique((*old.distinct_from, *extra)))
    return result


# ------------------------------------------------------------------- loading


# The built-in file is parsed and checked once and the result kept as JSON in
# the cache folder: reading that back takes a few milliseconds where parsing
# and checking the TOML takes about a hundred, which counts at start-up.
# The file is named by a hash of the TOML bytes and of this format, so an
# edited knowledge base or a new xref never reads an old result; anything
# unexpected in it means "parse the TOML".
_PARSED_FORMAT = 1
_ENTITY_FIELDS = tuple(f.name for f in dataclasses.fields(Entity))


def _parsed_path(data: bytes) -> Path | None:
    if os.environ.get("XREF_NO_CACHE"):
        return None
    from xref.cache import default_cache_dir

    digest = hashlib.sha256(data + f"|{_PARSED_FORMAT}|{','.join(_ENTITY_FIELDS)}".encode()).hexdigest()[:20]
    return default_cache_dir() / f"kb-builtin-{digest}.json"


def _read_parsed(path: Path) -> dict[str, Entity] | None:
    try:
        rows = json.loads(path.read_bytes())
        entities: dict[str, Entity] = {}
        for row in rows:
            if not isinstance(row, list) or len(row) != len(_ENTITY_FIELDS):
                return None
            values = dict(zip(_ENTITY_FIELDS, row))
            values["aliases"] = tuple(values["aliases"])
            values["distinct_from"] = tuple(values["distinct_from"])
            entity = Entity(**values)
            entities[entity.id] = entity
        return entities or None
    except (OSError, ValueError, TypeError, KeyError):
        return None


def _write_parsed(path: Path, entities: Mapping[str, Entity]) -> None:
    from xref.atomic import write_atomically

    rows = [[getattr(e, name) for name in _ENTITY_FIELDS] for e in entities.values()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, json.dumps(rows, ensure_ascii=False))
    except OSError:  # a read-only cache folder only costs the parse next time
        pass


@lru_cache(maxsize=1)
def _builtin() -> KnowledgeBase:
    resource = resources.files("xref").joinpath("data", "kb.toml")
    path = Path(str(resource))
    data = resource.read_bytes()
    parsed = _parsed_path(data)
    if parsed is not None:
        entities = _read_parsed(parsed)
        if entities is not None:
            return KnowledgeBase(entities, [path])
    kb = merge(KnowledgeBase(), _parse(data, path), path)
    if parsed is not None:
        _write_parsed(parsed, kb.entities)
    return kb


def load_builtin() -> KnowledgeBase:
    """The knowledge base shipped with xref. Raises :class:`KBError` if it is broken."""
    cached = _builtin()
    return KnowledgeBase(dict(cached.entities), list(cached.sources))


def load_knowledge_base(
    user_path: Path | None = None, *, use_default_user_file: bool = True
) -> tuple[KnowledgeBase, list[Problem]]:
    """The built-in knowledge base merged with the user's file, and any problems.

    ``user_path`` names the user file explicitly (it must exist); otherwise the
    default user file is used when ``use_default_user_file`` is true and the
    file exists. A user file that cannot be used becomes one :class:`Problem`
    and the built-in knowledge base is returned unchanged.
    """
    kb = load_builtin()
    # Only a file that is surely not there counts as absent: one we may not
    # even look at (a folder on the way is locked) is read, and says why not.
    if user_path is not None:
        path = Path(user_path).expanduser()
        if is_missing(path):
            return kb, [Problem(str(path), "knowledge-base file not found")]
    elif use_default_user_file:
        path = default_user_kb_path()
        if is_missing(path):
            return kb, []
    else:
        return kb, []
    try:
        return merge(kb, load_file(path), path), []
    except KBError as exc:
        return kb, [exc.to_problem()]
