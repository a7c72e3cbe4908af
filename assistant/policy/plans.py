"""The names a policy gives its plans or tiers ("Bronze", "Silver", "Gold"): the names its
sentences give ("on the Enterprise plan", "Premium Clients"), and the other header cells of a
plan table that heads a column with one of them ("Feature | Essentials | Business |
Enterprise"). A follow-up that names another plan asks the same question of it ("and
silver?" after "… on bronze?")."""

from __future__ import annotations

import re

from assistant.models import Clause
from assistant.policy.corpus import Corpus
from assistant.policy.provider import provider_of
from assistant.policy.stance import tier_names

# a header cell that may name a plan: one or two words of letters ("Enterprise", "Pro Plus")
_PLAN_CELL = re.compile(r"[a-z][a-z-]*(?: [a-z][a-z-]*)?")
# header cells beside plan columns that name none ("Priority | Description | Bronze | …")
_NOT_PLANS = frozenset(
    "description details notes comments example examples definition meaning scope".split()
)


def plan_names(corpus: Corpus) -> frozenset[str]:
    """The plan names (lower-cased) of every document of the corpus."""
    return frozenset().union(
        *(
            _document_plans([c for c in corpus.clauses if c.doc_id == d.doc_id])
            for d in corpus.documents
        )
    )


def _document_plans(clauses: list[Clause]) -> set[str]:
    title = clauses[0].section_path[0] if clauses and clauses[0].section_path else ""
    provider = provider_of(clauses)
    named = tier_names((c.text for c in clauses), title, provider)
    plans = set(named)
    tables: dict[tuple[str, tuple[str, ...]], list[Clause]] = {}
    for c in clauses:
        if c.kind == "row" and c.cells:
            tables.setdefault((c.section_anchor, c.header), []).append(c)
    for (_, header), rows in tables.items():
        across = [h.strip().lower() for h in header[1:]]  # "Feature | Essentials | Business"
        down = [r.cells[0].strip().lower() for r in rows]  # "Standard | 08:00–18:00 …"
        for cells in (across, down):
            if named & set(cells):
                plans |= {h for h in cells if _PLAN_CELL.fullmatch(h)}
    return plans - _NOT_PLANS - {provider.lower()}
