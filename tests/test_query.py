"""The question's cue features, as the learned typer and askers read them."""

from __future__ import annotations

import pytest

from assistant.answer.query import cue_features, frame_question
from assistant.models import Frame


@pytest.mark.parametrize(
    ("contracted", "opener"),
    [
        ("whats the ip our dns servers forward to", "what is the ip our dns servers forward to"),
        ("who's patching the nodes", "who is patching the nodes"),
        ("cant we scale to zero", "can we scale to zero"),
        ("wont support look at it", "will support look at it"),
        ("isnt istio supported", "is istio supported"),
    ],
)
def test_a_contracted_opener_reads_as_the_opener(contracted: str, opener: str) -> None:
    # the opener features (one per opener word) come after the four cue-pattern features
    assert cue_features(contracted)[4:11] == cue_features(opener)[4:11]
    assert 1.0 in cue_features(contracted)[4:11]


def test_a_word_that_only_starts_like_an_opener_is_no_opener() -> None:
    assert cue_features("whatsapp integration supported?")[4:11] == [0.0] * 7
    assert cue_features("issue with kured, supported?")[4:11] == [0.0] * 7


@pytest.mark.parametrize(
    ("question", "frame"),
    [
        ("edge os 5 end of support date?", Frame.FACT),
        ("eol date for python 3.12 pls", Frame.FACT),
        ("until when is windows server 2019 supported", Frame.FACT),
        ("is there a list of what support won't cover?", Frame.FACT),
        # a date a condition names asks no date
        ("is python 3.9 supported after its end of support date?", Frame.SCOPE),
        ("we're on 7.4, do we get help up to the eol date?", Frame.SCOPE),
    ],
)
def test_a_date_or_list_asked_for_by_name_asks_a_fact(question: str, frame: Frame) -> None:
    assert frame_question(question) is frame
