"""Question normalisation, synonym expansion and question framing."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import CorpusError, InvalidQuestionError
from .models import Frame

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")

_SCOPE_CUES = re.compile(
    r"\b(support(?:ed|s)?|unsupport\w*|covered|cover|help(?:s|ing)? (?:me |us )?with|allowed|"
    r"ok(?:ay)? to|can i (?:use|run|install|get|open|ask)|is it ok|permitted|fine to)\b"
)
_RESPONSIBILITY_CUES = re.compile(
    r"(^|\b)(who|whose|whom)\b|responsib|\bmy job\b|\bon me\b|\bup to (?:me|us|microsoft)\b|"
    r"\bdo (?:i|we) (?:have|need) to\b|\bam i (?:supposed|expected|required)\b|"
    r"\b(?:does|will|do) (?:microsoft|ms|msft|azure|aks|the aks team) "
    r"(?:handle|take care|manage|patch|reboot|restart|upgrade|back ?up|fix|restore|monitor|apply|notify)"
)
_FACT_CUES = re.compile(
    r"^\s*(how often|how long|how many|how much|how frequently|when|where|what|which|why|how)\b"
)


@dataclass(frozen=True)
class Synonym:
    """Question terms and the policy words appended to the search text when one appears."""

    terms: tuple[str, ...]
    expand: str

    def matches(self, lowered_question: str) -> bool:
        """True when any term appears as whole words in the lower-cased question."""
        return any(
            re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", lowered_question)
            for term in self.terms
        )


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


def expand_query(question: str, synonyms: tuple[Synonym, ...]) -> str:
    """The question plus the expansion of every synonym entry it mentions."""
    lowered = question.lower()
    extra = [s.expand for s in synonyms if s.matches(lowered)]
    return " ".join([question, *extra])


def frame_question(question: str) -> Frame:
    """Whether a question asks about scope, responsibility or a fact."""
    lowered = question.lower().replace("\u2019", "'")
    if _RESPONSIBILITY_CUES.search(lowered):
        return Frame.RESPONSIBILITY
    if _SCOPE_CUES.search(lowered):
        return Frame.SCOPE
    if _FACT_CUES.search(lowered):
        return Frame.FACT
    return Frame.SCOPE
