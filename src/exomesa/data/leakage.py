"""The leak guard: columns that encode the vetting outcome are never features."""

from __future__ import annotations

from exomesa.errors import ExomesaError

__all__ = ["LEAKY_COLUMNS", "is_leaky", "check_no_leak"]

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


def is_leaky(column: str) -> bool:
    """True when ``column`` encodes the vetting outcome and must never be a model input."""
    name = column.strip().lower()
    return name in LEAKY_COLUMNS or name.startswith(_LEAKY_PREFIXES)


def check_no_leak(columns: list[str] | tuple[str, ...]) -> None:
    """Raise :class:`ExomesaError` if any of ``columns`` is a label or a label proxy."""
    leaky = [c for c in columns if is_leaky(c)]
    if leaky:
        raise ExomesaError(
            f"refusing to use {', '.join(repr(c) for c in leaky)} as feature(s): these columns encode the "
            "vetting outcome (disposition, score, false-positive flags, vetting metadata), so a model trained "
            "on them would learn the answer, not the physics. Remove them from the feature list."
        )
