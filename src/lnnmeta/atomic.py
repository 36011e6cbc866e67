"""Atomic file writes: write to a temporary file beside the target, then rename it into place.

A killed job therefore never leaves a half-written output that a later step could read as complete:
the target either does not exist or holds the whole new content. The data are flushed to disk
(``fsync``) before the rename and the folder after it, so that a power loss cannot leave an empty
file under the final name either. A job killed mid-write leaves at most a hidden
``.<name>.<random>.tmp`` file beside the target, which nothing reads.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces ``path`` (mode 0666 minus umask)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        _fsync(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
        _fsync(target.parent, directory=True)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _fsync(path: str | os.PathLike[str], directory: bool = False) -> None:
    """Flush a file (or a folder's entries) to disk; a folder that cannot be opened is skipped."""
    try:
        fd = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    except OSError:
        if directory:
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not directory:
            raise
    finally:
        os.close(fd)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
