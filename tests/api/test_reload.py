"""Hot index reloads on the real app: a new index is swapped in; a mismatched, broken or
missing one is refused with a JSON error and the old one keeps serving."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.config import Settings
from assistant.search.index import MANIFEST, SearchIndex, save_index
from assistant.service import Assistant
from assistant.web.api import create_app
from assistant.web.observability import index_version

ADMIN_KEY = "reload-admin-key-77e1"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}


def rebuilt(index: SearchIndex, built_at: str) -> SearchIndex:
    """The same vectors under a new manifest version, as `assistant index build` would give."""
    return SearchIndex(
        replace(index.manifest, built_at=built_at), index.clause_ids, index.dense, index.lexical
    )


@pytest.fixture
def live_dir(settings: Settings, search_index: SearchIndex, tmp_path: Path) -> Path:
    target = tmp_path / "index" / "current"
    shutil.copytree(settings.index_dir, target)
    return target


@pytest.fixture
def client(settings: Settings, assistant: Assistant, live_dir: Path) -> Iterator[TestClient]:
    changed = settings.model_copy(
        update={
            "index_dir": live_dir,
            "admin_key": Settings(admin_key=ADMIN_KEY, _env_file=None).admin_key,
        }
    )
    with TestClient(create_app(changed, assistant)) as client:
        yield client


def served_version(client: TestClient) -> str:
    state = client.app.state.assistant_state  # type: ignore[attr-defined]
    return index_version(state.assistant.index.manifest)


def assert_still_answering(client: TestClient) -> None:
    response = client.post("/v1/ask", json={"question": "Is Istio supported?"})
    assert response.status_code == 200 and response.json()["verdict"] == "not_supported"


def test_reload_swaps_in_the_index_built_beside_the_live_one(
    client: TestClient, search_index: SearchIndex, live_dir: Path
) -> None:
    before = served_version(client)
    first = client.post("/v1/ask", json={"question": "Who reboots nodes after OS patches?"})
    save_index(rebuilt(search_index, "2030-01-01T00:00:01Z"), live_dir)
    response = client.post("/admin/reload", headers=ADMIN)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "reloaded" and body["previous_version"] == before
    assert "2030-01-01T00:00:01Z" in body["version"] and served_version(client) == body["version"]
    assert body["clauses"] == search_index.manifest.clause_count and body["seconds"] > 0
    assert_still_answering(client)
    # conversations live in the store, not in the assistant: they survive the swap
    follow_up = client.post(
        "/v1/ask",
        json={
            "question": "and kubernetes upgrades?",
            "conversation_id": first.json()["conversation_id"],
        },
    )
    assert follow_up.status_code == 200 and follow_up.json()["turn"] == 2
    metrics = client.get("/metrics").text
    assert 'assistant_index_reloads_total{result="reloaded"} 1.0' in metrics
    assert f'version="{body["version"]}"' in metrics


def break_manifest_model(index_dir: Path) -> None:
    manifest = json.loads((index_dir / MANIFEST).read_text())
    (index_dir / MANIFEST).write_text(json.dumps({**manifest, "model": "another-model"}))


def truncate_dense(index_dir: Path) -> None:
    dense = index_dir / "dense.faiss"
    dense.write_bytes(dense.read_bytes()[:100])


def drop_clause_ids(index_dir: Path) -> None:
    (index_dir / "clause_ids.json").write_text("[not json")


def remove_index(index_dir: Path) -> None:
    shutil.rmtree(index_dir)


@pytest.mark.parametrize(
    ("damage", "status", "code"),
    [
        (break_manifest_model, 409, "index_mismatch"),
        (truncate_dense, 422, "index_unreadable"),
        (drop_clause_ids, 422, "index_unreadable"),
        (remove_index, 422, "index_not_found"),
    ],
)
def test_a_bad_index_is_refused_and_the_old_one_keeps_serving(
    client: TestClient, live_dir: Path, damage: object, status: int, code: str
) -> None:
    before = served_version(client)
    damage(live_dir)  # type: ignore[operator]
    response = client.post("/admin/reload", headers=ADMIN)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code and response.json()["error"]["message"]
    assert served_version(client) == before
    assert_still_answering(client)
    assert client.get("/readyz").status_code == 200
    assert 'assistant_index_reloads_total{result="refused"} 1.0' in client.get("/metrics").text


def test_a_reload_while_one_runs_is_refused(client: TestClient) -> None:
    reloader = client.app.state.reloader  # type: ignore[attr-defined]
    with reloader._lock:
        response = client.post("/admin/reload", headers=ADMIN)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "reload_in_progress"
