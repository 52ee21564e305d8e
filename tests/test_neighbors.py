"""Cosine nearest neighbours in the aligned space."""

from __future__ import annotations

import numpy as np

from exomesa.evaluation.neighbors import nearest_neighbors


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_neighbours_match_brute_force() -> None:
    rng = np.random.default_rng(0)
    bank = _unit(rng.normal(size=(50, 8)))
    query = _unit(rng.normal(size=(7, 8)))
    idx, sim = nearest_neighbors(query, bank, 5, chunk=3)
    brute = np.argsort(-(query @ bank.T), axis=1)[:, :5]
    np.testing.assert_array_equal(idx, brute)
    assert np.all(np.diff(sim, axis=1) <= 0)
    np.testing.assert_allclose(sim[:, 0], (query @ bank.T).max(axis=1), rtol=1e-5)


def test_own_name_is_skipped_and_k_is_capped() -> None:
    bank = np.eye(3, dtype=np.float32)
    names = np.array(["a", "b", "c"])
    idx, sim = nearest_neighbors(bank[:1], bank, 10, query_names=np.array(["a"]), bank_names=names)
    assert idx.shape == (1, 3)
    assert idx[0, 0] != 0  # 'a' is not its own neighbour
    assert sim[0, -1] == -np.inf
