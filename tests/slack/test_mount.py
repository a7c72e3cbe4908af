"""An API without Slack settings (or Redis) never imports slack_bolt, the Slack SDK or redis."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import last_line_of_python


def test_the_api_without_slack_or_redis_imports_neither(tmp_path: Path) -> None:
    script = f"""
        import sys
        from assistant.config import Settings
        from assistant.web.api import create_app
        create_app(Settings(data_dir={str(tmp_path)!r}, _env_file=None))
        loaded = {{m.split(".")[0] for m in sys.modules}}
        print(sorted(loaded & {{"slack_bolt", "slack_sdk", "redis"}}))
        """
    assert last_line_of_python(script, tmp_path, timeout=120) == "[]"
