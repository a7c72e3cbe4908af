"""`assistant ask` and `assistant chat` through the conversation layer, in-process and against a
real server (`--url`), run as real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.cli import format_answer
from tests.conftest import ROOT
from tests.servers import ApiServer, running_api
from tests.test_cli import run_cli

FOLLOW_UP = "Is Helm supported?\nwhat about kured?\n"
# Kured is named only by the seed revision: the follow-up tests ask about the policy as it was.
SEED = ("--as-of", "2020-06-01")


@pytest.fixture(scope="module")
def cli_env(server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    models = tmp_path_factory.mktemp("onnx-models")
    return {**server_env, "ASSISTANT_MODEL_CACHE_DIR": str(models)}


@pytest.fixture(scope="module")
def api(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    log = tmp_path_factory.mktemp("cli-server") / "server.log"
    with running_api(server_env, cwd=ROOT, log=log) as server:
        yield server


def chat(
    *args: str, stdin: str, env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "chat", *args],
        input=stdin,
        env={**os.environ, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_ask_hi_is_small_talk(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("ask", "hi", env=cli_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Hi!") and "confidence" not in result.stdout
    assert "Sources:" not in result.stdout and "You could also ask:" in result.stdout


def test_ask_a_human_hands_off(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli("ask", "--json", "Can I talk to a human?", env=cli_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert '"kind": "handoff"' in result.stdout


def test_chat_keeps_the_follow_up_context(cli_env: dict[str, str], tmp_path: Path) -> None:
    alone = run_cli("ask", *SEED, "what about kured?", env=cli_env, cwd=tmp_path)
    assert "Best effort" not in alone.stdout  # on its own the follow-up has no subject
    result = chat(*SEED, stdin=FOLLOW_UP, env=cli_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    answers = result.stdout.split("Best effort (confidence ")
    assert len(answers) == 3, result.stdout  # both turns: Helm, then Kured in Helm's frame
    assert "Kured" in answers[2]


def test_chat_new_starts_a_conversation_without_context(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    result = chat(
        *SEED, stdin="Is Helm supported?\n/new\nwhat about kured?\n", env=cli_env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("Best effort (confidence ") == 1
    assert "(new conversation)" in result.stdout


def test_ask_url_talks_to_a_running_server(api: ApiServer, tmp_path: Path) -> None:
    # no corpus, index or model here: everything comes from the server
    env = {"ASSISTANT_CORPUS_DIR": str(tmp_path), "ASSISTANT_INDEX_DIR": str(tmp_path)}
    result = run_cli(
        "ask", "--url", api.url, "Who reboots nodes after OS patches?", env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Customer's responsibility (confidence 0.")
    hi = run_cli("ask", "--url", api.url, "hi", env=env, cwd=tmp_path)
    assert hi.stdout.startswith("Hi!")
    followed = chat("--url", api.url, *SEED, stdin=FOLLOW_UP, env=env, cwd=tmp_path)
    assert followed.returncode == 0, followed.stderr
    assert followed.stdout.count("Best effort (confidence ") == 2


def test_ask_url_reports_a_server_error_on_one_line(api: ApiServer, tmp_path: Path) -> None:
    result = run_cli("ask", "--url", api.url, "   ", env={}, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("error: server answered 422: ")
    assert result.stderr.count("\n") == 1


def test_ask_does_not_import_torch_and_keeps_stderr_quiet(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    run_cli("ask", "Is Istio supported?", env=cli_env, cwd=tmp_path)  # exports the ONNX model once
    result = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-m",
            "assistant",
            "ask",
            "Is Istio supported?",
        ],
        env={**os.environ, **cli_env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert "torch" not in imported and "sentence_transformers" not in imported
    noise = [line for line in result.stderr.splitlines() if not line.startswith("import time:")]
    assert noise == []


def test_format_answer_lists_sources_and_clarification_choices() -> None:
    text = format_answer(
        {
            "kind": "clarification",
            "verdict": "conditional",
            "confidence": 0.5,
            "answer": "Supported only under conditions. The policy says: X. [1]",
            "citations": [
                {"n": 1, "section": "A > B", "stance": "conditional", "text": "X.", "url": "u"}
            ],
            "suggestions": ["Is A supported?"],
        }
    )
    assert text.splitlines()[0] == "Conditional (confidence 0.50)"
    assert "  [1] A > B (Conditional)" in text and "Did you mean:\n  - Is A supported?" in text
