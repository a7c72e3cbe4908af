"""Give each clause a stance from its own cue phrases, its lead-in and its section heading."""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from pathlib import Path

from assistant.errors import CorpusError
from assistant.models import Clause, Stance

# Ordered: the first stance whose cue matches wins, so specific cues come before general ones.
_CUES: tuple[tuple[Stance, tuple[str, ...]], ...] = (
    (Stance.BEST_EFFORT, (r"best[- ]effort",)),
    (Stance.SHARED_RESPONSIBILITY, (r"shared? responsibility",)),
    (
        Stance.CUSTOMER_RESPONSIBILITY,
        (r"customers? (?:is|are) responsible", r"user input is required", r"users must help"),
    ),
    (
        Stance.NOT_SUPPORTED,
        (
            r"unsupportable",
            r"doesn't (?:provide technical )?support\b",
            r"don't support",
            r"doesn't allow",
            r"aren't meant for production",
            r"\bdon't install\b",
            r"can't alter",
        ),
    ),
    (
        Stance.CONDITIONAL,
        (r"\bif\b[^.]*\bis available\b", r"^where\b", r"\bin two scenarios\b"),
    ),
    (
        Stance.MICROSOFT_RESPONSIBILITY,
        (
            r"maintained and operated by microsoft",
            r"microsoft manages",
            r"\baks team will\b",
            r"\bautomatically (?:remediated|patched|restore)",
            r"\b(?:microsoft|aks) will (?:notify|detect)",
            r"\baks team might need to reboot",
            r"reboot operations are automated",
            r"support and engineering teams will",
            r"committed to fixing",
        ),
    ),
    (
        Stance.SUPPORTED,
        (
            r"provides? technical support",
            r"\bdoes support\b",
            r"\bcan advise\b",
            r"\bcan answer questions\b",
            r"\bsupports\b",
        ),
    ),
)

_HEADING_CUES: tuple[tuple[Stance, str], ...] = (
    (Stance.CUSTOMER_RESPONSIBILITY, r"customer responsibilit"),
    (Stance.MICROSOFT_RESPONSIBILITY, r"microsoft responsibilit"),
    (Stance.SHARED_RESPONSIBILITY, r"shared responsibilit"),
    (Stance.NOT_SUPPORTED, r"\bunsupported\b"),
)


def stance_from_cues(text: str) -> Stance | None:
    """The stance a piece of policy text states by its cue phrases, if any."""
    lowered = text.lower().replace("\u2019", "'")
    for stance, patterns in _CUES:
        if any(re.search(p, lowered) for p in patterns):
            return stance
    return None


def _stance_from_heading(path: tuple[str, ...]) -> Stance | None:
    for heading in reversed(path):
        for stance, pattern in _HEADING_CUES:
            if re.search(pattern, heading.lower()):
                return stance
    return None


def _infer_stance(clause: Clause, stances: dict[str, Stance]) -> Stance:
    own = stance_from_cues(clause.text)
    if own is not None:
        return own
    if clause.parent_id is not None:
        return stances[clause.parent_id]
    if clause.kind != "item":
        return Stance.INFORMATIONAL  # a sentence without cues states a fact
    lead = stance_from_cues(clause.context)
    return lead or _stance_from_heading(clause.section_path) or Stance.INFORMATIONAL


def load_overrides(path: Path | None) -> list[tuple[str, Stance]]:
    """Reviewed (quote, stance) corrections; the quote identifies a clause verbatim."""
    if path is None or not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    overrides = []
    for entry in data.get("override", []):
        try:
            overrides.append((str(entry["quote"]), Stance(entry["stance"])))
        except (KeyError, ValueError) as exc:
            raise CorpusError(f"{path}: bad override {entry!r}: {exc}") from exc
    return overrides


def assign_stances(
    clauses: tuple[Clause, ...], overrides: list[tuple[str, Stance]]
) -> tuple[Clause, ...]:
    """Return the clauses with stances: rules first, then reviewed overrides on top."""
    stances: dict[str, Stance] = {}
    for clause in clauses:  # reading order: a parent is always decided before its children
        stances[clause.clause_id] = _infer_stance(clause, stances)
    for quote, stance in overrides:
        matches = [c for c in clauses if quote in c.text]
        if len(matches) != 1:
            raise CorpusError(
                f"stance override quote {quote!r} matches {len(matches)} clauses; it must match one"
            )
        stances[matches[0].clause_id] = stance
    return tuple(replace(c, stance=stances[c.clause_id]) for c in clauses)
