"""lemminflect's lemmas and -ing forms of the words a policy uses (and the lemmas of those -ing
forms), kept as a small table in the index folder: suggestions are built from policy text, so
serving looks its words up there and never loads lemminflect's own tables (about 50 MB and a
second of start-up)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

WORD_FORMS_FILE = "word-forms.json"
# Marks a word may carry where the text is split on white space: "nodes," "(SSH)" "**Helm**".
_MARKS = ".,:;!?()[]{}\"'`*_"

Lemmas = dict[str, tuple[str, ...]]


def policy_words(texts: Iterable[str]) -> frozenset[str]:
    """Every white-space-separated word of the texts as written, lower-cased, and without the
    punctuation around it: what the suggestion templates may ask about."""
    words: set[str] = set()
    for text in texts:
        for token in text.split():
            bare = token.strip(_MARKS)
            words.update((token, token.lower(), bare, bare.lower()))
    words.discard("")
    return frozenset(words)


class WordForms:
    """Lemmas by part of speech and -ing forms: from the table for the words it covers, from
    lemminflect (loaded on first need) for any other word."""

    def __init__(
        self,
        words: frozenset[str] = frozenset(),
        lemmas: dict[str, Lemmas] | None = None,
        gerunds: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.words = words
        self._lemmas = lemmas or {}
        self._gerunds = gerunds or {}

    def lemmas(self, word: str) -> Lemmas:
        """lemminflect's `getAllLemmas(word)`."""
        if word in self.words:
            return self._lemmas.get(word, {})
        from lemminflect import getAllLemmas

        return dict(getAllLemmas(word))

    def gerund(self, word: str) -> tuple[str, ...]:
        """lemminflect's `getInflection(word, "VBG")`."""
        if word in self.words:
            return self._gerunds.get(word, ())
        from lemminflect import getInflection

        return tuple(getInflection(word, "VBG"))

    def covers(self, texts: Iterable[str]) -> bool:
        """Whether every word of the texts, and every -ing form the table gives them, is in it
        (a suggestion turns "restart the nodes" into "restarting the nodes", then reads it)."""
        words = policy_words(texts)
        gerunds = {form for word in words for form in self._gerunds.get(word, ())}
        return words | gerunds <= self.words

    @classmethod
    def compute(cls, texts: Iterable[str]) -> WordForms:
        """The table for every word of the texts and their -ing forms (loads lemminflect)."""
        from lemminflect import getAllLemmas, getInflection

        words = policy_words(texts)
        words |= frozenset(form for w in words for form in getInflection(w, "VBG"))
        lemmas = {w: dict(found) for w in words if (found := getAllLemmas(w))}
        gerunds = {w: tuple(found) for w in words if (found := getInflection(w, "VBG"))}
        return cls(words, lemmas, gerunds)

    def save(self, folder: Path) -> None:
        """Write the table into a folder (atomically: a reader sees the old or the new one)."""
        data = {
            "words": sorted(self.words),
            "lemmas": {w: {p: list(ls) for p, ls in v.items()} for w, v in self._lemmas.items()},
            "gerunds": {w: list(v) for w, v in self._gerunds.items()},
        }
        path = folder / WORD_FORMS_FILE
        staging = path.with_suffix(".tmp")
        staging.write_text(json.dumps(data, sort_keys=True), encoding="utf-8")
        os.replace(staging, path)

    @classmethod
    def load(cls, folder: Path) -> WordForms | None:
        """The table saved in a folder; None when there is none or it cannot be read."""
        try:
            data: dict[str, Any] = json.loads((folder / WORD_FORMS_FILE).read_text("utf-8"))
            return cls(
                frozenset(data["words"]),
                {w: {p: tuple(ls) for p, ls in v.items()} for w, v in data["lemmas"].items()},
                {w: tuple(v) for w, v in data["gerunds"].items()},
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None


_active = WordForms()


def use_word_forms(forms: WordForms) -> None:
    """Make `forms` the table the suggestion templates look words up in."""
    global _active
    _active = forms


def word_forms() -> WordForms:
    """The table in use (empty, so lemminflect answers, until `use_word_forms`)."""
    return _active
