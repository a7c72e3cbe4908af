"""Plan names read from a policy (its sentences and plan tables), and follow-ups that ask the
previous question of another plan ("and silver?" after "… on bronze?")."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.followup import resolve_followup
from assistant.config import Settings
from assistant.dialogue.conversation import Conversations
from assistant.policy.corpus import Corpus, load_corpus
from assistant.policy.plans import plan_names
from assistant.search.embedding import SentenceTransformerEmbedder
from assistant.storage.sqlite_store import SQLiteConversationStore

from .conftest import CORPUS_DIR, ROOT, serve_folder

DOCUMENTS = ROOT / "tests" / "data" / "stance-documents"
PLANS = {
    # named in sentences, and the other plans of the tables they head
    DOCUMENTS / "litware-msp": {"bronze", "silver", "gold"},
    DOCUMENTS / "fabrikam-mailguard": {"essentials", "business", "enterprise"},
    DOCUMENTS / "woodgrove-meet": {"free", "pro", "business"},
    # "Standard" only heads a row of the table whose other row is "Premium"
    DOCUMENTS / "adatum-payroll": {"standard", "premium"},
    CORPUS_DIR / "training" / "policies" / "tailspin-desk" / "policy": {
        "starter",
        "team",
        "enterprise",
    },
}


@pytest.mark.parametrize(("folder", "plans"), sorted(PLANS.items()))
def test_a_policy_names_its_plans(folder: Path, plans: set[str]) -> None:
    assert plan_names(load_corpus(folder)) == plans


def test_the_aks_policy_names_no_plans(corpus: Corpus) -> None:
    # its tables head columns with parties ("Microsoft", "Customer"), not plans
    assert plan_names(corpus) == frozenset()


@pytest.mark.parametrize(
    ("asked", "message", "rewrite"),
    [
        (
            "what are service desk hours on bronze?",
            "and silver?",
            "What are service desk hours on silver?",
        ),
        ("what's the P1 response on Bronze?", "ok and gold?", "What's the P1 response on gold?"),
        (
            "do silver customers get site visits?",
            "and bronze customers?",
            "Do bronze customers get site visits?",
        ),
        ("how fast is a P2 on silver", "what about the gold plan?", "How fast is a P2 on gold?"),
    ],
)
def test_a_plan_alone_asks_the_question_of_that_plan(
    asked: str, message: str, rewrite: str
) -> None:
    plans = {"bronze", "silver", "gold"}
    assert resolve_followup(message, [asked], plans=plans).question == rewrite


def test_a_plan_swap_needs_a_plan_named_before_and_a_known_plan() -> None:
    plans = {"bronze", "silver", "gold"}
    # the previous question named no plan: "and silver?" is a new subject
    assert (
        resolve_followup("and silver?", ["is patching covered?"], plans=plans).rule != "plan_swap"
    )
    # a word the policy gives no plan is a new subject
    assert resolve_followup("and linux?", ["is windows covered on gold?"], plans=plans).rule != (
        "plan_swap"
    )
    # without the policy's plans nothing is a plan
    assert resolve_followup("and silver?", ["what are the hours on bronze?"]).rule != "plan_swap"


def test_a_conversation_swaps_the_plans_of_the_policy_it_serves(
    settings: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    assistant = serve_folder(settings, embedder, DOCUMENTS / "litware-msp", tmp_path / "index")
    assert assistant.plans == {"bronze", "silver", "gold"}
    store = SQLiteConversationStore(tmp_path / "conversations.sqlite3", 3600)
    try:
        conversations = Conversations(assistant, store)
        first = conversations.ask("what are the service desk hours on bronze?", None)
        silver = conversations.ask("and silver?", first.conversation_id)
        gold = conversations.ask("ok and gold?", first.conversation_id)
    finally:
        store.close()
    assert silver.answer.resolved_question == "What are the service desk hours on silver?"
    assert gold.answer.resolved_question == "What are the service desk hours on gold?"
    # the answer quotes the plan table's row for the plan asked about
    assert any("Gold" in c.text for c in gold.answer.citations[:3])
