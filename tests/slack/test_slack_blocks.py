"""Answers as Block Kit: verdict lines, mrkdwn escaping, citations, buttons and Slack's limits."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from assistant.answer.render import verdict_label
from assistant.models import Answer, Citation, Stance, Verdict
from assistant.service import Assistant
from assistant.slack.blocks import (
    CLAUSE_CHARS,
    EMOJI,
    MAX_BLOCKS,
    SHOW_FULL,
    TurnRef,
    answer_message,
    answer_mrkdwn,
    comment_modal,
    escape_mrkdwn,
    link,
    modal_comment,
    notice_message,
    truncate,
    verdict_line,
)

URL = "https://learn.microsoft.com/azure/aks/support-policies#aks-support-coverage"


def citation(n: int, text: str, section: str = "AKS support coverage") -> Citation:
    return Citation(n, f"c{n}", "aks", section, text, 0.9, URL, Stance.NOT_SUPPORTED)


def make_answer(
    quoted: str,
    *,
    verdict: Verdict = Verdict.NOT_SUPPORTED,
    citations: tuple[Citation, ...] = (),
    suggestions: tuple[str, ...] = (),
    kind: str = "answer",
    question: str = "Is Istio supported?",
    resolved: str | None = None,
) -> Answer:
    cited = citations or (citation(1, quoted),)
    markdown = f"**Not supported.** The policy says:\n\n> {quoted} [[1]]({URL})"
    if len(cited) > 1:
        markdown += "\n\nSee also " + ", ".join(f"[[{c.n}]]({URL})" for c in cited[1:]) + "."
    return Answer(
        question=question,
        resolved_question=resolved or question,
        verdict=verdict,
        confidence=0.8,
        answer=f"Not supported. The policy says: {quoted} [1]",
        answer_markdown=markdown,
        answer_html="<p>unused</p>",
        citations=cited,
        suggestions=suggestions,
        kind=kind,
    )


def texts(blocks: Any) -> list[str]:
    found: list[str] = []
    if isinstance(blocks, dict):
        if isinstance(blocks.get("text"), str):
            found.append(blocks["text"])
        for value in blocks.values():
            found += texts(value) if isinstance(value, dict | list) else []
    elif isinstance(blocks, list | tuple):
        for item in blocks:
            found += texts(item)
    return found


def by_id(blocks: tuple[dict[str, Any], ...], block_id: str) -> dict[str, Any]:
    return next(b for b in blocks if b.get("block_id") == block_id)


@pytest.mark.parametrize("verdict", list(Verdict))
def test_every_verdict_has_an_emoji_line(verdict: Verdict) -> None:
    assert (
        verdict_line(verdict, "Fabrikam")
        == f"{EMOJI[verdict]} *{verdict_label(verdict, 'Fabrikam')}*"
    )


def test_the_verdict_lines_read_as_designed() -> None:
    lines = {v: verdict_line(v, "Microsoft") for v in Verdict}
    assert lines[Verdict.SUPPORTED] == "✅ *Supported*"
    assert lines[Verdict.NOT_SUPPORTED] == "⛔ *Not supported*"
    assert lines[Verdict.BEST_EFFORT] == "🟡 *Best effort*"
    assert lines[Verdict.CUSTOMER_RESPONSIBILITY] == "👤 *Customer's responsibility*"
    assert lines[Verdict.MICROSOFT_RESPONSIBILITY] == "🏢 *Microsoft's responsibility*"
    assert lines[Verdict.SHARED_RESPONSIBILITY] == "🤝 *Shared responsibility*"
    assert lines[Verdict.CONDITIONAL] == "⚖️ *Conditional*"
    assert lines[Verdict.INFORMATIONAL] == "ℹ️ *Policy information*"
    assert lines[Verdict.UNKNOWN] == "❔ *Policy doesn't say*"
    # another policy's provider, or none named
    assert (
        verdict_line(Verdict.MICROSOFT_RESPONSIBILITY, "Fabrikam")
        == "🏢 *Fabrikam's responsibility*"
    )
    assert verdict_line(Verdict.MICROSOFT_RESPONSIBILITY) == "🏢 *The provider's responsibility*"


def test_policy_text_is_escaped_everywhere() -> None:
    quoted = "Use <kubectl> & AT&T's <b>proxy</b> -> not supported."
    answer = make_answer(quoted, citations=(citation(1, quoted), citation(2, "A & B < C > D")))
    message = answer_message(answer, "conv", 1)
    body = by_id(message.blocks, "verdict")
    assert body["text"]["text"] == "⛔ *Not supported*"
    mrkdwn = answer_mrkdwn(answer)
    assert (
        "&lt;kubectl&gt; &amp; AT&amp;T's &lt;b&gt;proxy&lt;/b&gt; -&gt; not supported." in mrkdwn
    )
    assert f"<{URL}|[1]>" in mrkdwn
    see_also = by_id(message.blocks, "citation_2")["elements"][0]["text"]
    assert see_also == f"*[2]* <{URL}|AKS support coverage> · A &amp; B &lt; C &gt; D"
    assert "&amp;" in message.text and "<kubectl>" not in message.text
    for text in texts(message.blocks):  # only links and quote markers stay unescaped
        for line in re.sub(r"<https://[^|<>]+\|[^<>]*>", "", text).splitlines():
            assert "<" not in line and ">" not in line.removeprefix(">"), text


def test_quote_markers_stay_quotes_and_the_headline_is_not_repeated() -> None:
    mrkdwn = answer_mrkdwn(make_answer("Istio isn't supported."))
    assert mrkdwn.splitlines() == ["The policy says:", "", f">Istio isn't supported. <{URL}|[1]>"]


def test_a_long_clause_is_cut_with_a_link_to_the_full_clause() -> None:
    long = "Microsoft supports " + "the managed control plane and its components " * 40
    message = answer_message(make_answer(long.strip()), "conv", 1)
    body = answer_mrkdwn(make_answer(long.strip()))
    quote = next(line for line in body.splitlines() if line.startswith(">"))
    assert len(quote) < CLAUSE_CHARS + 200
    assert f"… (<{URL}|{SHOW_FULL}>) <{URL}|[1]>" in quote
    cited = by_id(message.blocks, "citation_1")["elements"][0]["text"]
    assert SHOW_FULL not in cited, "a quoted clause isn't repeated in its citation"


def test_a_long_see_also_clause_is_cut_in_its_citation() -> None:
    long = "Customers are responsible for " + "their workloads and nodes " * 40
    answer = make_answer("Short.", citations=(citation(1, "Short."), citation(2, long)))
    cited = by_id(answer_message(answer, "c", 1).blocks, "citation_2")["elements"][0]["text"]
    assert cited.endswith(f"… <{URL}|{SHOW_FULL}>")
    assert len(cited) < 500


def test_every_text_stays_within_block_kit_limits() -> None:
    huge = " ".join(["word"] * 5000)
    answer = make_answer(
        huge,
        citations=tuple(citation(n, huge, section="S" * 500) for n in range(1, 60)),
        suggestions=tuple(f"{'Very long suggestion ' * 10} {n}?" for n in range(10)),
    )
    message = answer_message(answer, "conv", 1, show_question=True, shareable=True)
    assert len(message.blocks) <= MAX_BLOCKS
    assert message.blocks[-1]["block_id"] == "feedback", "the buttons survive trimming"
    assert all(len(t) <= 3000 for t in texts(message.blocks))
    assert len(message.text) <= 3000
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                assert len(element["value"]) <= 2000


def test_buttons_carry_the_turn_and_the_suggestion() -> None:
    answer = make_answer(
        "x", kind="clarification", suggestions=("Who patches nodes?", "Is Helm supported?")
    )
    message = answer_message(answer, "conv-1", 3, shareable=True)
    assert by_id(message.blocks, "suggestions_label")["elements"][0]["text"] == "*Did you mean:*"
    buttons = by_id(message.blocks, "suggestions")["elements"]
    assert [b["action_id"] for b in buttons] == ["suggest_0", "suggest_1"]
    assert TurnRef.decode(buttons[1]["value"]) == TurnRef("conv-1", 3, "Is Helm supported?")
    feedback = by_id(message.blocks, "feedback")["elements"]
    assert [b["action_id"] for b in feedback] == ["feedback_up", "feedback_down", "share_answer"]
    assert all(TurnRef.decode(b["value"]) == TurnRef("conv-1", 3) for b in feedback)


def test_small_talk_has_no_verdict_line() -> None:
    answer = make_answer("x", kind="smalltalk", verdict=Verdict.UNKNOWN)
    answer = Answer(**{**answer.__dict__, "answer_markdown": "Hi! Ask me about AKS.\n\nOr not."})
    message = answer_message(answer, "conv", 1)
    assert not any(b.get("block_id") == "verdict" for b in message.blocks)
    assert message.blocks[0]["text"]["text"] == "Hi! Ask me about AKS.\n\nOr not."
    assert message.text == "Not supported. The policy says: x [1]"


def test_a_rewritten_follow_up_shows_what_was_answered() -> None:
    same = answer_message(make_answer("x", question="is istio supported"), "c", 1)
    assert not any(b.get("block_id") == "resolved" for b in same.blocks)
    tidied = make_answer("x", question="IS  istio supported??", resolved="Is Istio supported?")
    assert not tidied.rewritten
    assert not any(b.get("block_id") == "resolved" for b in answer_message(tidied, "c", 1).blocks)
    answer = make_answer("x", question="what about Kured?", resolved="Is Kured supported?")
    resolved = by_id(answer_message(answer, "c", 2).blocks, "resolved")
    assert resolved["elements"][0]["text"] == "↪ Answering: _Is Kured supported?_"


def test_a_shared_answer_credits_the_user_and_cannot_be_shared_again() -> None:
    answer = make_answer("x", question="Is <b> & ok?")
    message = answer_message(answer, "c", 1, shared_by="U123ABC")
    asked = by_id(message.blocks, "question")["elements"][0]["text"]
    assert asked == "<@U123ABC> asked: Is &lt;b&gt; &amp; ok?"
    assert "share_answer" not in json.dumps(message.blocks)
    forged = answer_message(answer, "c", 1, shared_by="<!channel>")
    assert by_id(forged.blocks, "question")["elements"][0]["text"].startswith("Someone asked")


def test_real_answers_render(assistant: Assistant) -> None:
    for question in ("Is Istio supported?", "Who reboots nodes after OS patches?", "hello"):
        answer = assistant.answer(question)
        message = answer_message(answer, "c", 1)
        assert message.text
        assert 2 <= len(message.blocks) <= MAX_BLOCKS
        assert "**" not in json.dumps(message.blocks), "Markdown bold became mrkdwn"
        assert "[[" not in json.dumps(message.blocks), "citation markers became links"


def test_helpers() -> None:
    assert escape_mrkdwn("a & <b> c") == "a &amp; &lt;b&gt; c"
    assert truncate("one two three", 9) == "one two…"
    assert truncate("short", 9) == "short"
    assert link("javascript:alert(1)", "x|y") == "x/y"
    assert link("https://x.test/?a=1&b=2", "A") == "<https://x.test/?a=1&amp;b=2|A>"
    assert notice_message("a < b").payload() == {
        "text": "a &lt; b",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "a &lt; b"}}],
    }
    with pytest.raises(ValueError, match="not a turn reference"):
        TurnRef.decode("not json")
    with pytest.raises(ValueError, match="not a turn reference"):
        TurnRef.decode('{"c": "x"}')


def test_the_comment_dialog_round_trips() -> None:
    modal = comment_modal(TurnRef("c", 2))
    assert TurnRef.decode(modal["private_metadata"]) == TurnRef("c", 2)
    assert len(modal["title"]["text"]) <= 24
    view = {"state": {"values": {"comment": {"comment": {"value": "  wrong clause "}}}}}
    assert modal_comment(view) == "wrong clause"
    assert modal_comment({"state": {"values": {"comment": {"comment": {"value": None}}}}}) is None
    assert modal_comment({}) is None
