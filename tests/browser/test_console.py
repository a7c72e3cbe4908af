"""The support console in real Chromium against `assistant serve`: a thumbs-down given in the
widget shows up in the console, a reviewer labels it with a clause found by searching, and the
label lands in the training file; the pages pass axe; without a session nothing is shown; the
widget's handoff button opens the configured URL with the conversation id."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

try:
    from playwright.sync_api import Page, Route, expect
except ImportError:  # pragma: no cover - the conftest reports the missing package
    if os.environ.get("CI"):
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)

from assistant.storage.labels import read_records
from tests.servers import ApiServer, running_api

from .conftest import ROOT
from .test_widget import answers, ask, open_widget, serious_axe_violations, widget

expect.set_options(timeout=20_000)

ADMIN_KEY = "browser-console-key-41b7"
SUPPORT_SITE = "https://support.example.com"
HANDOFF_URL = SUPPORT_SITE + "/new?conversation={conversation_id}"
SCREENSHOT = ROOT / "docs" / "console.png"
COMMENT = "It should say why Istio is not supported"


@pytest.fixture(scope="module")
def console_server(
    server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory, browser: Any
) -> Iterator[tuple[ApiServer, Path]]:
    """`assistant serve` with the console on, its training file in a temporary folder."""
    folder = tmp_path_factory.mktemp("console-browser")
    training = folder / "training" / "questions.jsonl"
    env = {
        **server_env,
        "ASSISTANT_DATA_DIR": str(folder / "data"),
        "ASSISTANT_ADMIN_KEY": ADMIN_KEY,
        "ASSISTANT_TRAINING_FILE": str(training),
        "ASSISTANT_HANDOFF_URL": HANDOFF_URL,
    }
    with running_api(env, cwd=ROOT, log=folder / "server.log") as api:
        yield api, training


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[[], Page]]:
    """Pages in fresh browser contexts; the support site is served by the test; fails the test
    on any JavaScript error."""
    contexts: list[Any] = []
    errors: list[str] = []

    def fulfil(route: Route) -> None:
        route.fulfill(body="<!doctype html><title>Support</title>", content_type="text/html")

    def new() -> Page:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        context.route(SUPPORT_SITE + "/**", fulfil)
        contexts.append(context)
        page: Page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield new
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def sign_in(page: Page, server: ApiServer, reviewer: str = "Ana Reviewer") -> None:
    page.goto(server.url + "/admin")
    expect(page).to_have_url(server.url + "/admin/login?next=/admin")
    page.get_by_label("Your name").fill(reviewer)
    page.get_by_label("Admin key").fill(ADMIN_KEY)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(server.url + "/admin")
    expect(page.get_by_text(f"Signed in as {reviewer}")).to_be_visible()


def assert_opens_handoff(page: Page, link: Any, conversation_id: str) -> None:
    with page.context.expect_page() as opened:
        link.click()
    popup = opened.value
    popup.wait_for_load_state()
    parts = urlsplit(popup.url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == SUPPORT_SITE + "/new"
    assert parse_qs(parts.query) == {"conversation": [conversation_id]}


def test_thumbs_down_from_the_widget_is_labelled_into_the_training_file(
    open_page: Callable[[], Page], console_server: tuple[ApiServer, Path]
) -> None:
    server, training = console_server
    user = open_page()
    user.goto(server.url + "/")
    open_widget(user)
    answer = ask(user, "Is Istio supported?")
    rated = answers(user).last
    rated.get_by_role("button", name="Not helpful").click()
    rated.get_by_role("textbox", name="What was wrong or missing? (optional)").fill(COMMENT)
    with user.expect_response("**/v1/feedback") as response:
        rated.get_by_role("button", name="Send feedback").click()
    assert response.value.status == 201
    expect(rated.locator(".fb-status")).to_have_text("Thanks for your feedback.")
    assert_opens_handoff(
        user, rated.get_by_role("link", name="Contact support"), answer["conversation_id"]
    )

    staff = open_page()
    sign_in(staff, server)
    assert serious_axe_violations(staff) == []
    row = staff.get_by_role("row").filter(has_text=COMMENT)
    expect(row).to_contain_text("Is Istio supported?")
    row.get_by_role("link", name="Is Istio supported?").click()
    expect(staff.get_by_role("heading", name="Review a rated-down turn")).to_be_visible()
    expect(staff.locator(".comment")).to_have_text(COMMENT)
    expect(staff.locator(".conversation li.current")).to_contain_text("Is Istio supported?")
    assert serious_axe_violations(staff) == []
    SCREENSHOT.parent.mkdir(exist_ok=True)
    staff.screenshot(path=str(SCREENSHOT), animations="disabled", caret="hide")

    staff.get_by_label("Search the policy for another clause").fill("istio envoy helm projects")
    staff.get_by_role("button", name="Search", exact=True).click()
    result = staff.locator("#clause-results li.result").filter(has_text="Istio").first
    clause_text = result.locator("p").nth(1).inner_text()
    result.get_by_role("button", name="Use this clause").click()
    expect(staff.locator("#picked").get_by_label(clause_text)).to_be_checked()
    staff.get_by_label("Expected verdict", exact=True).select_option("not_supported")
    staff.get_by_label("Question type").select_option("scope")
    staff.get_by_role("button", name="Save label").click()
    expect(staff.get_by_role("status")).to_contain_text("labelled:review-")
    expect(staff.locator(".state")).to_contain_text("labelled (by Ana Reviewer)")

    [record] = read_records(training)
    assert record["expected_verdict"] == "not_supported"
    assert record["gold_quotes"] == [clause_text]
    assert (record["source"], record["reviewer"]) == ("review", "Ana Reviewer")
    assert record["question"].lower() == "is istio supported?"
    assert record["question_type"] == "scope" and record["version"]

    staff.get_by_role("link", name="Overview").click()
    expect(staff.get_by_role("heading", name="Top unanswered questions")).to_be_visible()
    assert serious_axe_violations(staff) == []


def test_without_a_session_the_console_asks_to_sign_in(
    open_page: Callable[[], Page], console_server: tuple[ApiServer, Path]
) -> None:
    server, _ = console_server
    page = open_page()
    for path in ("/admin", "/admin/overview", "/admin/items/x:1"):
        page.goto(server.url + path)
        expect(page).to_have_url(f"{server.url}/admin/login?next={path.replace(':', '%3A')}")
    assert serious_axe_violations(page) == []
    api = page.request.get(server.url + "/admin/api/items")
    assert api.status == 401 and api.json()["error"]["code"] == "missing_admin_key"
    page.get_by_label("Your name").fill("Eve")
    page.get_by_label("Admin key").fill("a guess")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That key is not valid.")
    assert page.context.cookies() == []


def test_signing_out_ends_the_session(
    open_page: Callable[[], Page], console_server: tuple[ApiServer, Path]
) -> None:
    server, _ = console_server
    page = open_page()
    sign_in(page, server)
    [cookie] = page.context.cookies()
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/admin"
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(server.url + "/admin/login")
    page.goto(server.url + "/admin")
    expect(page).to_have_url(server.url + "/admin/login?next=/admin")


def test_asking_for_a_person_in_the_widget_offers_the_handoff(
    open_page: Callable[[], Page], console_server: tuple[ApiServer, Path]
) -> None:
    server, _ = console_server
    page = open_page()
    page.goto(server.url + "/")
    open_widget(page)
    reply = ask(page, "can I talk to a human?")
    assert reply["kind"] == "handoff" and reply["handoff"]["conversation_id"]
    link = answers(page).last.get_by_role("link", name="Contact support")
    expect(link).to_have_attribute("target", "_blank")
    assert serious_axe_violations(page) == []
    assert_opens_handoff(page, link, reply["conversation_id"])
    expect(widget(page).locator("a.handoff-link")).to_have_count(1)
