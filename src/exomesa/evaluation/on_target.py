"""The "is it on target?" record of a vetting sheet: ephemeris matches and the catalog's centroid offsets.

A signal that is not its own star's shows up two ways in a catalog: another star (or a DR24 TCE) with the same
ephemeris (:mod:`exomesa.features.ephemeris`), and a difference-image centroid away from the target
(``koi_dicco_*``: offset from the out-of-transit centroid; ``koi_dikco_*``: offset from the KIC position; each
``msky`` with its uncertainty, the multi-quarter average). :func:`on_target_records` turns both into one record per
candidate with the evidence they imply; no disposition is read.

Record keys: ``matches_as_child`` (list of {parent, parent_source, ratio, significance, separation_arcsec,
depth_ratio, mechanism}), ``matches_as_parent`` (same with ``child``), ``centroids`` (list of {column, label,
offset_arcsec, err_arcsec, significance}), ``evidence`` (list of str), ``false_positive_evidence`` (bool).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from exomesa.data.schema import CANDIDATE_ID

__all__ = ["CENTROID_SIGMA", "CENTROID_COLUMNS", "on_target_records"]

logger = logging.getLogger(__name__)

#: A centroid offset at least this many sigma counts as off target (the DR25 Robovetter's 3 sigma).
CENTROID_SIGMA = 3.0
#: (column stem, label) of the catalog's difference-image centroid offsets.
CENTROID_COLUMNS = (
    ("koi_dicco", "in-transit centroid vs out-of-transit centroid"),
    ("koi_dikco", "in-transit centroid vs the KIC position"),
)


def _float(row: pd.Series, col: str) -> float:
    v = pd.to_numeric(pd.Series([row.get(col)]), errors="coerce").iloc[0]
    return float(v) if np.isfinite(v) else float("nan")


def _centroids(row: pd.Series) -> list[dict[str, Any]]:
    out = []
    for stem, label in CENTROID_COLUMNS:
        offset, err = _float(row, f"{stem}_msky"), _float(row, f"{stem}_msky_err")
        if not np.isfinite(offset):
            continue
        sig = offset / err if np.isfinite(err) and err > 0 else float("nan")
        out.append(
            {
                "column": f"{stem}_msky",
                "label": label,
                "offset_arcsec": offset,
                "err_arcsec": err,
                "ra_arcsec": _float(row, f"{stem}_mra"),
                "dec_arcsec": _float(row, f"{stem}_mdec"),
                "significance": sig,
            }
        )
    return out


def on_target_records(df: pd.DataFrame, matches: pd.DataFrame | None) -> list[dict[str, Any]]:
    """One "is it on target?" record per row of ``df`` (module docstring).

    Args:
        df: canonical catalog rows (``candidate_id``, or ``kepoi_name`` in a Kepler table of an earlier version;
            centroid columns used where present).
        matches: :func:`exomesa.features.ephemeris.find_matches` output covering those rows (None: not run).
    """
    matches = matches if matches is not None else pd.DataFrame(columns=["child", "parent"])
    by_child = {k: g for k, g in matches.groupby("child")} if len(matches) else {}
    by_parent = {k: g for k, g in matches.groupby("parent")} if len(matches) else {}
    keep = ["ratio", "significance", "separation_arcsec", "depth_ratio", "mechanism"]
    records = []
    for _, row in df.iterrows():
        name = str(row.get(CANDIDATE_ID, row.get("kepoi_name")))
        child = by_child.get(name)
        parent = by_parent.get(name)
        as_child = [] if child is None else child[["parent", "parent_source", *keep]].to_dict("records")
        as_parent = [] if parent is None else parent[["child", "child_source", *keep]].to_dict("records")
        evidence = []
        for m in as_child[:3]:
            where = (
                f"{m['separation_arcsec']:.1f}″ away"
                if np.isfinite(m["separation_arcsec"])
                else "position unknown"
            )
            mech = {
                "psf_overlap": "light of that star's PSF in this aperture",
                "distant": "too far for the PSF: CCD crosstalk, a column anomaly or a reflection",
                "unknown_position": "mechanism unknown (no position for the parent)",
            }.get(m["mechanism"], m["mechanism"])
            evidence.append(
                f"false-positive evidence: the ephemeris matches {m['parent']} at {m['ratio']} "
                f"({m['significance']:.1f} σ, {where}; {mech}), the likelier source of this signal"
            )
        centroids = _centroids(row)
        off = [c for c in centroids if np.isfinite(c["significance"]) and c["significance"] >= CENTROID_SIGMA]
        for c in off:
            evidence.append(
                f"false-positive evidence: {c['label']} offset {c['offset_arcsec']:.2f}″ "
                f"({c['significance']:.1f} σ ≥ {CENTROID_SIGMA:g} σ): the transit is not on the target"
            )
        if as_parent:
            evidence.append(
                f"{len(as_parent)} other signal(s) match this ephemeris as contaminated members "
                f"(e.g. {as_parent[0]['child']}): this star is the likelier source, often an eclipsing binary"
            )
        records.append(
            {
                "matches_as_child": as_child,
                "matches_as_parent": as_parent,
                "centroids": centroids,
                "evidence": evidence,
                "false_positive_evidence": bool(as_child or off),
            }
        )
    return records
