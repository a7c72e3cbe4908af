"""The word-forms table answers as lemminflect does for the policy's words, is saved with the
index, and lets a served assistant build suggestions without loading lemminflect."""

from __future__ import annotations

import json
from pathlib import Path

from lemminflect import getAllLemmas, getInflection

from assistant.answer.word_forms import WORD_FORMS_FILE, WordForms, policy_words
from assistant.config import Settings
from assistant.policy.corpus import Corpus
from assistant.service import policy_texts, word_forms_for

from .conftest import last_line_of_python


def test_the_table_answers_as_lemminflect_for_every_policy_word(
    corpus: Corpus, tmp_path: Path
) -> None:
    texts = policy_texts(corpus)
    forms = WordForms.compute(texts)
    forms.save(tmp_path)
    loaded = WordForms.load(tmp_path)
    assert loaded is not None and loaded.covers(texts)
    words = policy_words(texts)
    assert {"nodes", "Helm", "helm", "Kubernetes", "kubernetes"} <= words
    # a suggestion reads the -ing form it made of a verb ("restarting the nodes") too
    gerunds = {form for word in words for form in getInflection(word, "VBG")}
    assert "restarting" in gerunds - words
    for word in sorted(words | gerunds):
        assert loaded.lemmas(word) == dict(getAllLemmas(word)), word
        assert loaded.gerund(word) == tuple(getInflection(word, "VBG")), word


def test_a_word_outside_the_table_asks_lemminflect() -> None:
    empty = WordForms()
    assert empty.gerund("patch") == ("patching",)
    assert empty.lemmas("patch") == {"NOUN": ("patch",), "VERB": ("patch",)}


def test_a_missing_or_damaged_table_is_computed_and_saved_when_asked(
    corpus: Corpus, tmp_path: Path
) -> None:
    (tmp_path / WORD_FORMS_FILE).write_text("{not json", encoding="utf-8")
    assert WordForms.load(tmp_path) is None
    forms = word_forms_for(tmp_path, policy_texts(corpus), save=True)
    assert forms.covers(policy_texts(corpus))
    saved = json.loads((tmp_path / WORD_FORMS_FILE).read_text(encoding="utf-8"))
    assert "nodes" in saved["words"]


def test_serving_builds_suggestions_without_loading_lemminflect(
    settings: Settings, corpus: Corpus, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    script = f"""
        import sys
        from assistant.config import Settings
        from assistant.service import Assistant
        settings = Settings(index_dir={str(index_dir)!r}, corpus_dir={str(settings.corpus_dir)!r},
                            embedding_backend="torch", question_typing="rules",
                            answer_selection="rules", abstention="rules")
        first = Assistant.from_settings(settings)  # builds the index and saves the table
        for name in [m for m in sys.modules if m.startswith("lemminflect")]:
            del sys.modules[name]
        assistant = Assistant.from_settings(settings)
        answer = assistant.answer("Who reboots nodes after OS patches?")
        assert answer.suggestions, answer
        print(sorted(m for m in sys.modules if m.startswith("lemminflect")))
        """
    assert last_line_of_python(script, tmp_path, timeout=600) == "[]"
    assert (index_dir / WORD_FORMS_FILE).exists()
