"""The canonical schema every catalog reader produces: class order, the label column, seed-CSV names.

Columns keep the NASA Exoplanet Archive's ``koi_*`` names (units in docs/ARCHITECTURE.md); every row has
``kepoi_name`` (unique candidate name), ``kepid`` (host star, the group of every split) and ``mission``
(``"Kepler"`` or ``"TESS"``).

The names come from Kepler, and they stay for TESS too, because every stage keys on them: a TESS TOI row
(:mod:`exomesa.data.toi`) carries its TIC ID in ``kepid`` *and* ``tic_id``, its name as
``kepoi_name = "TOI-101.01"`` *and* ``toi = 101.01``, and TOI columns with the same meaning take the ``koi_*``
names (``Period (days)`` → ``koi_period``, ``Planet SNR`` → ``koi_model_snr``, ...; docs/features.md, "TESS TOI
columns"). Epochs: ``koi_time0`` is BJD, ``koi_time0bk`` is BJD − 2454833 (BKJD) for both missions.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError

__all__ = ["CLASSES", "LABEL", "SEED_COLUMNS", "labels_to_index"]

#: Class order used everywhere (probability columns, confusion matrices, checkpoints).
CLASSES: tuple[str, str, str] = ("CONFIRMED", "CANDIDATE", "FALSE POSITIVE")
#: The label column of the canonical schema.
LABEL = "koi_disposition"
#: Seed CSV name → canonical archive name.
SEED_COLUMNS: dict[str, str] = {
    "disposition": "koi_disposition",
    "period": "koi_period",
    "depth": "koi_depth",
    "planet_radius": "koi_prad",
    "stellar_temp": "koi_steff",
    "stellar_radius": "koi_srad",
    "duration": "koi_duration",
}


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
