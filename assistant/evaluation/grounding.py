"""Check that an answer says nothing but policy text and fixed template phrases."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from assistant.answer.render import fixed_phrases
from assistant.policy.corpus import Corpus
from assistant.policy.provider import document_providers, provider_name

_MARKERS = re.compile(r"\s*\[\d+\](?:\s*,\s*\[\d+\])*")
_FRAGMENT_END = re.compile(r"(?<=[.!?:;])\s+|\n")


@dataclass(frozen=True)
class Grounding:
    """How many answer fragments and citation texts were verbatim, and which were not."""

    grounded: int
    total: int
    ungrounded: tuple[str, ...]

    @property
    def rate(self) -> float:
        """Share of grounded parts (1.0 for an empty answer)."""
        return self.grounded / self.total if self.total else 1.0


class GroundingChecker:
    """Knows the corpus text and the template phrases an answer may use."""

    def __init__(
        self,
        corpus: Corpus,
        replies: Iterable[str] = (),
        history: Iterable[Corpus] = (),
        provider: str | None = None,
    ) -> None:
        """`replies` are further fixed texts (small-talk replies) an answer may consist of;
        `history` the policy's earlier versions, which change notes quote; `provider` the name
        verdict headlines give the provider (None: the name each document gives)."""
        corpora = [corpus, *history]
        visible = [d.title for k in corpora for d in k.documents]
        visible += [" ".join(s.path) for k in corpora for s in k.sections]
        visible += [c.context for k in corpora for c in k.clauses]
        visible += [c.text for k in corpora for c in k.clauses]
        self._policy = " ".join(" \n ".join(visible).split())  # the policy as it reads
        titles = {d.title for k in corpora for d in k.documents}
        versions = {d.version for k in corpora for d in k.documents}
        named = (
            {provider}
            if provider is not None
            else {provider_name(corpus), *document_providers(corpus).values()}
        )
        phrases = [p for name in sorted(named) for p in fixed_phrases(titles, versions, name)]
        phrases += [f for r in replies for f in self.fragments(r)]
        self._phrases = {p.rstrip(".:") for p in phrases}

    def is_policy_text(self, text: str) -> bool:
        """True when `text` stands verbatim in the policy as it reads (whitespace folded):
        within a clause, a lead-in or header row, a heading or a title."""
        return " ".join(text.split()) in self._policy

    def fragments(self, answer: str) -> list[str]:
        """The answer cut into sentence-like fragments, citation markers removed."""
        stripped = _MARKERS.sub("\n", answer)
        return [f.strip() for f in _FRAGMENT_END.split(stripped) if f.strip()]

    def check(self, answer: str, citation_texts: Iterable[str]) -> Grounding:
        """Grounding of one answer text and its citations."""
        parts = [(f, self._is_grounded_fragment(f)) for f in self.fragments(answer)]
        parts += [(t, self.is_policy_text(t)) for t in citation_texts]
        bad = tuple(text for text, ok in parts if not ok)
        return Grounding(len(parts) - len(bad), len(parts), bad)

    def _is_grounded_fragment(self, fragment: str) -> bool:
        # a table row reads "header: cell; header: cell", so a trailing : or ; is template's
        return fragment.rstrip(".:") in self._phrases or self.is_policy_text(fragment.rstrip(":;"))
