"""The Kepler Q1–Q17 DR24 Threshold-Crossing Events (TCEs) shipped with the package: ephemerides only.

:data:`TCE_RESOURCE` holds, for all 20,367 DR24 TCEs (Seader et al. 2015), the columns an ephemeris match needs:
``kepid``, ``tce_plnt_num``, ``tce_period`` [d], ``tce_period_err`` [d], ``tce_time0bk`` [BKJD],
``tce_time0bk_err`` [d], ``tce_duration`` [hours], ``tce_depth`` [ppm]. Source: the NASA Exoplanet Archive table
``q1_q17_dr24_tce`` (export of 2020-02-18). The Autovetter training label (``av_training_set``) is left out on
purpose: it is a human vetting outcome, never an input. The table has no sky positions.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.resources import files

import pandas as pd

from exomesa.errors import ExomesaError

__all__ = ["TCE_RESOURCE", "TCE_SOURCE", "TCE_COLUMNS", "load_dr24_tces"]

logger = logging.getLogger(__name__)

TCE_RESOURCE = "q1_q17_dr24_tce_ephemerides.csv.gz"
TCE_SOURCE = "NASA Exoplanet Archive q1_q17_dr24_tce (Kepler DR24 TCEs, export 2020-02-18)"
TCE_COLUMNS = (
    "kepid",
    "tce_plnt_num",
    "tce_period",
    "tce_period_err",
    "tce_time0bk",
    "tce_time0bk_err",
    "tce_duration",
    "tce_depth",
)


@lru_cache(maxsize=1)
def _tces_cached() -> pd.DataFrame:
    path = files("exomesa.data").joinpath("files", TCE_RESOURCE)
    try:
        with path.open("rb") as fh:
            df = pd.read_csv(fh, comment="#", compression="gzip")
    except (OSError, ValueError) as exc:
        raise ExomesaError(
            f"the shipped DR24 TCE table {TCE_RESOURCE} could not be read ({exc}); reinstall exomesa."
        ) from exc
    missing = [c for c in TCE_COLUMNS if c not in df.columns]
    if missing:
        raise ExomesaError(f"the shipped DR24 TCE table {TCE_RESOURCE} lacks {missing}; reinstall exomesa.")
    logger.debug("read %d DR24 TCEs from %s", len(df), TCE_RESOURCE)
    return df[list(TCE_COLUMNS)]


def load_dr24_tces() -> pd.DataFrame:
    """All 20,367 DR24 TCE ephemerides (a fresh copy each call); columns :data:`TCE_COLUMNS`."""
    return _tces_cached().copy()
