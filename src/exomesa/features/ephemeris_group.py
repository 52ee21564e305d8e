"""The ``ephemeris`` feature group: a catalog's ephemeris matches (:mod:`.ephemeris`) in context.

:func:`match_catalog` matches a catalog against itself, an optional reference catalog (the training catalog)
and, for Kepler rows, the shipped DR24 TCEs (:mod:`exomesa.data.tce`). :func:`add_ephemeris_columns` turns the
matches into the :data:`~.ephemeris.EPHEMERIS_FEATURES` columns. Neither reads a disposition: only periods,
epochs, durations, depths, positions and magnitudes.

By default a table is matched in the context of its mission's embedded catalog, as the source registry
(:mod:`exomesa.sources`) lists it: the DR25 KOI table for Kepler, the ExoFOP TOI table for TESS. So a fold, a
training set and a scored table get the same features for the same candidate (its matches do not depend on which
other rows came along). Rows are keyed by the neutral ``candidate_id`` and ``star_id`` (``kepoi_name`` and
``kepid`` in a Kepler table of an earlier version).
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from exomesa import sources
from exomesa.data.catalog import load_catalog
from exomesa.data.schema import CANDIDATE_ID, MISSION, STAR_ID
from exomesa.data.tce import load_dr24_tces
from exomesa.features.ephemeris import (
    EPHEMERIS_FEATURES,
    ephemeris_features,
    ephemeris_table,
    find_matches,
    mission_keys,
    tce_ephemeris_table,
)

__all__ = [
    "EPHEMERIS_SOURCE_COLUMNS",
    "EPHEMERIS_OPTIONAL_COLUMNS",
    "match_catalog",
    "ephemeris_feature_frame",
    "add_ephemeris_columns",
    "is_kepler",
    "context_catalog",
]

logger = logging.getLogger(__name__)

#: The catalog columns the group reads (never a label): the neutral keys and the ephemeris.
EPHEMERIS_SOURCE_COLUMNS = (
    CANDIDATE_ID,
    STAR_ID,
    MISSION,
    "koi_period",
    "koi_time0bk",
    "koi_duration",
    "koi_depth",
)


def is_kepler(catalog: pd.DataFrame) -> bool:
    """True when the table's rows are Kepler signals (``mission`` absent or Kepler everywhere): the DR24 TCEs
    are then extra parents."""
    return bool((mission_keys(catalog) == "kepler").all())


def _names(df: pd.DataFrame) -> pd.Series | None:
    """The candidate names of ``df`` as str (``candidate_id``, else ``kepoi_name``), or None when it has neither."""
    col = next((c for c in (CANDIDATE_ID, "kepoi_name") if c in df.columns), None)
    return None if col is None else df[col].astype(str)


def context_catalog(df: pd.DataFrame) -> pd.DataFrame | None:
    """The embedded catalog of ``df``'s mission (the registry's embedded source of that mission: ``dr25`` for
    Kepler, ``toi`` for TESS), or None when ``df`` mixes missions or its mission ships none."""
    keys = set(mission_keys(df))
    if len(keys) != 1:
        return None
    source = next((s for s in sources.for_mission(keys.pop()) if s.embedded_path is not None), None)
    return None if source is None else load_catalog(source.name, require_label=False)


def match_catalog(
    catalog: pd.DataFrame,
    reference: pd.DataFrame | None = None,
    *,
    use_tces: bool | None = None,
    min_significance: float = 3.0,
) -> pd.DataFrame:
    """Ephemeris matches of ``catalog`` ∪ ``reference`` (rows of ``reference`` already in ``catalog`` by
    ``candidate_id`` are skipped), with DR24 TCEs as extra parents for Kepler tables (``use_tces=None``: auto).

    Returns the :data:`~.ephemeris.MATCH_COLUMNS` table (children and parents may come from either table).
    """
    frames = [catalog]
    if reference is not None and len(reference):
        names, ref_names = _names(catalog), _names(reference)
        if names is not None and ref_names is not None:
            reference = reference[~ref_names.isin(names).to_numpy()]
        frames.append(reference)
    both = pd.concat(frames, ignore_index=True) if len(frames) > 1 else catalog
    table = ephemeris_table(both)
    if use_tces is None:
        use_tces = is_kepler(both)
    parents = tce_ephemeris_table(load_dr24_tces(), both) if use_tces else None
    return find_matches(table, parents, min_significance=min_significance)


#: Catalog columns the matching reads when present (positions, magnitudes, uncertainties, TESS sectors); a row
#: of the embedded catalog lacking them takes them from it.
EPHEMERIS_OPTIONAL_COLUMNS = (
    "kepoi_name",
    "kepid",
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


def _usable_ephemeris(frame: pd.DataFrame) -> np.ndarray:
    """[N] bool: a positive period and duration and an epoch (the rows :func:`.ephemeris.ephemeris_table` keeps)."""

    def col(name: str) -> np.ndarray:
        if name not in frame.columns:
            return np.full(len(frame), np.nan)
        return pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)

    epoch = np.where(np.isfinite(col("koi_time0bk")), col("koi_time0bk"), col("koi_time0"))
    with np.errstate(invalid="ignore"):
        return (col("koi_period") > 0) & np.isfinite(epoch) & (col("koi_duration") > 0)


def ephemeris_feature_frame(df: pd.DataFrame, reference: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """The :data:`~.ephemeris.EPHEMERIS_FEATURES` of ``df``'s rows [N, 6], or None when ``df`` lacks a period,
    epoch or duration column. Rows without a positive period and duration and an epoch get missing values.

    ``df`` is matched in the context of its mission's embedded catalog when ``reference`` is None
    (:func:`context_catalog`); columns the matching uses that ``df`` lacks (positions, magnitudes,
    uncertainties, the star) are taken from the reference row of the same ``candidate_id``, so a subset of a
    catalog, or a subset of its columns, gets the same features as the whole. Results are memoised on the input
    values (one process often derives the same table's features several times).
    """
    if not {"koi_period", "koi_duration"} <= set(df.columns) or not (
        "koi_time0bk" in df.columns or "koi_time0" in df.columns
    ):
        return None
    if reference is None:
        reference = context_catalog(df)
    ref_names = None if reference is None else _names(reference)
    cols = [c for c in (*EPHEMERIS_SOURCE_COLUMNS, *EPHEMERIS_OPTIONAL_COLUMNS) if c in df.columns]
    key_parts = [pd.util.hash_pandas_object(df[cols], index=False).to_numpy()]
    if reference is not None:
        key_parts.append(np.array([len(reference)], dtype=np.uint64))
        if ref_names is not None:
            key_parts.append(pd.util.hash_pandas_object(ref_names, index=False).to_numpy())
    key = hash(np.concatenate(key_parts).tobytes())
    if key in _CACHE:
        return _CACHE[key].copy()
    frame = df[cols].copy()
    names = _names(frame)
    if names is None:
        names = pd.Series([f"row-{i + 1:06d}" for i in range(len(frame))], index=frame.index)
        frame[CANDIDATE_ID] = names.to_numpy()
    if reference is not None and ref_names is not None:
        ref = reference.set_axis(pd.Index(ref_names)).loc[~ref_names.duplicated().to_numpy()]
        for col in (*EPHEMERIS_SOURCE_COLUMNS, *EPHEMERIS_OPTIONAL_COLUMNS):
            if col not in frame.columns and col in ref.columns:
                frame[col] = ref[col].reindex(names.to_numpy()).to_numpy()
    matches = match_catalog(frame, reference)
    features = ephemeris_features(names.to_numpy(), matches).reset_index(drop=True)
    # a row without a usable ephemeris was never matched: its features are unknown (missing), not "no match"
    features.loc[~_usable_ephemeris(frame), list(EPHEMERIS_FEATURES)] = np.nan
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
