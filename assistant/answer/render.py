"""Render a composition as plain text, Markdown and an HTML fragment with Jinja2 templates."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from assistant.answer.compose import Composition
from assistant.models import Verdict
from assistant.policy.provider import UNNAMED

HEADLINES: dict[Verdict, str] = {
    Verdict.SUPPORTED: "Supported.",
    Verdict.NOT_SUPPORTED: "Not supported.",
    Verdict.BEST_EFFORT: "Best-effort support only.",
    Verdict.CONDITIONAL: "Supported only under conditions.",
    Verdict.CUSTOMER_RESPONSIBILITY: "This is the customer's responsibility.",
    Verdict.MICROSOFT_RESPONSIBILITY: "This is {provider}'s responsibility.",
    Verdict.SHARED_RESPONSIBILITY: "This is a shared responsibility.",
    Verdict.INFORMATIONAL: "The policy says:",
    Verdict.UNKNOWN: "The policy doesn't say.",
}

LABELS: dict[Verdict, str] = {
    Verdict.SUPPORTED: "Supported",
    Verdict.NOT_SUPPORTED: "Not supported",
    Verdict.BEST_EFFORT: "Best effort",
    Verdict.CONDITIONAL: "Conditional",
    Verdict.CUSTOMER_RESPONSIBILITY: "Customer's responsibility",
    Verdict.MICROSOFT_RESPONSIBILITY: "{provider}'s responsibility",
    Verdict.SHARED_RESPONSIBILITY: "Shared responsibility",
    Verdict.INFORMATIONAL: "Policy information",
    Verdict.UNKNOWN: "Policy doesn't say",
}

PHRASES = {
    "says": "The policy says:",
    "closest": "Here is what is closest:",
    "see_also": "See also",
    "context": "Context:",
    "before": "Before, the policy said:",
    "now": "Now it says:",
    "changes": "What changed:",
    "no_changes": "No change to the policy matches the question.",
}
# Change notes, with the version (an ISO date) the clause changed in.
CHANGE_PHRASES = {
    "added": "Added on {version}",
    "changed": "Changed on {version}",
    "removed": "Removed on {version}",
}
# When the corpus holds several documents, the intro names the one quoted (its title).
DOCUMENT_PHRASES = {
    "says": "{document} says:",
    "closest": "Here is what is closest, in {document}:",
}

_FAMILIES: dict[Verdict, str] = {
    Verdict.SUPPORTED: "scope",
    Verdict.NOT_SUPPORTED: "scope",
    Verdict.BEST_EFFORT: "scope",
    Verdict.CONDITIONAL: "scope",
    Verdict.CUSTOMER_RESPONSIBILITY: "responsibility",
    Verdict.MICROSOFT_RESPONSIBILITY: "responsibility",
    Verdict.SHARED_RESPONSIBILITY: "responsibility",
    Verdict.INFORMATIONAL: "informational",
    Verdict.UNKNOWN: "unknown",
}


def headline(verdict: Verdict, provider: str) -> str:
    """The verdict's opening sentence, naming the provider where it is theirs."""
    return HEADLINES[verdict].format(provider=provider or UNNAMED)


def verdict_label(verdict: Verdict, provider: str) -> str:
    """The verdict's short label (badges, Slack), naming the provider where it is theirs."""
    text = LABELS[verdict].format(provider=provider or UNNAMED)
    return text[:1].upper() + text[1:]


def fixed_phrases(
    documents: Iterable[str] = (), versions: Iterable[str] = (), provider: str = UNNAMED
) -> set[str]:
    """Every phrase a template may add around policy text (used by grounding checks), with
    the intros that name each of the given document titles, the change notes of each
    version and the headlines naming the provider."""
    named = {p.format(document=d) for d in documents for p in DOCUMENT_PHRASES.values()}
    dated = {p.format(version=v) for v in versions for p in CHANGE_PHRASES.values()}
    headlines = {headline(v, provider) for v in HEADLINES}
    return headlines | set(PHRASES.values()) | named | dated


@dataclass(frozen=True)
class Rendered:
    """An answer in the three formats clients use."""

    text: str
    markdown: str
    html: str


class Renderer:
    """Renders compositions with the verdict family's template; `provider` is who the
    provider's responsibility is said to be."""

    def __init__(self, provider: str = UNNAMED) -> None:
        self.provider = provider
        self._env = Environment(
            loader=PackageLoader("assistant.answer", "templates"),
            autoescape=select_autoescape(default=False, default_for_string=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, composition: Composition, provider: str | None = None) -> Rendered:
        """Plain text with [n] markers, Markdown, and an escaped HTML fragment; `provider`
        names the provider of the document quoted (default: the renderer's)."""
        provider = self.provider if provider is None else provider
        family = "changes" if composition.listing else _FAMILIES[composition.verdict]
        template = self._env.get_template(f"{family}.j2")
        phrases = {**PHRASES, **CHANGE_PHRASES}
        if composition.document:
            phrases.update(
                {k: p.format(document=composition.document) for k, p in DOCUMENT_PHRASES.items()}
            )
        context = {
            "c": composition,
            "headline": headline(composition.verdict, provider),
            "label": verdict_label(composition.verdict, provider),
            "phrases": phrases,
        }
        module: Any = template.make_module(context)  # macros are attributes of the module
        return Rendered(
            text=" ".join(str(module.text()).split()),
            markdown=str(module.markdown()).strip(),
            html=str(module.html()).strip(),
        )
