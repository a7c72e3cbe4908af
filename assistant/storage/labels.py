"""Appending reviewed labels to JSON Lines files (the training set, the evaluation dev split):
one whole line per record, under a lock file, flushed to disk before returning.

Several processes (replicas, `assistant train`, a person's editor) may touch the file; the lock
(`<file>.lock`) serialises writers, and the append never rewrites what is already there.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from filelock import FileLock

LOCK_TIMEOUT_SECONDS = 30


def new_label_id(prefix: str = "review") -> str:
    """A unique id for a reviewed item."""
    return f"{prefix}-{secrets.token_hex(6)}"


def append_record(path: Path, record: dict[str, Any]) -> None:
    """Append `record` as one JSON line, creating the file (and its folder) when missing; a file
    whose last line lacks its newline gets one first, so records never run together."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with FileLock(f"{path}.lock", timeout=LOCK_TIMEOUT_SECONDS):
        with path.open("a+b") as handle:
            handle.seek(0, os.SEEK_END)
            if handle.tell() > 0:
                handle.seek(-1, os.SEEK_END)
                if handle.read(1) != b"\n":
                    line = "\n" + line
            handle.write(line.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every record of a JSON Lines file (none when it does not exist)."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
