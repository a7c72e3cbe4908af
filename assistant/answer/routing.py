"""Which served documents a question names: by a word of a title that no other served title has
("openshift", "clouddb", "(AKS)"), or by an acronym of a title's words ("aro" for Azure Red Hat
OpenShift) that no other served document uses and its own uses only in capitals ("ARO")."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Sequence

from assistant.answer.query import singular_word
from assistant.models import Document

# Words of a document's title that name no product or provider.
GENERIC_TITLE_WORDS = frozenset(
    {"support", "supports", "policy", "policies", "technical", "service", "services", "for",
     "the", "and", "of", "a", "an", "to", "in", "on", "terms", "guide", "overview"}
)  # fmt: skip
# Title words an acronym skips: "Support Policies for Azure Kubernetes Service" → "aks".
_NOT_IN_ACRONYMS = GENERIC_TITLE_WORDS - {"service", "services"}
_WORD = re.compile(r"[a-z0-9][a-z0-9-]*")
_CASED_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_PARENTHESES = re.compile(r"\([^()]*\)")
_SHORTEST_ACRONYM, _LONGEST_ACRONYM = 3, 6


def documents_named(documents: Sequence[Document], question: str) -> set[str]:
    """The served documents the question names by a title word or acronym of theirs alone."""
    words = _WORD.findall(question.lower())
    asked = {*words, *map(singular_word, words)}  # "widgets" names the Widget Service
    served = tuple((d.doc_id, d.title, d.text) for d in documents)
    return {doc_id for doc_id, words in _naming_words(served).items() if asked & words}


@functools.lru_cache(maxsize=16)
def _naming_words(served: tuple[tuple[str, str, str], ...]) -> dict[str, frozenset[str]]:
    """Each document's naming words no other served document's title or acronyms share (worked
    out once per set of served documents)."""
    used = {doc_id: _words_used(f"{title} {text}") for doc_id, title, text in served}
    words = {}
    for doc_id, title, _ in served:
        others = set().union(*(w for d, (w, _) in used.items() if d != doc_id))
        not_acronyms = others | used[doc_id][1]  # words, not acronyms, where they are used
        own = set(_WORD.findall(title.lower())) - GENERIC_TITLE_WORDS
        words[doc_id] = own | (title_acronyms(title) - not_acronyms)
    return {
        doc_id: frozenset(own - set().union(*(w for d, w in words.items() if d != doc_id)))
        for doc_id, own in words.items()
    }


def _words_used(text: str) -> tuple[set[str], set[str]]:
    """A text's words (lower-cased), and those of them it writes other than all in capitals."""
    tokens = _CASED_WORD.findall(text)
    return {t.lower() for t in tokens}, {t.lower() for t in tokens if not t.isupper()}


def title_acronyms(title: str) -> set[str]:
    """Acronyms of consecutive title words, parentheses left out: the first and last words'
    initials with any of those between ("azure red hat openshift" → "aro", "arho", …)."""
    words = _WORD.findall(_PARENTHESES.sub(" ", title.lower()))
    initials = [w[0] for w in words if w not in _NOT_IN_ACRONYMS]
    acronyms = set()
    for start, end in itertools.combinations(range(len(initials)), 2):
        inner = initials[start + 1 : end]
        for size in range(min(len(inner), _LONGEST_ACRONYM - 2) + 1):
            for kept in itertools.combinations(inner, size):
                acronym = initials[start] + "".join(kept) + initials[end]
                if _SHORTEST_ACRONYM <= len(acronym) <= _LONGEST_ACRONYM:
                    acronyms.add(acronym)
    return acronyms
