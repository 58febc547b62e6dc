"""xref: cross-reference the people, organisations and places in a corpus.

The engine is a plain library: it never imports Textual.
"""

__version__ = "0.1.0"
