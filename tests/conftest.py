"""Shared fixtures: the bundled seeds are loaded and indexed once per test session."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def private_cache_dir(tmp_path_factory):
    """Index caches go to a folder of this test run, never the user's ~/.cache/xref."""
    path = tmp_path_factory.mktemp("xref-cache")
    old = os.environ.get("XREF_CACHE_DIR")
    os.environ["XREF_CACHE_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("XREF_CACHE_DIR", None)
    else:
        os.environ["XREF_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def seed_workspace():
    from xref.engine import open_workspace

    # The user's own knowledge base must not change what the tests see.
    return open_workspace(kb_path=None, use_user_kb=False)
