"""Numeric limits a clause sets and the quantities a question states: "Client drivers are
supported for 18 months" does not cover a driver "about 2 years old", "Keep at least three
worker nodes" rules out scaling "down to 2 nodes", and "Windows Server 2019 and 2022" leaves
out Windows Server 2012. Document-agnostic: numbers, units and a few limit words, nothing of
one policy."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_DAYS = {"hour": 1 / 24, "day": 1, "week": 7, "month": 30, "year": 365}
# A number (not part of a version such as 4.14, nor a time of day) and up to three words after
# it, the unit among them ("three worker nodes").
_NUMBER = r"(?<![\d.])(\d{1,6}|" + "|".join(w for w in _NUMBER_WORDS if len(w) > 2) + r")(?![\d.:])"
_QUANTITY = re.compile(
    rf"\b(?:{_NUMBER}|(an?))[ -]((?:[a-z][a-z-]{{0,30}} ){{0,2}}[a-z][a-z-]{{0,30}})",
    re.IGNORECASE,
)
# The words before a number that make it a limit: a period something is supported for ("is
# supported for 18 months", "only within 7 days", "only for the first year", "if it was
# deleted within the last 35 days"), the least the customer must keep, the most that is
# supported.
_SUPPORT_PERIOD = re.compile(
    r"\b(?:supported for|only (?:within|for)(?: the first)?) $|"
    # a condition's period: "Yes, if it was deleted within the last 35 days"
    r"\b(?:if|when|as long as|provided)\b[^.]{0,30}\bwithin (?:the )?(?:last |past |first )?$"
)
_SAME_PERIOD = 0.05  # periods this close (relative) are the same period
_SUPPORTED_FOR = re.compile(r"\bsupported for $")  # the period itself, claimed or given
_AT_LEAST = re.compile(
    r"\b(?:keep|must (?:keep|have|run|use)|requires?) (?:at least|a minimum of|no fewer than) $"
)
_AT_MOST = re.compile(r"\bsupports? (?:up to|at most|no more than|a maximum of) $")
_WINDOW = 40  # characters before a number read for its limit words
# Words that end the noun a number counts ("three worker nodes in each cluster").
_NOT_NOUN = {
    "in", "on", "at", "per", "of", "for", "to", "and", "or", "with", "from", "by", "that",
    "which", "who", "is", "are", "was", "were", "be", "will", "can", "must", "the", "each",
    "every", "all", "after", "before", "ago", "old", "long", "still",
}  # fmt: skip


@dataclass(frozen=True)
class Quantity:
    """A number and what it counts: a period of time in days, or the noun it counts."""

    value: float
    unit: str  # singular: "year", "node"
    days: float | None  # for a period of time

    def counts(self, other: Quantity) -> bool:
        """Whether the two count the same thing: both are periods, or the same noun."""
        if self.days is not None or other.days is not None:
            return self.days is not None and other.days is not None
        return self.unit == other.unit

    def amount(self) -> float:
        """The value to compare: days for a period, else the number."""
        return self.value if self.days is None else self.days


def quantities(text: str) -> list[tuple[int, Quantity]]:
    """Each number in a text that counts something, by where it starts."""
    found = []
    for match in _QUANTITY.finditer(text):
        number, article, after = match.group(1), match.group(2), match.group(3)
        word = (number or article).lower()
        value = float(_NUMBER_WORDS[word]) if word in _NUMBER_WORDS else float(word)
        words = [_singular(w) for w in after.lower().split()]
        if words[0] in _DAYS:
            found.append((match.start(), Quantity(value, words[0], value * _DAYS[words[0]])))
            continue
        noun = words[: next((i for i, w in enumerate(words) if w in _NOT_NOUN), len(words))]
        if noun and not article:  # "a gateway" counts nothing; "a year" does
            found.append((match.start(), Quantity(value, noun[-1], None)))
    return found


def breaks_limit(question: str, clause_text: str) -> bool:
    """Whether the question states a quantity beyond a limit the clause sets: an age or period
    longer than the period something is supported for, fewer of a thing than the least the
    customer must keep, more than the most that is supported."""
    asked = quantities(question)
    if not asked:
        return False
    # a period the question says something is supported for asks what the period is ("each
    # version is supported for 5 years, right?"); no age to hold against the clause's
    ages = [q for at, q in asked if not _SUPPORT_PERIOD.search(_before(question, at))]
    for start, limit in quantities(clause_text):
        before = _before(clause_text, start)
        if _SUPPORT_PERIOD.search(before) and limit.days is not None:
            beyond = any(q.counts(limit) and q.amount() > limit.amount() for q in ages)
        elif _AT_LEAST.search(before):
            beyond = any(q.counts(limit) and q.amount() < limit.amount() for _, q in asked)
        elif _AT_MOST.search(before):
            beyond = any(q.counts(limit) and q.amount() > limit.amount() for _, q in asked)
        else:
            continue
        if beyond:
            return True
    return False


def misstates_period(question: str, clause_text: str) -> bool:
    """Whether the question says something is supported for another period than the one the
    clause gives ("each version is supported for 5 years, right?" against "supported for 14
    months"): what the question claims is corrected, not answered yes or no."""
    claimed = _supported_for(question)
    given = _supported_for(clause_text) if claimed else []
    # a year is 12 months give or take the 30-day month
    return bool(given) and all(
        abs(c.amount() - g.amount()) > _SAME_PERIOD * g.amount() for c in claimed for g in given
    )


def _supported_for(text: str) -> list[Quantity]:
    """The periods a text says something is supported for ("supported for 14 months")."""
    return [q for at, q in quantities(text) if q.days and _SUPPORTED_FOR.search(_before(text, at))]


def _before(text: str, start: int) -> str:
    """The lower-cased words before a number that say what kind of limit it is."""
    return text[max(0, start - _WINDOW) : start].lower()


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


# A version named after a word ("Windows Server 2012", "ubuntu 20.04", "python 3.9"), and a
# version in a clause's list of them ("2019 and 2022", "8, 9 or 10"; not "3.9 or later").
_NAMED_VERSION = re.compile(
    r"\b([a-z][a-z-]{1,30}) v?(\d{1,4}(?:\.\d{1,4}){0,3})(?!\w|\.\d)"
    r"(?! ?(?:hours?|days?|weeks?|months?|years?|%))",
    re.IGNORECASE,
)
_VERSION = r"v?\d{1,4}(?:\.\d{1,4}){0,3}(?!\w|\.\d)"
_LISTED = (
    rf"\s+{_VERSION}(?:(?:,|,? and|,? or)\s+{_VERSION})*(?!\+| (?:or|and) (?:later|newer|above))"
)
_DIGITS = re.compile(r"\d{1,4}(?:\.\d{1,4}){0,3}")


def names_other_version(question: str, clause_text: str) -> bool:
    """Whether the question names a version of something whose versions the clause lists, and
    not one of those ("Is Windows Server 2012 supported?" against "Windows Server 2019 and
    2022"); a list open upwards names no limit."""
    for word, version in _NAMED_VERSION.findall(question):
        if word.lower() in _NOT_NOUN:
            continue  # "for 5 years" is no version of "for"
        listed = re.compile(rf"\b{re.escape(word)}{_LISTED}", re.IGNORECASE)
        # every list naming the word counts ("Windows 10 and Windows 11" lists 10 and 11)
        versions = {v for m in listed.finditer(clause_text) for v in _DIGITS.findall(m.group(0))}
        # a patch release belongs to its listed release ("3.9.1" to "3.9")
        if versions and not any(version == v or version.startswith(f"{v}.") for v in versions):
            return True
    return False
