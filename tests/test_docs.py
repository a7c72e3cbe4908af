"""README.md documents every setting, command and HTTP route."""

from __future__ import annotations

import re

import click
import pytest
import typer
from pydantic import AliasChoices

from assistant.cli import app as cli_app
from assistant.config import Settings
from assistant.web.api import create_app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
# FastAPI's own documentation routes, besides /docs which the README names.
FRAMEWORK_ROUTES = {"/openapi.json"}


def _variable(name: str) -> str:
    """The environment variable a setting is read from: its alias (Slack's own names such as
    SLACK_BOT_TOKEN) or ASSISTANT_<NAME>."""
    alias = Settings.model_fields[name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"ASSISTANT_{name.upper()}"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{_variable(name)}`" in README


def _commands(group: click.Group, prefix: str) -> list[str]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append(f"{prefix} {name}")
    return found


@pytest.mark.parametrize("command", _commands(typer.main.get_group(cli_app), "assistant"))
def test_every_command_is_documented(command: str) -> None:
    assert f"`{command}" in README


def test_every_route_is_documented(settings: Settings) -> None:
    documented = {
        re.sub(r"\{[^}]*\}", "{}", p) for p in re.findall(r"`(?:[A-Z]+ )?(/[^` ]*)`", README)
    }
    paths = {getattr(r, "path", "") for r in create_app(settings).routes}
    routes = {p for p in paths if p} - FRAMEWORK_ROUTES
    missing = {r for r in routes if re.sub(r"\{[^}]*\}", "{}", r) not in documented}
    assert not missing
