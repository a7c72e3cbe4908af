"""Near-duplicate detection between two question sets (training vs evaluation questions)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from assistant.search.embedding import Embedder

_TOKEN = re.compile(r"[a-z0-9]+")
MAX_COSINE = 0.92
MAX_JACCARD = 0.8


@dataclass(frozen=True)
class Overlap:
    """A question of the first set that is too close to one of the second."""

    first: int
    second: int
    cosine: float
    jaccard: float


def tokens(text: str) -> set[str]:
    """Lower-cased word tokens of a text."""
    return set(_TOKEN.findall(text.lower()))


def jaccard(a: set[str], b: set[str]) -> float:
    """Token-set Jaccard similarity (0 for two empty sets)."""
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def near_duplicates(
    first: Sequence[str],
    second: Sequence[str],
    embedder: Embedder,
    max_cosine: float = MAX_COSINE,
    max_jaccard: float = MAX_JACCARD,
) -> list[Overlap]:
    """For each question of `first` that has one, its first pair whose embedding cosine or
    token Jaccard reaches the limits."""
    if not first or not second:
        return []
    sims = embedder.embed(list(first)) @ embedder.embed(list(second)).T
    second_tokens = [tokens(t) for t in second]
    found = []
    for i, text in enumerate(first):
        own = tokens(text)
        for j, other in enumerate(second_tokens):
            cosine, jac = float(sims[i, j]), jaccard(own, other)
            if cosine >= max_cosine or jac >= max_jaccard:
                found.append(Overlap(i, j, round(cosine, 4), round(jac, 4)))
                break
    return found
