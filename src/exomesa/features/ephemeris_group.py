"""The ``ephemeris`` feature group: a catalog's ephemeris matches (:mod:`.ephemeris`) in context.

:func:`match_catalog` matches a catalog against itself, an optional reference catalog (the training catalog)
and, for Kepler rows, the shipped DR24 TCEs (:mod:`exomesa.data.tce`). :func:`add_ephemeris_columns` turns the
matches into the :data:`~.ephemeris.EPHEMERIS_FEATURES` columns. Neither reads a disposition: only periods,
epochs, durations, depths, positions and magnitudes.

By default a Kepler table is matched in the context of the embedded DR25 KOI table and a TESS table in that of
the embedded ExoFOP TOI table, so a fold, a training set and a scored table get the same features for the same
candidate (its matches do not depend on which other rows came along).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from exomesa.data.tce import load_dr24_tces
from exomesa.features.ephemeris import (
    EPHEMERIS_FEATURES,
    ephemeris_features,
    ephemeris_table,
    find_matches,
    tce_ephemeris_table,
)

__all__ = [
    "EPHEMERIS_SOURCE_COLUMNS",
    "match_catalog",
    "ephemeris_feature_frame",
    "add_ephemeris_columns",
    "is_kepler",
]

logger = logging.getLogger(__name__)

#: The catalog columns the group reads (never a label).
EPHEMERIS_SOURCE_COLUMNS = (
    "kepoi_name",
    "kepid",
    "koi_period",
    "koi_time0bk",
    "koi_duration",
    "koi_depth",
)


def is_kepler(catalog: pd.DataFrame) -> bool:
    """True when the table's rows are Kepler signals (``mission`` absent or ``"Kepler"`` everywhere)."""
    return "mission" not in catalog.columns or bool((catalog["mission"].astype(str) != "TESS").all())


def match_catalog(
    catalog: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    use_tces: bool | None = None,
    min_significance: float = 3.0,
) -> pd.DataFrame:
    """Ephemeris matches of ``catalog`` ∪ ``reference`` (rows of ``reference`` already in ``catalog`` by
    ``kepoi_name`` are skipped), with DR24 TCEs as extra parents for Kepler tables (``use_tces=None``: auto).

    Returns the :data:`~.ephemeris.MATCH_COLUMNS` table (children and parents may come from either table).
    """
    frames = [catalog]
    if reference is not None and len(reference):
        if "kepoi_name" in catalog.columns and "kepoi_name" in reference.columns:
            reference = reference[
                ~reference["kepoi_name"].astype(str).isin(catalog["kepoi_name"].astype(str))
            ]
        frames.append(reference)
    both = pd.concat(frames, ignore_index=True) if len(frames) > 1 else catalog
    table = ephemeris_table(both)
    if use_tces is None:
        use_tces = is_kepler(both)
    parents = tce_ephemeris_table(load_dr24_tces(), both) if use_tces else None
    return find_matches(table, parents, min_significance=min_significance)


#: Catalog columns the matching reads when present (positions, magnitudes, uncertainties, TESS sectors).
_OPTIONAL_COLUMNS = (
    "mission",
    "koi_time0",
    "koi_period_err1",
    "koi_period_err2",
    "koi_period_err",
    "koi_time0bk_err1",
    "koi_time0bk_err2",
    "koi_time0_err",
    "ra",
    "dec",
    "koi_kepmag",
    "tess_mag",
    "toi_sectors",
)
_CACHE: dict[int, pd.DataFrame] = {}


def ephemeris_feature_frame(df: pd.DataFrame, reference: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The :data:`~.ephemeris.EPHEMERIS_FEATURES` of ``df``'s rows [N, 6], or None when ``df`` lacks a period,
    epoch or duration column.

    A Kepler table is matched in the context of the embedded DR25 KOI table when ``reference`` is None (a TESS
    table in that of the embedded TOI table); columns the matching uses that ``df`` lacks (positions,
    magnitudes, uncertainties) are taken from the reference row of the same ``kepoi_name``, so a subset of a
    catalog, or a subset of its columns, gets the same features as the whole. Results are
    memoised on the input values (one process often derives the same table's features several times).
    """
    if not {"koi_period", "koi_duration"} <= set(df.columns) or not (
        "koi_time0bk" in df.columns or "koi_time0" in df.columns
    ):
        return None
    if reference is None:
        from exomesa.data.catalog import load_catalog

        reference = load_catalog("dr25" if is_kepler(df) else "toi", require_label=False)
    cols = [c for c in (*EPHEMERIS_SOURCE_COLUMNS, *_OPTIONAL_COLUMNS) if c in df.columns]
    key_parts = [pd.util.hash_pandas_object(df[cols], index=False).to_numpy()]
    if reference is not None:
        key_parts.append(np.array([len(reference)], dtype=np.uint64))
        key_parts.append(pd.util.hash_pandas_object(reference["kepoi_name"], index=False).to_numpy())
    key = hash(np.concatenate(key_parts).tobytes())
    if key in _CACHE:
        return _CACHE[key].copy()
    frame = df[cols].copy()
    if "kepoi_name" not in frame.columns:
        frame["kepoi_name"] = [f"row-{i + 1:06d}" for i in range(len(frame))]
    if reference is not None and "kepoi_name" in reference.columns:
        ref = reference.drop_duplicates("kepoi_name").set_index(reference["kepoi_name"].astype(str))
        names = frame["kepoi_name"].astype(str)
        for col in (*EPHEMERIS_SOURCE_COLUMNS, *_OPTIONAL_COLUMNS):
            if col not in frame.columns and col in ref.columns:
                frame[col] = ref[col].reindex(names).to_numpy()
    matches = match_catalog(frame, reference)
    features = ephemeris_features(frame["kepoi_name"].astype(str).to_numpy(), matches).reset_index(drop=True)
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[key] = features
    logger.debug(
        "ephemeris features: %d of %d rows contaminated", int(features["eph_is_child"].sum()), len(df)
    )
    return features.copy()


def add_ephemeris_columns(df: pd.DataFrame, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """``df`` with the :data:`~.ephemeris.EPHEMERIS_FEATURES` columns (see :func:`ephemeris_feature_frame`);
    ``df`` unchanged when it lacks a period, epoch or duration column."""
    features = ephemeris_feature_frame(df, reference)
    if features is None:
        return df
    out = df.copy()
    for col in EPHEMERIS_FEATURES:
        out[col] = features[col].to_numpy(dtype=float)
    return out
