"""The canonical schema every catalog reader produces: class order, the label column, seed-CSV names.

Every row has the mission-neutral keys ``candidate_id`` (unique candidate name, ``K00752.01``,
``TOI-101.01``), ``star_id`` (host star: KIC or TIC id, the group of every split) and ``mission``
(``"Kepler"`` or ``"TESS"``). Kepler rows also keep their native ``kepoi_name`` and ``kepid`` (the same values);
a TESS TOI row (:mod:`exomesa.sources.toi_exofop`) keeps ``tic_id`` and ``toi = 101.01``.

Physical columns keep the NASA Exoplanet Archive's ``koi_*`` names (units in docs/ARCHITECTURE.md) for every
mission: TOI columns with the same meaning take the ``koi_*`` names (``Period (days)`` → ``koi_period``, ``Planet SNR`` → ``koi_model_snr``, ...; docs/features.md, "TESS TOI
columns"). Epochs: ``koi_time0`` is BJD, ``koi_time0bk`` is BJD − 2454833 (BKJD) for both missions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError
from exomesa.sources.base import CANDIDATE_ID, MISSION, STAR_ID
from exomesa.sources.seed_csv import SEED_COLUMNS

__all__ = [
    "CANDIDATE_ID",
    "CLASSES",
    "LABEL",
    "MISSION",
    "SEED_COLUMNS",
    "STAR_ID",
    "candidate_column",
    "star_column",
    "labels_to_index",
]

#: Class order used everywhere (probability columns, confusion matrices, checkpoints).
CLASSES: tuple[str, str, str] = ("CONFIRMED", "CANDIDATE", "FALSE POSITIVE")
#: The label column of the canonical schema.
LABEL = "koi_disposition"


def candidate_column(df: pd.DataFrame) -> str:
    """``candidate_id``, or ``kepoi_name`` in a table made without :func:`~exomesa.data.canonicalize` (a Kepler
    table of an earlier version); an ExomesaError when it has neither."""
    for column in (CANDIDATE_ID, "kepoi_name"):
        if column in df.columns:
            return column
    raise ExomesaError(
        "the table has no candidate_id column; load it with exomesa.data.load_catalog(), which adds one, or "
        "add a column of unique candidate names."
    )


def star_column(df: pd.DataFrame) -> str:
    """``star_id``, or ``kepid`` in a table made without :func:`~exomesa.data.canonicalize`; an ExomesaError
    when it has neither."""
    for column in (STAR_ID, "kepid"):
        if column in df.columns:
            return column
    raise ExomesaError(
        "the table has no star_id column; load it with exomesa.data.load_catalog(), which adds one, or add a "
        "column of host-star ids."
    )


def labels_to_index(labels: pd.Series | np.ndarray | list[str]) -> np.ndarray:
    """Disposition strings → int64 class indices in :data:`CLASSES` order."""
    lookup = {c: i for i, c in enumerate(CLASSES)}
    out = np.empty(len(labels), dtype=np.int64)
    for i, value in enumerate(labels):
        if value not in lookup:
            raise ExomesaError(
                f"unknown disposition {value!r} at row {i + 1}; allowed: {', '.join(CLASSES)}."
            )
        out[i] = lookup[value]
    return out
