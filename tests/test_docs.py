"""The documentation: every setting, command and HTTP route is documented in README.md or a
docs/ page, the README stays a short read, and every relative link and anchor resolves."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
import typer
from markdown_it import MarkdownIt
from pydantic import AliasChoices

from assistant.cli import app as cli_app
from assistant.config import Settings
from assistant.web.api import create_app
from tests.conftest import ROOT

README = ROOT / "README.md"
PAGES = [README, *sorted((ROOT / "docs").glob("*.md"))]
DOCUMENTATION = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
README_MAX_BYTES = 12_000
# FastAPI's own documentation routes, besides /docs which docs/api.md names.
FRAMEWORK_ROUTES = {"/openapi.json"}
MARKDOWN = MarkdownIt("commonmark").enable("table")


def _variable(name: str) -> str:
    """The environment variable a setting is read from: its alias (Slack's own names such as
    SLACK_BOT_TOKEN) or ASSISTANT_<NAME>."""
    alias = Settings.model_fields[name].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"ASSISTANT_{name.upper()}"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"`{_variable(name)}`" in DOCUMENTATION


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
    assert f"`{command}" in DOCUMENTATION


def test_every_route_is_documented(settings: Settings) -> None:
    documented = {
        re.sub(r"\{[^}]*\}", "{}", p) for p in re.findall(r"`(?:[A-Z]+ )?(/[^` ]*)`", DOCUMENTATION)
    }
    paths = {getattr(r, "path", "") for r in create_app(settings).routes}
    routes = {p for p in paths if p} - FRAMEWORK_ROUTES
    missing = {r for r in routes if re.sub(r"\{[^}]*\}", "{}", r) not in documented}
    assert not missing


def test_the_readme_is_a_short_read() -> None:
    size = len(README.read_bytes())
    assert size <= README_MAX_BYTES, f"README.md is {size} bytes; move detail into docs/"


def test_the_readme_links_every_docs_page() -> None:
    linked = {target.split("#")[0] for target in _links(README)}
    pages = {f"docs/{page.name}" for page in PAGES[1:]}
    assert pages - linked == set()


def _links(page: Path) -> list[str]:
    """Targets of the page's links and images (not those inside code)."""
    targets = []
    for token in MARKDOWN.parse(page.read_text(encoding="utf-8")):
        for child in token.children or []:
            target = child.attrGet("href") if child.type == "link_open" else child.attrGet("src")
            if isinstance(target, str):
                targets.append(target)
    return targets


def _anchors(page: Path) -> set[str]:
    """The anchors GitHub gives the page's headings: lower case, punctuation dropped, spaces
    turned into hyphens, -1, -2 … added to repeats."""
    anchors: set[str] = set()
    tokens = MARKDOWN.parse(page.read_text(encoding="utf-8"))
    for opening, inline in zip(tokens, tokens[1:], strict=False):
        if opening.type != "heading_open":
            continue
        words = [c for c in inline.children or [] if c.type in ("text", "code_inline")]
        text = "".join(c.content for c in words)
        slug = re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")
        anchor, n = slug, 0
        while anchor in anchors:
            n += 1
            anchor = f"{slug}-{n}"
        anchors.add(anchor)
    return anchors


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page: Path) -> None:
    broken = []
    for target in _links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(target)
        elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
            broken.append(target)
    assert broken == []
