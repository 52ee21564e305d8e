"""Data sources: one module per catalog, listed in one registry (:data:`SOURCES`).

Each module builds one :class:`~exomesa.sources.base.Source`: how to read its catalog into canonical names
(the neutral keys ``star_id``, ``candidate_id``, ``mission`` are added by :func:`exomesa.data.canonicalize`),
which columns leak its labels, its feature presets, and how to find, download and read its light-curve
files. Generic code asks the registry instead of branching on the mission:

* :mod:`.kepler_dr25` — the embedded Kepler Q1–Q17 DR25 KOI table (``"dr25"``);
* :mod:`.koi_archive` — NASA Exoplanet Archive KOI exports (CSV/IPAC);
* :mod:`.seed_csv` — the original seed CSV layout;
* :mod:`.toi_exofop` — ExoFOP-TESS TOI exports and the embedded 2024-09-30 table (``"toi"``);
* :mod:`.toi_archive` — the NASA Exoplanet Archive TOI table.

A new source is one more module and one more line in :data:`SOURCES` (docs/sources.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from exomesa.errors import ExomesaError
from exomesa.sources import kepler_dr25, koi_archive, seed_csv, toi_archive, toi_exofop
from exomesa.sources.base import (
    CANDIDATE_ID,
    MISSION,
    STAR_ID,
    LightCurveFiles,
    Source,
    mission_key,
    read_table,
    snake,
)

__all__ = [
    "CANDIDATE_ID",
    "MISSION",
    "STAR_ID",
    "SOURCES",
    "LightCurveFiles",
    "Source",
    "get",
    "embedded",
    "detect",
    "for_mission",
    "candidate_word",
    "lightcurve_files",
    "all_lightcurve_files",
    "presets",
    "is_leaky",
    "mission_key",
    "read_table",
    "snake",
]

#: Every source, in detection order within a format (a file is the first source whose ``detect`` says so).
SOURCES: tuple[Source, ...] = (
    kepler_dr25.SOURCE,
    koi_archive.SOURCE,
    seed_csv.SOURCE,
    toi_exofop.SOURCE,
    toi_archive.SOURCE,
)


def get(name: str) -> Source:
    """The source registered as ``name`` (any case)."""
    key = name.strip().lower()
    for source in SOURCES:
        if source.name == key:
            return source
    raise ExomesaError(f"unknown data source {name!r}; known: {', '.join(s.name for s in SOURCES)}.")


def embedded(name: str) -> Source | None:
    """The source whose table ships with the package under ``name`` (``"dr25"``, ``"toi"``), else None."""
    key = str(name).strip().lower()
    return next((s for s in SOURCES if s.name == key and s.embedded_path is not None), None)


def detect(path: Path, columns: Iterable[str] | None = None) -> Source | None:
    """The source whose layout a file has: first by its head (ExoFOP), then by its header ``columns``."""
    cols = None if columns is None else [str(c).strip().lower() for c in columns]
    for source in SOURCES:
        if source.detect is None:
            continue
        if cols is None and source.detect is not toi_exofop.is_exofop_file:
            continue  # only the file-head test runs before the table is read
        if source.detect(path, cols or []):
            return source
    return None


def for_mission(mission: str) -> list[Source]:
    """The sources of ``mission`` (any case), in registry order."""
    key = mission_key(mission)
    return [s for s in SOURCES if mission_key(s.mission) == key]


def candidate_word(missions: str | Iterable[str], plural: bool = False) -> str:
    """What the candidates of ``missions`` (one name, or a table's ``mission`` column) are called in reports:
    ``"KOI"`` for Kepler, ``"TOI"`` for TESS, ``"candidate"`` for a mix or an unknown mission (``plural``:
    ``"KOIs"``, ``"candidates"``)."""
    names = {mission_key(str(m)) for m in ([missions] if isinstance(missions, str) else missions)}
    words = {
        next((s.candidate_word for s in SOURCES if mission_key(s.mission) == m), "candidate") for m in names
    }
    word = words.pop() if len(words) == 1 else "candidate"
    return word + "s" if plural else word


def lightcurve_files(mission: str) -> LightCurveFiles:
    """How ``mission``'s (any case) light-curve files are found, downloaded and read."""
    for source in for_mission(mission):
        if source.lightcurves is not None:
            return source.lightcurves
    raise ExomesaError(
        f"no light-curve files are known for mission {mission!r}; known: "
        f"{', '.join(lc.mission for lc in all_lightcurve_files())}."
    )


def all_lightcurve_files() -> list[LightCurveFiles]:
    """Each mission's light-curve files once, in registry order (Kepler first)."""
    out: list[LightCurveFiles] = []
    for source in SOURCES:
        if source.lightcurves is not None and source.lightcurves not in out:
            out.append(source.lightcurves)
    return out


def presets() -> dict[str, dict[str, list[str]]]:
    """Every source's feature presets, ``{name: {group: [column, ...]}}`` (fresh lists)."""
    out: dict[str, dict[str, list[str]]] = {}
    for source in SOURCES:
        for name, groups in source.presets.items():
            if name in out:
                raise ExomesaError(f"feature preset {name!r} is defined by two sources; rename one.")
            out[name] = {group: list(cols) for group, cols in groups.items()}
    return out


def is_leaky(column: str) -> bool:
    """True when ``column`` encodes the vetting outcome of any source (the leak guard's test)."""
    return any(source.is_leaky(column) for source in SOURCES)
