"""Atomic file writes shared by the CLI, persistence, checkpoints and downloads."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write_bytes", "atomic_write_text", "atomic_path"]


def _umask() -> int:
    # os.umask can only be read by setting it; set it back at once.
    mask = os.umask(0)
    os.umask(mask)
    return mask


class atomic_path:
    """Context manager yielding a temporary path that replaces ``path`` on success.

    The temporary file sits next to ``path`` (same file system, so the final
    ``os.replace`` is atomic: a reader, or a run killed half-way, never sees a
    half-written file). On success it gets the mode a plain ``open(path, "w")``
    would give (``0o666`` less the umask) instead of ``mkstemp``'s ``0o600``;
    on an exception it is removed and ``path`` is left as it was.

    ``suffix`` keeps an extension some writers insist on (Keras' ``save``
    wants ``.keras``).
    """

    def __init__(self, path: str | os.PathLike, *, suffix: str = ".tmp"):
        self.path = Path(path)
        self.suffix = suffix
        self._tmp: str | None = None

    def __enter__(self) -> Path:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, self._tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=self.suffix, dir=self.path.parent)
        os.close(fd)
        return Path(self._tmp)

    def __exit__(self, exc_type, exc, tb) -> None:
        tmp = Path(self._tmp)
        if exc_type is None:
            os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, self.path)
        else:
            tmp.unlink(missing_ok=True)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename (see :class:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """:func:`atomic_write_bytes` for UTF-8 text."""
    return atomic_write_bytes(path, text.encode("utf-8"))
