"""The `assistant` command line, run as a real subprocess on the real index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


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
def cli_env(server_env: dict[str, str]) -> dict[str, str]:
    return {**server_env, "ASSISTANT_BUILD_INDEX_ON_START": "true"}


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
    assert result.stdout.startswith("[customer_responsibility]")
    assert "[1] " in result.stdout and "https://learn.microsoft.com/" in result.stdout


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
