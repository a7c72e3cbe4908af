"""Policy versions: the current article with the seed revision as history, stable clause ids,
clause-level diffs, answers as of a date, change notes and safe updates."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rapidfuzz import fuzz

from assistant.config import Settings
from assistant.models import Selection, Verdict
from assistant.policy.corpus import Corpus
from assistant.policy.versions import diff_versions
from assistant.service import Assistant, load_history

from .conftest import CORPUS_DIR, ROOT, SEED_AS_OF

PUBLISHED = ROOT.parent / "shared" / "corpus-source" / "aks-support-policies-2026-08-27.md"
DATA = Path(__file__).parent / "data"


def test_the_current_article_is_served_with_the_seed_as_history(settings: Settings) -> None:
    eras = load_history(settings)
    assert [e.start for e in eras] == ["2020-01-24", "2026-08-27"]
    seed, now = eras[0].corpus(), eras[-1].corpus()
    assert len(seed.clauses) == 115 and len(now.clauses) == 241
    if PUBLISHED.exists():  # copied unchanged
        assert (CORPUS_DIR / "aks-support-policies.md").read_bytes() == PUBLISHED.read_bytes()


def test_clause_ids_stay_with_their_clause_across_versions(
    corpus: Corpus, seed_corpus: Corpus
) -> None:
    before = {c.clause_id: c for c in seed_corpus.clauses}
    assert len({c.clause_id for c in corpus.clauses}) == len(corpus.clauses)
    shared = [c for c in corpus.clauses if c.clause_id in before]
    assert len(shared) > 20
    for clause in shared:  # an id never points at unrelated text in the other version
        assert fuzz.ratio(clause.text.lower(), before[clause.clause_id].text.lower()) >= 70
    # a clause that moved to another section keeps its id
    moved = next(c for c in corpus.clauses if c.text.startswith("AKS agent nodes appear in"))
    assert moved.clause_id == "aks-support-policies:managed-features-in-aks:20"
    assert moved.section_anchor == "user-customization-of-agent-nodes"


def test_the_diff_lists_kured_nsgs_and_byocni(settings: Settings) -> None:
    seed, now = (e.versions[0] for e in load_history(settings))
    changes = diff_versions(seed, now)
    removed = [c.previous_text for c in changes if c.change == "removed"]
    added = [c for c in changes if c.change == "added"]
    assert any("Kured" in text for text in removed)
    assert any("customizing NSG rules" in text for text in removed)
    assert any(c.text.startswith("You can customize network security groups") for c in added)
    assert any(c.section.endswith("Bring your own CNI support boundaries") for c in added)
    changed = next(c for c in changes if c.previous_text.startswith("Features in public preview"))
    assert changed.change == "changed" and changed.stance == changed.previous_stance


def test_answers_come_from_the_version_in_force(assistant: Assistant) -> None:
    now = assistant.answer("Are beta Kubernetes features supported?")
    assert now.verdict is Verdict.SUPPORTED
    assert {c.version for c in now.citations} >= {"2026-08-27"}
    assert now.changes and "on 2026-08-27" in now.answer
    # the note names the quoted clause it is about
    assert "Added on 2026-08-27 [1]." in now.answer
    assert all(c.previous_version == "2020-01-24" for c in now.changes)
    then = assistant.answer("Are beta Kubernetes features supported?", selection=SEED)
    assert then.verdict is Verdict.NOT_SUPPORTED and then.as_of == SEED_AS_OF
    assert "doesn't support alpha and beta features" in then.answer
    assert {c.version for c in then.citations} == {"2020-01-24"} and then.changes == ()


def test_a_rule_answers_before_its_conditions_unless_a_condition_is_named(
    assistant: Assistant,
) -> None:
    plain = assistant.answer("Are alpha Kubernetes features supported?", selection=SEED)
    assert plain.verdict is Verdict.NOT_SUPPORTED
    flagged = assistant.answer(
        "Are alpha features supported if we opt in through a feature flag?", selection=SEED
    )
    assert flagged.verdict is Verdict.CONDITIONAL
    assert "feature flag" in flagged.answer


def test_quoted_clauses_added_on_one_date_share_one_note(assistant: Assistant) -> None:
    answer = assistant.answer("Can I SSH into my nodes and change them?")
    added = [c for c in answer.changes if c.change == "added"]
    assert len(added) >= 2
    assert answer.answer.count("Added on 2026-08-27") == 1
    assert re.search(r"Added on 2026-08-27 \[\d\], \[\d\]", answer.answer)


@pytest.mark.parametrize(
    ("question", "verdict"),
    [("Is Helm supported?", Verdict.BEST_EFFORT), ("Is Istio supported?", Verdict.NOT_SUPPORTED)],
)
def test_an_exception_beats_the_list_it_singles_out_of(
    assistant: Assistant, question: str, verdict: Verdict
) -> None:
    # "Projects like Istio, Helm, or Envoy" are not supported; "best-effort support for projects
    # like Helm" singles Helm out
    assert assistant.answer(question).verdict is verdict


def test_a_removed_clause_is_noted_when_the_policy_no_longer_says(assistant: Assistant) -> None:
    answer = assistant.answer("Is Kured supported?")
    kured = [c for c in answer.changes if "Kured" in c.previous_text]
    assert kured and kured[0].change == "removed"
    assert "Removed on 2026-08-27. Before, the policy said:" in answer.answer


def test_what_changed_questions_list_changes_from_both_versions(assistant: Assistant) -> None:
    answer = assistant.answer("did anything change about NSGs?")
    assert answer.verdict is Verdict.INFORMATIONAL
    assert answer.answer.startswith("What changed:")
    assert any("NSG" in c.previous_text for c in answer.changes)
    assert {c.version for c in answer.citations} == {"2020-01-24", "2026-08-27"}


SEED = Selection(as_of=SEED_AS_OF)


def _cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def widgets(tmp_path: Path, server_env: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """A corpus holding one small document, and the environment of a CLI on it."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "every-construct.md", corpus / "widgets.md")
    (corpus / "widgets.stance-overrides.toml").write_text(
        '[[override]]\nquote = "See the FAQ."\nstance = "best_effort"\n', encoding="utf-8"
    )
    env = {**server_env, "ASSISTANT_CORPUS_DIR": str(corpus), "PYTHONPATH": str(ROOT)}
    return corpus, env


def test_policy_update_reports_every_problem_and_installs_nothing(
    widgets: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    corpus, env = widgets
    new = tmp_path / "widgets.md"
    text = (corpus / "widgets.md").read_text(encoding="utf-8")
    new.write_text(
        text.replace("03/15/2025", "09/01/2025")
        .replace(" See the **FAQ**.", "")
        .replace("- Widget `v1.2` installs.", "- Widget `v2.0` installs."),
        encoding="utf-8",
    )
    (corpus / "widgets.out-of-scope.toml").write_text(
        '[[topic]]\nname = "gear"\nterms = ["sprockets"]\n', encoding="utf-8"
    )
    before = sorted(p.name for p in corpus.rglob("*"))
    result = _cli("policy", "update", str(new), "--report", "r.md", env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert "See the FAQ." in result.stdout and "'sprockets'" in result.stdout  # both at once
    assert sorted(p.name for p in corpus.rglob("*")) == before  # nothing installed
    report = (tmp_path / "r.md").read_text(encoding="utf-8")
    assert "result: not installed" in report and "Widget v2.0 installs." in report

    (corpus / "widgets.out-of-scope.toml").unlink()
    (corpus / "widgets.stance-overrides.toml").unlink()
    result = _cli("policy", "update", str(new), "--report", "r.md", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (corpus / "history" / "widgets" / "2025-03-15.md").read_text(encoding="utf-8") == text
    assert "2025-09-01" in (corpus / "widgets.md").read_text(encoding="utf-8").replace(
        "09/01/2025", "2025-09-01"
    )
    diff = _cli("policy", "diff", "widgets", env=env, cwd=tmp_path)
    assert "changed" in diff.stdout and "+ Widget v2.0 installs." in diff.stdout

    older = tmp_path / "older" / "widgets.md"
    older.parent.mkdir()
    older.write_text(text.replace("03/15/2025", "01/01/2024"), encoding="utf-8")
    refused = _cli("policy", "update", str(older), env=env, cwd=tmp_path)
    assert refused.returncode == 1 and "--history" in refused.stderr
    added = _cli("policy", "update", str(older), "--history", env=env, cwd=tmp_path)
    assert added.returncode == 0, added.stdout + added.stderr
    assert (corpus / "history" / "widgets" / "2024-01-01.md").exists()
