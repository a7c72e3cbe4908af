"""The widget's starter questions, suggestion chips, citations, dark mode, embedding options,
confirmation before New, comment box and rating changes, and phone layout, in real Chromium."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

try:
    from playwright.sync_api import Page, expect
except ImportError:  # pragma: no cover - the conftest reports the missing package
    if os.environ.get("CI"):
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)

from lemminflect import getAllLemmas

from assistant.config import Settings
from assistant.storage.records import feedback_rows
from assistant.storage.stores import open_store
from tests.servers import ApiServer

from .conftest import ROOT
from .test_widget import answers, ask, open_widget, send, widget

expect.set_options(timeout=20_000)

DARK_SCREENSHOT = ROOT / "docs" / "widget-dark.png"
ABOUT = "What does the policy say about "
EMBED = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Embed</title></head>
<body><main><h1>Help</h1><p style="height:3000px">Long page.</p></main>
<script src="{url}/widget.js" data-assistant-url="{url}" {attributes}></script></body></html>"""


def embed(page: Page, server: ApiServer, attributes: str) -> None:
    """Open a page (served by the test) that embeds the widget with the given attributes."""
    page.route(
        server.url + "/embedded",
        lambda route: route.fulfill(
            content_type="text/html", body=EMBED.format(url=server.url, attributes=attributes)
        ),
    )
    page.goto(server.url + "/embedded")


def is_verb(word: str) -> bool:
    """A base-form verb that is not also a noun or adjective ("notify", "use" + object...)."""
    lemmas = getAllLemmas(word.lower())
    return word.lower() in lemmas.get("VERB", ()) and not {"NOUN", "ADJ", "PROPN"} & set(lemmas)


def background(page: Page) -> str:
    return str(
        widget(page).locator("section.panel").evaluate("e => getComputedStyle(e).backgroundColor")
    )


def luminance(rgb: str) -> float:
    r, g, b = (int(v) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_starter_chips_come_from_the_policy_and_ask(page: Page, server: ApiServer) -> None:
    # the widget may fetch its starters as it loads or as it opens: wait from before either
    with page.expect_response("**/v1/starters") as response:
        page.goto(server.url + "/")
        open_widget(page)
    questions = response.value.json()["questions"]
    assert len(questions) == 4
    chips = widget(page).locator(".starters button.chip")
    expect(chips).to_have_text(questions)
    expect(widget(page).locator(".starters .chips-label")).to_have_text("Try asking:")
    with page.expect_response("**/v1/ask"):
        chips.first.click()
    expect(answers(page)).to_have_count(1)
    expect(widget(page).locator(".starters")).to_have_count(0)


def test_no_chip_asks_about_a_verb(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    for question in (
        "Who is responsible for patching worker node operating systems?",
        "Are preview features supported?",
        "Can I SSH into my worker nodes and change them?",
        "Who reboots nodes after OS patches?",
        "Is Helm supported?",
    ):
        ask(page, question)
    texts = widget(page).locator("button.chip").all_inner_texts()
    assert len(texts) >= 5
    for text in texts:
        assert text.endswith("?"), text
        if text.startswith(ABOUT):
            assert not is_verb(text[len(ABOUT) :].split()[0]), text


def test_did_you_mean_is_only_for_clarifications(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    unclear = ask(page, "Who patches the node OS?")
    assert unclear["kind"] == "clarification"
    expect(answers(page).last.locator(".chips-label")).to_have_text("Did you mean:")
    plain = ask(page, "Is ingress-nginx supported?")
    assert plain["kind"] == "answer" and plain["suggestions"]
    expect(answers(page).last.locator(".chips-label")).to_have_text("You could also ask:")


def test_collapsed_citations_show_stance_and_first_words(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    body = ask(page, "Is Istio supported?")
    summaries = answers(page).last.locator("li.citation summary")
    for citation, summary in zip(body["citations"], summaries.all(), strict=True):
        first_words = " ".join(citation["text"].split()[:4])
        expect(summary.locator(".cite-preview")).to_contain_text(first_words)
        expect(summary.locator(".cite-stance")).not_to_be_empty()
    previews = summaries.locator(".cite-preview").all_inner_texts()
    assert len(set(previews)) == len(previews)  # same section, still told apart
    text = answers(page).last.locator("p.answer").inner_text()
    assert "] ," not in text and "] ." not in text
    # context marking ("Context: …") is checked on the seed revision in tests/test_suggestions.py


def test_dark_mode_follows_the_page_and_data_theme(
    new_page: Callable[..., Page], server: ApiServer
) -> None:
    light = new_page(color_scheme="light")
    light.goto(server.url + "/")
    open_widget(light)
    assert luminance(background(light)) > 0.8

    dark = new_page(color_scheme="dark")
    dark.goto(server.url + "/")
    open_widget(dark)
    assert luminance(background(dark)) < 0.2
    ask(dark, "Is Istio supported?")
    dark.wait_for_timeout(200)
    DARK_SCREENSHOT.parent.mkdir(exist_ok=True)
    widget(dark).locator("section.panel").screenshot(
        path=str(DARK_SCREENSHOT), animations="disabled", caret="hide"
    )

    forced_light = new_page(color_scheme="dark")
    embed(forced_light, server, 'data-theme="light"')
    open_widget(forced_light)
    assert luminance(background(forced_light)) > 0.8

    forced_dark = new_page(color_scheme="light")
    embed(forced_dark, server, 'data-theme="dark"')
    open_widget(forced_dark)
    assert luminance(background(forced_dark)) < 0.2


def test_accent_position_and_configured_starters(page: Page, server: ApiServer) -> None:
    embed(
        page,
        server,
        'data-accent="#b00060" data-position="bottom-left" '
        'data-starters="Is Istio supported?|Who patches nodes?"',
    )
    launcher = widget(page).locator("button.launcher")
    expect(launcher).to_have_css("background-color", "rgb(176, 0, 96)")
    box = launcher.bounding_box()
    assert box and box["x"] < 100  # bottom left
    open_widget(page)
    expect(widget(page).locator(".starters button.chip")).to_have_text(
        ["Is Istio supported?", "Who patches nodes?"]
    )
    panel = widget(page).locator("section.panel").bounding_box()
    assert panel and panel["x"] < 100


def test_new_asks_before_dropping_a_conversation(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    ask(page, "Is Istio supported?")
    widget(page).get_by_role("button", name="New conversation").click()
    expect(widget(page).locator(".confirm")).to_be_visible()
    widget(page).get_by_role("button", name="Keep this one").click()
    expect(widget(page).locator(".confirm")).to_be_hidden()
    expect(answers(page)).to_have_count(1)
    widget(page).get_by_role("button", name="New conversation").click()
    widget(page).get_by_role("button", name="Start new").click()
    expect(answers(page)).to_have_count(0)


def test_comment_box_escape_limit_and_changing_a_rating(
    page: Page, server: ApiServer, server_data_dir: Path
) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    body = ask(page, "Is Istio supported?")
    answer = answers(page).last
    answer.get_by_role("button", name="Not helpful").click()
    comment = answer.get_by_role("textbox", name="What was wrong or missing? (optional)")
    expect(comment).to_have_attribute("maxlength", "1000")
    comment.press("Escape")
    expect(comment).to_be_hidden()
    expect(widget(page).locator("section.panel")).to_be_visible()  # only the box closed

    with page.expect_response("**/v1/feedback"):
        answer.get_by_role("button", name="Helpful", exact=True).click()
    answer.get_by_role("button", name="Not helpful").click()
    comment.fill("x" * 1000)
    with page.expect_response("**/v1/feedback") as response:
        answer.get_by_role("button", name="Send feedback").click()
    assert response.value.status == 201
    expect(answer.get_by_role("button", name="Not helpful")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(answer.get_by_role("button", name="Helpful", exact=True)).to_have_attribute(
        "aria-pressed", "false"
    )
    store = open_store(Settings(data_dir=server_data_dir, redis_url=None, _env_file=None))
    try:
        rows = [
            r
            for r in feedback_rows(store)
            if (r["conversation_id"], r["turn"]) == (body["conversation_id"], body["turn"])
        ]
    finally:
        store.close()
    assert [(r["rating"], len(r["comment"])) for r in rows] == [("down", 1000)]


def test_the_page_behind_the_full_screen_panel_does_not_scroll(
    new_page: Callable[..., Page], server: ApiServer
) -> None:
    phone = new_page(viewport={"width": 375, "height": 667}, has_touch=True, is_mobile=True)
    embed(phone, server, "")
    overflow = "() => getComputedStyle(document.documentElement).overflow"
    assert phone.evaluate(overflow) != "hidden"
    open_widget(phone)
    assert phone.evaluate(overflow) == "hidden"
    widget(phone).get_by_role("button", name="Close").click()
    assert phone.evaluate(overflow) != "hidden"


def test_favicon_and_no_scroll_lock_on_a_desktop(page: Page, server: ApiServer) -> None:
    embed(page, server, "")
    open_widget(page)
    assert page.evaluate("() => getComputedStyle(document.documentElement).overflow") != "hidden"
    assert page.request.get(server.url + "/favicon.ico").ok


def test_data_documents_limits_the_answers_to_those_documents(
    page: Page, server: ApiServer
) -> None:
    embed(page, server, 'data-documents=" aks-support-policies , "')
    open_widget(page)
    with page.expect_request("**/v1/ask") as sent:
        body = ask(page, "Is Istio supported?")
    assert sent.value.post_data_json["documents"] == ["aks-support-policies"]
    assert body["citations"] and all(
        c["clause_id"].startswith("aks-support-policies:") for c in body["citations"]
    )
    expect(answers(page).last.locator(".badge")).to_have_text("Verdict: Not supported")

    # a document the service does not serve: the server's reason, and a conversation of its own
    embed(page, server, 'data-documents="no-such-policy"')
    open_widget(page)
    expect(answers(page)).to_have_count(0)
    with page.expect_response("**/v1/ask") as refused:
        send(page, "Is Istio supported?")
    assert refused.value.status == 422
    error = widget(page).locator(".msg.error")
    expect(error).to_contain_text("no-such-policy")
    expect(error.locator("button.retry")).to_have_count(0)
