"""Precomputed in-memory arrays for MESA: one dict of tensors per split, batches indexed directly.

Training on ~6,400 KOIs on two CPU cores cannot afford per-item work: the light-curve views are rendered
(or read) once per run and the tabular groups transformed once, then batches are sliced straight out of
the tensors (:func:`iterate_batches`).

Batch layout (every tensor indexed by KOI row)::

    global_view [N, 2001] float32   relative flux - 1 (depth kept)
    local_view  [N, 201]  float32
    planet      [N, Dp]   float32   preprocessed (exomesa.features.groups.TabularPreprocessor)
    stellar     [N, Ds]   float32
    diagnostics [N, Dd]   float32   ("full" feature set only)
    has_view    [N]       float32   1.0 where the row has a real view, 0.0 where none (models that mask only)
    label       [N]       int64     index into exomesa.data.CLASSES (absent for unlabeled data)

A split of such a dict (training / validation rows) is the same tensors plus a ``_rows`` index
(:func:`select_rows`), not a copy: at 100,000 KOIs a copy of the views is ~0.9 GB.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import torch

from exomesa.data.schema import candidate_column
from exomesa.errors import ExomesaError

__all__ = ["ROWS_KEY", "align_views", "build_arrays", "select_rows", "iterate_batches", "n_rows"]

logger = logging.getLogger(__name__)

ROWS_KEY = "_rows"  # [n] int64: the rows of the tensors a split holds (see select_rows)


def align_views(
    df: pd.DataFrame, views: Any | None, missing: str = "render"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Global/local views aligned to the rows of ``df``.

    Args:
        df: catalog with ``candidate_id``.
        views: a :class:`exomesa.lightcurves.ViewSet` (or anything with ``candidate_id``, ``global_view``,
            ``local_view``) or None. When it already holds exactly ``df``'s KOIs in order it is used as is;
            otherwise :func:`exomesa.lightcurves.views_for_catalog` aligns it and renders the missing KOIs
            (``missing="render"``) or leaves them without a view (``"none"``; with ``views`` None the real
            views shipped with the package are used).

    Returns:
        ``global_view`` [N, 2001] float32, ``local_view`` [N, 201] float32, ``source`` [N] str.
    """
    names = df[candidate_column(df)].astype(str).to_numpy()
    if views is None or not np.array_equal(np.asarray(views.candidate_id).astype(str), names):
        from exomesa.lightcurves import views_for_catalog

        views = views_for_catalog(df, views, missing=missing)
    g = np.ascontiguousarray(views.global_view, dtype=np.float32)
    loc = np.ascontiguousarray(views.local_view, dtype=np.float32)
    if g.shape[0] != len(df) or loc.shape[0] != len(df):
        raise ExomesaError(
            f"light-curve views hold {g.shape[0]} rows but the catalog has {len(df)} KOIs; "
            "rebuild the views file for this catalog (exomesa lightcurves ...)."
        )
    if not (np.isfinite(g).all() and np.isfinite(loc).all()):
        bad = names[~(np.isfinite(g).all(1) & np.isfinite(loc).all(1))]
        raise ExomesaError(
            f"light-curve views contain NaN/inf for {len(bad)} KOIs (first: {bad[0]}); rebuild the views file."
        )
    source = np.asarray(getattr(views, "source", np.full(len(df), "rendered")))
    return g, loc, source


def build_arrays(
    tabular: dict[str, np.ndarray],
    global_view: np.ndarray,
    local_view: np.ndarray,
    labels: np.ndarray | None = None,
    has_view: np.ndarray | None = None,
) -> dict[str, torch.Tensor]:
    """Stack everything one split needs into CPU tensors (see the module docstring for the layout)."""
    arrays = {
        "global_view": torch.from_numpy(np.ascontiguousarray(global_view, dtype=np.float32)),
        "local_view": torch.from_numpy(np.ascontiguousarray(local_view, dtype=np.float32)),
    }
    if has_view is not None:
        arrays["has_view"] = torch.from_numpy(np.asarray(has_view, dtype=np.float32))
    for group, values in tabular.items():
        arrays[group] = torch.from_numpy(np.ascontiguousarray(values, dtype=np.float32))
    if labels is not None:
        arrays["label"] = torch.from_numpy(np.asarray(labels, dtype=np.int64))
    n = {k: v.shape[0] for k, v in arrays.items()}
    if len(set(n.values())) != 1:
        raise ExomesaError(f"inconsistent row counts between model inputs: {n}")
    return arrays


def select_rows(arrays: dict[str, torch.Tensor], rows: np.ndarray | torch.Tensor) -> dict[str, torch.Tensor]:
    """The split of ``arrays`` made of ``rows`` (positions, in that order), sharing the tensors (no copy).

    Batches of the split (:func:`iterate_batches`) hold exactly what batches of ``{k: v[rows]}`` would.
    """
    base = {k: v for k, v in arrays.items() if k != ROWS_KEY}
    index = torch.as_tensor(np.asarray(rows, dtype=np.int64))
    if ROWS_KEY in arrays:  # a split of a split
        index = arrays[ROWS_KEY][index]
    return {**base, ROWS_KEY: index}


def n_rows(arrays: dict[str, torch.Tensor]) -> int:
    """Number of KOIs in a dict of arrays (the rows of a split)."""
    if ROWS_KEY in arrays:
        return int(arrays[ROWS_KEY].shape[0])
    return int(next(iter(arrays.values())).shape[0])


def iterate_batches(
    arrays: dict[str, torch.Tensor],
    batch_size: int,
    shuffle: bool = False,
    generator: torch.Generator | None = None,
) -> Iterator[dict[str, torch.Tensor]]:
    """Yield dicts of ``[batch, ...]`` slices; shuffled with ``generator`` when ``shuffle``."""
    n = n_rows(arrays)
    rows = arrays.get(ROWS_KEY)
    data = {k: v for k, v in arrays.items() if k != ROWS_KEY}
    if shuffle:
        order = torch.randperm(n, generator=generator)
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            if rows is not None:
                idx = rows[idx]
            yield {k: v[idx] for k, v in data.items()}
    else:
        for start in range(0, n, batch_size):
            if rows is None:
                yield {k: v[start : start + batch_size] for k, v in data.items()}
            else:
                idx = rows[start : start + batch_size]
                yield {k: v[idx] for k, v in data.items()}
