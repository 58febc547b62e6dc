"""Browser-like back / forward history of reader locations."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_HISTORY = 500


@dataclass(frozen=True, slots=True)
class Location:
    """A place in the corpus: a document and the cursor's offset in it. Going
    back there also brings back what was on screen: the reader's first row
    (``top``) and the name the side panel showed (``panel``), which stays when
    the cursor leaves a name. Those two do not make places different."""

    doc_id: str
    offset: int
    panel: str | None = field(default=None, compare=False)
    top: int | None = field(default=None, compare=False)


class History:
    """``jump`` records where you were; ``back`` / ``forward`` move between records.

    Locations survive switching documents: each one names its document.
    """

    def __init__(self) -> None:
        self._back: list[Location] = []
        self._forward: list[Location] = []

    def jump(self, here: Location | None) -> None:
        """Call before jumping away from ``here`` (None: nowhere yet)."""
        if here is None:
            return
        if not self._back or self._back[-1] != here:
            self._back.append(here)
            del self._back[:-MAX_HISTORY]
        self._forward.clear()

    def back(self, here: Location | None) -> Location | None:
        """Where to go for "back" from ``here`` (None: nothing to go back to)."""
        while self._back:
            target = self._back.pop()
            if target != here:
                if here is not None:
                    self._forward.append(here)
                return target
        return None

    def forward(self, here: Location | None) -> Location | None:
        while self._forward:
            target = self._forward.pop()
            if target != here:
                if here is not None:
                    self._back.append(here)
                return target
        return None

    @property
    def can_go_back(self) -> bool:
        return bool(self._back)

    @property
    def can_go_forward(self) -> bool:
        return bool(self._forward)
