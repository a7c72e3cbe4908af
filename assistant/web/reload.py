"""Zero-downtime index updates: load the corpus and index on disk now beside the serving
assistant, check them, then swap the reference.

Requests already running keep the assistant they started with and finish on it; the next ones
get the new one. A missing, unreadable or mismatched index is refused and the old one keeps
serving. `POST /admin/reload` and SIGHUP (under `assistant serve`) both call `Reloader.reload`.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.config import Settings
from assistant.errors import AssistantError, IndexMismatchError
from assistant.service import Assistant
from assistant.web.observability import index_version

log = logging.getLogger(__name__)

# Any question exercises the whole pipeline on the new index before it is swapped in.
SMOKE_QUESTION = "Is it supported?"


class ReloadError(AssistantError):
    """A reload was refused; the serving index is unchanged."""

    code = "reload_refused"

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code = status, code


@dataclass(frozen=True)
class ReloadResult:
    """What a successful reload swapped: the index versions and how long loading took."""

    previous_version: str | None
    version: str
    clauses: int
    seconds: float


def load_replacement(settings: Settings, current: Assistant | None) -> Assistant:
    """A new assistant over the corpus and index on disk, sharing the serving one's model;
    raises ReloadError (409 for a mismatched index, 422 for a missing or broken one)."""
    settings = settings.model_copy(update={"build_index_on_start": False})
    embedder = current.embedder if current is not None else None
    try:
        replacement = Assistant.from_settings(settings, embedder=embedder)
        replacement.answer(SMOKE_QUESTION)
    except IndexMismatchError as exc:
        raise ReloadError(409, exc.code, str(exc)) from exc
    except AssistantError as exc:
        raise ReloadError(422, exc.code, str(exc)) from exc
    except Exception as exc:  # a truncated FAISS file, bad JSON…: refuse, keep serving
        raise ReloadError(
            422,
            "index_unreadable",
            f"the index in {str(settings.index_dir)!r} is unreadable: {type(exc).__name__}: {exc}",
        ) from exc
    return replacement


class Reloader:
    """Reloads one at a time: a second reload while one runs is refused with 409."""

    def __init__(
        self,
        settings: Settings,
        current: Callable[[], Assistant | None],
        install: Callable[[Assistant], None],
        on_result: Callable[[str], None] = lambda result: None,
    ) -> None:
        self.settings, self.current, self.install, self.on_result = (
            settings,
            current,
            install,
            on_result,
        )
        self._lock = threading.Lock()

    def reload(self) -> ReloadResult:
        """Load, check and swap in the index on disk; raises ReloadError when refused."""
        if not self._lock.acquire(blocking=False):
            self.on_result("refused")
            raise ReloadError(409, "reload_in_progress", "another reload is running")
        try:
            started = time.perf_counter()
            previous = self.current()
            try:
                replacement = load_replacement(self.settings, previous)
            except ReloadError as exc:
                self.on_result("refused")
                log.warning(
                    "index reload refused: %s",
                    exc,
                    extra={"fields": {"event": "reload", "result": "refused", "code": exc.code}},
                )
                raise
            self.install(replacement)
            result = ReloadResult(
                index_version(previous.index.manifest) if previous is not None else None,
                index_version(replacement.index.manifest),
                replacement.index.manifest.clause_count,
                round(time.perf_counter() - started, 3),
            )
            self.on_result("reloaded")
            log.info(
                "index reloaded",
                extra={
                    "fields": {
                        "event": "reload",
                        "result": "reloaded",
                        "previous_version": result.previous_version,
                        "version": result.version,
                        "seconds": result.seconds,
                    }
                },
            )
            return result
        finally:
            self._lock.release()


def reload_on_sighup(reloader: Reloader) -> None:
    """Reload when the process gets SIGHUP (in a thread: the event loop keeps serving)."""

    def reload_logged() -> None:
        try:
            reloader.reload()
        except ReloadError:
            pass  # logged by the reloader; the old index keeps serving

    def handle(signum: int, frame: object) -> None:
        threading.Thread(target=reload_logged, name="sighup-reload", daemon=True).start()

    signal.signal(signal.SIGHUP, handle)
