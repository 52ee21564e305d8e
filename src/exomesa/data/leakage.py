"""The leak guard: columns that encode the vetting outcome are never features.

Each source lists the columns that leak its labels (:attr:`exomesa.sources.Source.leaky_columns`); the guard
refuses a column any registered source calls leaky.
"""

from __future__ import annotations

from exomesa import sources
from exomesa.errors import ExomesaError
from exomesa.sources.kepler_dr25 import LEAKY_COLUMNS
from exomesa.sources.toi_exofop import LEAKY_COLUMNS as TOI_LEAKY_COLUMNS

__all__ = ["LEAKY_COLUMNS", "TOI_LEAKY_COLUMNS", "is_leaky", "check_no_leak"]


def is_leaky(column: str) -> bool:
    """True when ``column`` encodes the vetting outcome and must never be a model input."""
    return sources.is_leaky(column)


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
