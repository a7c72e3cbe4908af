"""`assistant feedback export`: ratings joined with their turns, shaped like evaluation items."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from assistant.cli import app
from assistant.storage.sqlite_store import SQLiteConversationStore
from tests.test_conversation_store import make_answer

runner = CliRunner()


def seed(data_dir: Path) -> str:
    """A conversation of two turns with a rating on each."""
    store = SQLiteConversationStore(data_dir / "conversations.sqlite3", 3600)
    conversation_id, _ = store.append(None, make_answer("is istio supported?"))
    store.append(conversation_id, make_answer("and helm?", n=2))
    store.add_feedback(conversation_id, 2, "down", 'Helm is "best effort", not unsupported')
    store.add_feedback(conversation_id, 1, "up", None)
    store.close()
    return conversation_id


def export(data_dir: Path, *args: str) -> str:
    env = {"ASSISTANT_DATA_DIR": str(data_dir), "ASSISTANT_REDIS_URL": ""}
    result = runner.invoke(app, ["feedback", "export", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_export_jsonl(tmp_path: Path) -> None:
    conversation_id = seed(tmp_path)
    rows = [json.loads(line) for line in export(tmp_path).splitlines()]
    assert [r["rating"] for r in rows] == ["down", "up"]
    first = rows[0]
    assert first["conversation_id"] == conversation_id and first["turn"] == 2
    assert (first["question"], first["resolved_question"]) == ("and helm?", "And helm?")
    assert (first["expected_verdict"], first["got_verdict"]) == ("", "not_supported")
    assert first["gold_clause_ids"] == ["doc:section:2"]
    assert first["comment"] == 'Helm is "best effort", not unsupported'
    assert first["feedback_id"].startswith("fb_")
    created = datetime.fromisoformat(first["created_at"])  # ISO 8601 in UTC, as the API writes
    assert created.utcoffset() == timedelta(0) and first["created_at"].endswith("+00:00")


def test_export_csv_to_a_file(tmp_path: Path) -> None:
    seed(tmp_path)
    output = tmp_path / "out" / "feedback.csv"
    assert export(tmp_path, "--format", "csv", "--output", str(output)) == ""
    rows = list(csv.DictReader(io.StringIO(output.read_text(encoding="utf-8"))))
    assert [r["rating"] for r in rows] == ["down", "up"]
    assert rows[0]["gold_clause_ids"] == "doc:section:2"
    assert rows[0]["comment"] == 'Helm is "best effort", not unsupported'
    assert rows[1]["comment"] == ""


def test_export_with_no_feedback_is_empty(tmp_path: Path) -> None:
    assert export(tmp_path) == ""
    assert export(tmp_path, "--format", "csv").splitlines()[0].startswith('"feedback_id",')


def test_export_rejects_unknown_formats(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["feedback", "export", "--format", "xml"], env={"ASSISTANT_DATA_DIR": str(tmp_path)}
    )
    assert result.exit_code != 0


def test_csv_export_neutralises_formulas_and_nuls(tmp_path: Path) -> None:
    store = SQLiteConversationStore(tmp_path / "conversations.sqlite3", 3600)
    hostile = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "a\x00b"]
    conversation_id, _ = store.append(None, make_answer("=cmd|' /C calc'!A0"))
    for n, comment in enumerate(hostile, 2):
        store.append(conversation_id, make_answer("and helm?", n=n))
        store.add_feedback(conversation_id, n, "down", comment)
    store.add_feedback(conversation_id, 1, "up", "fine")
    store.close()
    text = export(tmp_path, "--format", "csv")
    assert "\x00" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["comment"] for r in rows] == [
        "'=HYPERLINK(\"http://x\")", "'+1+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx", "ab", "fine"
    ]  # fmt: skip
    assert rows[-1]["question"] == "'=cmd|' /C calc'!A0"
    assert text.startswith('"feedback_id","conversation_id",')  # every cell is quoted
