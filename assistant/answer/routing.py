"""Which served documents a question names: by a word of a title that no other served title has
and no other served document uses a third as often ("openshift", "clouddb", "(AKS)"; not
"maintenance"), or by an acronym of a title's words ("aro" for Azure Red Hat OpenShift) that no
other served document uses and its own uses only in capitals ("ARO")."""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
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
# How many times as often as any other served document a document must use a title word for
# the word to name it.
_OWN_RATE = 3.0


def documents_named(documents: Sequence[Document], question: str) -> set[str]:
    """The served documents the question names by a title word or acronym of theirs alone."""
    words = _WORD.findall(question.lower())
    asked = {*words, *map(singular_word, words)}  # "widgets" names the Widget Service
    served = tuple((d.doc_id, d.title, d.text) for d in documents)
    return {doc_id for doc_id, words in _naming_words(served).items() if asked & words}


@functools.lru_cache(maxsize=16)
def _naming_words(served: tuple[tuple[str, str, str], ...]) -> dict[str, frozenset[str]]:
    """Each document's naming words that no other served document's title or acronyms share
    (worked out once per set of served documents)."""
    tokens = {doc_id: _CASED_WORD.findall(f"{title} {text}") for doc_id, title, text in served}
    rates = {doc_id: _rates(found) for doc_id, found in tokens.items()}
    # the words each document writes other than all in capitals
    plain = {
        doc_id: {t.lower() for t in found if not t.isupper()} for doc_id, found in tokens.items()
    }
    words = {}
    for doc_id, title, _ in served:
        others = [r for d, r in rates.items() if d != doc_id]
        # a title word the others use about as often is theirs too ("maintenance")
        own = {
            w
            for w in set(_WORD.findall(title.lower())) - GENERIC_TITLE_WORDS
            if rates[doc_id][w] >= _OWN_RATE * max((r[w] for r in others), default=0.0)
        }
        # an acronym another document uses, or its own as a word (not in capitals), is a word
        written = plain[doc_id].union(*(r.keys() for d, r in rates.items() if d != doc_id))
        words[doc_id] = own | (title_acronyms(title) - written)
    return {
        doc_id: frozenset(own - set().union(*(w for d, w in words.items() if d != doc_id)))
        for doc_id, own in words.items()
    }


def _rates(tokens: list[str]) -> Counter[str]:
    """Each word's share of a text's words (lower-cased)."""
    counts = Counter(t.lower() for t in tokens)
    total = max(len(tokens), 1)
    return Counter({w: n / total for w, n in counts.items()})


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
