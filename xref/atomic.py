"""Write user data so that a crash or a kill leaves the old file or the new one, never a torn one.

Every file xref keeps for the user (saved positions, settings, a knowledge
base it edits) goes through :func:`write_atomically`: the new content is
written to a temporary file in the same folder, flushed and fsynced, renamed
over the old name with ``os.replace`` (atomic on POSIX and Windows), and the
folder is fsynced so the rename itself survives a power cut.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8") -> None:
    """Replace ``path`` with ``data`` all at once. Raises OSError; never leaves a temporary file behind.

    The folder must exist. A new file gets mode 0600 (user data); an existing
    file keeps its permission bits.
    """
    path = Path(path)
    raw = data.encode(encoding) if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            try:
                os.fchmod(handle.fileno(), os.stat(path).st_mode & 0o7777)
            except (OSError, AttributeError):  # no old file (or no fchmod): keep mkstemp's 0600
                pass
            handle.write(raw)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable; not possible (and not needed) everywhere."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
