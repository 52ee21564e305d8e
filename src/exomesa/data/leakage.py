"""The leak guard: columns that encode the vetting outcome are never features (Kepler KOI and TESS TOI tables)."""

from __future__ import annotations

import re

from exomesa.errors import ExomesaError

__all__ = ["LEAKY_COLUMNS", "TOI_LEAKY_COLUMNS", "is_leaky", "check_no_leak"]

#: Columns that encode the vetting outcome (the answer) and can never be features.
LEAKY_COLUMNS: frozenset[str] = frozenset(
    {
        "koi_score",
        "koi_fpflag_nt",
        "koi_fpflag_ss",
        "koi_fpflag_co",
        "koi_fpflag_ec",
        "koi_pdisposition",
        "koi_disposition",
        "disposition",
        "kepler_name",
        "koi_vet_stat",
        "koi_vet_date",
        "koi_disp_prov",
        "koi_comment",
        "koi_tce_delivname",
        "koi_datalink_dvr",
        "koi_datalink_dvs",
    }
)
_LEAKY_PREFIXES = ("koi_fpflag_", "koi_vet_", "koi_datalink_")

#: TOI columns (ExoFOP names snake-cased, and the archive TOI table's names) that encode the TFOPWG outcome or
#: the follow-up it led to: dispositions, comments (e.g. "WASP-46 b"), the Source string (with disposition
#: suffixes such as ``spoc-s01-s69-b0A-KP``), follow-up counts, priorities and dates.
TOI_LEAKY_COLUMNS: frozenset[str] = frozenset(
    {
        "tfopwg_disposition",
        "tfopwg_disp",
        "tess_disposition",
        "comments",
        "source",
        "time_series_observations",
        "spectroscopy_observations",
        "imaging_observations",
        "master_priority",
        "toi_created",
        "rowupdate",
        "release_date",
    }
)
_TOI_LEAKY_PATTERNS = (re.compile(r"^sg\w*_priority$"), re.compile(r"^date(_|$)"))


def is_leaky(column: str) -> bool:
    """True when ``column`` encodes the vetting outcome and must never be a model input."""
    name = column.strip().lower()
    if name in LEAKY_COLUMNS or name.startswith(_LEAKY_PREFIXES):
        return True
    snake = re.sub(r"[^0-9a-z]+", "_", name).strip("_")  # "Spectroscopy Observations" -> spectroscopy_...
    return snake in TOI_LEAKY_COLUMNS or any(p.match(snake) for p in _TOI_LEAKY_PATTERNS)


def check_no_leak(columns: list[str] | tuple[str, ...]) -> None:
    """Raise :class:`ExomesaError` if any of ``columns`` is a label or a label proxy."""
    leaky = [c for c in columns if is_leaky(c)]
    if leaky:
        raise ExomesaError(
            f"refusing to use {', '.join(repr(c) for c in leaky)} as feature(s): these columns encode the "
            "vetting outcome (disposition, score, false-positive flags, vetting metadata; for TOIs also comments, "
            "Source suffixes, follow-up counts, priorities and dates), so a model trained "
            "on them would learn the answer, not the physics. Remove them from the feature list."
        )
