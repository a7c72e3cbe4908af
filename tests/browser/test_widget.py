"""The chat widget in real Chromium against the real service: ask, cite, follow up, survive
reloads, fail gracefully, stay inert to markup, and work by keyboard alone."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

try:
    from playwright.sync_api import Locator, Page, Route, expect
except ImportError:  # pragma: no cover - the conftest reports the missing package
    if os.environ.get("CI"):
        raise
    pytest.skip("the playwright package is not installed", allow_module_level=True)

from assistant.config import Settings
from assistant.storage.stores import open_store
from tests.servers import ApiServer

from .conftest import ROOT, HostSite

expect.set_options(timeout=20_000)

VENDOR = Path(__file__).parent / "vendor"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOT = ROOT / "docs" / "widget.png"
EVIL = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
PRIMARY = "rgb(10, 79, 168)"

# ------------------------------------------------------------------------------ helpers

SHADOW_ACTIVE = """() => {
  const host = document.querySelector('policy-assistant');
  const active = host.shadowRoot.activeElement;
  if (document.activeElement !== host || !active) return null;
  const panel = host.shadowRoot.querySelector('.panel');
  return {cls: active.className, tag: active.tagName, label: active.getAttribute('aria-label'),
          inPanel: panel.contains(active), outline: getComputedStyle(active).outlineStyle,
          outlineWidth: getComputedStyle(active).outlineWidth};
}"""


def storage_key(server: ApiServer, name: str) -> str:
    return f"policy-assistant:{server.url}:{name}"


def widget(page: Page) -> Locator:
    """The widget's host element; locators chained from it search its open Shadow DOM."""
    return page.locator("policy-assistant")


def answers(page: Page) -> Locator:
    return widget(page).locator("article.msg.bot")


def open_widget(page: Page) -> None:
    widget(page).locator("button.launcher").click()
    expect(widget(page).locator("section.panel")).to_be_visible()


def send(page: Page, question: str) -> None:
    """Type a question into the open widget and press Enter."""
    box = widget(page).locator("textarea.question")
    box.fill(question)
    box.press("Enter")


def ask(page: Page, question: str) -> dict[str, Any]:
    """Send a question and return the server's answer once the widget shows it."""
    before = answers(page).count()
    with page.expect_response(lambda r: r.url.endswith("/v1/ask") and r.ok) as response:
        send(page, question)
    expect(answers(page)).to_have_count(before + 1)
    body: dict[str, Any] = response.value.json()
    return body


def hold_asks(page: Page) -> list[Route]:
    """Hold back the page's questions: each waits in the list until the test releases it."""
    held: list[Route] = []
    page.route("**/v1/ask", lambda route: held.append(route))
    return held


def held_request(page: Page, held: list[Route]) -> Route:
    """The one request a route handler is holding back, once the handler has run."""
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    return held[0]


def active(page: Page) -> dict[str, Any] | None:
    result: dict[str, Any] | None = page.evaluate(SHADOW_ACTIVE)
    return result


def serious_axe_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations on the page, open Shadow DOM included."""
    # Evaluated rather than added as a <script>: the page's CSP rightly refuses inline scripts.
    page.evaluate((VENDOR / "axe.min.js").read_text(encoding="utf-8"))
    results = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


# ------------------------------------------------------------------------------ asking


def test_answer_shows_verdict_badge_text_and_expandable_citations(
    page: Page, server: ApiServer
) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    body = ask(page, "Is Istio supported?")

    answer = answers(page).last
    expect(answer.locator(".badge")).to_have_text("Verdict: Not supported")
    expect(answer.locator(".badge")).to_have_class("badge verdict-not_supported")
    expect(answer.locator("p.answer")).to_contain_text("Non-Microsoft open-source projects")
    citations = answer.locator("li.citation")
    expect(citations).to_have_count(len(body["citations"]))
    first = body["citations"][0]
    section = first["section"].replace(" > ", " › ")  # the widget shows nested sections so
    expect(citations.first.locator("summary")).to_contain_text(f"{section} ({first['version']})")
    expect(citations.first.locator("blockquote")).to_be_hidden()

    answer.locator("button.marker", has_text="[1]").first.click()  # the change note cites [1] too
    expect(citations.first.locator("details")).to_have_attribute("open", "")
    expect(citations.first.locator("blockquote")).to_have_text(first["text"])
    link = citations.first.locator("a.source")
    expect(link).to_have_attribute("href", first["url"])
    expect(link).to_have_attribute("target", "_blank")
    focused = active(page)
    assert focused and focused["tag"] == "SUMMARY" and focused["inPanel"]

    SCREENSHOT.parent.mkdir(exist_ok=True)
    widget(page).locator("section.panel").screenshot(
        path=str(SCREENSHOT), animations="disabled", caret="hide"
    )


def test_suggestion_chip_asks_a_follow_up_in_the_same_conversation(
    page: Page, server: ApiServer
) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    first = ask(page, "Who is responsible for patching worker node operating systems?")
    assert first["suggestions"], "this question is expected to offer follow-up suggestions"

    chip = answers(page).last.locator("button.chip").first
    expect(chip).to_have_text(first["suggestions"][0])
    with page.expect_response("**/v1/ask") as response:
        chip.click()
    expect(answers(page)).to_have_count(2)
    follow_up = response.value.json()
    assert follow_up["question"] == first["suggestions"][0]
    assert follow_up["conversation_id"] == first["conversation_id"]
    assert follow_up["turn"] == 2
    expect(widget(page).locator(".msg.user .bubble").last).to_have_text(first["suggestions"][0])

    typed = ask(page, "And who reboots them?")
    assert (typed["conversation_id"], typed["turn"]) == (first["conversation_id"], 3)


def test_a_follow_up_shows_the_question_it_was_answered_as(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    ask(page, "Who is responsible for patching worker node operating systems?")
    follow_up = ask(page, "And who reboots them?")

    resolved = follow_up["resolved_question"]
    assert "worker node" in resolved.lower(), resolved
    expect(answers(page).last.locator("p.resolved")).to_have_text(f"Answering: {resolved}")
    # a standalone question is answered as asked: nothing to show
    expect(answers(page).first.locator("p.resolved")).to_have_count(0)
    page.reload()
    open_widget(page)
    expect(answers(page).last.locator("p.resolved")).to_have_text(f"Answering: {resolved}")


def test_typing_indicator_shows_while_waiting(page: Page, server: ApiServer) -> None:
    held = hold_asks(page)
    page.goto(server.url + "/")
    open_widget(page)
    send(page, "Is Helm supported?")
    expect(widget(page).locator(".msg.typing")).to_be_visible()
    expect(widget(page).locator(".msg.typing")).to_contain_text("Looking that up")
    expect(widget(page).locator("button.send")).to_have_attribute("aria-disabled", "true")
    held_request(page, held).continue_()
    expect(answers(page)).to_have_count(1)
    expect(widget(page).locator(".msg.typing")).to_have_count(0)
    expect(widget(page).locator("button.send")).not_to_have_attribute("aria-disabled", "true")


# ------------------------------------------------------------------------------ persistence


def test_conversation_survives_reload_and_navigation(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    first = ask(page, "Is Istio supported?")
    ask(page, "Can I SSH into my worker nodes and change them?")
    badges = answers(page).locator(".badge").all_inner_texts()

    for url in (None, server.url + "/?page=pricing"):
        if url is None:
            page.reload()
        else:
            page.goto(url)
        open_widget(page)
        expect(answers(page)).to_have_count(2)
        expect(widget(page).locator(".msg.user .bubble")).to_have_text(
            ["Is Istio supported?", "Can I SSH into my worker nodes and change them?"]
        )
        assert answers(page).locator(".badge").all_inner_texts() == badges
        expect(answers(page).first.locator("li.citation")).to_have_count(len(first["citations"]))

    third = ask(page, "Is Helm supported?")
    assert (third["conversation_id"], third["turn"]) == (first["conversation_id"], 3)


def test_new_conversation_clears_the_transcript_and_starts_afresh(
    page: Page, server: ApiServer
) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    first = ask(page, "Is Istio supported?")
    page.get_by_role("button", name="New conversation").click()
    widget(page).get_by_role("button", name="Start new").click()
    expect(answers(page)).to_have_count(0)
    expect(widget(page).locator(".msg.user")).to_have_count(0)
    assert page.evaluate(f"sessionStorage.getItem({storage_key(server, 'conversation')!r})") is None
    assert (active(page) or {}).get("cls") == "question"

    fresh = ask(page, "Is Helm supported?")
    assert fresh["turn"] == 1
    assert fresh["conversation_id"] != first["conversation_id"]
    page.reload()
    open_widget(page)
    expect(widget(page).locator(".msg.user .bubble")).to_have_text(["Is Helm supported?"])


def test_expired_conversation_is_replaced_transparently(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    transcript = json.dumps({"conversationId": "expired-id", "turns": [], "feedback": {}})
    page.evaluate(
        "([k1, k2, t]) => { sessionStorage.setItem(k1, 'expired-id'); "
        "sessionStorage.setItem(k2, t); }",
        [storage_key(server, "conversation"), storage_key(server, "transcript"), transcript],
    )
    page.reload()
    open_widget(page)
    statuses: list[int] = []
    page.on("response", lambda r: statuses.append(r.status) if "/v1/ask" in r.url else None)
    body = ask(page, "Is Istio supported?")
    assert statuses == [404, 200]
    assert body["turn"] == 1 and body["conversation_id"] != "expired-id"
    expect(widget(page).locator(".note")).to_contain_text("expired")
    stored = page.evaluate(f"sessionStorage.getItem({storage_key(server, 'conversation')!r})")
    assert stored == body["conversation_id"]


# ------------------------------------------------------------------------------ failures


def test_unreachable_server_shows_an_error_and_retry_recovers(
    page: Page, server: ApiServer
) -> None:
    page.route("**/v1/ask", lambda route: route.abort("connectionrefused"))
    page.goto(server.url + "/")
    open_widget(page)
    send(page, "Is Istio supported?")
    error = widget(page).locator(".msg.error")
    expect(error).to_contain_text("Couldn't reach the policy assistant")
    expect(widget(page).locator(".msg.typing")).to_have_count(0)

    page.unroute("**/v1/ask")
    error.get_by_role("button", name="Retry").click()
    expect(answers(page)).to_have_count(1)
    expect(answers(page).locator(".badge")).to_have_text("Verdict: Not supported")
    expect(widget(page).locator(".msg.error")).to_have_count(0)
    expect(widget(page).locator(".msg.user")).to_have_count(1)


def test_server_error_shows_an_error_and_retry_recovers(page: Page, server: ApiServer) -> None:
    failures = {"left": 1}

    def fail_once(route: Route) -> None:
        if failures["left"]:
            failures["left"] -= 1
            body = {"error": {"code": "internal_error", "message": "the server failed to answer"}}
            route.fulfill(status=500, json=body)
        else:
            route.continue_()

    page.route("**/v1/ask", fail_once)
    page.goto(server.url + "/")
    open_widget(page)
    send(page, "Is Istio supported?")
    expect(widget(page).locator(".msg.error")).to_contain_text("ran into a problem (error 500)")
    widget(page).locator(".msg.error").get_by_role("button", name="Retry").click()
    expect(answers(page)).to_have_count(1)
    expect(widget(page).locator(".msg.error")).to_have_count(0)


# ------------------------------------------------------------------------------ security


def test_markup_in_a_question_is_shown_literally_and_never_runs(
    page: Page, server: ApiServer
) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    ask(page, EVIL)
    expect(widget(page).locator(".msg.user .bubble")).to_have_text(EVIL)
    page.reload()  # and again when the transcript is rebuilt from storage
    open_widget(page)
    expect(widget(page).locator(".msg.user .bubble")).to_have_text(EVIL)
    assert page.evaluate("window.__xss") is None
    assert widget(page).locator("img, script").count() == 0


def test_markup_in_an_answer_is_shown_literally_and_never_runs(
    page: Page, server: ApiServer
) -> None:
    hostile = {
        "conversation_id": "c-hostile",
        "turn": 1,
        "kind": "answer",
        "question": EVIL,
        "resolved_question": EVIL,
        "verdict": "supported",
        "confidence": 0.9,
        "answer": f"Supported. {EVIL} [1]",
        "answer_markdown": EVIL,
        "answer_html": EVIL,
        "citations": [
            {
                "n": 1,
                "clause_id": "x",
                "document": EVIL,
                "section": EVIL,
                "text": EVIL,
                "score": 1.0,
                "url": "javascript:window.__xss=3",
                "stance": "supported",
            }
        ],
        "suggestions": [EVIL],
    }
    page.route("**/v1/ask", lambda route: route.fulfill(status=200, json=hostile))
    page.goto(server.url + "/")
    open_widget(page)
    send(page, "anything")
    answer = answers(page).last
    expect(answer.locator("p.answer")).to_have_text(f"Supported. {EVIL} [1]")
    answer.locator("button.marker").click()
    expect(answer.locator("blockquote")).to_have_text(EVIL)
    expect(answer.locator("summary .cite-section")).to_have_text(EVIL)
    expect(answer.locator("button.chip")).to_have_text(EVIL)
    expect(answer.locator("a")).to_have_count(0)  # a javascript: URL never becomes a link
    assert page.evaluate("window.__xss") is None
    assert widget(page).locator("img, script").count() == 0


# ------------------------------------------------------------------------------ accessibility


def test_keyboard_only_use(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    for _ in range(30):
        page.keyboard.press("Tab")
        focused = active(page)
        if focused and focused["cls"] == "launcher":
            break
    else:
        pytest.fail("Tab never reached the widget's launcher")
    assert focused["outline"] != "none" and focused["outlineWidth"] != "0px"  # visible focus

    page.keyboard.press("Enter")
    expect(widget(page).locator("section.panel")).to_be_visible()
    assert (active(page) or {}).get("cls") == "question"
    page.keyboard.type("Is Istio supported?")
    page.keyboard.press("Enter")
    expect(answers(page)).to_have_count(1)

    seen = set()
    for _ in range(40):  # more presses than there are controls: focus must wrap, not escape
        page.keyboard.press("Tab")
        focused = active(page)
        assert focused and focused["inPanel"], f"focus left the open panel: {focused}"
        seen.add(focused["label"] or focused["cls"])
    assert {"New conversation", "Close", "Source 1", "Helpful", "question"} <= seen

    widget(page).locator("button.new-conversation").focus()
    page.keyboard.press("Shift+Tab")
    assert (active(page) or {}).get("cls") == "send"
    page.keyboard.press("Tab")
    assert (active(page) or {}).get("label") == "New conversation"

    widget(page).locator("button.marker").first.focus()
    page.keyboard.press("Enter")
    expect(widget(page).locator("li.citation details").first).to_have_attribute("open", "")

    page.keyboard.press("Escape")
    expect(widget(page).locator("section.panel")).to_be_hidden()
    assert (active(page) or {}).get("cls") == "launcher"
    expect(widget(page).locator("button.launcher")).to_have_attribute("aria-expanded", "false")
    page.keyboard.press(" ")
    expect(widget(page).locator("section.panel")).to_be_visible()
    expect(widget(page).locator("button.launcher")).to_have_attribute("aria-expanded", "true")


def test_open_widget_has_no_serious_accessibility_violations(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    ask(page, "Who is responsible for patching worker node operating systems?")
    answers(page).last.locator("button.marker").first.click()
    answers(page).last.get_by_role("button", name="Not helpful").click()
    expect(answers(page).last.locator("textarea.fb-text")).to_be_visible()

    log = widget(page).locator("div.log")
    expect(log).to_have_attribute("role", "log")
    expect(log).to_have_attribute("aria-live", "polite")
    expect(
        page.get_by_role("dialog", name="Support Policies for Azure Kubernetes Service (AKS)")
    ).to_be_visible()
    expect(page.get_by_role("textbox", name="Your question")).to_be_visible()
    assert serious_axe_violations(page) == []


def test_works_at_320_pixels_wide(new_page: Callable[..., Page], server: ApiServer) -> None:
    page = new_page(viewport={"width": 320, "height": 640})
    page.goto(server.url + "/")
    launcher = widget(page).locator("button.launcher").bounding_box()
    assert launcher and launcher["x"] >= 0 and launcher["x"] + launcher["width"] <= 320
    open_widget(page)
    ask(page, "Who is responsible for patching worker node operating systems?")
    answers(page).last.locator("button.marker").first.click()
    panel = widget(page).locator("section.panel").bounding_box()
    assert panel == {"x": 0, "y": 0, "width": 320, "height": 640}
    overflow = page.evaluate(
        """() => { const log = document.querySelector('policy-assistant')
                     .shadowRoot.querySelector('.log');
                   return log.scrollWidth - log.clientWidth; }"""
    )
    assert overflow <= 0, "the conversation scrolls sideways at 320 px"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-320.png"), animations="disabled")
    assert serious_axe_violations(page) == []


def test_respects_reduced_motion(new_page: Callable[..., Page], server: ApiServer) -> None:
    page = new_page(reduced_motion="reduce")
    held = hold_asks(page)
    page.goto(server.url + "/")
    open_widget(page)
    send(page, "Is Istio supported?")
    expect(widget(page).locator(".msg.typing")).to_be_visible()
    animations = page.evaluate(
        """() => { const root = document.querySelector('policy-assistant').shadowRoot;
                   return [root.querySelector('.panel'), root.querySelector('.dots span')]
                     .map(el => getComputedStyle(el).animationName); }"""
    )
    assert animations == ["none", "none"]
    held_request(page, held).continue_()
    expect(answers(page)).to_have_count(1)


# ------------------------------------------------------------------------------ embedding


def test_embeds_on_another_origin_with_styles_isolated_both_ways(
    page: Page, server: ApiServer, host_site: HostSite
) -> None:
    page.goto(host_site.origin + "/index.html")
    launcher = widget(page).locator("button.launcher")
    expect(launcher).to_be_visible()
    styles = launcher.evaluate(
        "el => { const s = getComputedStyle(el); "
        "return [s.backgroundColor, s.color, s.fontSize, s.borderTopStyle]; }"
    )
    assert styles == [PRIMARY, "rgb(255, 255, 255)", "15px", "solid"]
    site_badge = page.locator("#site-badge").evaluate("el => getComputedStyle(el).borderRadius")
    assert site_badge == "0px"  # the widget's .badge rule stays inside its Shadow DOM

    open_widget(page)
    body = ask(page, "Is Istio supported?")  # a cross-origin call the API allows (CORS)
    assert body["verdict"] == "not_supported"
    expect(answers(page).locator("p.answer")).to_be_visible()
    expect(answers(page).locator(".badge")).to_have_text("Verdict: Not supported")


def test_a_site_not_in_cors_origins_cannot_call_the_api(
    page: Page, server: ApiServer, host_site: HostSite
) -> None:
    page.goto(host_site.other_origin + "/index.html")
    open_widget(page)
    send(page, "Is Istio supported?")
    error = widget(page).locator(".msg.error")
    expect(error).to_contain_text("Couldn't reach the policy assistant")
    expect(answers(page)).to_have_count(0)


# ------------------------------------------------------------------------------ conversations API


def test_transcript_is_fetched_from_the_server_when_only_the_id_is_kept(
    page: Page, server: ApiServer
) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    first = ask(page, "Is Istio supported?")
    ask(page, "Who is responsible for patching worker node operating systems?")
    badges = answers(page).locator(".badge").all_inner_texts()
    page.evaluate(f"sessionStorage.removeItem({storage_key(server, 'transcript')!r})")

    page.reload()
    with page.expect_response(f"**/v1/conversations/{first['conversation_id']}") as response:
        open_widget(page)
    assert response.value.status == 200
    expect(answers(page)).to_have_count(2)
    expect(widget(page).locator(".msg.user .bubble")).to_have_text(
        ["Is Istio supported?", "Who is responsible for patching worker node operating systems?"]
    )
    assert answers(page).locator(".badge").all_inner_texts() == badges
    expect(answers(page).first.locator("li.citation")).to_have_count(len(first["citations"]))
    assert page.evaluate(f"sessionStorage.getItem({storage_key(server, 'transcript')!r})")

    follow_up = ask(page, "Is Helm supported?")
    assert (follow_up["conversation_id"], follow_up["turn"]) == (first["conversation_id"], 3)


def test_a_conversation_the_server_no_longer_has_is_dropped(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    page.evaluate(f"sessionStorage.setItem({storage_key(server, 'conversation')!r}, 'gone')")
    page.reload()
    with page.expect_response("**/v1/conversations/gone") as response:
        open_widget(page)
    assert response.value.status == 404
    expect(widget(page).locator(".intro")).to_be_visible()
    expect(widget(page).locator(".note")).to_have_count(0)
    body = ask(page, "Is Istio supported?")
    assert body["turn"] == 1 and body["conversation_id"] != "gone"


def test_feedback_reaches_the_feedback_store(
    page: Page, server: ApiServer, server_data_dir: Path
) -> None:
    page.goto(server.url + "/")
    open_widget(page)
    liked = ask(page, "Is Istio supported?")
    disliked = ask(page, "Can I SSH into my worker nodes and change them?")

    first = answers(page).nth(0)
    with page.expect_response("**/v1/feedback") as response:
        first.get_by_role("button", name="Helpful", exact=True).click()
    assert response.value.status == 201
    expect(first.locator(".fb-status")).to_have_text("Thanks for your feedback.")

    second = answers(page).nth(1)
    second.get_by_role("button", name="Not helpful").click()
    comment = second.get_by_role("textbox", name="What was wrong or missing? (optional)")
    expect(comment).to_be_focused()
    comment.fill("I asked about <b>node pools</b> too")
    with page.expect_response("**/v1/feedback") as response:
        second.get_by_role("button", name="Send feedback").click()
    assert response.value.status == 201
    expect(second.locator(".fb-status")).to_have_text("Thanks for your feedback.")
    expect(second.get_by_role("button", name="Not helpful")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(second.get_by_role("button", name="Helpful", exact=True)).to_be_enabled()

    store = open_store(Settings(data_dir=server_data_dir, redis_url=None, _env_file=None))
    try:
        records = {(f.conversation_id, f.turn): f for f in store.feedback()}
    finally:
        store.close()
    up = records[(liked["conversation_id"], liked["turn"])]
    down = records[(disliked["conversation_id"], disliked["turn"])]
    assert (up.rating, up.comment, up.question) == ("up", None, "Is Istio supported?")
    assert (down.rating, down.comment, down.verdict) == (
        "down",
        "I asked about <b>node pools</b> too",
        disliked["verdict"],
    )

    page.reload()  # a rated answer stays rated
    open_widget(page)
    expect(answers(page).nth(1).locator(".fb-status")).to_have_text("Thanks for your feedback.")
    expect(answers(page).nth(1).get_by_role("button", name="Not helpful")).to_have_attribute(
        "aria-pressed", "true"
    )


def test_a_transcript_too_big_to_store_is_fetched_from_the_server(
    page: Page, server: ApiServer
) -> None:
    page.add_init_script(
        """const setItem = Storage.prototype.setItem;
        Storage.prototype.setItem = function (key, value) {
          if (key.endsWith(':transcript')) throw new DOMException('full', 'QuotaExceededError');
          return setItem.call(this, key, value);
        };"""
    )
    page.goto(server.url + "/")
    open_widget(page)
    first = ask(page, "Is Istio supported?")
    assert page.evaluate(f"sessionStorage.getItem({storage_key(server, 'transcript')!r})") is None

    page.goto(server.url + "/?page=faq")
    with page.expect_response(f"**/v1/conversations/{first['conversation_id']}"):
        open_widget(page)
    expect(widget(page).locator(".msg.user .bubble")).to_have_text(["Is Istio supported?"])
    expect(answers(page).locator(".badge")).to_have_text("Verdict: Not supported")


def test_demo_page_example_buttons_ask_through_the_widget(page: Page, server: ApiServer) -> None:
    page.goto(server.url + "/")
    page.get_by_role("button", name="Is Istio supported?").click()
    expect(widget(page).locator("section.panel")).to_be_visible()
    expect(widget(page).locator(".msg.user .bubble")).to_have_text(["Is Istio supported?"])
    expect(answers(page).locator(".badge")).to_have_text("Verdict: Not supported")
