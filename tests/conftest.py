"""Shared fixtures: the bundled seeds are loaded and indexed once per test session."""

from __future__ import annotations

import os

import pytest

from tests import speedups_build
from xref import _accel

# The suite runs the compiled loops, as an installed xref does; the tests that
# compare them with their Python twins switch between the two themselves.
SPEEDUPS, SPEEDUPS_MISSING = speedups_build.compiled()
_accel.speedups = SPEEDUPS


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


@pytest.fixture
def lock_folder(monkeypatch):
    """``lock_folder(path)``: the folder acts as if it were chmod 000 for this
    process (the tests run as root, which ignores permission bits): it can be
    looked at from outside, not listed, and nothing in it can be reached."""
    import errno
    import io

    locked: list[str] = []

    def denied(path, *, itself: bool) -> bool:
        if isinstance(path, int):  # a file descriptor: already open
            return False
        name = os.path.abspath(os.fsdecode(path))
        return any(name.startswith(folder + os.sep) or (itself and name == folder) for folder in locked)

    def guard(module, attr: str, *, itself: bool) -> None:
        real = getattr(module, attr)

        def call(path=".", *args, **kwargs):
            if denied(path, itself=itself):
                raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))
            return real(path, *args, **kwargs)

        monkeypatch.setattr(module, attr, call)

    guard(os, "stat", itself=False)
    guard(os, "lstat", itself=False)
    guard(os, "scandir", itself=True)
    guard(os, "listdir", itself=True)
    guard(os, "open", itself=True)
    guard(io, "open", itself=True)

    def lock(path) -> None:
        locked.append(os.path.abspath(path))

    return lock
