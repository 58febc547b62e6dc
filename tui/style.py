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

import re

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
    return lone_joiners(sanitise_line(s or ""))


# Rich (so Textual) gives the character after a ZERO WIDTH JOINER no width at all,
# as if every ZWJ made an emoji sequence, while terminals join only emoji: a ZWJ
# between letters ("Kim\u200dJong-un", "원\u200d산") made the row one or two cells
# wider on screen than Textual laid it out, past a pane's or dialog's border.
_ZWJ = re.compile("\u200d")
_EMOJI = re.compile("[\u2190-\u2bff\U0001f000-\U0001faff]")
_EMOJI_BEFORE_ZWJ = re.compile("[\u2190-\u2bff\U0001f000-\U0001faff][\ufe0f\U0001f3fb-\U0001f3ff]?")


def lone_joiners(s: str) -> str:
    """``s`` with each ZWJ not joining two emoji replaced by a WORD JOINER (as
    invisible, and as wide to Textual as to the terminal); the length is kept."""
    if "\u200d" not in s:
        return s
    out = list(s)
    for m in _ZWJ.finditer(s):
        i = m.start()
        joins_emoji = _EMOJI.match(s, i + 1) is not None and any(
            _EMOJI_BEFORE_ZWJ.fullmatch(s, j, i) for j in (i - 1, i - 2) if j >= 0
        )
        if not joins_emoji:
            out[i] = "\u2060"
    return "".join(out)


def document_label(title: str, doc_id: str) -> str:
    return clean(title) or clean(doc_id)
