"""TESS specifics of the light-curve layer: matching SPOC files to TOI rows by TIC ID.

A TOI row carries its TIC ID in ``tic_id`` (and ``star_id``; see :mod:`exomesa.sources.toi_exofop`). SPOC
light-curve files carry it in the primary header's ``TICID`` (:data:`exomesa.sources.toi_exofop.LIGHTCURVES`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from exomesa.errors import ExomesaError
from exomesa.lightcurves.fitsio import read_header_ids

__all__ = ["check_tess_files"]

logger = logging.getLogger(__name__)


def check_tess_files(catalog: pd.DataFrame, paths: Iterable[Path | str], label: str = "the catalog") -> None:
    """Check that TESS light-curve files belong to rows of ``catalog`` (matched on ``tic_id``).

    Files of other missions and unreadable files are left to the builder. When *no* TESS file matches a row,
    raise one :class:`ExomesaError` naming the file(s) and TIC(s); when some do, warn about the others.
    """
    tess: list[tuple[Path, int]] = []
    for path in paths:
        try:
            mission, target = read_header_ids(path)
        except ExomesaError:
            continue
        if mission == "TESS":
            tess.append((Path(path), target))
    if not tess:
        return
    tics = set()
    if "tic_id" in catalog.columns:
        tics = set(pd.to_numeric(catalog["tic_id"], errors="coerce").dropna().astype("int64").tolist())
    unmatched = [(p, t) for p, t in tess if t not in tics]
    if not unmatched:
        return
    shown = ", ".join(f"{p.name} (TIC {t})" for p, t in unmatched[:3]) + (
        " ..." if len(unmatched) > 3 else ""
    )
    if len(unmatched) == len(tess):
        where = "has no tic_id column" if "tic_id" not in catalog.columns else "has no row with that TIC ID"
        raise ExomesaError(
            f"{shown}: TESS light-curve file(s) whose TIC matches no row: {label} {where}. Pass the TOI table "
            "these stars are in (e.g. --catalog toi, or an ExoFOP export), or leave those files out."
        )
    for path, tic in unmatched:
        logger.warning("%s: TIC %d matches no row of %s; file left out", path.name, tic, label)
