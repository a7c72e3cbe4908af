"""The support console and its JSON API on the real app: access (404 without an admin key, 401
or a redirect without a session, the cookie's flags, CSRF), the queues, review states with an
audit trail, labelling into the training set and the dev split, deleting, the handoff object and
its webhook (a real HTTP server on loopback), and no question text in the logs."""

from __future__ import annotations

import json
import logging
import re
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.service import Assistant
from assistant.storage.labels import read_records
from assistant.web.api import create_app

from ..conftest import ROOT

ADMIN_KEY = "test-console-key-7d2a"
BEARER = {"Authorization": f"Bearer {ADMIN_KEY}"}
SAME_SITE = {"Sec-Fetch-Site": "same-origin"}
HANDOFF = "https://support.example.com/new?c={conversation_id}&t={transcript_url}"
UNANSWERED = "how much does an aks cluster cost per month?"


class Webhook:
    """A loopback HTTP server that records the JSON bodies POSTed to it."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.arrived = threading.Condition()
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with webhook.arrived:
                    webhook.bodies.append(json.loads(body))
                    webhook.arrived.notify_all()
                self.send_response(204)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def wait(self, count: int, timeout: float = 20) -> list[dict[str, Any]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.bodies) >= count, timeout)
            return list(self.bodies)


@pytest.fixture(scope="module")
def webhook() -> Iterator[Webhook]:
    hook = Webhook()
    hook.thread.start()
    yield hook
    hook.server.shutdown()
    hook.server.server_close()


@pytest.fixture(scope="module")
def console_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("console")
    eval_copy = folder / "eval.jsonl"
    shutil.copy(ROOT / "eval" / "questions.jsonl", eval_copy)
    return {
        "data": folder / "data",
        "training": folder / "training" / "questions.jsonl",
        "eval": eval_copy,
    }


@pytest.fixture(scope="module")
def app_settings(settings: Settings, console_files: dict[str, Path], webhook: Webhook) -> Settings:
    return settings.model_copy(
        update={
            "admin_key": Settings(admin_key=ADMIN_KEY, _env_file=None).admin_key,
            "data_dir": console_files["data"],
            "training_file": console_files["training"],
            "eval_file": console_files["eval"],
            "handoff_url": HANDOFF,
            "handoff_webhook": webhook.url,
        }
    )


@pytest.fixture(scope="module")
def client(app_settings: Settings, assistant: Assistant) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings, assistant)) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def asked(client: TestClient) -> dict[str, Any]:
    """One conversation: a thumbs-down answer with a comment, an abstention, a handoff."""
    first = client.post("/v1/ask", json={"question": "is istio supported?"}).json()
    conversation_id = first["conversation_id"]
    rated = client.post(
        "/v1/feedback",
        json={"conversation_id": conversation_id, "turn": 1, "rating": "down", "comment": "meh"},
    )
    unanswered = client.post(
        "/v1/ask", json={"question": UNANSWERED, "conversation_id": conversation_id}
    ).json()
    handoff = client.post(
        "/v1/ask", json={"question": "let me talk to a human", "conversation_id": conversation_id}
    ).json()
    return {
        "conversation_id": conversation_id,
        "rated": rated.json(),
        "unanswered": unanswered,
        "handoff": handoff,
    }


def sign_in(client: TestClient, reviewer: str = "Ana") -> str:
    """Sign in through the form; the session's CSRF token."""
    response = client.post(
        "/admin/login",
        data={"reviewer": reviewer, "key": ADMIN_KEY, "next": "/admin"},
        headers=SAME_SITE,
        follow_redirects=False,
    )
    assert response.status_code == 303 and response.headers["location"] == "/admin"
    page = client.get("/admin")
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match
    return match.group(1)


def signed_out(app_settings: Settings, assistant: Assistant) -> TestClient:
    return TestClient(create_app(app_settings, assistant))


# ------------------------------------------------------------------------------ access


def test_everything_is_404_without_an_admin_key(settings: Settings, assistant: Assistant) -> None:
    plain = TestClient(create_app(settings, assistant))
    paths = ("/admin", "/admin/login", "/admin/api/items", "/admin/conversations/x")
    for path in (*paths, "/admin/console.js", "/admin/console.css"):
        response = plain.get(path, headers=BEARER, follow_redirects=False)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"
    assert plain.post("/admin/api/items/x:1/state", json={"state": "dismissed"}).status_code == 404


def test_without_a_session_pages_redirect_and_the_api_says_401(
    app_settings: Settings, assistant: Assistant, asked: dict[str, Any]
) -> None:
    anonymous = signed_out(app_settings, assistant)
    transcript = f"/admin/conversations/{asked['conversation_id']}"
    for path in ("/admin", "/admin/overview", transcript):
        response = anonymous.get(path, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/admin/login?next=/admin")
    for path in ("/admin/api/items", "/admin/api/overview", f"/admin/api{transcript[6:]}"):
        response = anonymous.get(path)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    wrong = anonymous.get("/admin/api/items", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert anonymous.get("/admin/api/items", headers=BEARER).status_code == 200


def test_a_wrong_key_does_not_sign_in(app_settings: Settings, assistant: Assistant) -> None:
    anonymous = signed_out(app_settings, assistant)
    response = anonymous.post(
        "/admin/login", data={"reviewer": "Eve", "key": "guess"}, headers=SAME_SITE
    )
    assert response.status_code == 401 and "not valid" in response.text
    assert "set-cookie" not in response.headers
    assert anonymous.get("/admin", follow_redirects=False).status_code == 303


def test_the_session_cookie_is_httponly_strict_and_secure_over_https(
    app_settings: Settings, assistant: Assistant
) -> None:
    form = {"reviewer": "Ana", "key": ADMIN_KEY}
    plain = signed_out(app_settings, assistant).post(
        "/admin/login", data=form, headers=SAME_SITE, follow_redirects=False
    )
    cookie = plain.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/admin" in cookie
    assert "max-age=28800" in cookie and "secure" not in cookie
    https = TestClient(create_app(app_settings, assistant), base_url="https://testserver")
    secure = https.post("/admin/login", data=form, headers=SAME_SITE, follow_redirects=False)
    assert "secure" in secure.headers["set-cookie"].lower()


def test_a_tampered_cookie_is_no_session(app_settings: Settings, assistant: Assistant) -> None:
    anonymous = signed_out(app_settings, assistant)
    sign_in(anonymous)
    token = anonymous.cookies["assistant_console"]
    other = signed_out(app_settings, assistant)
    valid = other.get("/admin/api/items", headers={"Cookie": f"assistant_console={token}"})
    assert valid.status_code == 200
    tampered = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")
    forged = other.get("/admin/api/items", headers={"Cookie": f"assistant_console={tampered}"})
    assert forged.status_code == 401


def test_forms_and_cookie_writes_need_the_csrf_token(
    client: TestClient, asked: dict[str, Any]
) -> None:
    csrf = sign_in(client)
    item = f"{asked['conversation_id']}:1"
    path = f"/admin/items/{item}/state"
    no_token = client.post(path, data={"state": "dismissed"}, headers=SAME_SITE)
    assert no_token.status_code == 403
    cross_site = client.post(
        path, data={"state": "dismissed", "csrf": csrf}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross_site.status_code == 403
    api_path = f"/admin/api/items/{item}/state"
    assert client.post(api_path, json={"state": "dismissed"}).status_code == 403
    ok = client.post(api_path, json={"state": "open"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200
    form = client.post(
        path, data={"state": "resolved", "csrf": csrf}, headers=SAME_SITE, follow_redirects=False
    )
    assert form.status_code == 303 and form.headers["location"].endswith("?done=resolved")
    assert items(client, state="resolved")[item]["reviewer"] == "Ana"
    client.post(api_path, json={"state": "open"}, headers={"X-CSRF-Token": csrf})


def test_an_unknown_item_is_a_404_page_and_sign_ins_are_audited(client: TestClient) -> None:
    sign_in(client, reviewer="Zoë O'Neil")
    page = client.get("/admin/items/nope:1")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "no review item" in page.text
    audit = client.get("/admin/api/audit", headers=BEARER).json()["audit"]
    assert any(a["action"] == "signed_in" and a["reviewer"] == "Zoë O'Neil" for a in audit)


def test_console_pages_have_a_strict_csp_that_allows_own_forms(client: TestClient) -> None:
    sign_in(client)
    csp = client.get("/admin").headers["content-security-policy"]
    assert "script-src 'self';" in csp and "form-action 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert client.get("/admin").headers["cache-control"] == "no-store"


# ------------------------------------------------------------------------------ queues


def items(client: TestClient, **params: str) -> dict[str, dict[str, Any]]:
    response = client.get("/admin/api/items", params=params, headers=BEARER)
    assert response.status_code == 200
    return {i["item_id"]: i for i in response.json()["items"]}


def test_queues_hold_thumbs_down_and_abstentions(client: TestClient, asked: dict[str, Any]) -> None:
    conversation_id = asked["conversation_id"]
    down = items(client, queue="down", state="all")[f"{conversation_id}:1"]
    assert down["comments"] == ["meh"] and down["question"] == "is istio supported?"
    assert down["verdict"] == "not_supported" and down["citations"]
    unknown = items(client, queue="unknown", state="all")[f"{conversation_id}:2"]
    assert unknown["verdict"] == "unknown" and unknown["question"] == UNANSWERED
    assert f"{conversation_id}:3" not in items(client, state="all")  # the handoff turn
    detail = client.get(f"/admin/api/items/{conversation_id}:2", headers=BEARER).json()
    assert [t["question"] for t in detail["conversation"]][:2] == [
        "is istio supported?",
        UNANSWERED,
    ]


def test_dismissing_and_resolving_are_kept_and_audited(
    client: TestClient, asked: dict[str, Any]
) -> None:
    item = f"{asked['conversation_id']}:2"
    path = f"/admin/api/items/{item}/state"
    assert client.post(path, json={"state": "dismissed"}, headers=BEARER).json()["state"] == (
        "dismissed"
    )
    assert item not in items(client, state="open")
    assert items(client, state="dismissed")[item]["reviewer"] == "api"
    client.post(path, json={"state": "resolved"}, headers=BEARER)
    client.post(path, json={"state": "open"}, headers=BEARER)
    audit = client.get("/admin/api/audit", headers=BEARER).json()["audit"]
    mine = [a["action"] for a in audit if a["item_id"] == item]
    assert mine[:3] == ["open", "resolved", "dismissed"]
    bad = client.post(path, json={"state": "snoozed"}, headers=BEARER)
    assert bad.status_code == 422
    missing = client.post("/admin/api/items/nope:1/state", json={"state": "open"}, headers=BEARER)
    assert missing.status_code == 404


# ------------------------------------------------------------------------------ labelling


def test_labelling_appends_to_the_training_set(
    client: TestClient, asked: dict[str, Any], console_files: dict[str, Path]
) -> None:
    item = f"{asked['conversation_id']}:1"
    resolved = client.get(f"/admin/api/items/{item}", headers=BEARER).json()["resolved_question"]
    clauses = client.get("/admin/api/clauses", params={"q": "istio"}, headers=BEARER).json()
    istio = next(c for c in clauses["clauses"] if "Istio" in c["text"])
    response = client.post(
        f"/admin/api/items/{item}/label",
        json={"expected_verdict": "not_supported", "clause_ids": [istio["clause_id"]]},
        headers=BEARER,
    )
    assert response.status_code == 201
    [record] = [r for r in read_records(console_files["training"]) if r["reviewer"] == "api"]
    assert record == {
        "id": record["id"],
        "question": resolved,
        "question_type": "scope",
        "expected_verdict": "not_supported",
        "gold_quotes": [istio["text"]],
        "version": record["version"],
        "source": "review",
        "reviewer": "api",
    }
    assert record["version"]  # the document's version
    assert items(client, state="labelled")[item]["state"] == "labelled"


def test_policy_doesnt_say_goes_to_the_dev_split_never_test(
    client: TestClient, asked: dict[str, Any], console_files: dict[str, Path]
) -> None:
    item = f"{asked['conversation_id']}:2"
    before = read_records(console_files["eval"])
    response = client.post(
        f"/admin/api/items/{item}/label",
        json={"expected_verdict": "unknown", "question_type": "out_of_scope", "target": "dev"},
        headers=BEARER,
    )
    assert response.status_code == 201
    after = read_records(console_files["eval"])
    assert after[: len(before)] == before
    [added] = after[len(before) :]
    assert added["split"] == "dev" and added["expected_verdict"] == "unknown"
    assert added["gold_quotes"] == [] and added["category"] == "out_of_scope"
    test_split = client.post(
        f"/admin/api/items/{item}/label",
        json={"expected_verdict": "unknown", "target": "test"},
        headers=BEARER,
    )
    assert test_split.status_code == 422


def test_an_answerable_label_needs_a_clause(client: TestClient, asked: dict[str, Any]) -> None:
    item = f"{asked['conversation_id']}:1"
    response = client.post(
        f"/admin/api/items/{item}/label", json={"expected_verdict": "supported"}, headers=BEARER
    )
    assert response.status_code == 422 and "clause" in response.json()["error"]["message"]
    unknown_clause = client.post(
        f"/admin/api/items/{item}/label",
        json={"expected_verdict": "supported", "clause_ids": ["no:such:clause"]},
        headers=BEARER,
    )
    assert unknown_clause.status_code == 422


def test_an_unwritable_training_file_is_a_clear_503(
    app_settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the training folder should be", encoding="utf-8")
    broken = app_settings.model_copy(
        update={
            "data_dir": tmp_path / "data",
            "training_file": blocker / "questions.jsonl",
            "handoff_webhook": None,
        }
    )
    with TestClient(create_app(broken, assistant)) as broken_client:
        asked = broken_client.post("/v1/ask", json={"question": UNANSWERED}).json()
        item = f"{asked['conversation_id']}:1"
        response = broken_client.post(
            f"/admin/api/items/{item}/label", json={"expected_verdict": "unknown"}, headers=BEARER
        )
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "label_file_unwritable"
        assert items(broken_client)[item]["state"] == "open"


# ------------------------------------------------------------------------------ overview


def test_overview_counts_answers_verdicts_and_unanswered(
    client: TestClient, asked: dict[str, Any]
) -> None:
    client.post("/v1/ask", json={"question": "what does an aks cluster cost each month?"})
    stats = client.get("/admin/api/overview", headers=BEARER).json()
    assert (
        stats["answers"] >= 3
        and sum(d["answers"] for d in stats["answers_per_day"]) == (stats["answers"])
    )
    assert stats["verdicts"]["unknown"] >= 2 and 0 < stats["abstention_rate"] < 1
    assert stats["ratings"]["down"] >= 1
    top = stats["top_unanswered"][0]
    assert top["count"] >= 2  # the two ways of asking about cost, grouped
    assert stats["sections"] and stats["sections"][0]["citations"] >= 1
    assert stats["retention"]["conversation_hours"] == 24


# ------------------------------------------------------------------------------ handoff


def test_handoff_turns_and_thumbs_down_offer_the_handoff_link(asked: dict[str, Any]) -> None:
    conversation_id = asked["conversation_id"]
    for handoff in (asked["handoff"]["handoff"], asked["rated"]["handoff"]):
        assert handoff["conversation_id"] == conversation_id
        assert handoff["transcript_url"].endswith(f"/admin/conversations/{conversation_id}")
        query = parse_qs(urlsplit(handoff["url"]).query)
        assert query == {"c": [conversation_id], "t": [handoff["transcript_url"]]}
    assert "handoff" not in asked["unanswered"]


def test_the_webhook_receives_the_transcript(asked: dict[str, Any], webhook: Webhook) -> None:
    bodies = webhook.wait(2)
    reasons = {b["reason"]: b for b in bodies if b["conversation_id"] == asked["conversation_id"]}
    assert set(reasons) == {"rated_down", "handoff"}
    handoff = reasons["handoff"]
    assert [t["question"] for t in handoff["turns"]] == [
        "is istio supported?",
        UNANSWERED,
        "let me talk to a human",
    ]
    assert handoff["turns"][0]["answer"]["citations"]
    assert handoff["transcript_url"].endswith(f"/admin/conversations/{asked['conversation_id']}")


def test_the_transcript_link_needs_the_admin_session(
    client: TestClient, app_settings: Settings, assistant: Assistant, asked: dict[str, Any]
) -> None:
    path = urlsplit(asked["handoff"]["handoff"]["transcript_url"]).path
    anonymous = signed_out(app_settings, assistant)
    assert anonymous.get(path, follow_redirects=False).status_code == 303
    sign_in(client)
    page = client.get(path)
    assert page.status_code == 200 and UNANSWERED in page.text


# ------------------------------------------------------------------------------ privacy


def test_delete_removes_the_conversation_its_ratings_and_review_states(
    client: TestClient,
) -> None:
    conversation_id = client.post("/v1/ask", json={"question": "is helm supported?"}).json()[
        "conversation_id"
    ]
    client.post(
        "/v1/feedback", json={"conversation_id": conversation_id, "turn": 1, "rating": "down"}
    )
    item = f"{conversation_id}:1"
    client.post(f"/admin/api/items/{item}/state", json={"state": "dismissed"}, headers=BEARER)
    deleted = client.delete(f"/admin/api/conversations/{conversation_id}", headers=BEARER)
    assert deleted.status_code == 204
    assert item not in items(client, state="all")
    assert client.get(
        f"/admin/api/conversations/{conversation_id}", headers=BEARER
    ).status_code == (404)
    audit = client.get("/admin/api/audit", headers=BEARER).json()["audit"]
    assert audit[0]["action"] == "deleted" and audit[0]["item_id"] == conversation_id


def test_the_delete_form_deletes_the_conversation(client: TestClient) -> None:
    csrf = sign_in(client)
    conversation_id = client.post("/v1/ask", json={"question": "is kured supported?"}).json()[
        "conversation_id"
    ]
    path = f"/admin/conversations/{conversation_id}"
    assert client.get(path).status_code == 200
    deleted = client.post(
        f"{path}/delete", data={"csrf": csrf}, headers=SAME_SITE, follow_redirects=False
    )
    assert deleted.status_code == 303 and deleted.headers["location"] == "/admin?done=deleted"
    assert client.get(path).status_code == 404


def test_console_pages_show_the_retention(client: TestClient) -> None:
    sign_in(client)
    assert "kept 24 hours after their last message" in client.get("/admin").text


def test_no_question_text_reaches_the_logs(
    client: TestClient, asked: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        conversation_id = client.post(
            "/v1/ask", json={"question": "is calico supported on windows nodes?"}
        ).json()["conversation_id"]
        client.post(
            "/v1/feedback",
            json={"conversation_id": conversation_id, "turn": 1, "rating": "down"},
        )
        client.post(
            f"/admin/api/items/{conversation_id}:1/state",
            json={"state": "dismissed"},
            headers=BEARER,
        )
    text = "\n".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert "calico" not in text.lower()
    assert any(getattr(r, "fields", {}).get("event") == "audit" for r in caplog.records)


def test_the_openapi_document_describes_the_console_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/admin/api/items", "/admin/api/items/{item_id}/label", "/admin/api/overview"} <= set(
        paths
    )
    responses = paths["/admin/api/items"]["get"]["responses"]
    assert {"401", "404"} <= set(responses)
    assert paths["/admin/api/items/{item_id}/label"]["post"]["tags"] == ["console"]
    ok = responses["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/ItemsResponse"}


def test_a_session_expires(app_settings: Settings, assistant: Assistant) -> None:
    # signed in where sessions last hours (a slow sign-in cannot outlive it), then checked by
    # a replica with the same admin key whose sessions last one second
    anonymous = TestClient(create_app(app_settings, assistant))
    sign_in(anonymous)
    token = anonymous.cookies["assistant_console"]
    cookie = {"Cookie": f"assistant_console={token}"}
    short = app_settings.model_copy(update={"admin_session_hours": 1 / 3600})  # one second
    replica = TestClient(create_app(short, assistant))
    time.sleep(2.2)
    assert replica.get("/admin/api/items", headers=cookie).status_code == 401
    assert anonymous.get("/admin/api/items", headers=cookie).status_code == 200


def test_ratings_past_their_retention_are_deleted(
    app_settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    kept = app_settings.model_copy(
        update={"data_dir": tmp_path, "feedback_retention_days": 1.0, "handoff_webhook": None}
    )
    app = create_app(kept, assistant)
    with TestClient(app) as kept_client:
        store = app.state.assistant_state.store
        asked = kept_client.post("/v1/ask", json={"question": "is helm supported?"}).json()
        rating = {"conversation_id": asked["conversation_id"], "turn": 1, "rating": "down"}
        store.clock = lambda: time.time() - 2 * 86_400  # a rating given two days ago
        assert kept_client.post("/v1/feedback", json=rating).status_code == 201
        assert store.feedback() == []  # past the retention: gone
        store.clock = time.time
        kept_client.post("/v1/feedback", json=rating)
        assert [f.rating for f in store.feedback()] == ["down"]
        assert list(items(kept_client, queue="down")) == [f"{asked['conversation_id']}:1"]
        retention = kept_client.get("/admin/api/overview", headers=BEARER).json()["retention"]
        assert retention["ratings"] == "kept 1 days, then deleted"
