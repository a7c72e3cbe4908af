"""The demo page and the widget serving another policy than AKS, in real Chromium: the page
names that policy and offers its questions, and verdicts name its provider."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - the conftest reports the missing package
    if os.environ.get("CI"):
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)

from tests.servers import ApiServer, running_api

from ..conftest import CORPUS_DIR
from .conftest import ROOT
from .test_widget import answers, ask, open_widget, widget

expect.set_options(timeout=20_000)

CONTOSO = CORPUS_DIR / "training" / "policies" / "contoso-functions" / "policy"


@pytest.fixture(scope="module")
def contoso(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ApiServer]:
    """`assistant serve` over the Contoso Cloud Functions policy alone, its index built on
    start, answered by the rules (no training policy to learn from)."""
    home = tmp_path_factory.mktemp("contoso-server")
    env = {
        **server_env,
        "ASSISTANT_CORPUS_DIR": str(CONTOSO),
        "ASSISTANT_INDEX_DIR": str(home / "index"),
        "ASSISTANT_CALIBRATION_FILE": str(CORPUS_DIR / "calibration.json"),
        "ASSISTANT_DATA_DIR": str(home / "data"),
        "ASSISTANT_BUILD_INDEX_ON_START": "true",
        "ASSISTANT_FINE_TUNE": "false",
        "ASSISTANT_TRAINING_POLICY_DIR": "",
    }
    with running_api(env, cwd=ROOT, log=home / "server.log", timeout=300) as api:
        yield api


def test_the_demo_page_and_its_widget_name_the_policy_served(
    new_page: Callable[..., Page], contoso: ApiServer
) -> None:
    page = new_page()
    page.goto(contoso.url + "/")
    title = "Support policy for Contoso Cloud Functions"
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    assert "Kubernetes" not in page.content()
    first = page.locator(".examples button").first
    question = first.get_attribute("data-question")
    assert question and "Istio" not in question
    first.click()
    expect(widget(page).locator(".msg.user .bubble")).to_have_text([question])
    expect(answers(page)).to_have_count(1)

    body = ask(page, "who patches the os on the hosts running my functions")
    assert body["verdict"] == "microsoft_responsibility" and body["provider"] == "Contoso"
    expect(answers(page).nth(1).locator(".badge")).to_have_text("Verdict: Contoso's responsibility")
    assert "Microsoft" not in answers(page).nth(1).inner_text()


def test_the_widget_opens_on_the_policy_served(
    new_page: Callable[..., Page], contoso: ApiServer
) -> None:
    page = new_page()
    page.goto(contoso.url + "/")
    open_widget(page)
    expect(widget(page).locator("section.panel")).to_contain_text(
        "Support policy for Contoso Cloud Functions"
    )
