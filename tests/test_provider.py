"""Who provides the support: named from the policy's own sentences, and named by the verdict
labels and headlines, so a policy dropped in is not answered in Microsoft's name."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.answer.render import fixed_phrases, headline, verdict_label
from assistant.config import Settings
from assistant.dialogue.conversation import Conversations
from assistant.evaluation.runner import grounding_checker
from assistant.models import Selection, Verdict
from assistant.policy.corpus import Corpus, load_corpus
from assistant.policy.provider import UNNAMED, provider_name
from assistant.search.embedding import SentenceTransformerEmbedder
from assistant.search.index import SearchIndex
from assistant.service import Assistant
from assistant.storage.sqlite_store import SQLiteConversationStore

from .conftest import CORPUS_DIR, ROOT, serve_folder

POLICIES = {
    CORPUS_DIR / "training" / "policies" / "contoso-functions" / "policy": "Contoso",
    CORPUS_DIR / "training" / "policies" / "northwind-edge" / "policy": "Northwind",
    CORPUS_DIR / "training" / "policies" / "tailspin-desk" / "policy": "Tailspin",
    ROOT / "eval" / "documents" / "aro" / "policy": "Microsoft and Red Hat",
    ROOT / "eval" / "documents" / "clouddb" / "policy": "Fabrikam",
    # a contract's role, and a page whose table cells say "Limited support" (no "Limited")
    ROOT / "tests" / "data" / "stance-documents" / "adatum-payroll": "the Supplier",
    ROOT / "tests" / "data" / "stance-documents" / "litware-msp": "the Provider",
    ROOT / "tests" / "data" / "stance-documents" / "woodgrove-meet": UNNAMED,
}


def test_the_served_policy_names_microsoft(corpus: Corpus) -> None:
    assert provider_name(corpus) == "Microsoft"


@pytest.mark.parametrize(("folder", "name"), sorted(POLICIES.items()))
def test_other_policies_name_their_own_provider(folder: Path, name: str) -> None:
    assert provider_name(load_corpus(folder)) == name


def test_a_policy_that_names_no_one_has_an_unnamed_provider(tmp_path: Path) -> None:
    (tmp_path / "plain.md").write_text(
        "---\ntitle: Plain support policy\nversion: 2026-01-01\n---\n\n# Plain support policy\n\n"
        "## Scope\n\nThe service is supported on weekdays. Backups are kept for a week.\n",
        encoding="utf-8",
    )
    assert provider_name(load_corpus(tmp_path)) == UNNAMED == "the provider"


def test_a_company_suffix_and_more_duties_name_the_provider(tmp_path: Path) -> None:
    """ "Proseware, Inc. provides …" names Proseware; so do the duties it applies and backs up."""
    (tmp_path / "terms.md").write_text(
        "---\ntitle: Analytics support terms\nversion: 2026-01-01\n---\n\n"
        "# Analytics support terms\n\n## Scope\n\nThese terms describe the support that "
        "Proseware, Inc. provides for the service. Proseware backs up tenant data every day. "
        "Proseware applies platform updates monthly.\n",
        encoding="utf-8",
    )
    assert provider_name(load_corpus(tmp_path)) == "Proseware"


def test_headlines_and_labels_name_the_provider() -> None:
    provider = Verdict.MICROSOFT_RESPONSIBILITY
    assert headline(provider, "Fabrikam") == "This is Fabrikam's responsibility."
    assert verdict_label(provider, "Fabrikam") == "Fabrikam's responsibility"
    assert headline(provider, "") == "This is the provider's responsibility."
    assert verdict_label(provider, "") == "The provider's responsibility"
    assert verdict_label(Verdict.SUPPORTED, "Fabrikam") == "Supported"
    assert "This is Fabrikam's responsibility." in fixed_phrases(provider="Fabrikam")
    assert "This is Microsoft's responsibility." not in fixed_phrases(provider="Fabrikam")


def test_answers_name_the_configured_or_found_provider(assistant: Assistant) -> None:
    answer = assistant.answer("who backs up etcd?", selection=Selection(as_of="2020-06-01"))
    assert answer.verdict is Verdict.MICROSOFT_RESPONSIBILITY
    assert answer.provider == "Microsoft"
    assert answer.answer.startswith("This is Microsoft's responsibility.")


def test_the_setting_overrides_the_name_found(settings: Settings) -> None:
    assert settings.model_copy(update={"provider_name": "Contoso Ltd"}).provider_name == (
        "Contoso Ltd"
    )
    assert Settings(_env_file=None, provider_name="").provider_name is None


def test_follow_ups_read_the_providers_name_as_the_support_organisation(
    settings: Settings,
    search_index: SearchIndex,
    embedder: SentenceTransformerEmbedder,
    tmp_path: Path,
) -> None:
    # (a name the served policy uses: a message naming only words it never uses is off topic)
    named = Assistant.from_settings(
        settings.model_copy(update={"provider_name": "AKS"}), embedder=embedder
    )
    store = SQLiteConversationStore(tmp_path / "conversations.sqlite3", 3600)
    conversations = Conversations(named, store)
    try:
        first = conversations.ask("who patches the clusters?", None)
        told = conversations.ask("will they tell me first?", first.conversation_id)
        assert told.answer.resolved_question == "Will AKS tell me first?"
        asked = conversations.ask("can aks see my secrets?", None)
        logs = conversations.ask("what about my logs?", asked.conversation_id)
        assert logs.answer.resolved_question == "Can aks see my logs?"
    finally:
        store.close()


FABRIKAM = """---
title: Fabrikam Vault support policy
version: 2026-01-01
---

# Fabrikam Vault support policy

## What Fabrikam manages

Fabrikam patches the vault servers every month. Fabrikam monitors every vault.

## What you manage

You rotate the vault keys.
"""


def test_each_document_names_its_own_provider(
    settings: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in CORPUS_DIR.glob("aks-support-policies*"):
        shutil.copy(path, folder / path.name)
    (folder / "fabrikam-vault.md").write_text(FABRIKAM, encoding="utf-8")
    assistant = serve_folder(settings, embedder, folder, tmp_path / "index")
    assert assistant.providers == {
        "aks-support-policies": "Microsoft",
        "fabrikam-vault": "Fabrikam",
    }
    # a provider's name says no more of what is asked than "Microsoft" does
    assert assistant.decider.salient_terms("does fabrikam patch vaults?") == {"patch", "vault"}
    vault = assistant.answer("who patches the vault servers?")
    assert vault.citations[0].clause_id.startswith("fabrikam-vault:")
    assert vault.provider == "Fabrikam"
    assert vault.answer.startswith("This is Fabrikam's responsibility.")
    etcd = assistant.answer("who backs up etcd?")
    assert etcd.citations[0].clause_id.startswith("aks-support-policies:")
    assert etcd.provider == "Microsoft"
    grounding = grounding_checker(assistant)
    assert grounding.check(vault.answer, [c.text for c in vault.citations]).rate == 1.0
    # a follow-up's "they" is the provider of the document the previous answer quoted
    store = SQLiteConversationStore(tmp_path / "conversations.sqlite3", 3600)
    try:
        conversations = Conversations(assistant, store)
        first = conversations.ask("who patches the vault servers?", None)
        told = conversations.ask("will they tell me first?", first.conversation_id)
        assert told.answer.resolved_question == "Will Fabrikam tell me first?"
    finally:
        store.close()
