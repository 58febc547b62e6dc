"""How entity types look, and helpers that turn untrusted strings into safe text.

Every entity type has a colour AND a non-colour cue (bold / underline /
italic / dim), defined once in ``styles.tcss`` as component classes, so a
mention stays recognisable with NO_COLOR, 16 colours or colour blindness.
The panel also prints the type as a word.

Document strings (text, titles, authors, discovered names) only ever become
``rich.text.Text`` or ``textual.content.Content`` built from plain strings:
never markup.
"""

from __future__ import annotations

from rich.style import Style
from textual.widget import Widget

from xref.model import Entity, EntityType
from xref.sanitise import sanitise_line

# Component classes shared by the reader and the row lists (see styles.tcss).
TYPE_COMPONENTS = {
    EntityType.PERSON.value: "entity--person",
    EntityType.ORGANISATION.value: "entity--organisation",
    EntityType.PLACE.value: "entity--place",
}
OTHER_COMPONENT = "entity--other"
DISCOVERED_COMPONENT = "entity--discovered"
ENTITY_COMPONENTS = {*TYPE_COMPONENTS.values(), OTHER_COMPONENT, DISCOVERED_COMPONENT}

TYPE_LABELS = {
    "person": "person",
    "organisation": "organisation",
    "place": "place",
    "event": "event",
    "work": "work",
    "other": "other",
}

# How the side panel explains a match (MatchKind values).
MATCH_EXPLANATIONS = {
    "exact": "its name",
    "alias": "an alias",
    "folded": "a romanisation variant",
    "fuzzy": "a close spelling (fuzzy match)",
    "coreference": "a short form referring back (coreference)",
    "discovered": "a name-shaped phrase not in the knowledge base (discovered)",
}


def type_component(entity: Entity) -> str:
    return TYPE_COMPONENTS.get(str(entity.type), OTHER_COMPONENT)


class Palette:
    """Rich styles of one widget's component classes, looked up once per style change."""

    def __init__(self, widget: Widget) -> None:
        self._widget = widget
        self._cache: dict[tuple[str, ...], Style] = {}

    def clear(self) -> None:
        self._cache.clear()

    def __call__(self, *names: str) -> Style:
        style = self._cache.get(names)
        if style is None:
            style = Style()
            for name in names:
                style += self._widget.get_component_rich_style(name, partial=True, default=Style())
            self._cache[names] = style
        return style

    def entity(self, entity: Entity) -> Style:
        if entity.discovered:
            return self(type_component(entity), DISCOVERED_COMPONENT)
        return self(type_component(entity))


def clean(s: str) -> str:
    """A one-line, control-free version of an untrusted metadata string."""
    return sanitise_line(s or "")


def document_label(title: str, doc_id: str) -> str:
    return clean(title) or clean(doc_id)
