"""NASA Exoplanet Archive KOI tables (``cumulative``, ``q1_q17_dr25_koi``, ...): CSV exports or IPAC ``.tbl``.

CSV lines starting with ``#`` are comments (the archive's header block). Columns keep their ``koi_*`` names,
which are the canonical ones; ``kepid`` is the star (→ ``star_id``), ``kepoi_name`` the candidate
(→ ``candidate_id``). Leak list, presets and light-curve files are Kepler's (:mod:`.kepler_dr25`).
"""

from __future__ import annotations

from pathlib import Path

from exomesa.sources.base import Source, read_table
from exomesa.sources.kepler_dr25 import LEAKY_COLUMNS, LEAKY_PREFIXES, LIGHTCURVES

__all__ = ["SOURCE", "is_archive_koi"]


def is_archive_koi(path: Path, columns: list[str]) -> bool:
    """True when the (lower-cased) header has the archive's KOI names (``koi_period``)."""
    return "koi_period" in columns


SOURCE = Source(
    name="koi_archive",
    mission="Kepler",
    candidate_word="KOI",
    title="NASA Exoplanet Archive KOI table",
    star_column="kepid",
    candidate_column="kepoi_name",
    label_column="koi_disposition",
    leaky_columns=LEAKY_COLUMNS,
    leaky_prefixes=LEAKY_PREFIXES,
    presets={},  # Kepler's presets (kepler_dr25) apply
    lightcurves=LIGHTCURVES,
    detect=is_archive_koi,
    read=read_table,
)
