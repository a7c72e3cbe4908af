"""The parser keeps the policy verbatim, with stable ids and lead-in context."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from assistant.errors import CorpusError
from assistant.policy.corpus import Corpus, load_corpus, parse_document, split_sentences
from assistant.policy.markdown import visible_text

from .conftest import ROOT, SEED_FILE

SHARED_SOURCE = ROOT.parent / "shared" / "corpus-source" / "aks-support-policies.txt"


def test_every_clause_is_the_visible_rendering_of_its_source_slice(seed_corpus: Corpus) -> None:
    texts = {d.doc_id: d.text for d in seed_corpus.documents}
    assert len(seed_corpus.clauses) > 100
    for clause in seed_corpus.clauses:
        source = texts[clause.doc_id][clause.start : clause.end]
        assert visible_text(source, texts[clause.doc_id]) == clause.text
    escaped = next(c for c in seed_corpus.clauses if "prefixed with MC" in c.text)
    assert escaped.text.endswith("(prefixed with MC*).")  # the source escapes it: MC\*


def test_clause_ids_are_unique_and_name_document_section_and_ordinal(seed_corpus: Corpus) -> None:
    ids = [c.clause_id for c in seed_corpus.clauses]
    assert len(ids) == len(set(ids))
    assert "aks-support-policies:aks-support-coverage:4" in ids
    etcd = seed_corpus.clause("aks-support-policies:aks-support-coverage:4")
    assert etcd is not None and "every 30 minutes" in etcd.text


def test_markdown_is_the_shared_source_verbatim() -> None:
    if not SHARED_SOURCE.exists():
        pytest.skip(f"{SHARED_SOURCE} not present in this checkout")
    body = (SEED_FILE).read_text(encoding="utf-8").split("---\n", 2)[2]
    body = re.sub(r"^(#+ |\s*- )", "", body, flags=re.M)
    source = SHARED_SOURCE.read_text(encoding="utf-8").replace("•", "")
    assert " ".join(body.split()) == " ".join(source.split())


def test_list_items_keep_their_lead_in(seed_corpus: Corpus) -> None:
    item = next(
        c for c in seed_corpus.clauses if c.text.startswith("Third-party closed-source software.")
    )
    assert item.kind == "item"
    assert item.context == "Microsoft doesn't provide technical support for the following:"
    nested = next(c for c in seed_corpus.clauses if c.text == "Kube-proxy")
    assert nested.parent_id is not None
    assert "Components include the following:" in nested.context


def test_a_note_under_a_list_item_is_a_clause_of_its_own(seed_corpus: Corpus) -> None:
    note = next(c for c in seed_corpus.clauses if "best-effort support" in c.text)
    parent = seed_corpus.clause(note.parent_id or "")
    assert parent is not None and "Istio, Helm, Envoy" in parent.text


def test_ids_do_not_change_when_another_section_changes(
    tmp_path: Path, seed_corpus: Corpus
) -> None:
    shutil.copy(SEED_FILE, tmp_path / "aks-support-policies.md")
    path = tmp_path / "aks-support-policies.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "## Shared responsibility\n\n",
            "## Shared responsibility\n\nA new first sentence. And another.\n\n",
        ),
        encoding="utf-8",
    )
    edited = load_corpus(tmp_path)
    before = {
        c.clause_id: c.text
        for c in seed_corpus.clauses
        if c.section_anchor != "shared-responsibility"
    }
    after = {
        c.clause_id: c.text for c in edited.clauses if c.section_anchor != "shared-responsibility"
    }
    assert before == after
    assert edited.content_hash != seed_corpus.content_hash


def test_a_second_document_is_parsed_beside_the_first(tmp_path: Path) -> None:
    shutil.copy(SEED_FILE, tmp_path / "aks-support-policies.md")
    (tmp_path / "other-policy.md").write_text(
        "---\ntitle: Other\nsource_url: https://example.invalid/other\nversion: '1'\n---\n\n"
        "# Other\n\n## Scope\n\nWe support widgets. We don't support gadgets.\n",
        encoding="utf-8",
    )
    corpus = load_corpus(tmp_path)
    assert [d.doc_id for d in corpus.documents] == ["aks-support-policies", "other-policy"]
    other = [c for c in corpus.clauses if c.doc_id == "other-policy"]
    assert [c.text for c in other] == ["We support widgets.", "We don't support gadgets."]
    assert other[0].clause_id == "other-policy:scope:1"


def test_missing_front_matter_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "bad.md").write_text("# No front matter\n\nText.\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="front matter"):
        parse_document(tmp_path / "bad.md")


def test_empty_corpus_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="no \\*.md"):
        load_corpus(tmp_path)


def test_split_sentences_keeps_offsets() -> None:
    text = "First one. Second (with MC\\*). Third?"
    parts = list(split_sentences(text, 10))
    assert [p[0] for p in parts] == ["First one.", "Second (with MC\\*).", "Third?"]
    for sentence, start, end in parts:
        assert text[start - 10 : end - 10] == sentence
