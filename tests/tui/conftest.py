"""Fixtures for the reader's Pilot tests.

The seed workspace is loaded and indexed once per session (it is immutable);
every test gets its own app with its own state directory (tmp_path), so no
test reads or writes the user's real state file.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from xref.engine import Workspace, open_workspace

SEED_IDS = (
    "000_8bb9cf95c1906315.txt",
    "001_e0b5316b38a22238.txt",
    "002_9616d0e211098658.txt",
    "003_a5f15829ef3b7ede.txt",
)


@pytest.fixture(scope="session")
def seeds() -> Workspace:
    # The user's own knowledge base must not change what the tests see.
    return open_workspace(kb_path=None, use_user_kb=False)


def run_async(fn: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
    """Run an async test with asyncio.run (no pytest-asyncio needed)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return asyncio.run(fn(*args, **kwargs))

    return wrapper


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "state"
