"""Question normalisation, synonym expansion and question framing."""

from __future__ import annotations

import bisect
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from assistant.answer.phrases import phrase_finder
from assistant.errors import CorpusError, InvalidQuestionError
from assistant.models import Frame

MIN_ABBREVIATION = 3  # letters: "sev" (severity), "maint" (maintenance)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")

_RESPONSIBILITY_CUES = re.compile(
    r"(^|\b)(who|whose|whom)\b|responsib|\bmy job\b|\bon (?:me|us)\b|\bon the hook\b|"
    r"\bup to (?:me|us|microsoft)\b|\bdo (?:i|we) (?:have|need) to\b|"
    r"\bam i (?:supposed|expected|required)\b|\b(?:must|should) (?:i|we)\b|"
    r"\b(?:my|our) (?:side|end|responsibility)\b|\btake care of\b|\bin charge of\b|"
    r"\b(?:is|it's|isn't) (?:that|this|it) (?:my|our) (?:problem|fault|call)\b|"
    r"\bor (?:does |do |will |is it )?(?:microsoft|ms|msft|azure|aks)\b|\bor do (?:i|we)\b|"
    r"\b(?:microsoft|ms|msft|azure|aks|the aks team) (?:does|will|do)?(?:n't| not)? ?"
    r"(?:patch(?:es)?|reboots?|restarts?|upgrades?|backs? up|manages?|handles?|restores?|"
    r"fix(?:es)?|monitors?)\b|"
    r"\b(?:does|will|do) (?:microsoft|ms|msft|azure|aks|the aks team) (?:not |n't )?"
    r"(?:handle|take care|manage|patch|reboot|restart|upgrade|back ?up|fix|restore|monitor|"
    r"apply|notify)"
)
# Questions asking for a fact, even when they mention support ("what hours does support cover").
_FACT_CUES = re.compile(
    r"\bcan (?:i|we|microsoft|ms|msft|microsoft support|support) (?:access|get at|get to|see|view|"
    r"download|read|look at|sign in|log in|ssh)\b|"
    r"^\s*(?:how (?:often|long|many|much|frequently|soon|fast)|how (?:do|can|should) (?:i|we)\b|"
    r"what (?:hours|time|happens|is the risk|are the risks|'s the risk|s the risk|is in|'s in|"
    r"s in|does .* explain|does .* include)|"
    r"when\b|where\b|why\b|which\b)|"
    # a date or a list asked for by name ("node 20 end of support date pls", "until when is
    # … supported", "list of unsupported configurations?"), not one a condition names
    r"^(?![^?]*\b(?:is|are|does|do|did|can|could|will|would|should|has|have|was|were|we're|"
    r"i'm)\b)[^?]*\b(?:eol|eos|end[- ]of[- ](?:support|life|sale|maintenance)|retirement|"
    r"expiry|expiration) dates?\b|\buntil when\b|\blist of\b"
)
_SCOPE_CUES = re.compile(
    r"\b(support(?:ed|s)?|unsupport\w*|covered|cover|help(?:s|ing)?|assist\w*|allowed|"
    r"ok(?:ay)?|permitted|fine|can i|can we|am i allowed|level of support|in scope|"
    r"out of scope|ticket|open a case|support case|troubleshoot\w*|debug\w*|escalat\w*|"
    r"investigat\w*)\b"
)
_WH_WORD = re.compile(r"\b(?:what|whats|how|when|where|why|which|who)\b")


@dataclass(frozen=True)
class Synonym:
    """Question terms and the policy words appended to the search text when one appears."""

    terms: tuple[str, ...]
    expand: str

    def matches(self, lowered_question: str) -> bool:
        """True when any term appears as whole words in the lower-cased question."""
        return bool(phrase_finder(frozenset(self.terms)).mentioned(lowered_question))


# Sentences that instruct the assistant instead of asking about the policy.
_INJECTION = re.compile(
    r"ignore (?:all |any |the )?(?:previous|prior|above|earlier)|\bsystem\s*:|\byou are now\b|"
    r"developer mode|\bnew (?:task|instructions?)\b|end of (?:context|prompt)|\bpretend\b|"
    r"\bact as\b|\bforget (?:the|all|everything|your)|(?:system|hidden) prompt|"
    r"\breply \w+ to everything|\bpolicy (?:has been |was |is )?updated\b|\bjailbreak",
    re.IGNORECASE,
)
# A sentence ends at . ! ? or ; followed by white space, or at a line break, so version
# numbers, dates and dotted names ("1.29", "v1.28.3", "node.kubernetes.io") stay whole.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?;])\s+|\n")


def strip_injections(question: str) -> str:
    """The question without sentences that try to instruct the assistant (kept whole when
    every sentence does)."""
    sentences = [s.strip() for s in _SENTENCE_BREAK.split(question) if s.strip()]
    kept = [s for s in sentences if not _INJECTION.search(s)]
    kept = [s for s in kept if re.search(r"[A-Za-z]{2}", s)]
    return " ".join(kept) if kept else question


@dataclass(frozen=True)
class Topic:
    """A subject the policy does not cover, and the words that name it."""

    name: str
    terms: tuple[str, ...]
    # the document whose out-of-scope file names it ("": every document's, the settings' file)
    document: str = ""

    def named_in(self, lowered_text: str) -> str | None:
        """The first of the topic's terms that appears as whole words, if any."""
        found = phrase_finder(frozenset(self.terms)).mentioned(lowered_text)
        return next((t for t in self.terms if t in found), None)


def _mentioned_terms(lowered_text: str, synonyms: tuple[Synonym, ...]) -> frozenset[str]:
    """Every synonym term the text mentions, found in one pass over it."""
    return phrase_finder(frozenset(t for s in synonyms for t in s.terms)).mentioned(lowered_text)


def load_topics(path: Path | None) -> tuple[Topic, ...]:
    """The reviewed out-of-scope topics in `path` (none when no file is configured)."""
    if path is None or not path.exists():
        return ()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        return tuple(
            Topic(str(t["name"]), tuple(x.lower() for x in t["terms"]))
            for t in data.get("topic", [])
        )
    except (KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: each [[topic]] needs `name` and `terms` ({exc})") from exc


def covered_terms(topics: tuple[Topic, ...], texts: Iterable[str]) -> list[tuple[str, str]]:
    """(topic, term) for each out-of-scope term that the policy text itself uses: such a topic
    is no longer out of scope and must be reviewed, not applied."""
    lowered = "\n".join(texts).lower().replace("\u2019", "'")
    found = phrase_finder(frozenset(term for t in topics for term in t.terms)).mentioned(lowered)
    return [(t.name, term) for t in topics for term in t.terms if term in found]


def without_terms(
    topics: tuple[Topic, ...], covered: Iterable[tuple[Topic, str]]
) -> tuple[Topic, ...]:
    """The topics without the terms `covered` pairs with them (topics left with none are
    dropped)."""
    dropped = set(covered)
    kept = (replace(t, terms=tuple(x for x in t.terms if (t, x) not in dropped)) for t in topics)
    return tuple(t for t in kept if t.terms)


def load_synonyms(path: Path | None) -> tuple[Synonym, ...]:
    """The reviewed synonym entries in `path` (none when no file is configured)."""
    if path is None or not path.exists():
        return ()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    try:
        return tuple(
            Synonym(tuple(t.lower() for t in entry["terms"]), str(entry["expand"]))
            for entry in data.get("synonym", [])
        )
    except (KeyError, TypeError) as exc:
        raise CorpusError(f"{path}: each [[synonym]] needs `terms` and `expand` ({exc})") from exc


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]")


class Speller:
    """Corrects misspelt words to the nearest word the policy (or a synonym entry) uses.

    A word is left alone when the policy uses it or when it is in `dictionary` (the embedding
    model's whole-word vocabulary), so ordinary English is never "corrected" into policy words.
    An unknown word that begins one word of the policy's `headings` (and no other) is that
    word cut short: "sev" is "severity" where a heading reads "Severity levels".
    """

    def __init__(
        self,
        texts: Iterable[str],
        dictionary: set[str],
        min_length: int = 4,
        headings: Iterable[str] = (),
    ) -> None:
        self.vocabulary = words_of(texts)
        self.dictionary = dictionary
        self.min_length = min_length
        self._choices = sorted(self.vocabulary)
        self._heading_words = sorted(w for w in words_of(headings) if w.isalpha())

    def correct_word(self, word: str) -> str:
        """The word itself when known, else the heading word it abbreviates, else (when long
        enough) the closest policy word within one edit (two for words of eight letters or
        more), else the word itself."""
        lowered = word.lower()
        if lowered in self.vocabulary or lowered in self.dictionary:
            return word
        full = self.expansion(lowered)
        if full is not None:
            return full
        if len(lowered) < self.min_length:
            return word
        cutoff = 2 if len(lowered) >= 8 else 1
        match = process.extractOne(lowered, self._choices, scorer=OSA.distance, score_cutoff=cutoff)
        if match is None or match[0].rstrip("s") == lowered.rstrip("s"):
            return word  # a plural or singular is the same word to the search
        return match[0]

    def expansion(self, word: str) -> str | None:
        """The heading word a lower-cased word of at least `MIN_ABBREVIATION` letters begins,
        two or more letters longer, when every such word is one (its singular or plural)."""
        if len(word) < MIN_ABBREVIATION or not word.isalpha():
            return None
        at = bisect.bisect_left(self._heading_words, word)
        found = []
        for full in self._heading_words[at:]:
            if not full.startswith(word):
                break
            if len(full) >= len(word) + 2:
                found.append(full)
        if len({singular_word(f) for f in found}) != 1:
            return None
        return min(found, key=len)

    def correct(self, text: str) -> str:
        """The text with each misspelt word replaced (an abbreviation's number kept apart:
        "sev1" is "severity 1")."""

        def replace(match: re.Match[str]) -> str:
            word = match.group(0)
            new = self.correct_word(word)
            joined = new != word and text[match.end() : match.end() + 1].isdigit()
            return f"{new} " if joined else new

        return _WORD.sub(replace, text)


def singular_word(word: str) -> str:
    """A plural word's singular by its ending ("policies" → "policy", "nodes" → "node")."""
    lowered = word.lower()
    if lowered.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if lowered.endswith("s") else word


def normalise_question(text: str, max_chars: int) -> str:
    """NFKC-normalised text without control characters and with single spaces."""
    cleaned = _CONTROL.sub(" ", unicodedata.normalize("NFKC", text))
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise InvalidQuestionError("question is empty")
    if len(cleaned) > max_chars:
        raise InvalidQuestionError(
            f"question is {len(cleaned)} characters long; the limit is {max_chars}"
        )
    return cleaned


def words_of(texts: Iterable[str]) -> set[str]:
    """The lower-cased words of some texts."""
    return {w.lower() for text in texts for w in _WORD.findall(text)}


def bridge_terms(question: str, synonyms: tuple[Synonym, ...], vocabulary: AbstractSet[str]) -> str:
    """The expansions of synonym entries that the question reaches only through words the
    policy never uses ("linkerd" → the policy's words for third-party open-source projects)."""
    found = _mentioned_terms(question.lower(), synonyms)
    bridged = [
        s.expand
        for s in synonyms
        if any(t in found and not set(t.split()) <= vocabulary for t in s.terms)
        and not any(t in found and set(t.split()) <= vocabulary for t in s.terms)
    ]
    return " ".join(bridged)


def expand_query(question: str, synonyms: tuple[Synonym, ...]) -> str:
    """The question plus the expansion of every synonym entry it mentions."""
    found = _mentioned_terms(question.lower(), synonyms)
    extra = [s.expand for s in synonyms if found.intersection(s.terms)]
    return " ".join([question, *extra])


_CONDITION = re.compile(r"\b(?:if|unless|when|whenever|as long as|provided|in case)\b")


def names_condition(question: str) -> bool:
    """Whether the question states a condition ("... if it's behind a feature flag?")."""
    return _CONDITION.search(question.lower()) is not None


_CUES = (_RESPONSIBILITY_CUES, _FACT_CUES, _SCOPE_CUES, _WH_WORD)
_OPENERS = ("who", "how", "what", "is", "can", "does", "will")
# Contracted openers as chat writes them, read as the opener ("whats the limit" opens "what").
_CONTRACTED_OPENERS = {
    f"{stem}{ending}": opener
    for opener, stem, endings in (
        ("what", "what", ("s", "'s")), ("who", "who", ("s", "'s")), ("how", "how", ("s", "'s")),
        ("is", "is", ("nt", "n't")), ("can", "ca", ("nt", "n't")),
        ("does", "does", ("nt", "n't")), ("will", "wo", ("nt", "n't")),
    )
    for ending in endings
}  # fmt: skip


def cue_features(question: str) -> list[float]:
    """The frame rules' evidence as numbers: which cue patterns match, how the question opens,
    and whether it is a bare name of three words or fewer."""
    lowered = question.lower().replace("\u2019", "'")
    words = lowered.split()
    first = _CONTRACTED_OPENERS.get(words[0], words[0]) if words else ""
    return [
        *(1.0 if cue.search(lowered) else 0.0 for cue in _CUES),
        *(1.0 if first == opener else 0.0 for opener in _OPENERS),
        1.0 if len(words) <= 3 else 0.0,
        1.0 if "?" in lowered else 0.0,
    ]


def frame_question(question: str) -> Frame:
    """Whether a question asks about scope, responsibility or a fact."""
    lowered = question.lower().replace("\u2019", "'")
    if _RESPONSIBILITY_CUES.search(lowered):
        return Frame.RESPONSIBILITY
    if _FACT_CUES.search(lowered):
        return Frame.FACT
    if _SCOPE_CUES.search(lowered):
        return Frame.SCOPE
    if len(lowered.split()) <= 3 and not _WH_WORD.search(lowered):
        return Frame.SCOPE  # a bare name ("linkerd?") asks whether it is supported
    return Frame.FACT
