"""The `assistant` command line, run as a real subprocess on the real index."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.answer.learned import LearnedModels
from assistant.config import Settings

from .conftest import ROOT


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def cli_env(server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    models = tmp_path_factory.mktemp("onnx-models")  # the ONNX export `ask` answers with
    return {
        **server_env,
        "ASSISTANT_BUILD_INDEX_ON_START": "true",
        "ASSISTANT_MODEL_CACHE_DIR": str(models),
    }


def test_ask_prints_the_verdict_and_citations(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(
        "ask",
        "Who reboots nodes after OS patches?",
        "--as-of",
        "2020-06-01",
        env=cli_env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Customer's responsibility (confidence 0.")
    assert "\nSources:\n  [1] " in result.stdout and "https://learn.microsoft.com/" in result.stdout


def _one_question_file(tmp_path: Path) -> Path:
    """A questions file holding the first evaluation question."""
    questions = tmp_path / "q.jsonl"
    first = (ROOT / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()[0]
    questions.write_text(first + "\n", encoding="utf-8")
    return questions


def test_eval_documents_names_only_served_documents(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    questions = _one_question_file(tmp_path)
    args = ("eval", "--questions", str(questions), "--out", str(tmp_path / "reports"))
    refused = run_cli(*args, "--documents", "nope", env=cli_env, cwd=tmp_path)
    assert refused.returncode == 1
    assert "no policy document 'nope'" in refused.stderr
    scored = run_cli(*args, "--documents", "aks-support-policies ,", env=cli_env, cwd=tmp_path)
    assert scored.returncode == 0, scored.stderr
    report = json.loads(next((tmp_path / "reports").glob("*/report.json")).read_text("utf-8"))
    assert report["settings"]["documents"] == ["aks-support-policies"]


def test_eval_compare_reads_reports_or_their_folders(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    questions = _one_question_file(tmp_path)
    out = tmp_path / "reports"
    scored = run_cli(
        "eval", "--questions", str(questions), "--out", str(out), env=cli_env, cwd=tmp_path
    )
    assert scored.returncode == 0, scored.stderr
    folder = next(out.glob("*/report.json")).parent
    same = run_cli(
        "eval", "--compare", str(folder), str(folder / "report.json"), env=cli_env, cwd=tmp_path
    )
    assert (same.returncode, same.stdout.strip()) == (0, "no differences"), same.stderr
    missing = run_cli(
        "eval", "--compare", str(folder), str(tmp_path / "nowhere"), env=cli_env, cwd=tmp_path
    )
    assert missing.returncode == 1
    assert "error: cannot read the report" in missing.stderr and "Traceback" not in missing.stderr
    questions.write_text('{"metrics": {}}', encoding="utf-8")
    other = run_cli("eval", "--compare", str(folder), str(questions), env=cli_env, cwd=tmp_path)
    assert other.returncode == 1
    assert "not an evaluation report" in other.stderr and "Traceback" not in other.stderr


def test_ask_json_is_the_whole_answer(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(
        "ask", "Is Helm supported?", "--json", "--as-of", "2020-06-01", env=cli_env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert body["verdict"] == "best_effort" and body["as_of"] == "2020-06-01"
    assert "Helm and Kured" in body["citations"][0]["text"]
    assert body["citations"][0]["version"] == "2020-01-24"


def test_index_info_reports_a_matching_index(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("index", "info", env=cli_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.split("\nindex matches")[0])["clause_count"] > 100
    assert "index matches the corpus and the configured model" in result.stdout


def test_index_info_json_is_one_json_object(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("index", "info", "--json", env=cli_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["matches"] is True and report["problem"] is None
    assert report["manifest"]["clause_count"] > 100
    stale = run_cli(
        "index", "info", "--json", env={**cli_env, "ASSISTANT_MODEL": "other"}, cwd=tmp_path
    )
    assert stale.returncode == 1
    assert json.loads(stale.stdout)["matches"] is False


def test_errors_are_one_line_on_stderr_with_a_nonzero_exit(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run_cli(
        "ask",
        "Is Istio supported?",
        env={**cli_env, "ASSISTANT_CORPUS_DIR": str(empty)},
        cwd=tmp_path,
    )  # noqa: E501
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: corpus_dir")


def test_a_stale_index_is_refused_with_the_rebuild_command(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    result = run_cli(
        "ask", "Is Istio supported?", env={**cli_env, "ASSISTANT_MODEL": "other"}, cwd=tmp_path
    )  # noqa: E501
    assert result.returncode == 1
    assert "assistant index build" in result.stderr


def test_index_build_writes_an_index_that_serves(cli_env: dict[str, str], tmp_path: Path) -> None:
    env = {**cli_env, "ASSISTANT_INDEX_DIR": str(tmp_path / "fresh")}
    built = run_cli("index", "build", env=env, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "built" in built.stdout and (tmp_path / "fresh" / "manifest.json").exists()
    asked = run_cli("ask", "How often is etcd backed up?", env=env, cwd=tmp_path)
    assert "every 30 minutes" in asked.stdout


def _another_policy(tmp_path: Path, cli_env: dict[str, str], teaching: str) -> dict[str, str]:
    """Settings serving tests/data/every-construct.md alone, with this training policy folder."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(ROOT / "tests" / "data" / "every-construct.md", corpus)
    return {
        **cli_env,
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_INDEX_DIR": str(tmp_path / "index"),
        "ASSISTANT_TRAINING_FILE": str(ROOT / "corpus" / "training" / "questions.jsonl"),
        "ASSISTANT_TRAINING_POLICY_DIR": teaching,
        "ASSISTANT_TRAINING_POLICIES_DIR": str(ROOT / "corpus" / "training" / "policies"),
    }


def test_another_policy_alone_without_a_training_policy_answers_with_the_rules(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    # the training questions are about AKS: nothing to learn for this corpus, which is a warning
    env = _another_policy(tmp_path, cli_env, "")
    built = run_cli("index", "build", env=env, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "warning: learned models not trained" in built.stderr
    assert (tmp_path / "index" / "manifest.json").exists()
    assert not (tmp_path / "index" / "learned.json").exists()
    trained = run_cli("train", env=env, cwd=tmp_path)
    assert trained.returncode == 1 and "quotes a clause of this corpus" in trained.stderr


def test_another_policy_alone_gets_models_learned_on_the_training_policy(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    env = _another_policy(tmp_path, cli_env, str(ROOT / "corpus"))
    built = run_cli("index", "build", env=env, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "asked of the policy in" in built.stdout and "warning" not in built.stderr
    manifest = json.loads((tmp_path / "index" / "learned.json").read_text(encoding="utf-8"))
    assert manifest["asked_of"] == str(ROOT / "corpus")
    assert manifest["trained_documents"] == []  # none served: every answer at the unseen one
    assert manifest["items"] > 2000  # the AKS questions and the training policies'
    # it abstains as models answering a policy they never saw do best (held out in turn)
    models = LearnedModels.load(tmp_path / "index")
    assert 0.05 <= manifest["unseen_threshold"] <= 0.95
    assert models.manifest.serving_threshold == manifest["unseen_threshold"]
    # the models are checked against the served policy: served as they are, not retrained
    asked = run_cli(
        "ask",
        "are cogs supported?",
        env={**env, "ASSISTANT_BUILD_INDEX_ON_START": "false"},
        cwd=tmp_path,
    )
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.startswith("Best effort") and "best-effort support for cogs" in asked.stdout


def test_a_policy_served_beside_the_trained_one_is_answered_at_the_unseen_threshold(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns("training"))
    shutil.copy(ROOT / "tests" / "data" / "every-construct.md", corpus)
    env = {
        **cli_env,
        "ASSISTANT_CORPUS_DIR": str(corpus),
        "ASSISTANT_INDEX_DIR": str(tmp_path / "index"),
        "ASSISTANT_TRAINING_FILE": str(ROOT / "corpus" / "training" / "questions.jsonl"),
        "ASSISTANT_TRAINING_POLICIES_DIR": str(ROOT / "corpus" / "training" / "policies"),
    }
    built = run_cli("index", "build", env=env, cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    manifest = LearnedModels.load(tmp_path / "index").manifest
    # the questions are about AKS, asked of the served folder; the other document is beside it
    assert (manifest.asked_of, manifest.trained_documents) == ("", ("aks-support-policies",))
    assert manifest.unseen_threshold is not None
    assert manifest.serving_threshold == manifest.threshold
    assert manifest.threshold_for("aks-support-policies") == manifest.threshold
    assert manifest.threshold_for("every-construct") == manifest.unseen_threshold
    asked = run_cli("ask", "are cogs supported?", env=env, cwd=tmp_path)
    assert asked.returncode == 0, asked.stderr
    assert asked.stdout.startswith("Best effort") and "best-effort support for cogs" in asked.stdout


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ")
    return last


def test_serve_with_an_unwritable_data_dir_fails_in_one_line(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")  # as a read-only disk refuses
    result = run_cli("serve", "--port", "0", env={**cli_env, "ASSISTANT_DATA_DIR": str(blocked)},
                     cwd=tmp_path)  # fmt: skip
    assert "cannot open" in _one_line_error(result)


def test_a_truncated_faiss_file_fails_in_one_line(
    cli_env: dict[str, str], settings: Settings, search_index: object, tmp_path: Path
) -> None:
    broken = tmp_path / "index"
    shutil.copytree(settings.index_dir, broken)
    dense = broken / "dense.faiss"
    dense.write_bytes(dense.read_bytes()[:100])
    env = {**cli_env, "ASSISTANT_INDEX_DIR": str(broken)}
    for command in (("ask", "Is Istio supported?"), ("serve", "--port", "0")):
        line = _one_line_error(run_cli(*command, env=env, cwd=tmp_path))
        assert "unreadable" in line and "assistant index build" in line
