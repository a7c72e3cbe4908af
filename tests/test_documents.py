"""Several documents: per-document data files, the documents filter, answers that name their
document, and out-of-scope topics that the policy covers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.dialogue.conversation import Conversations
from assistant.errors import UnknownDocumentError
from assistant.evaluation.grounding import GroundingChecker
from assistant.models import Hit, Selection, Stance, Verdict
from assistant.search.embedding import SentenceTransformerEmbedder
from assistant.search.index import build_index, save_index
from assistant.service import Assistant, data_files, load_policy, stale_topics
from assistant.storage.sqlite_store import SQLiteConversationStore

from .conftest import CORPUS_DIR

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def two_documents(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A corpus of the AKS policy (with its data files) and the test document."""
    folder = tmp_path_factory.mktemp("two")
    for path in CORPUS_DIR.glob("aks-support-policies*"):
        shutil.copy(path, folder / path.name)
    shutil.copy(DATA / "every-construct.md", folder / "widgets.md")
    (folder / "widgets.stance-overrides.toml").write_text(
        '[[override]]\nquote = "See the FAQ."\nstance = "best_effort"\n', encoding="utf-8"
    )
    return Settings(
        corpus_dir=folder,
        index_dir=folder / "index",
        calibration_file=CORPUS_DIR / "calibration.json",
        build_index_on_start=False,
        _env_file=None,
    )


@pytest.fixture(scope="module")
def two_assistant(two_documents: Settings, embedder: SentenceTransformerEmbedder) -> Assistant:
    corpus = load_policy(two_documents)
    save_index(build_index(corpus, embedder), two_documents.index_dir)
    return Assistant.from_settings(two_documents, embedder=embedder)


def test_data_files_are_found_per_document_in_the_corpus_dir(two_documents: Settings) -> None:
    corpus = load_policy(two_documents)
    names = [p.name for p in data_files(two_documents, corpus, "stance-overrides")]
    assert names == ["aks-support-policies.stance-overrides.toml", "widgets.stance-overrides.toml"]
    note = next(c for c in corpus.clauses if c.text == "See the FAQ.")
    assert note.doc_id == "widgets" and note.stance is Stance.BEST_EFFORT
    assert [p.name for p in data_files(two_documents, corpus, "synonyms")] == [
        "aks-support-policies.synonyms.toml"
    ]


def test_answers_name_their_document_and_the_filter_keeps_to_it(two_assistant: Assistant) -> None:
    answer = two_assistant.answer("Are alpha widgets supported?")
    assert answer.verdict is Verdict.NOT_SUPPORTED
    assert "Widget Service support policy says:" in answer.answer
    assert answer.citations[0].document == "Widget Service support policy"
    only_aks = two_assistant.answer(
        "Are alpha widgets supported?", selection=Selection(("aks-support-policies",))
    )
    assert all(c.clause_id.startswith("aks-support-policies:") for c in only_aks.citations)
    grounding = GroundingChecker(two_assistant.corpus)
    assert grounding.check(answer.answer, [c.text for c in answer.citations]).rate == 1.0
    with pytest.raises(UnknownDocumentError, match="widgets"):
        two_assistant.answer("Is Istio supported?", selection=Selection(("nope",)))


def test_a_table_row_reads_as_header_cell_pairs(two_assistant: Assistant) -> None:
    answer = two_assistant.answer("Are preview widgets supported?")
    assert answer.verdict is Verdict.BEST_EFFORT
    assert "Feature: Preview widgets; Supported?: Best-effort" in answer.answer


def test_the_shipped_out_of_scope_topics_name_nothing_the_policy_covers(
    settings: Settings,
) -> None:
    assert stale_topics(settings, load_policy(settings)) == []


@contextmanager
def widgets_topics(
    two_documents: Settings, two_assistant: Assistant, topics: str
) -> Iterator[tuple[Path, Assistant]]:
    """The widgets document's out-of-scope file with these topics, and an assistant that read
    it (the file is removed after)."""
    path = two_documents.corpus_dir / "widgets.out-of-scope.toml"
    path.write_text(topics, "utf-8")
    try:
        yield (
            path,
            Assistant(
                two_documents,
                two_assistant.corpus,
                two_assistant.index,
                two_assistant.embedder,
                two_assistant.synonyms,
            ),
        )
    finally:
        path.unlink()


def test_an_out_of_scope_term_the_policy_uses_is_reported_not_applied(
    two_documents: Settings, two_assistant: Assistant
) -> None:
    gear = '[[topic]]\nname = "gear"\nterms = ["sprockets", "flywheels"]\n'
    with widgets_topics(two_documents, two_assistant, gear) as (path, fresh):
        problems = stale_topics(two_documents, load_policy(two_documents))
        assert problems == [
            f"{path}: out-of-scope topic 'gear' names 'sprockets', which the policy covers"
        ]
        assert [t.terms for t in fresh.decider.topics if t.name == "gear"] == [("flywheels",)]


def test_a_question_that_names_a_document_is_answered_from_it_alone(
    two_assistant: Assistant,
) -> None:
    def documents(question: str, selection: Selection | None = None) -> set[str]:
        cited = two_assistant.answer(question, selection=selection).citations
        return {c.clause_id.split(":", 1)[0] for c in cited}

    assert documents("Are alpha features supported?") == {"aks-support-policies", "widgets"}
    assert documents("Are alpha widgets supported?") == {"widgets"}
    assert documents("Are widget preview features supported?") == {"widgets"}
    assert documents("Are AKS alpha features supported?") == {"aks-support-policies"}
    # within the documents a client selected; a document it did not select is not added
    asked = "Are widget preview features supported?"
    assert documents(asked, Selection(("aks-support-policies", "widgets"))) == {"widgets"}
    assert documents(asked, Selection(("aks-support-policies",))) == {"aks-support-policies"}
    # a word only the other document uses is unknown to the one named
    assert two_assistant.answer("Are cogs supported in AKS?").verdict is Verdict.UNKNOWN
    assert two_assistant.answer("Are cogs supported?").verdict is not Verdict.UNKNOWN


def test_a_conversation_stays_with_the_document_it_named(
    two_assistant: Assistant, tmp_path: Path
) -> None:
    store = SQLiteConversationStore(tmp_path / "conversations.sqlite3", 3600)
    conversations = Conversations(two_assistant, store)
    try:
        first = conversations.ask("Are alpha widgets supported?")
        later = conversations.ask("Who owns the servers?", first.conversation_id)
        switched = conversations.ask("And in AKS?", first.conversation_id)
    finally:
        store.close()
    assert [c.clause_id.split(":", 1)[0] for c in later.answer.citations] == ["widgets"] * len(
        later.answer.citations
    )
    assert later.answer.verdict is Verdict.MICROSOFT_RESPONSIBILITY
    assert {c.clause_id.split(":", 1)[0] for c in switched.answer.citations} == {
        "aks-support-policies"
    }


def test_a_documents_out_of_scope_topic_holds_for_its_own_clauses_only(
    two_documents: Settings, two_assistant: Assistant
) -> None:
    billing = '[[topic]]\nname = "billing"\nterms = ["invoices"]\n'
    with widgets_topics(two_documents, two_assistant, billing) as (_, fresh):
        [topic] = [t for t in fresh.decider.topics if t.name == "billing"]
        assert topic.document == "widgets"
        widget = next(c for c in fresh.corpus.clauses if c.doc_id == "widgets")
        aks = next(c for c in fresh.corpus.clauses if c.doc_id == "aks-support-policies")
        # the widgets policy leaves invoices out; an answer from the AKS policy is not withheld
        question = "who sends the invoices?"
        assert fresh.decider.uncovered_topic(question, [Hit(widget, 1.0)]) == topic
        assert fresh.decider.uncovered_topic(question, [Hit(aks, 1.0)]) is None
