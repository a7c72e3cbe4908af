"""The one-pass phrase finder says what the per-phrase whole-word regexes said, in linear time."""

from __future__ import annotations

import re
import time

from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.answer.phrases import PhraseFinder

PHRASES = frozenset({"aks", "node", "node pool", "service mesh", "mesh", "kube-proxy", "1.29", "ö"})


def _by_regex(text: str) -> frozenset[str]:
    return frozenset(p for p in PHRASES if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text))


def test_whole_words_only() -> None:
    finder = PhraseFinder(PHRASES)
    assert finder.mentioned("is the service mesh on my node-pool ok?") == {"service mesh", "mesh"}
    assert finder.mentioned("oaks, nodes and kube-proxy 1.29") == {"kube-proxy", "1.29"}
    assert finder.mentioned("aks") == {"aks"}
    assert PhraseFinder(frozenset()).mentioned("aks") == frozenset()


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([*sorted(PHRASES), " ", "-", "x", "_", ".", "s", "öx", "pool", "9"]),
        max_size=12,
    ).map("".join)
)
def test_agrees_with_the_regex_it_replaces(text: str) -> None:
    assert PhraseFinder(PHRASES).mentioned(text) == _by_regex(text)


def test_adversarial_text_is_read_in_linear_time() -> None:
    finder = PhraseFinder(frozenset({"a" * n for n in range(1, 40)} | PHRASES))
    started = time.perf_counter()
    finder.mentioned("a" * 2000)
    finder.mentioned("node " * 400)
    assert time.perf_counter() - started < 0.5
