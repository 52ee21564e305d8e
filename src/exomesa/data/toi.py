"""TESS Objects of Interest (TOIs) → the canonical schema (see :mod:`.schema`).

The readers live with their sources: :mod:`exomesa.sources.toi_exofop` (ExoFOP-TESS exports and the embedded
2024-09-30 table) and :mod:`exomesa.sources.toi_archive` (the NASA Exoplanet Archive TOI table). This module
loads them through :func:`exomesa.data.canonicalize`: a TOI row has ``candidate_id = "TOI-101.01"``,
``star_id`` = its TIC id (also in ``tic_id``), ``toi = 101.01`` and ``mission = "TESS"``.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from exomesa import sources
from exomesa.sources.base import read_table, snake
from exomesa.sources.toi_archive import ARCHIVE_COLUMNS, archive_toi_to_koi_names
from exomesa.sources.toi_archive import is_archive_toi as _is_archive_toi
from exomesa.sources.toi_exofop import (
    BKJD_OFFSET,
    EXOFOP_COLUMNS,
    TOI_DISPOSITIONS,
    TOI_EXPORT_DATE,
    TOI_RESOURCE,
    TOI_SOURCE,
    head_text,
    is_exofop_file,
    read_exofop,
    toi_path,
    toi_to_koi_names,
)

__all__ = [
    "TOI_RESOURCE",
    "TOI_SOURCE",
    "TOI_EXPORT_DATE",
    "TOI_DISPOSITIONS",
    "EXOFOP_COLUMNS",
    "ARCHIVE_COLUMNS",
    "BKJD_OFFSET",
    "toi_path",
    "load_toi",
    "is_exofop_file",
    "is_archive_toi",
    "toi_to_canonical",
    "snake",
    "data_provenance",
]


def is_archive_toi(columns: list[str] | pd.Index) -> bool:
    """True when ``columns`` are the NASA Exoplanet Archive TOI table's (``toi`` with ``tid``/``tfopwg_disp``)."""
    return _is_archive_toi(None, columns)


def toi_to_canonical(raw: pd.DataFrame, source: str, *, require_label: bool = True) -> pd.DataFrame:
    """Map a raw ExoFOP or archive TOI table onto the canonical schema and validate it.

    Raises:
        ExomesaError (one line naming ``source``, the column or row, and what to do): see
        :func:`exomesa.sources.toi_exofop.toi_to_koi_names`.
    """
    from exomesa.data.catalog import canonicalize

    to_names = archive_toi_to_koi_names if is_archive_toi(raw.columns) else toi_to_koi_names
    return canonicalize(to_names(raw, source, require_label), source=source, require_label=require_label)


@lru_cache(maxsize=2)
def _embedded(require_label: bool) -> pd.DataFrame:
    path = toi_path()
    return toi_to_canonical(read_exofop(path), f"{TOI_RESOURCE} (embedded)", require_label=require_label)


def load_toi(source: str | Path = "toi", *, require_label: bool = True) -> pd.DataFrame:
    """The embedded TOI table (``"toi"``) or a TOI file (ExoFOP export or archive TOI table) in canonical form.

    Embedded, ``require_label=True``: 7,215 labelled TOIs (CONFIRMED 1,003, CANDIDATE 5,045, FALSE POSITIVE
    1,167); ``require_label=False``: all 7,236. A fresh copy each call.
    """
    if isinstance(source, str) and source.strip().lower() == "toi":
        return _embedded(require_label).copy()
    path = Path(source)
    if is_exofop_file(path):
        return toi_to_canonical(read_exofop(path), str(path), require_label=require_label)
    return toi_to_canonical(read_table(path), str(path), require_label=require_label)


def data_provenance(source: str | Path, df: pd.DataFrame | None = None) -> dict[str, str | int]:
    """What a manifest or results file records about its catalog: mission, origin and (TOIs) export date.

    ``source`` is an embedded source name (``"dr25"``, ``"toi"``) or a path; ``df`` (canonical) gives the
    mission of a file.
    """
    found = sources.embedded(str(source))
    if found is not None:
        out: dict[str, str | int] = {"mission": found.mission, "catalog": found.title}
        if found.export_date:
            out.update(export_date=found.export_date, file=Path(found.embedded_path()).name)
        return out
    path = Path(source)
    manifest = path.parent / "manifest.json"
    if path.is_file() and manifest.is_file():  # a prepared split: its manifest says where it came from
        try:
            recorded = json.loads(manifest.read_text(encoding="utf-8")).get("provenance")
        except (OSError, ValueError, AttributeError):
            recorded = None
        if isinstance(recorded, dict):
            return {**recorded, "prepared_file": str(path)}
    mission = "unknown"
    if df is not None and "mission" in df.columns and len(df):
        mission = "/".join(sorted(df["mission"].astype(str).unique()))
    out = {"mission": mission, "catalog": str(source)}
    if mission == "TESS" and Path(source).is_file():
        head = head_text(Path(source), 400)
        match = re.search(r"produced by the Exoplanet Follow-up Observing Program.* on (.+)", head)
        if match:
            out["export_date"] = match.group(1).strip()
    return out
