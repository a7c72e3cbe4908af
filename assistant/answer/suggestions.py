"""Suggested questions built from the policy's headings and clause topics with templates that
keep them grammatical: a heading that is a question is used as it is, a noun phrase goes after
"What does the policy say about", and a phrase that opens with a verb takes its -ing form."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Iterable

from assistant.answer.word_forms import word_forms
from assistant.models import Clause
from assistant.policy.corpus import Corpus

ABOUT = "What does the policy say about {topic}?"
# Words after which a leading verb/noun word is a verb: "use the API", "notify customers".
_OBJECT_STARTS = frozenset(
    "a an the this that these those your their its his her our my any all each every some "
    "customers customer users user microsoft it them you".split()
)
_NOMINAL = frozenset({"NOUN", "PROPN", "ADJ", "NUM"})
_SUBORDINATORS = frozenset(
    "if when where while although though because unless since whether until once".split()
)
# Words a noun phrase cannot end on: it was cut before its noun.
_DANGLING = frozenset(
    "a an the this that these those your their its our my his her any some each every and or "
    "nor but of to for with in on at by from as into than following".split()
)
_CONTRACTION = re.compile(r"n't$|'(?:re|ve|ll|m|d)$|^(?:it|that|there|what)'s$", re.IGNORECASE)


def _leading_verb(word: str, following: str) -> bool:
    """Whether `word` opens a verb phrase: a base-form verb that is not also a noun or adjective
    (or is, but is followed by its object: "use the API", "patch your nodes")."""
    lemmas = word_forms().lemmas(word)
    if word not in lemmas.get("VERB", ()):
        return False
    named = following[:1].isupper()  # "use Secure Shell": a name is the verb's object
    return not (_NOMINAL & lemmas.keys()) or named or following.lower() in _OBJECT_STARTS


def noun_phrase(phrase: str) -> str:
    """`phrase` as something one can ask "about": a leading verb becomes its -ing form and a
    capital that only starts a sentence is lowered ("Shared responsibility" -> "shared ...")."""
    words = phrase.split()
    if not words:
        return ""
    first = words[0]
    if (
        len(first) > 1
        and first[0].isupper()
        and first[1:].islower()
        and word_forms().lemmas(first.lower())
    ):
        first = first.lower()  # a common word capitalised as a heading's first: not a name
    following = words[1] if len(words) > 1 else ""
    if first.isalpha() and first.islower() and _leading_verb(first, following):
        forms = word_forms().gerund(first)
        if forms:
            first = forms[0]
    return " ".join([first, *words[1:]])


def heading_question(heading: str) -> str:
    """A question about a section: its heading when it already asks one, else "What does the
    policy say about <heading>?"."""
    text = heading.strip()
    if text.endswith("?"):
        return text
    return ABOUT.format(topic=noun_phrase(text.rstrip(".:;")))


def is_noun_phrase(phrase: str) -> bool:
    """Whether a phrase cut from a clause names a thing rather than saying something about it:
    no auxiliary or finite verb after its first word, no contraction, not opening with a
    subordinating word or a finite verb, and not ending on a word that expects more."""
    words = phrase.split()
    if not words or words[0].lower() in _SUBORDINATORS or words[-1].lower() in _DANGLING:
        return False
    if any(_CONTRACTION.search(w) for w in words):
        return False
    first = words[0].lower()
    first_lemmas = word_forms().lemmas(first)
    if _only_verb(first_lemmas) and first not in first_lemmas["VERB"] and not _participle(first):
        return False  # "defines the nodes", "met with the team"
    if set(first_lemmas) == {"ADV"}:
        return False  # "automatically reboot the nodes"
    for before, word in zip(words, words[1:], strict=False):
        lower = word.lower()
        lemmas = word_forms().lemmas(lower)
        if "AUX" in lemmas or (_only_verb(lemmas) and not _participle(lower)):
            return False
        if lower in lemmas.get("VERB", ()) and _plural_noun(before.lower()):
            return False  # "features take effect": a plural subject and its verb
    return True


def _plural_noun(word: str) -> bool:
    nouns = word_forms().lemmas(word).get("NOUN", ())
    return word.endswith("s") and bool(nouns) and word not in nouns


def _only_verb(lemmas: dict[str, tuple[str, ...]]) -> bool:
    return "VERB" in lemmas and not (_NOMINAL & lemmas.keys())


def _participle(word: str) -> bool:
    return word.endswith(("ing", "ed", "en"))


def topic_question(topic: str) -> str:
    """A question about a clause's topic phrase, or "" when it is not a noun phrase."""
    phrase = noun_phrase(topic)
    return ABOUT.format(topic=phrase) if phrase and is_noun_phrase(phrase) else ""


def title_headings(corpus: Corpus) -> frozenset[str]:
    """Documents' titles (their level-1 headings), which name a whole policy, not a topic."""
    return frozenset(s.path[-1] for s in corpus.sections if s.level == 1)


def related_questions(
    clauses: Iterable[Clause], exclude: Collection[str], limit: int = 3
) -> tuple[str, ...]:
    """Questions about the sections other clauses come from, besides the headings `exclude`
    (the decisive clause's and the documents' titles)."""
    seen = set(exclude)
    questions: list[str] = []
    for clause in clauses:
        heading = clause.section_path[-1]
        if heading in seen:
            continue
        seen.add(heading)
        questions.append(heading_question(heading))
    return tuple(questions[:limit])


def starter_questions(corpus: Corpus, limit: int = 4) -> tuple[str, ...]:
    """Questions to start with: about the sections (below a document's title) that hold the
    most clauses, in reading order."""
    titles = {s.anchor for s in corpus.sections if s.level == 1}
    sizes = Counter(c.section_anchor for c in corpus.clauses if c.section_anchor not in titles)
    chosen = {anchor for anchor, _ in sizes.most_common(limit)}
    questions: list[str] = []
    for section in corpus.sections:
        question = heading_question(section.path[-1])
        if section.anchor in chosen and question not in questions:
            questions.append(question)
    return tuple(questions[:limit])
