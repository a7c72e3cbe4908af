"""Every regular expression the service applies to user text runs in linear time: each is run
on adversarial messages of the maximum length (its own words repeated with every separator,
punctuation runs, whitespace runs) and must finish within a small bound.

One catastrophic pattern ("ok " * 24 took 20 s) holds the GIL and stops the whole process, so
this test collects the patterns from the modules themselves: a new pattern is checked too.
"""

from __future__ import annotations

import re
import signal
import time
from collections.abc import Iterator
from types import ModuleType

import pytest

from assistant.answer import followup, learned, limits, query
from assistant.config import Settings
from assistant.dialogue import smalltalk
from assistant.slack import bot
from assistant.web import observability, security

MAX_CHARS = Settings(_env_file=None).max_question_chars
# A linear scan of 2,000 characters takes well under a millisecond; the quadratic and
# exponential patterns this replaced took 100 ms to hours.
BOUND_SECONDS = 0.02
SEPARATORS = (" ", ", ", " , ", ",", "   ", "-", ". ", "! ", "\t", "")
ENDINGS = ("", "x", "?")
# Characters a punctuation or markup run is made of.
RUN_CHARS = " ,.!?;:-_'\"<>@#|()*&/\\\u2014\u00a0\t\n"
MARKUP_UNITS = ("<!", "<@A|", "<#C|", "<a|", "a<", "bearer ", "what does ", "reply ")

# Modules whose patterns see user text: questions, follow-ups, Slack messages, HTTP headers.
MODULES: tuple[ModuleType, ...] = (
    query,
    followup,
    learned,
    limits,
    smalltalk,
    bot,
    security,
    observability,
)
# Patterns of these modules that only ever see the service's own text (policy clauses and
# rendered pages), never a user's.
NOT_USER_TEXT = {"_INLINE_SCRIPT", "_INLINE_STYLE"}


def _patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    for module in MODULES:
        for name, value in vars(module).items():
            if name in NOT_USER_TEXT:
                continue
            if isinstance(value, re.Pattern):
                yield f"{module.__name__}.{name}", value
            elif isinstance(value, tuple | dict):
                items = value.items() if isinstance(value, dict) else enumerate(value)
                for key, item in items:
                    pattern = (
                        item if isinstance(item, re.Pattern) else getattr(item, "pattern", None)
                    )
                    if isinstance(pattern, re.Pattern):
                        yield f"{module.__name__}.{name}[{key}]", pattern
    # synonym and topic terms are found by an automaton, not regexes: tests/test_phrases.py


PATTERNS = dict(_patterns())


def _phrases(pattern: re.Pattern[str]) -> list[str]:
    """The words and phrases of a pattern's alternations ("bye", "bye bye", "thank you")."""
    source = re.sub(r"\\[a-zA-Z]", " ", pattern.pattern.lower())
    found = re.findall(r"[a-z][a-z' ]*[a-z]|[a-z]", source)
    words = {w for phrase in found for w in phrase.split()}
    return sorted(set(found) | words)


def _repeat(unit: str, length: int = MAX_CHARS) -> str:
    return (unit * (length // max(1, len(unit)) + 1))[:length]


def adversarial_inputs(pattern: re.Pattern[str]) -> Iterator[str]:
    """Messages of the maximum length built to make a backtracking matcher work hardest."""
    for phrase in _phrases(pattern):
        for separator in SEPARATORS:
            for ending in ENDINGS:
                yield _repeat(phrase + separator, MAX_CHARS - len(ending)) + ending
    for char in RUN_CHARS:
        yield _repeat(char)
        yield "a" + _repeat(char, MAX_CHARS - 2) + "a"
        yield _repeat(char, MAX_CHARS - 1) + "a"
    for unit in MARKUP_UNITS:
        yield _repeat(unit)
        yield _repeat(unit, MAX_CHARS - 1) + ">"


# A catastrophic pattern would run for hours: the matcher checks for signals, so an alarm
# stops it after this long.
GIVE_UP_SECONDS = 1.0


def _give_up(signum: int, frame: object) -> None:
    raise TimeoutError


def _worst(pattern: re.Pattern[str], text: str) -> float:
    """Seconds to scan `text` for every match (as `sub` and `findall` do); a slow run is timed
    twice more and the fastest kept, so a busy machine does not fail the test."""
    best = float("inf")
    previous = signal.signal(signal.SIGALRM, _give_up)
    try:
        for _ in range(3):
            started = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, GIVE_UP_SECONDS)
            try:
                for _match in pattern.finditer(text):
                    pass
                pattern.match(text)
            except TimeoutError:
                return GIVE_UP_SECONDS
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            best = min(best, time.perf_counter() - started)
            if best <= BOUND_SECONDS:
                break
    finally:
        signal.signal(signal.SIGALRM, previous)
    return best


def test_the_patterns_that_see_user_text_are_collected() -> None:
    names = set(PATTERNS)
    assert any(n.startswith("assistant.dialogue.smalltalk.INTENTS[") for n in names)
    assert "assistant.dialogue.smalltalk._GREETING_PREFIX" in names
    assert "assistant.answer.followup._MARKERS" in names
    assert "assistant.answer.query._INJECTION" in names
    assert "assistant.slack.bot._LINK" in names
    assert "assistant.answer.query._SCOPE_CUES" in names
    assert len(names) >= 35  # (synonym terms left for an automaton: tests/test_phrases.py)


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_is_linear_on_adversarial_input(name: str) -> None:
    pattern = PATTERNS[name]
    slow = [
        (round(seconds, 3), text[:40])
        for text in adversarial_inputs(pattern)
        if (seconds := _worst(pattern, text)) > BOUND_SECONDS
    ]
    assert not slow, f"{name} took over {BOUND_SECONDS} s on {len(slow)} inputs: {slow[:3]}"
