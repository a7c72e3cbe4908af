"""One real `assistant serve` with the Slack bot on, talking to a fake Slack on loopback, shared
by the Slack tests (each test uses its own channels, threads and users)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.storage.sqlite_store import SQLiteConversationStore
from tests.conftest import ROOT
from tests.servers import ApiServer, running_api
from tests.slack.fake_slack import SIGNING_SECRET, FakeSlack, SlackClient, running_fake_slack

# Channels the served bot answers only from some documents (the policy served has one).
SCOPED_CHANNEL, MISCONFIGURED_CHANNEL = "CSCOPED01", "CMISSET01"
CHANNEL_DOCUMENTS = {
    SCOPED_CHANNEL: ["aks-support-policies"],
    MISCONFIGURED_CHANNEL: ["no-such-policy"],
}


@dataclass
class SlackBot:
    """The served bot, its fake Slack, a signed-request client and its data folder."""

    server: ApiServer
    slack: FakeSlack
    client: SlackClient
    data_dir: Path

    def store(self) -> SQLiteConversationStore:
        """The bot's conversation store, opened from this process (close it after use)."""
        return SQLiteConversationStore(self.data_dir / "conversations.sqlite3", 86_400)


@pytest.fixture(scope="session")
def fake_slack() -> Iterator[FakeSlack]:
    """The fake Slack Web API and response_url endpoints."""
    with running_fake_slack() as fake:
        yield fake


@pytest.fixture(scope="session")
def slack_bot(
    server_env: dict[str, str],
    fake_slack: FakeSlack,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SlackBot]:
    """`assistant serve` with SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET set, its Web API calls
    going to the fake Slack."""
    folder = tmp_path_factory.mktemp("slack-bot")
    data_dir = folder / "data"
    env = {
        **server_env,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "",
        "ASSISTANT_SLACK_API_URL": fake_slack.api_url,
        "ASSISTANT_DATA_DIR": str(data_dir),
        "ASSISTANT_SLACK_CHANNEL_DOCUMENTS": json.dumps(CHANNEL_DOCUMENTS),
    }
    with running_api(env, cwd=ROOT, log=folder / "server.log") as server:
        client = SlackClient(server.url)
        try:
            yield SlackBot(server, fake_slack, client, data_dir)
        finally:
            client.close()


_names = itertools.count(1)


@pytest.fixture
def channel() -> str:
    """A channel id no other test uses."""
    return f"C{next(_names):06d}"


@pytest.fixture
def user() -> str:
    """A user id no other test uses."""
    return f"U{next(_names):06d}"
