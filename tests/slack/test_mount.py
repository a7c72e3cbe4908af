"""An API without Slack settings (or Redis) never imports slack_bolt, the Slack SDK or redis."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT


def test_the_api_without_slack_or_redis_imports_neither(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from assistant.config import Settings
        from assistant.web.api import create_app
        create_app(Settings(data_dir={str(tmp_path)!r}, _env_file=None))
        loaded = {{m.split(".")[0] for m in sys.modules}}
        print(sorted(loaded & {{"slack_bolt", "slack_sdk", "redis"}}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
