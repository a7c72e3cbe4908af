"""A policy written as questions and answers: each answer reads under its question (the
question is no clause), a bare "Yes."/"No." opens the answer's sentence, and the stance rules
read it as the answer it is."""

from __future__ import annotations

from pathlib import Path

from assistant.config import Settings
from assistant.models import Stance, Verdict
from assistant.policy.corpus import parse_document
from assistant.policy.stance import rule_stances
from assistant.search.embedding import SentenceTransformerEmbedder

from .conftest import serve_policy

WAF = "No. Web application firewall rules are your responsibility."
DOMAINS = "A: Yes, custom domains are supported."
ORIGINS = "No. Fabrikam doesn't support origin servers it doesn't host."

FAQ = f"""---
title: Fabrikam CDN Support Policy
version: 2026-03-04
---

# Fabrikam CDN Support Policy

Fabrikam provides technical support for the CDN service described on this page.

## Edge

Dynamic site acceleration is supported on the Premium plan only.

- Caching of static content is supported.
- Websocket traffic is excluded.

## Frequently asked questions

**Can Fabrikam configure my web application firewall rules?**
{WAF} Fabrikam publishes the default rule set.

Q: Does Fabrikam support custom domains?
{DOMAINS}

**Will Fabrikam troubleshoot an origin server we host ourselves?**

{ORIGINS}
"""


def _clauses(tmp_path: Path) -> dict[str, tuple[str, Stance]]:
    path = tmp_path / "fabrikam-cdn.md"
    path.write_text(FAQ, encoding="utf-8")
    _, _, clauses = parse_document(path)
    rules = rule_stances(tuple(clauses))
    return {c.text: (c.context, r.stance) for c, r in zip(clauses, rules, strict=True)}


def test_an_answer_reads_under_its_question(tmp_path: Path) -> None:
    clauses = _clauses(tmp_path)
    waf = "Can Fabrikam configure my web application firewall rules?"
    assert clauses[WAF] == (waf, Stance.CUSTOMER_RESPONSIBILITY)
    # a later sentence of the answer, and the answer in the next paragraph, too
    assert clauses["Fabrikam publishes the default rule set."][0] == waf
    origin = "Will Fabrikam troubleshoot an origin server we host ourselves?"
    assert clauses[ORIGINS] == (origin, Stance.NOT_SUPPORTED)
    assert clauses[DOMAINS] == ("Q: Does Fabrikam support custom domains?", Stance.SUPPORTED)
    # a question is no clause (its answer is); text before any question has none
    assert not [text for text in clauses if text.endswith("?")]
    first = "Fabrikam provides technical support for the CDN service described on this page."
    assert clauses[first][0] == ""
    assert "No." not in clauses  # a bare answer is no clause of its own


def test_supported_only_somewhere_is_conditional_and_excluded_is_not_supported(
    tmp_path: Path,
) -> None:
    clauses = _clauses(tmp_path)
    acceleration = "Dynamic site acceleration is supported on the Premium plan only."
    assert clauses[acceleration][1] is Stance.CONDITIONAL
    assert clauses["Websocket traffic is excluded."][1] is Stance.NOT_SUPPORTED
    assert clauses["Caching of static content is supported."][1] is Stance.SUPPORTED


def test_a_question_asked_of_the_faq_is_answered_from_its_answer(
    settings: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    assistant = serve_policy(settings, embedder, tmp_path, "fabrikam-cdn.md", FAQ)
    origin = assistant.answer("Will you troubleshoot our self-hosted origin server?")
    assert (origin.verdict, origin.citations[0].text) == (Verdict.NOT_SUPPORTED, ORIGINS)
    waf = assistant.answer("who configures our web application firewall rules?")
    assert (waf.verdict, waf.citations[0].text) == (Verdict.CUSTOMER_RESPONSIBILITY, WAF)
