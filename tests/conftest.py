"""Shared fixtures: the bundled seeds are loaded and indexed once per test session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def seed_workspace():
    from xref.engine import open_workspace

    # The user's own knowledge base must not change what the tests see.
    return open_workspace(kb_path=None, use_user_kb=False)
