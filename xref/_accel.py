"""The recogniser's compiled loops (``xref/_speedups.c``), where the install
could build them; ``None`` otherwise, and the Python code does the same work.

``XREF_PURE_PYTHON=1`` in the environment leaves them unused."""

from __future__ import annotations

import os
from types import ModuleType

speedups: ModuleType | None = None
if not os.environ.get("XREF_PURE_PYTHON"):
    try:
        from xref import _speedups as speedups
    except ImportError:  # no C compiler at install time: the Python code runs
        speedups = None
