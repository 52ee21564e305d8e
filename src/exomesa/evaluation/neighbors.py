"""Similarity search in MESA's aligned space (a chunked matrix product and ``torch.topk``).

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
    chunk: int = 1024,
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
    import torch

    query = np.asarray(query, dtype=np.float32)
    bank = np.asarray(bank, dtype=np.float32)
    k = int(min(k, bank.shape[0]))
    index = np.zeros((query.shape[0], k), dtype=np.int64)
    sims = np.zeros((query.shape[0], k), dtype=np.float32)
    if k <= 0 or query.shape[0] == 0:
        return index, sims
    own = np.full(query.shape[0], -1, dtype=np.int64)  # the bank row holding each query's own name
    if query_names is not None and bank_names is not None:
        lookup = {name: i for i, name in enumerate(np.asarray(bank_names).tolist())}
        own = np.array([lookup.get(n, -1) for n in np.asarray(query_names).tolist()], dtype=np.int64)
    bank_t = torch.from_numpy(np.ascontiguousarray(bank)).T  # [P, M]
    with torch.no_grad():
        for start in range(0, query.shape[0], chunk):
            stop = min(start + chunk, query.shape[0])
            s = torch.from_numpy(query[start:stop]) @ bank_t  # [chunk, M] cosine similarities
            rows = np.flatnonzero(own[start:stop] >= 0)
            if rows.size:
                s[torch.from_numpy(rows), torch.from_numpy(own[start:stop][rows])] = -torch.inf
            top_s, top = torch.topk(s, k, dim=1, largest=True, sorted=True)  # most similar first
            index[start:stop] = top.numpy()
            sims[start:stop] = top_s.numpy()
    return index, sims
