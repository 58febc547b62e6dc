"""Messages the panes send the app, in a module of their own: the panes post
them from the first screen on, and the dialogs that act on them are loaded
only when first opened."""

from __future__ import annotations

from textual.message import Message


class CiteRequested(Message):
    """Cite ``doc_id[start:end]``; ``what`` says what it is ("sentence", "paragraph", "selection")."""

    def __init__(self, doc_id: str, start: int, end: int, what: str) -> None:
        super().__init__()
        self.doc_id = doc_id
        self.start = start
        self.end = end
        self.what = what
