"""The ``ephemeris`` feature group: a catalog's ephemeris matches (:mod:`.ephemeris`) in context.

:func:`match_catalog` matches a catalog against itself, an optional reference catalog (the training catalog)
and, for Kepler rows, the shipped DR24 TCEs (:mod:`exomesa.data.tce`). :func:`add_ephemeris_columns` turns the
matches into the :data:`~.ephemeris.EPHEMERIS_FEATURES` columns. Neither reads a disposition: only periods,
epochs, durations, depths, positions and magnitudes.

By default a Kepler table is matched in the context of the embedded DR25 KOI table, so a fold, a training set
and a scored table get the same features for the same KOI (its matches do not depend on which other rows came
along); a TESS table is matched against itself plus ``reference`` when given.
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

__all__ = ["EPHEMERIS_SOURCE_COLUMNS", "match_catalog", "add_ephemeris_columns", "is_kepler"]

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


def add_ephemeris_columns(df: pd.DataFrame, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """``df`` with the :data:`~.ephemeris.EPHEMERIS_FEATURES` columns (computed where they are absent).

    Kepler rows are matched in the context of the embedded DR25 KOI table unless ``reference`` is given; columns
    already present (e.g. computed once for a whole catalog) are kept as they are.
    """
    if all(c in df.columns for c in EPHEMERIS_FEATURES):
        return df
    if not {"koi_period", "koi_duration"} <= set(df.columns) or not (
        "koi_time0bk" in df.columns or "koi_time0" in df.columns
    ):
        return df
    if reference is None and is_kepler(df):
        from exomesa.data.catalog import load_dr25

        reference = load_dr25()
    matches = match_catalog(df, reference)
    names = (
        df["kepoi_name"].astype(str)
        if "kepoi_name" in df.columns
        else pd.Series([f"row-{i + 1:06d}" for i in range(len(df))])
    )
    features = ephemeris_features(names.to_numpy(), matches)
    out = df.copy()
    for col in EPHEMERIS_FEATURES:
        if col not in out.columns:
            out[col] = features[col].to_numpy(dtype=float)
    logger.debug(
        "ephemeris features: %d of %d rows contaminated", int(np.nansum(out["eph_is_child"])), len(df)
    )
    return out
