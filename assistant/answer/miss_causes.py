"""Why an evaluated answer went wrong, read from what the harness (or training's cross-policy
estimate) recorded: the stage of the answer engine (question type and stance, clause choice,
abstention) a reviewer should look at."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Protocol

from assistant.models import Verdict

UNKNOWN = Verdict.UNKNOWN.value


class Scored(Protocol):
    """What a cause is read from (the harness's ItemResult)."""

    expected_verdict: str
    got_verdict: str
    raw_verdict: str
    gold_clause_ids: list[str]
    cited_ids: list[str]

    @property
    def correct(self) -> bool: ...


# cause -> what it means, in the order reports list them
MISS_CAUSES = {
    "answered_unanswerable": "answered a question the policy does not answer",
    "abstained_right_verdict": "abstained although the verdict it withheld was right",
    "abstained_wrong_verdict": "abstained, and the verdict it withheld was wrong too",
    "clause_not_chosen": "a clause that does not decide the question was cited first",
    "type_or_stance": "a deciding clause was cited first, but the question's type or the "
    "clause's stance gave another verdict",
    "no_gold_clause": "wrong verdict on an item that quotes no clause",
    "citation_missed": "right verdict, but no deciding clause among the first three citations",
}


def citation_missed(result: Scored) -> bool:
    """The item quotes clauses and none of them is among the first three citations."""
    gold = set(result.gold_clause_ids)
    return bool(gold) and not gold & set(result.cited_ids[:3])


def miss_cause(result: Scored) -> str | None:
    """The cause (a key of MISS_CAUSES) of a wrong verdict or missed citation; None when the
    verdict is right and a deciding clause is among the first three citations."""
    if result.correct:
        return "citation_missed" if citation_missed(result) else None
    first = result.cited_ids[0] if result.cited_ids else None
    expected, got, raw = result.expected_verdict, result.got_verdict, result.raw_verdict
    return wrong_verdict_cause(expected, got, raw, result.gold_clause_ids, first)


def wrong_verdict_cause(
    expected: str, got: str, raw: str, gold: Sequence[str], first: str | None
) -> str:
    """The cause of a wrong verdict `got` (`raw` before abstention) for an item labelled
    `expected` whose deciding clauses are `gold`, `first` being the clause cited first."""
    if expected == UNKNOWN:
        return "answered_unanswerable"
    if got == UNKNOWN:
        return "abstained_right_verdict" if raw == expected else "abstained_wrong_verdict"
    if not gold:
        return "no_gold_clause"
    return "type_or_stance" if first in gold else "clause_not_chosen"


def in_report_order(causes: Iterable[str]) -> dict[str, int]:
    """How often each cause occurs, in MISS_CAUSES order (causes with none left out)."""
    counts = Counter(causes)
    return {cause: counts[cause] for cause in MISS_CAUSES if counts[cause]}


def count_causes(results: Sequence[Scored]) -> dict[str, int]:
    """How many results each cause explains, in MISS_CAUSES order (causes with none left out)."""
    return in_report_order(c for c in map(miss_cause, results) if c is not None)
