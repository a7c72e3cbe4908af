"""Building blocks of the regular expressions the rules compile from lists of words."""

from __future__ import annotations

import re
from collections.abc import Iterable


def alternation(words: Iterable[str]) -> str:
    """The words as a regex alternation, escaped and longest first (so that "and for" is tried
    before "and")."""
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))
