"""A fake Slack for tests: a real HTTP server on loopback that plays the Web API and
`response_url` endpoints and records every call; and a client that sends correctly signed
requests (Slack's v0 HMAC-SHA256 scheme) to the bot."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from tests.servers import LOOPBACK

TEAM = "T0TEST"
BOT_USER = "UBOT"
BOT_ID = "BBOT"
SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


@dataclass(frozen=True)
class Call:
    """One request the bot made to Slack: a Web API method or a response_url post."""

    method: str  # "chat.postMessage", "views.open", … or "response_url"
    path: str
    body: dict[str, Any]
    at: float = field(default_factory=time.monotonic)

    @property
    def blocks(self) -> list[dict[str, Any]]:
        """The message's blocks (empty when it has none)."""
        blocks = self.body.get("blocks") or []
        return json.loads(blocks) if isinstance(blocks, str) else list(blocks)

    @property
    def block_text(self) -> str:
        """Every text in the message's blocks, joined by newlines."""
        return "\n".join(_texts(self.blocks))

    def block(self, block_id: str) -> dict[str, Any]:
        """The block with this id; KeyError when there is none."""
        for block in self.blocks:
            if block.get("block_id") == block_id:
                return block
        raise KeyError(f"no block {block_id!r} in {[b.get('block_id') for b in self.blocks]}")

    def button(self, action_id: str) -> dict[str, Any]:
        """The button with this action id; KeyError when there is none."""
        for block in self.blocks:
            for element in block.get("elements", []):
                if element.get("action_id") == action_id:
                    return dict(element)
        raise KeyError(f"no button {action_id!r}")


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            yield value["text"]
        for item in value.values():
            if isinstance(item, dict | list):
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)


class FakeSlack:
    """Records calls; `delays` holds seconds to stall chat.postMessage per channel and
    response_url posts per path (a slow Slack)."""

    def __init__(self) -> None:
        self.url = ""  # set once the server listens
        self.calls: list[Call] = []
        self.delays: dict[str, float] = {}
        self._lock = threading.Lock()
        self._ts = itertools.count(1)

    @property
    def api_url(self) -> str:
        """The Web API base URL (ASSISTANT_SLACK_API_URL)."""
        return f"{self.url}/api/"

    def response_url(self, name: str) -> str:
        """A response_url on this fake; posts to it are recorded as method "response_url"."""
        return f"{self.url}/response/{name}"

    def next_ts(self) -> str:
        """A fresh message timestamp."""
        return f"{int(time.time())}.{next(self._ts):06d}"

    def record(self, call: Call) -> None:
        """Keep a call."""
        with self._lock:
            self.calls.append(call)

    def find(self, method: str, path: str | None = None, **fields: Any) -> list[Call]:
        """The recorded calls of `method` (to `path`) whose body has these field values."""
        with self._lock:
            calls = list(self.calls)
        return [
            c
            for c in calls
            if c.method == method
            and path in (None, c.path)
            and all(c.body.get(k) == v for k, v in fields.items())
        ]

    def wait_for(
        self,
        method: str,
        count: int = 1,
        timeout: float = 30,
        path: str | None = None,
        **fields: Any,
    ) -> list[Call]:
        """Wait until at least `count` matching calls arrived; fail with what did arrive."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.find(method, path, **fields)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(
            f"{count} {method} call(s) with {fields} did not arrive in {timeout}s; got "
            f"{[(c.method, c.path, {k: c.body.get(k) for k in fields}) for c in self.calls]}"
        )

    def answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        """What the Web API would return."""
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "policy-assistant",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            ts = self.next_ts()
            return {"ok": True, "channel": body.get("channel"), "ts": ts, "message": {"ts": ts}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method.startswith("views."):
            return {"ok": True, "view": {"id": "V0TEST", **(body.get("view") or {})}}
        return {"ok": True}


def _handler(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length") or 0))
            if "json" in (self.headers.get("content-type") or ""):
                body = json.loads(raw or b"{}")
            else:
                body = dict(urllib.parse.parse_qsl(raw.decode()))
            if self.path.startswith("/response/"):
                fake.record(Call("response_url", self.path, body))
                time.sleep(fake.delays.get(self.path, 0))
                self._send(b"ok", "text/plain")
                return
            method = self.path.removeprefix("/api/")
            if method == "chat.postMessage":
                time.sleep(fake.delays.get(str(body.get("channel")), 0))
            fake.record(Call(method, self.path, body))
            self._send(json.dumps(fake.answer(method, body)).encode(), "application/json")

        def _send(self, payload: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def running_fake_slack() -> Iterator[FakeSlack]:
    """A FakeSlack served on a free loopback port in a background thread."""
    fake = FakeSlack()
    server = ThreadingHTTPServer((LOOPBACK, 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://{LOOPBACK}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: v0= HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackClient:
    """Sends what Slack sends (events, slash commands, interactions), signed."""

    def __init__(self, url: str, secret: str = SIGNING_SECRET) -> None:
        self.http = httpx.Client(base_url=url, timeout=30, trust_env=False)
        self.secret = secret
        self._ids = itertools.count(1)

    def close(self) -> None:
        """Close the connection pool."""
        self.http.close()

    def post(
        self,
        path: str,
        body: bytes,
        content_type: str,
        *,
        timestamp: float | None = None,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
        signed: bool = True,
    ) -> httpx.Response:
        """POST a body with Slack's signature headers (made with `secret` at `timestamp`)."""
        sent = {"content-type": content_type, **(headers or {})}
        if signed:
            ts = str(int(time.time() if timestamp is None else timestamp))
            sent["x-slack-request-timestamp"] = ts
            sent["x-slack-signature"] = signature(secret or self.secret, ts, body)
        return self.http.post(path, content=body, headers=sent)

    def new_event_id(self) -> str:
        """A fresh event id."""
        return f"Ev{int(time.time() * 1000)}{next(self._ids):04d}"

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry: int | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """Deliver an Events API callback (`X-Slack-Retry-Num` when `retry` is given)."""
        envelope = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0TEST",
            "event": {"event_ts": event.get("ts", "1.0"), **event},
            "type": "event_callback",
            "event_id": event_id or self.new_event_id(),
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
        headers = dict(kwargs.pop("headers", None) or {})
        if retry is not None:
            headers.update({"x-slack-retry-num": str(retry), "x-slack-retry-reason": "timeout"})
        body = json.dumps(envelope).encode()
        return self.post("/slack/events", body, "application/json", headers=headers, **kwargs)

    def command(
        self, text: str, *, channel: str, user: str, response_url: str, **kwargs: Any
    ) -> httpx.Response:
        """Invoke `/policy <text>` the way Slack posts a slash command."""
        form = {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": channel,
            "channel_name": "support",
            "user_id": user,
            "user_name": "someone",
            "command": "/policy",
            "text": text,
            "api_app_id": "A0TEST",
            "response_url": response_url,
            "trigger_id": "1.2.trigger",
        }
        body = urllib.parse.urlencode(form).encode()
        return self.post("/slack/commands", body, "application/x-www-form-urlencoded", **kwargs)

    def interaction(self, payload: dict[str, Any], **kwargs: Any) -> httpx.Response:
        """Post an interaction payload (`payload=` form field) as Slack does."""
        body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.post("/slack/actions", body, "application/x-www-form-urlencoded", **kwargs)

    def click(
        self,
        button: dict[str, Any],
        *,
        user: str,
        channel: str,
        message: dict[str, Any] | None,
        response_url: str,
        block_id: str = "feedback",
    ) -> httpx.Response:
        """Click a button of a message (`message` None: an ephemeral message)."""
        container: dict[str, Any] = {"type": "message", "channel_id": channel}
        if message is None:
            container.update({"message_ts": "1.0", "is_ephemeral": True})
        else:
            container.update({"message_ts": message["ts"], "is_ephemeral": False})
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": "someone", "team_id": TEAM},
            "api_app_id": "A0TEST",
            "token": "legacy",
            "container": container,
            "trigger_id": f"{next(self._ids)}.trigger",
            "team": {"id": TEAM, "domain": "test"},
            "channel": {"id": channel, "name": "support"},
            "response_url": response_url,
            "actions": [
                {
                    "type": "button",
                    "action_id": button["action_id"],
                    "block_id": block_id,
                    "text": button["text"],
                    "value": button["value"],
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        if message is not None:
            payload["message"] = message
        return self.interaction(payload)


def message_from(call: Call, ts: str | None = None) -> dict[str, Any]:
    """The message Slack would hold for a chat.postMessage call (as button payloads carry it)."""
    message: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER,
        "bot_id": BOT_ID,
        "text": call.body.get("text", ""),
        "blocks": call.blocks,
        "ts": ts or f"{time.time():.6f}",
    }
    if call.body.get("thread_ts"):
        message["thread_ts"] = call.body["thread_ts"]
    return message


def wait_until(predicate: Callable[[], bool], timeout: float = 30) -> None:
    """Poll `predicate` until it holds; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(0.05)
