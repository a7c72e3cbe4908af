"""Which of many phrases a text mentions as whole words, in one pass (Aho-Corasick).

Replaces one regular expression per phrase: the synonym and topic look-ups ran hundreds of
`re.search` calls per question; an automaton reads the question once, in time linear in its
length plus the number of matches, whatever the phrases are.
"""

from __future__ import annotations

import functools
import re

import ahocorasick

# A phrase counts only where it is not part of a longer word ("aks" is not in "oaks",
# "node" is not in "node-pool"), as `(?<![\w-])phrase(?![\w-])` would say.
_WORD_CHAR = re.compile(r"[\w-]")


class PhraseFinder:
    """Finds which of a fixed set of (lower-cased) phrases a lower-cased text mentions."""

    def __init__(self, phrases: frozenset[str]) -> None:
        self.phrases = phrases
        self._automaton = ahocorasick.Automaton()
        for phrase in phrases:
            if phrase:
                self._automaton.add_word(phrase, phrase)
        if len(self._automaton):
            self._automaton.make_automaton()

    def mentioned(self, lowered_text: str) -> frozenset[str]:
        """The phrases that appear in the text as whole words."""
        if not len(self._automaton):
            return frozenset()
        found: set[str] = set()
        for end, phrase in self._automaton.iter(lowered_text):
            if phrase in found:
                continue
            start = end - len(phrase) + 1
            before = lowered_text[start - 1] if start > 0 else ""
            after = lowered_text[end + 1] if end + 1 < len(lowered_text) else ""
            if not _WORD_CHAR.match(before) and not _WORD_CHAR.match(after):
                found.add(phrase)
        return frozenset(found)


@functools.cache
def phrase_finder(phrases: frozenset[str]) -> PhraseFinder:
    """The finder for a set of phrases, built once per set."""
    return PhraseFinder(phrases)
