"""API keys, the admin key, per-client rate limits, security headers and CORS on the real app;
and no key ever reaches a log line."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.service import Assistant
from assistant.web.api import create_app
from assistant.web.observability import JsonFormatter, RequestIdFilter

API_KEY = "test-api-key-5f1c9e"
OTHER_KEY = "test-other-key-88aa01"
ADMIN_KEY = "test-admin-key-c0ffee"
ALLOWED = "https://support.example.com"
QUESTION = {"question": "Is Istio supported?"}


def client_for(settings: Settings, assistant: Assistant, **changes: object) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=changes), assistant))


@pytest.fixture(scope="module")
def keyed(settings: Settings, assistant: Assistant) -> TestClient:
    return client_for(
        settings,
        assistant,
        api_keys=Settings(api_keys=f"{API_KEY},{OTHER_KEY}", _env_file=None).api_keys,
        admin_key=Settings(admin_key=ADMIN_KEY, _env_file=None).admin_key,
        cors_origins=[ALLOWED],
    )


def error_code(response: object) -> str:
    code: str = response.json()["error"]["code"]  # type: ignore[attr-defined]
    return code


def test_v1_needs_a_key_when_keys_are_configured(keyed: TestClient) -> None:
    missing = keyed.post("/v1/ask", json=QUESTION)
    assert missing.status_code == 401 and error_code(missing) == "missing_api_key"
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = keyed.post("/v1/ask", json=QUESTION, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 403 and error_code(wrong) == "invalid_api_key"
    assert keyed.get("/v1/documents").status_code == 401


@pytest.mark.parametrize(
    "headers",
    [{"Authorization": f"Bearer {API_KEY}"}, {"X-API-Key": API_KEY}, {"X-API-Key": OTHER_KEY}],
)
def test_a_valid_key_in_either_header_is_accepted(
    keyed: TestClient, headers: dict[str, str]
) -> None:
    response = keyed.post("/v1/ask", json=QUESTION, headers=headers)
    assert response.status_code == 200, response.text


# Headers a browser sets and any other client can forge: none of them stands in for a key.
FORGED_BROWSER_HEADERS = [
    {"Origin": ALLOWED},
    {"Sec-Fetch-Site": "same-origin"},
    {"Origin": "http://testserver"},  # same origin as the service itself
    {"Origin": "http://x.example", "Host": "x.example"},
    {"Origin": ALLOWED, "Sec-Fetch-Site": "same-origin", "Referer": f"{ALLOWED}/help"},
    {"Origin": "null", "Sec-Fetch-Mode": "cors", "X-Requested-With": "XMLHttpRequest"},
]


@pytest.mark.parametrize("headers", FORGED_BROWSER_HEADERS)
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/v1/ask"), ("GET", "/v1/documents"), ("GET", "/v1/conversations/abc")],
)
def test_no_browser_header_gets_v1_without_a_key(
    keyed: TestClient, headers: dict[str, str], method: str, path: str
) -> None:
    body = QUESTION if method == "POST" else None
    response = keyed.request(method, path, json=body, headers=headers)
    assert response.status_code == 401, response.text
    assert error_code(response) == "missing_api_key"


def test_the_widget_surface_needs_no_key(keyed: TestClient) -> None:
    asked = keyed.post("/widget/v1/ask", json=QUESTION, headers={"Origin": ALLOWED})
    assert asked.status_code == 200, asked.text
    assert asked.headers["access-control-allow-origin"] == ALLOWED
    body = asked.json()
    transcript = keyed.get(f"/widget/v1/conversations/{body['conversation_id']}")
    assert transcript.status_code == 200 and len(transcript.json()["turns"]) == 1
    rating = {"conversation_id": body["conversation_id"], "turn": 1, "rating": "up"}
    assert keyed.post("/widget/v1/feedback", json=rating).status_code == 201
    # and only what the widget uses: no documents, clauses or deletes without a key
    assert keyed.get("/widget/v1/documents").status_code == 404
    deleted = keyed.delete(f"/widget/v1/conversations/{body['conversation_id']}")
    assert deleted.status_code == 405


def test_the_widget_surface_has_its_own_stricter_rate(
    settings: Settings, assistant: Assistant
) -> None:
    client = client_for(
        settings,
        assistant,
        rate_limit_per_second=100,
        rate_limit_burst=100,
        widget_rate_limit_per_second=0.01,
        widget_rate_limit_burst=2,
    )
    statuses = [client.post("/widget/v1/ask", json=QUESTION).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.post("/v1/ask", json=QUESTION).status_code == 200  # /v1 has its own bucket


def test_the_widget_surface_limits_requests_in_flight_per_client(
    settings: Settings, assistant: Assistant
) -> None:
    from assistant.web.ratelimit import ConcurrencyLimiter

    limiter = ConcurrencyLimiter(2)
    assert limiter.enter("a") and limiter.enter("a") and not limiter.enter("a")
    assert limiter.enter("b")  # another client has its own count
    limiter.leave("a")
    assert limiter.enter("a")


def test_other_origins_need_a_key(keyed: TestClient) -> None:
    response = keyed.post("/v1/ask", json=QUESTION, headers={"Origin": "https://evil.example"})
    assert response.status_code == 401
    assert "access-control-allow-origin" not in response.headers


def test_a_cors_preflight_from_an_allowed_origin_needs_no_key(keyed: TestClient) -> None:
    preflight = keyed.options(
        "/v1/ask",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == ALLOWED


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics", "/", "/widget.js"])
def test_operations_routes_and_the_widget_need_no_key(keyed: TestClient, path: str) -> None:
    assert keyed.get(path).status_code == 200


def test_admin_endpoints_are_absent_without_an_admin_key(
    settings: Settings, assistant: Assistant
) -> None:
    response = client_for(settings, assistant).post("/admin/reload")
    assert response.status_code == 404 and error_code(response) == "not_found"
    response = client_for(settings, assistant).post(
        "/admin/reload", headers={"Authorization": f"Bearer {API_KEY}"}
    )
    assert response.status_code == 404


def test_admin_endpoints_need_the_admin_key_not_an_api_key(keyed: TestClient) -> None:
    missing = keyed.post("/admin/reload")
    assert missing.status_code == 401 and error_code(missing) == "missing_admin_key"
    api_key = keyed.post("/admin/reload", headers={"Authorization": f"Bearer {API_KEY}"})
    assert api_key.status_code == 403 and error_code(api_key) == "invalid_admin_key"


def test_the_admin_key_is_read_from_the_bearer_header_only(keyed: TestClient) -> None:
    in_api_key_header = keyed.post("/admin/reload", headers={"X-API-Key": ADMIN_KEY})
    assert in_api_key_header.status_code == 401
    assert error_code(in_api_key_header) == "missing_admin_key"


def test_over_the_rate_a_client_gets_429_with_retry_after(
    settings: Settings, assistant: Assistant
) -> None:
    client = client_for(settings, assistant, rate_limit_per_second=0.5, rate_limit_burst=3)
    statuses = [client.get("/v1/documents").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    limited = client.get("/v1/documents")
    assert limited.status_code == 429 and error_code(limited) == "rate_limited"
    assert limited.headers["retry-after"] == "2"
    assert limited.headers["content-type"].startswith("application/json")
    # operations routes are not limited
    assert client.get("/healthz").status_code == 200 and client.get("/readyz").status_code == 200
    metrics = client.get("/metrics").text
    assert "assistant_rate_limited_total 1.0" in metrics
    assert 'route="/v1/documents",status="429"' in metrics


def test_each_key_and_address_has_its_own_bucket(settings: Settings, assistant: Assistant) -> None:
    client = client_for(
        settings,
        assistant,
        rate_limit_per_second=0.1,
        rate_limit_burst=1,
        api_keys=Settings(api_keys=f"{API_KEY},{OTHER_KEY}", _env_file=None).api_keys,
    )
    first = {"X-API-Key": API_KEY}
    assert client.get("/v1/documents", headers=first).status_code == 200
    assert client.get("/v1/documents", headers=first).status_code == 429
    assert client.get("/v1/documents", headers={"X-API-Key": OTHER_KEY}).status_code == 200
    # wrong keys are limited by address: guessing keys is rate limited too
    wrong = {"X-API-Key": "guess"}
    assert client.get("/v1/documents", headers=wrong).status_code == 403
    assert client.get("/v1/documents", headers=wrong).status_code == 429


def test_a_429_to_the_widget_carries_cors_headers(settings: Settings, assistant: Assistant) -> None:
    client = client_for(
        settings,
        assistant,
        widget_rate_limit_per_second=0.1,
        widget_rate_limit_burst=1,
        cors_origins=[ALLOWED],
    )
    client.post("/widget/v1/ask", json=QUESTION, headers={"Origin": ALLOWED})
    limited = client.post("/widget/v1/ask", json=QUESTION, headers={"Origin": ALLOWED})
    assert limited.status_code == 429
    assert limited.headers["access-control-allow-origin"] == ALLOWED


@pytest.mark.parametrize("path", ["/v1/documents", "/healthz", "/nope", "/widget.js", "/metrics"])
def test_every_response_has_the_security_headers(keyed: TestClient, path: str) -> None:
    response = keyed.get(path, headers={"X-API-Key": API_KEY})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    csp = response.headers["content-security-policy"]
    assert csp == "default-src 'none'; frame-ancestors 'none'"


def test_the_demo_page_csp_allows_its_own_inline_blocks_and_nothing_else(
    keyed: TestClient,
) -> None:
    response = keyed.get("/")
    csp = response.headers["content-security-policy"]
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.S)
    assert inline, "the demo page has an inline script"
    for source in inline:
        digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert int(response.headers["content-length"]) == len(response.content)


def test_the_api_docs_load_only_from_this_server(keyed: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        response = keyed.get(page)
        assert response.status_code == 200
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        assert "http" not in csp and "http" not in response.text.replace("http-equiv", "")
        assert response.headers["x-content-type-options"] == "nosniff"


def test_no_key_reaches_a_log_line(
    settings: Settings, assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    client = client_for(
        settings,
        assistant,
        api_keys=Settings(api_keys=API_KEY, _env_file=None).api_keys,
        admin_key=Settings(admin_key=ADMIN_KEY, _env_file=None).admin_key,
        log_questions=True,
    )
    caplog.set_level(logging.DEBUG)
    caplog.handler.addFilter(RequestIdFilter())
    with client:
        client.post("/v1/ask", json=QUESTION, headers={"Authorization": f"Bearer {API_KEY}"})
        client.post("/v1/ask", json=QUESTION, headers={"X-API-Key": API_KEY + "x"})
        client.post("/admin/reload", headers={"Authorization": f"Bearer {ADMIN_KEY}"})
        client.post("/admin/reload", headers={"Authorization": f"Bearer {ADMIN_KEY}x"})
        client.get("/nope", headers={"X-API-Key": API_KEY})
    formatter = JsonFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    assert any(json.loads(line).get("event") == "request" for line in lines)
    assert any(json.loads(line).get("event") == "reload" for line in lines)
    for secret in (API_KEY, ADMIN_KEY):
        assert secret not in caplog.text
        assert not any(secret in line for line in lines)
        assert secret not in repr(client.app.state.assistant_state.settings)  # type: ignore[attr-defined]


def test_console_sign_ins_are_rate_limited_per_address(
    settings: Settings, assistant: Assistant
) -> None:
    client = client_for(
        settings,
        assistant,
        admin_key=Settings(admin_key=ADMIN_KEY, _env_file=None).admin_key,
        admin_login_rate_per_minute=1,
        admin_login_burst=3,
    )
    statuses = [
        client.post("/admin/login", data={"key": "guess", "reviewer": "x"}).status_code
        for _ in range(5)
    ]
    assert 429 not in statuses[:3] and statuses[3:] == [429, 429]
    assert client.get("/v1/documents").status_code == 200  # other routes keep their own budget
