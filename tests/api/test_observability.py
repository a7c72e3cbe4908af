"""Metrics, request ids and structured logs on the real app; questions are logged only when
the settings allow."""

from __future__ import annotations

import io
import json
import logging
import re

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.service import Assistant
from assistant.web.api import create_app
from assistant.web.observability import (
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    configure_logging,
    index_version,
)

SECRET_QUESTION = "Is the zebra-unicorn-7731 operator supported?"


@pytest.fixture(scope="module")
def client(settings: Settings, assistant: Assistant) -> TestClient:
    return TestClient(create_app(settings, assistant))


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text format (0 when absent)."""
    for line in metrics.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        series, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', series))
        if series.split("{")[0] == name and all(found.get(k) == v for k, v in labels.items()):
            return float(value)
    return 0.0


def test_metrics_are_in_prometheus_text_format(client: TestClient) -> None:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "# TYPE assistant_http_requests_total counter" in response.text
    assert "# TYPE assistant_http_request_duration_seconds histogram" in response.text
    assert "process_resident_memory_bytes" in response.text


def test_requests_are_counted_by_route_template_and_status(client: TestClient) -> None:
    def count(route: str, status: str) -> float:
        return sample(
            client.get("/metrics").text,
            "assistant_http_requests_total",
            method="GET",
            route=route,
            status=status,
        )

    route = "/v1/conversations/{conversation_id}"
    before = count(route, "404")
    for n in range(3):
        assert client.get(f"/v1/conversations/unknown-{n}").status_code == 404
    assert count(route, "404") == before + 3
    assert "unknown-0" not in client.get("/metrics").text  # one series per route, not per URL
    before = count("unmatched", "404")
    client.get("/no/such/route")
    assert count("unmatched", "404") == before + 1
    latency = sample(
        client.get("/metrics").text,
        "assistant_http_request_duration_seconds_count",
        method="GET",
        route=route,
    )
    assert latency >= 3


def test_answers_are_counted_by_verdict_and_abstentions_counted(client: TestClient) -> None:
    questions = ["Is Istio supported?", "How much does an AKS cluster cost per hour?", "hello"]
    before = client.get("/metrics").text
    turns = [client.post("/v1/ask", json={"question": q}).json() for q in questions]
    after = client.get("/metrics").text
    for turn in turns:
        labels = {"verdict": turn["verdict"], "kind": turn["kind"]}
        expected = sum(1 for t in turns if (t["verdict"], t["kind"]) == tuple(labels.values()))
        assert (
            sample(after, "assistant_answers_total", **labels)
            - sample(before, "assistant_answers_total", **labels)
            == expected
        )
    abstentions = sum(
        1 for t in turns if t["verdict"] == "unknown" and t["kind"] in ("answer", "clarification")
    )
    assert abstentions >= 1, turns
    delta = sample(after, "assistant_abstentions_total") - sample(
        before, "assistant_abstentions_total"
    )
    assert delta == abstentions


def test_the_served_index_is_exported(client: TestClient, assistant: Assistant) -> None:
    metrics = client.get("/metrics").text
    version = index_version(assistant.index.manifest)
    assert sample(metrics, "assistant_index_info", version=version) == 1
    assert sample(metrics, "assistant_ready") == 1
    assert sample(metrics, "assistant_index_loaded_timestamp_seconds") > 0


def test_cache_hits_are_exported(client: TestClient, assistant: Assistant) -> None:
    if not hasattr(assistant, "cache_stats"):
        pytest.skip("this Assistant keeps no answer cache")
    question = {"question": "How often is etcd backed up? (cache probe)"}
    client.post("/v1/ask", json=question)
    before = sample(client.get("/metrics").text, "assistant_cache_hits_total", cache="answers")
    client.post("/v1/ask", json=question)
    metrics = client.get("/metrics").text
    assert sample(metrics, "assistant_cache_hits_total", cache="answers") == before + 1
    assert sample(metrics, "assistant_cache_capacity", cache="answers") > 0


def test_a_request_id_is_generated_or_echoed(client: TestClient) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/healthz").headers["x-request-id"] != generated
    given = client.get("/healthz", headers={"X-Request-ID": "req-42.abc"})
    assert given.headers["x-request-id"] == "req-42.abc"
    error = client.get("/v1/clauses/none", headers={"X-Request-ID": "req-43"})
    assert error.status_code == 404 and error.headers["x-request-id"] == "req-43"


def test_an_unexpected_error_is_a_json_500_with_the_request_id(
    settings: Settings, assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings, assistant)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom")

    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500 and response.headers["x-request-id"] == "boom-1"
    assert response.json()["error"]["code"] == "internal_error"
    assert "kaboom" not in response.text
    errors = [r for r in caplog.records if r.name == "assistant.errors"]
    assert errors and errors[0].request_id == "boom-1" and errors[0].exc_info  # type: ignore[attr-defined]
    access = [line for line in captured(caplog) if line.get("event") == "request"]
    assert access[-1]["status"] == 500 and access[-1]["route"] == "/boom"


@pytest.mark.parametrize("bad", ["has space", "x" * 129, "new\\nline", "<script>", ""])
def test_an_unsafe_request_id_is_replaced(client: TestClient, bad: str) -> None:
    echoed = client.get("/healthz", headers={"X-Request-ID": bad}).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", echoed)


def captured(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


def test_log_lines_carry_the_request_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    client.post("/v1/ask", json={"question": "Is Helm supported?"}, headers={"X-Request-ID": "r-7"})
    lines = [line for line in captured(caplog) if line.get("request_id") == "r-7"]
    access = [line for line in lines if line.get("event") == "request"]
    assert access and access[0]["route"] == "/v1/ask" and access[0]["status"] == 200
    assert isinstance(access[0]["duration_ms"], float)


def test_questions_are_not_logged_by_default(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client.post("/v1/ask", json={"question": SECRET_QUESTION})
    assert "zebra-unicorn-7731" not in caplog.text
    assert not any(line.get("event") == "question" for line in captured(caplog))


def test_questions_are_logged_when_the_setting_allows(
    settings: Settings, assistant: Assistant, caplog: pytest.LogCaptureFixture
) -> None:
    client = TestClient(create_app(settings.model_copy(update={"log_questions": True}), assistant))
    caplog.set_level(logging.INFO)
    caplog.handler.addFilter(RequestIdFilter())
    body = client.post(
        "/v1/ask", json={"question": SECRET_QUESTION}, headers={"X-Request-ID": "q-1"}
    ).json()
    logged = [line for line in captured(caplog) if line.get("event") == "question"]
    assert len(logged) == 1
    assert logged[0]["question"] == SECRET_QUESTION and logged[0]["request_id"] == "q-1"
    assert logged[0]["verdict"] == body["verdict"]
    assert logged[0]["conversation_id"] == body["conversation_id"]


def test_configure_logging_writes_json_lines(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr("sys.stderr", stream)
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        configure_logging(settings)
        logging.getLogger("assistant.test").warning("hello %s", "world", extra={"fields": {"n": 1}})
        logging.getLogger("uvicorn.error").info("Started server process")
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert lines[0]["message"] == "hello world" and lines[0]["level"] == "warning"
    assert lines[0]["n"] == 1 and lines[0]["logger"] == "assistant.test"
    assert lines[1]["logger"] == "uvicorn.error"


def test_conversation_ids_never_reach_the_access_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    conversation_id = client.post("/v1/ask", json={"question": "Is Helm supported?"}).json()[
        "conversation_id"
    ]
    client.get(f"/v1/conversations/{conversation_id}")
    client.delete(f"/v1/conversations/{conversation_id}")
    client.get("/v1/conversations/secret-id-4242%0Aforged")
    lines = [line for line in captured(caplog) if line.get("event") == "request"]
    routes = {line["route"] for line in lines}
    assert "/v1/conversations/{conversation_id}" in routes
    service_lines = [r.getMessage() + str(getattr(r, "fields", "")) for r in caplog.records
                     if r.name.startswith(("assistant", "uvicorn"))]  # fmt: skip
    assert service_lines
    assert not [line for line in service_lines if conversation_id in line]
    assert not [line for line in service_lines if "secret-id-4242" in line]
    assert all(len(str(line["path_fingerprint"])) == 12 for line in lines)


def test_text_logs_keep_client_text_on_one_line() -> None:
    formatter = TextFormatter("%(levelname)s %(name)s: %(message)s")
    record = logging.LogRecord(
        "assistant.test", logging.INFO, __file__, 1, "asked %s", ("x\nINFO forged: admin\r",), None
    )
    record.fields = {"question": "a\u2028b\u2029c\x00d\x1b[31m", "path": "/v1/x%0A"}
    line = formatter.format(record)
    assert "\n" not in line and "\r" not in line
    assert not {"\u2028", "\u2029", "\x00", "\x1b"} & set(line)
    assert "asked x\\nINFO forged: admin\\r" in line and "question=a\\u2028b\\u2029c\\x00d" in line


def test_json_logs_escape_line_and_paragraph_separators() -> None:
    record = logging.LogRecord("assistant.test", logging.INFO, __file__, 1, "q", None, None)
    record.fields = {"question": "one\u2028two\u2029three\nfour"}
    line = JsonFormatter().format(record)
    assert "\u2028" not in line and "\u2029" not in line and "\n" not in line
    assert json.loads(line)["question"] == "one\u2028two\u2029three\nfour"
