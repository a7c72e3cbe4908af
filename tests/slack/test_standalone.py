"""`assistant slack serve`: the bot alone, as a real process, over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from assistant.config import Settings
from assistant.search.index import SearchIndex
from tests.conftest import CORPUS_DIR, ROOT
from tests.servers import LOOPBACK, free_port
from tests.slack.fake_slack import BOT_USER, SIGNING_SECRET, FakeSlack, SlackClient


def test_slack_serve_needs_the_token_and_the_secret(tmp_path: Path) -> None:
    env = {**os.environ, "SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": "", "HF_HUB_OFFLINE": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "slack", "serve"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to run the Slack bot"
    )


def test_slack_serve_answers_mentions_on_its_own(
    settings: Settings, search_index: SearchIndex, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "ASSISTANT_SLACK_API_URL": fake_slack.api_url,
        "ASSISTANT_DATA_DIR": str(tmp_path / "data"),
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_CORPUS_DIR": str(CORPUS_DIR),
        "ASSISTANT_BUILD_INDEX_ON_START": "false",
        "ASSISTANT_REDIS_URL": "",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
    log = tmp_path / "slack.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "assistant", "slack", "serve"]
            + ["--host", LOOPBACK, "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://{LOOPBACK}:{port}"
    client = SlackClient(url)
    try:
        deadline = time.monotonic() + 180
        while True:
            assert process.poll() is None, log.read_text()[-3000:]
            try:
                if httpx.get(f"{url}/healthz", timeout=1, trust_env=False).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.25)

        assert (
            httpx.post(f"{url}/v1/ask", json={"question": "x"}, trust_env=False).status_code == 404
        )
        channel = f"C{port}"
        ts = fake_slack.next_ts()
        event = {"type": "app_mention", "user": "U1", "text": f"<@{BOT_USER}> Is Istio supported?"}
        response = client.event({**event, "ts": ts, "channel": channel})
        assert response.status_code == 200
        [reply] = fake_slack.wait_for("chat.postMessage", channel=channel)
        assert reply.body["thread_ts"] == ts
        assert reply.block("verdict")["text"]["text"] == "⛔ *Not supported*"
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=20)
