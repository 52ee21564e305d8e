"""The original seed CSV layout: ``disposition, period, depth, planet_radius, stellar_temp, stellar_radius,
duration`` (units as the archive: days, ppm, Earth radii, K, solar radii, hours), optionally with ``kepid`` and
``kepoi_name``.

The seed names map onto the canonical ``koi_*`` names (:data:`SEED_COLUMNS`); the mapping and its checks run
in :func:`exomesa.data.canonicalize` (a table may mix both sets of names). A table without ``kepid`` gets one
star per row; without ``kepoi_name``, rows are named ``row-000001``, ...
"""

from __future__ import annotations

from pathlib import Path

from exomesa.sources.base import Source, read_table
from exomesa.sources.kepler_dr25 import LEAKY_COLUMNS, LEAKY_PREFIXES, LIGHTCURVES

__all__ = ["SEED_COLUMNS", "SOURCE", "is_seed_csv"]

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


def is_seed_csv(path: Path, columns: list[str]) -> bool:
    """True when the (lower-cased) header has the seed layout's ``period`` and no archive ``koi_period``."""
    return "period" in columns and "koi_period" not in columns


SOURCE = Source(
    name="seed_csv",
    mission="Kepler",
    candidate_word="KOI",
    title="seed CSV (disposition, period, depth, planet_radius, stellar_temp, stellar_radius, duration)",
    star_column="kepid",
    candidate_column="kepoi_name",
    label_column="disposition",
    leaky_columns=LEAKY_COLUMNS,
    leaky_prefixes=LEAKY_PREFIXES,
    presets={},  # the seed preset is Kepler's (kepler_dr25)
    lightcurves=LIGHTCURVES,
    detect=is_seed_csv,
    read=read_table,
)
