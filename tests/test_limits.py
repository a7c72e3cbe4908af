"""Numeric limits: a question whose quantity is beyond a limit a clause sets, or whose version
a clause's list leaves out, is not supported by that clause, on any document."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer.limits import (
    breaks_limit,
    misstates_period,
    names_other_version,
    quantities,
)
from assistant.config import Settings
from assistant.models import Verdict
from assistant.search.embedding import SentenceTransformerEmbedder

from .conftest import serve_policy

AGENTS = "Vault agents are supported for 12 months after their release date."
NODES = "Keep at least three vault nodes in each cluster at all times."
SIZE = "Fabrikam supports up to 40 vaults per account."
ROLLBACK = "Rolling back an upgrade is supported only within 7 days of the upgrade."
REVIEW = "A duty manager reviews every escalated case within 4 hours."
RESTORE = "Yes, if it was deleted within the last 35 days."


@pytest.mark.parametrize(
    ("question", "clause", "broken"),
    [
        ("our agent is about 2 years old, still supported?", AGENTS, True),
        ("is an agent from 18 months ago supported", AGENTS, True),
        ("is a year-old agent supported?", AGENTS, False),
        ("our agent is 6 weeks old, is that ok?", AGENTS, False),
        ("can we run the agent 4.14 for now?", AGENTS, False),  # a version, not a period
        ("can we run two vault nodes to save money?", NODES, True),
        ("can we run 5 nodes?", NODES, False),
        ("can we run 2 vaults?", NODES, False),  # counts another thing
        ("we need 50 vaults, is that possible?", SIZE, True),
        ("we need 12 vaults, is that possible?", SIZE, False),
        ("is a 3 year old agent supported?", NODES, False),  # the clause sets no period
        ("is my agent supported?", AGENTS, False),
        ("the upgrade failed 10 days ago, can we roll back?", ROLLBACK, True),
        ("the upgrade failed 3 days ago, can we roll back?", ROLLBACK, False),
        ("will my case be reviewed within 8 hours?", REVIEW, False),  # a promise, no limit
        ("can you restore a file deleted 2 months ago?", RESTORE, True),
        ("can you restore a file deleted 2 weeks ago?", RESTORE, False),
        # the period itself asked about: no age beyond it
        ("agents are supported for 3 years, right?", AGENTS, False),
        ("is a 3 year old agent supported for 2 more months?", AGENTS, True),
    ],
)
def test_a_quantity_beyond_the_clauses_limit(question: str, clause: str, broken: bool) -> None:
    assert breaks_limit(question, clause) is broken


@pytest.mark.parametrize(
    ("question", "misstated"),
    [
        ("agents are supported for 3 years, right?", True),
        ("so each agent is supported for a year?", False),  # 12 months, the clause's period
        ("our agent is 3 years old, is it supported?", False),  # an age, not a claim
        ("can you restore it if it was deleted within the last 10 days?", False),
    ],
)
def test_a_claimed_support_period_other_than_the_clauses(question: str, misstated: bool) -> None:
    assert misstates_period(question, AGENTS) is misstated


def test_quantities_read_digits_number_words_and_periods() -> None:
    found = [(q.value, q.unit, q.days) for _, q in quantities("two years and 3 worker nodes in")]
    assert found == [(2.0, "year", 730.0), (3.0, "node", None)]
    assert [q.days for _, q in quantities("an hour, a gateway")] == [1 / 24]


SYSTEMS = "Windows Server 2019 and 2022"


@pytest.mark.parametrize(
    ("question", "clause", "other"),
    [
        ("Is Windows Server 2012 supported?", SYSTEMS, True),
        ("Is Windows Server 2022 supported?", SYSTEMS, False),
        ("is ubuntu 20.04 ok?", "Ubuntu 22.04 and 24.04 LTS", True),
        ("is python 3.8 ok?", "Python 3.9, 3.10 or 3.11", True),
        ("is python 3.10 ok?", "Python 3.9, 3.10 or 3.11", False),
        ("is python 3.8 ok?", "Python 3.9 or later", False),  # open upwards
        ("supported for 5 years?", "Agents are supported for 14 months.", False),  # a period
        ("is rhel 7 ok?", "Red Hat Enterprise Linux 8 and 9", False),  # another name
        # each version named with the word belongs to the list
        ("is windows 11 supported?", "Supported on Windows 10 and Windows 11.", False),
        ("is windows 8 supported?", "Supported on Windows 10 and Windows 11.", True),
        ("is ubuntu 24.04 ok?", "Agents run on Ubuntu 22.04 and 24.04.", False),  # a full stop
        ("is python 3.9.1 ok?", "Python 3.9 and 3.10 are supported.", False),  # 3.9's patch
        ("is python 3.11 ok?", "Python 3.9 and 3.10 are supported.", True),
    ],
)
def test_a_version_the_clauses_list_leaves_out(question: str, clause: str, other: bool) -> None:
    assert names_other_version(question, clause) is other


POLICY = f"""---
title: Fabrikam Vault support policy
version: 2026-01-01
---

# Fabrikam Vault support policy

## Agents

{AGENTS}

## Clusters

{NODES}

## Operating systems

Fabrikam supports vault agents on the following operating systems:

- {SYSTEMS}
- Ubuntu 22.04 and 24.04

## Networking

Fabrikam supports private endpoints for every vault.
"""


def test_answers_say_no_beyond_a_limit_or_a_list(
    settings: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path
) -> None:
    assistant = serve_policy(settings, embedder, tmp_path, "fabrikam-vault.md", POLICY)
    old = assistant.answer("Our vault agent is about 2 years old. Are vault agents supported?")
    assert (old.verdict, old.citations[0].text) == (Verdict.NOT_SUPPORTED, AGENTS)
    new = assistant.answer("Our vault agent is 2 months old. Are vault agents supported?")
    assert (new.verdict, new.citations[0].text) == (Verdict.SUPPORTED, AGENTS)
    few = assistant.answer("Can we keep two vault nodes in a cluster?")
    assert (few.verdict, few.citations[0].text) == (Verdict.NOT_SUPPORTED, NODES)
    listed = assistant.answer("Are vault agents supported on Windows Server 2022?")
    assert (listed.verdict, listed.citations[0].text) == (Verdict.SUPPORTED, SYSTEMS)
    left_out = assistant.answer("Are vault agents supported on Windows Server 2012?")
    assert (left_out.verdict, left_out.citations[0].text) == (Verdict.NOT_SUPPORTED, SYSTEMS)
