"""Content words: stemmed tokens without stopwords or words that say nothing about the topic."""

from __future__ import annotations

from collections.abc import Iterable

import Stemmer

from assistant.search.index import tokenize

# Stems of words too common to tell one question from another (beyond the stopword list).
COMMON_WORDS = frozenset(
    "a about all also am an and any anyth are as at be best can could day did do doe don "
    "for from get give go good got has have how i if in is it just know like make me mani "
    "more most my new no not now of on one or pleas so some tell than that the them then "
    "there thing time to up us use want wa way we what when where whi which who will with "
    "would you your".split()
)
# Stems every question about the policy shares: they say nothing about *what* is asked.
POLICY_WORDS = frozenset(
    "ak azur microsoft ms msft kubernet k8s cluster support help issu question polici ok "
    "okay allow cover work stuff need respons job happen abl handl take care".split()
)


class TermCounter:
    """Stems texts into content terms (one stemmer, reused)."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")

    def terms(self, text: str, exclude: Iterable[str] = COMMON_WORDS) -> set[str]:
        """The stemmed content words of a text, without stopwords or `exclude`."""
        return set(tokenize([text], self._stemmer)[0]) - set(exclude)

    def vocabulary(self, texts: list[str]) -> frozenset[str]:
        """Every stemmed content word of the texts."""
        return frozenset(t for tokens in tokenize(texts, self._stemmer) for t in tokens) - (
            COMMON_WORDS
        )
