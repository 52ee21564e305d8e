"""Similarity search in MESA's aligned space (numpy only).

A candidate's light-curve embedding is compared with the *physics* embeddings of the training catalog
(cross-modal retrieval, light curve → physics), so the neighbours are known KOIs whose parameters look like
what the candidate's light curve shows. Embeddings are L2-normalised, so similarity is the cosine in [-1, 1].
"""

from __future__ import annotations

import numpy as np

__all__ = ["nearest_neighbors"]


def nearest_neighbors(
    query: np.ndarray,
    bank: np.ndarray,
    k: int,
    *,
    query_names: np.ndarray | None = None,
    bank_names: np.ndarray | None = None,
    chunk: int = 4096,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` cosine neighbours of each query row in ``bank``.

    Args:
        query: float [N, P] L2-normalised embeddings.
        bank: float [M, P] L2-normalised embeddings.
        k: neighbours per query (capped at M).
        query_names, bank_names: optional [N] / [M] names; a bank entry with the query's own name is skipped,
            so a KOI that was in the training set is not its own neighbour.
        chunk: queries per matrix product (bounds memory to chunk × M floats).

    Returns:
        ``(index [N, k] int64, similarity [N, k] float32)``, most similar first.
    """
    query = np.asarray(query, dtype=np.float32)
    bank = np.asarray(bank, dtype=np.float32)
    k = int(min(k, bank.shape[0]))
    index = np.zeros((query.shape[0], k), dtype=np.int64)
    sims = np.zeros((query.shape[0], k), dtype=np.float32)
    if k <= 0 or query.shape[0] == 0:
        return index, sims
    lookup = None
    if query_names is not None and bank_names is not None:
        lookup = {name: i for i, name in enumerate(np.asarray(bank_names).tolist())}
    for start in range(0, query.shape[0], chunk):
        stop = min(start + chunk, query.shape[0])
        s = query[start:stop] @ bank.T  # [chunk, M]
        if lookup is not None:
            for row, name in enumerate(np.asarray(query_names[start:stop]).tolist()):
                j = lookup.get(name)
                if j is not None:
                    s[row, j] = -np.inf
        top = (
            np.argpartition(-s, kth=k - 1, axis=1)[:, :k]
            if k < s.shape[1]
            else np.tile(np.arange(s.shape[1]), (s.shape[0], 1))
        )
        top_s = np.take_along_axis(s, top, axis=1)
        order = np.argsort(-top_s, axis=1, kind="stable")
        index[start:stop] = np.take_along_axis(top, order, axis=1)
        sims[start:stop] = np.take_along_axis(top_s, order, axis=1)
    return index, sims
