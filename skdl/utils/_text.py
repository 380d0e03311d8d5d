"""Message helpers shared by every layer: the "did you mean" hint."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["close_matches", "did_you_mean"]


def close_matches(name: object, options: Iterable[object], *, n: int = 1, cutoff: float = 0.6) -> list[str]:
    """The ``n`` options closest to ``name`` (as strings), best first.

    A case-insensitive match is tried as well, so ``"Adam"`` finds ``"adam"``.
    """
    options = [str(o) for o in options]
    word = str(name)
    close = difflib.get_close_matches(word, options, n=n, cutoff=cutoff)
    if not close:
        lower = {o.lower(): o for o in options}
        close = [lower[c] for c in difflib.get_close_matches(word.lower(), list(lower), n=n, cutoff=cutoff)]
    return close


def did_you_mean(name: object, options: Iterable[object], *, n: int = 1, cutoff: float = 0.6) -> str:
    """``" Did you mean 'x'?"`` (or ``'x' or 'y'`` for ``n > 1``), or ``""``.

    The leading space lets callers append it to a sentence unconditionally.
    """
    close = close_matches(name, options, n=n, cutoff=cutoff)
    if not close:
        return ""
    return " Did you mean " + " or ".join(repr(c) for c in close) + "?"
