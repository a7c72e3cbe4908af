"""Shared fixtures: the real corpus, the real model (loaded once), a real index."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
# the tests embed with the bundled model as published; tests/test_tuning.py tunes it on a few
# questions (tuning on the whole training file takes minutes)
os.environ.setdefault("ASSISTANT_FINE_TUNE", "false")

from assistant.answer.learned import training_hash  # noqa: E402
from assistant.answer.training import (  # noqa: E402
    Example,
    PolicyExamples,
    fit_models,
    held_out_policies,
    unseen_threshold,
)
from assistant.config import Settings  # noqa: E402
from assistant.policy.corpus import Corpus  # noqa: E402
from assistant.policy.versions import era_at  # noqa: E402
from assistant.search.embedding import SentenceTransformerEmbedder  # noqa: E402
from assistant.search.index import SearchIndex, build_index, save_index  # noqa: E402
from assistant.service import (  # noqa: E402
    Assistant,
    further_policy_assistants,
    load_history,
    load_policy,
    training_examples,
)

ROOT = Path(__file__).resolve().parents[1]
CORPUS_DIR = ROOT / "corpus"
LEARNED = {"question_typing": "learned", "answer_selection": "learned", "abstention": "learned"}
SEED_FILE = CORPUS_DIR / "history" / "aks-support-policies" / "2020-01-24.md"
SEED_AS_OF = "2020-06-01"  # a date the seed revision (2020-01-24) was in force


def serve_folder(
    settings: Settings, embedder: SentenceTransformerEmbedder, folder: Path, index: Path
) -> Assistant:
    """An assistant over the policy documents in `folder`, with a real index built into
    `index` (rules only: no training file)."""
    served = settings.model_copy(
        update={"corpus_dir": folder, "index_dir": index, "training_file": None}
    )
    save_index(build_index(load_policy(served), embedder), served.index_dir)
    return Assistant.from_settings(served, embedder=embedder)


def serve_policy(
    settings: Settings, embedder: SentenceTransformerEmbedder, tmp_path: Path, name: str, text: str
) -> Assistant:
    """`serve_folder` over one policy document, `name`, written to a folder of `tmp_path`."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / name).write_text(text, encoding="utf-8")
    return serve_folder(settings, embedder, folder, tmp_path / "index")


def last_line_of_python(script: str, home: Path, timeout: int) -> str:
    """What a script prints last, run by a new interpreter from the repository root with a
    clean environment (no ASSISTANT_* settings, nothing fetched); fails if the script does."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={
            "HF_HUB_OFFLINE": "1",
            "PATH": "/usr/bin:/bin",
            "HOME": str(home),
            "PYTHONPATH": str(ROOT),
        },
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A session-wide folder for the index built from the real corpus."""
    return tmp_path_factory.mktemp("index") / "current"


@pytest.fixture(scope="session")
def settings(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings for the bundled corpus with the index and the conversation store in temporary
    folders."""
    return Settings(
        corpus_dir=CORPUS_DIR,
        index_dir=index_dir,
        data_dir=tmp_path_factory.mktemp("data"),
        build_index_on_start=False,
        fine_tune=False,
        rate_limit_per_second=0,  # no limit: tests/api/test_access.py sets its own
        widget_rate_limit_per_second=0,
        admin_login_rate_per_minute=0,
        # the rule-based components; tests/test_learning.py trains and tests the learned ones
        question_typing="rules",
        answer_selection="rules",
        abstention="rules",
        _env_file=None,
    )


@pytest.fixture(scope="session")
def corpus(settings: Settings) -> Corpus:
    """The real policy corpus with stances."""
    return load_policy(settings)


@pytest.fixture(scope="session")
def corpus_at(settings: Settings) -> Callable[[str | None], Corpus]:
    """The corpus in force on a date (now for None), as labelled items with `as_of` need."""
    all_eras = load_history(settings)
    corpora: dict[str | None, Corpus] = {}

    def at(as_of: str | None) -> Corpus:
        if as_of not in corpora:
            era = era_at(all_eras, as_of) if as_of else all_eras[-1]
            assert era is not None
            corpora[as_of] = era.corpus()
        return corpora[as_of]

    return at


@pytest.fixture(scope="session")
def seed_corpus(settings: Settings) -> Corpus:
    """The seed revision of the policy (history version 2020-01-24), with stances."""
    return load_history(settings)[0].corpus()


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    """The bundled all-MiniLM-L6-v2 model, loaded once per test session."""
    return SentenceTransformerEmbedder()


@pytest.fixture(scope="session")
def search_index(
    settings: Settings, corpus: Corpus, embedder: SentenceTransformerEmbedder
) -> SearchIndex:
    """The real index, built once and saved where `settings` expects it."""
    index = build_index(corpus, embedder)
    save_index(index, settings.index_dir)
    return index


@pytest.fixture(scope="session")
def assistant(
    settings: Settings, search_index: SearchIndex, embedder: SentenceTransformerEmbedder
) -> Assistant:
    """The assistant over the real corpus, index and model."""
    return Assistant.from_settings(settings, embedder=embedder)


@dataclass(frozen=True)
class Learned:
    """The learned components trained on the real training questions (tests/test_learning.py)."""

    rules: Assistant  # over the copy of the index the models are trained into
    others: list[Assistant]  # one per training policy of corpus/training/policies/
    examples: list[Example]
    metrics: dict[str, object]
    assistant: Assistant  # answering with every learned component
    unseen_threshold: float  # the abstention threshold for a policy the questions are not about


@pytest.fixture(scope="session")
def learned(
    settings: Settings,
    search_index: SearchIndex,
    embedder: SentenceTransformerEmbedder,
    tmp_path_factory: pytest.TempPathFactory,
) -> Learned:
    """Models trained (once per session) on corpus/training/ into a copy of the session index,
    as `assistant train` trains them."""
    index_dir = tmp_path_factory.mktemp("learned") / "index"
    shutil.copytree(settings.index_dir, index_dir)
    own = settings.model_copy(
        update={
            "index_dir": index_dir,
            "training_file": CORPUS_DIR / "training" / "questions.jsonl",
            "training_policies_dir": CORPUS_DIR / "training" / "policies",
        }
    )
    rules = Assistant.from_settings(own, embedder=embedder)
    others = further_policy_assistants(rules, tmp_path_factory.mktemp("training-policies"))
    policies = [
        PolicyExamples(a.corpus.documents[0].doc_id, training_examples(a), a.decider)
        for a in [rules, *others]
    ]
    examples = [e for p in policies for e in p.examples]
    training = training_hash(own.training_file, own.training_policies())
    assert training is not None
    models, metrics = fit_models(
        examples,
        rules.decider,
        training,
        own.model,  # type: ignore[arg-type]
        others=[o.decider for o in others],
    )
    models.save(index_dir)
    learned_settings = own.model_copy(update=LEARNED)
    # what `assistant train` stores for models asked of this policy by another one
    unseen = unseen_threshold(held_out_policies(policies, training, own.model))  # type: ignore[arg-type]
    return Learned(
        rules,
        others,
        examples,
        metrics,
        Assistant.from_settings(learned_settings, embedder),
        unseen,
    )


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port for the session (tests/servers.py)."""
    from tests.servers import running_redis

    with running_redis(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture(scope="session")
def server_env(settings: Settings, search_index: SearchIndex) -> dict[str, str]:
    """Environment for a `python -m assistant` subprocess on the session's corpus and index."""
    return {
        "ASSISTANT_CORPUS_DIR": str(settings.corpus_dir),
        "ASSISTANT_INDEX_DIR": str(settings.index_dir),
        "ASSISTANT_CALIBRATION_FILE": str(settings.corpus_dir / "calibration.json"),
        "ASSISTANT_DATA_DIR": str(settings.data_dir),
        "ASSISTANT_BUILD_INDEX_ON_START": "false",
        "ASSISTANT_QUESTION_TYPING": "rules",
        "ASSISTANT_ANSWER_SELECTION": "rules",
        "ASSISTANT_ABSTENTION": "rules",
        "ASSISTANT_REDIS_URL": "",  # the SQLite store in ASSISTANT_DATA_DIR unless a test says
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }
