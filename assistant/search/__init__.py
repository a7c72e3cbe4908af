"""Search: embedders, the FAISS + BM25 index, caches, hybrid retrieval."""
