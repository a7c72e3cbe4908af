"""The JSON log of a real `assistant serve` at `info`: only JSON lines, none from libraries."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from assistant.web.observability import LIBRARY_LOGGERS
from tests.conftest import ROOT
from tests.servers import running_api


def test_json_log_at_info_has_no_library_lines_or_progress_bars(
    server_env: dict[str, str], tmp_path: Path
) -> None:
    env = {**server_env, "ASSISTANT_LOG_FORMAT": "json", "ASSISTANT_LOG_LEVEL": "info"}
    log = tmp_path / "server.log"
    with running_api(env, cwd=ROOT, log=log) as api:
        empty = httpx.post(f"{api.url}/v1/ask", json={"question": "  "}, trust_env=False)
        missing = httpx.post(f"{api.url}/v1/ask", json={}, trust_env=False)
    assert empty.json()["error"]["message"] == "question is empty"
    assert missing.json()["error"]["message"] == "question: field required"
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert lines, "the server logged nothing"
    chatty = [line for line in lines if line["logger"].split(".")[0] in LIBRARY_LOGGERS]
    assert chatty == []
    slack = [line for line in lines if line["message"].startswith("Slack bot off")]
    assert [line["level"] for line in slack] == ["info"]
