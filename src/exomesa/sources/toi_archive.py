"""The NASA Exoplanet Archive TOI table (``toi``, ``tid``, ``tfopwg_disp``, ``pl_orbper``, ``pl_tranmid``,
``pl_trandurh``, ``pl_trandep``, ``pl_rade``, ``st_teff``, ``st_rad``, ``st_logg``, ``st_tmag``, ...).

CSV (``#`` comment lines) or IPAC. Mapped by :data:`ARCHIVE_COLUMNS` and checked like an ExoFOP export
(:func:`.toi_exofop.toi_to_koi_names`); leak list and light-curve files are TESS's (:mod:`.toi_exofop`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exomesa.sources.base import Source, read_table
from exomesa.sources.toi_exofop import LEAKY_COLUMNS, LEAKY_PATTERNS, LIGHTCURVES, toi_to_koi_names

__all__ = ["ARCHIVE_COLUMNS", "PRESETS", "SOURCE", "is_archive_toi", "archive_toi_to_koi_names"]

#: NASA Exoplanet Archive TOI-table column → canonical name.
ARCHIVE_COLUMNS: dict[str, str] = {
    "tid": "tic_id",
    "toi": "toi",
    "tfopwg_disp": "tfopwg_disposition",
    "pl_orbper": "koi_period",
    "pl_orbpererr1": "koi_period_err",
    "pl_tranmid": "koi_time0",
    "pl_tranmiderr1": "koi_time0_err",
    "pl_trandurh": "koi_duration",
    "pl_trandurherr1": "koi_duration_err",
    "pl_trandep": "koi_depth",
    "pl_trandeperr1": "koi_depth_err",
    "pl_rade": "koi_prad",
    "pl_radeerr1": "koi_prad_err",
    "pl_insol": "koi_insol",
    "pl_eqt": "koi_teq",
    "st_teff": "koi_steff",
    "st_tefferr1": "koi_steff_err",
    "st_logg": "koi_slogg",
    "st_loggerr1": "koi_slogg_err",
    "st_rad": "koi_srad",
    "st_raderr1": "koi_srad_err",
    "st_dist": "st_dist",
    "st_tmag": "tess_mag",
    "st_tmagerr1": "tess_mag_err",
    "ra": "ra",
    "dec": "dec",
}

#: ``toi_archive``: the physical columns of the archive's default TOI view (pl_orbper, pl_trandep, pl_trandurh,
#: pl_rade, pl_insol, pl_eqt, st_teff, st_logg, st_rad, st_tmag, st_dist under their canonical names). It lacks
#: the SNR and stellar mass of the ExoFOP export (``toi``).
PRESETS: dict[str, dict[str, list[str]]] = {
    "toi_archive": {
        "planet": ["koi_period", "koi_depth", "koi_prad", "koi_duration", "koi_teq", "koi_insol"],
        "stellar": ["koi_steff", "koi_srad", "koi_slogg", "tess_mag", "st_dist"],
    },
}


def is_archive_toi(path: Path | None, columns: list[str] | pd.Index) -> bool:
    """True when ``columns`` are the archive TOI table's (``toi`` with ``tid``/``tfopwg_disp``)."""
    cols = {str(c).strip().lower() for c in columns}
    return "toi" in cols and ("tid" in cols or "tfopwg_disp" in cols)


def archive_toi_to_koi_names(raw: pd.DataFrame, source: str, require_label: bool = True) -> pd.DataFrame:
    """:func:`.toi_exofop.toi_to_koi_names` with the archive's column names."""
    return toi_to_koi_names(raw, source, require_label, mapping=ARCHIVE_COLUMNS)


SOURCE = Source(
    name="toi_archive",
    mission="TESS",
    candidate_word="TOI",
    title="NASA Exoplanet Archive TOI table",
    star_column="tid",
    candidate_column="toi",
    label_column="tfopwg_disp",
    leaky_columns=LEAKY_COLUMNS,
    leaky_patterns=LEAKY_PATTERNS,
    presets=PRESETS,
    lightcurves=LIGHTCURVES,
    detect=is_archive_toi,
    read=read_table,
    to_canonical_names=archive_toi_to_koi_names,
)
