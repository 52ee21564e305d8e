"""``exomesa ephemeris``: match a catalog's ephemerides and write ``matches.csv`` plus a summary JSON beside it.

from exomesa.jobs.ephemeris import match_ephemerides
match_ephemerides("dr25", "runs/eph/matches.csv")         # + runs/eph/matches.summary.json
match_ephemerides("toi", "runs/eph/toi_matches.csv")      # + runs/eph/toi_matches.summary.json

The science is in :mod:`exomesa.features.ephemeris` (pure numpy/pandas); this job reads the catalog, calls it and
writes the files. ``matches.csv`` is the :data:`~exomesa.features.ephemeris.MATCH_COLUMNS` table led by the
contaminated candidate's ``candidate_id`` (and ``kepoi_name`` for a Kepler catalog). Dispositions appear only in
the summary's report of the matched candidates (how many are false positives), never as an input of the matching.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pandas as pd

from exomesa.data.catalog import load_catalog
from exomesa.data.schema import CANDIDATE_ID, LABEL, candidate_column
from exomesa.data.tce import TCE_SOURCE
from exomesa.errors import ExomesaError
from exomesa.features.ephemeris_group import is_kepler, match_catalog
from exomesa.utils import check_writable, write_json

__all__ = ["summary_path", "match_ephemerides", "matches_table", "summarize_matches"]

logger = logging.getLogger(__name__)


def summary_path(out: Path) -> Path:
    """The summary JSON written beside ``out``: ``matches.csv`` → ``matches.summary.json``."""
    return out.with_name(out.stem + ".summary.json")


def matches_table(catalog: pd.DataFrame, matches: pd.DataFrame) -> pd.DataFrame:
    """The ``matches.csv`` layout: ``candidate_id`` of the contaminated candidate (blank where the contaminated
    member is a DR24 TCE and the candidate is the parent), ``kepoi_name`` (the same) when ``catalog`` is a Kepler
    table that has one, then the match columns."""
    child = matches["child"].astype(str).where(matches["child_source"] == "candidate")
    keys = {CANDIDATE_ID: child}
    if "kepoi_name" in catalog.columns and is_kepler(catalog):
        keys["kepoi_name"] = child
    return pd.concat([pd.DataFrame(keys, index=matches.index), matches], axis=1)


def summarize_matches(catalog: pd.DataFrame, matches: pd.DataFrame) -> dict[str, Any]:
    """Counts of a match table; the disposition mix of the contaminated candidates (a report, not an input)."""
    contaminated = matches.loc[matches["child_source"] == "candidate", "child"].astype(str).unique()
    names = catalog[candidate_column(catalog)].astype(str)
    summary: dict[str, Any] = {
        "n_candidates": int(len(catalog)),
        "n_matches": int(len(matches)),
        "n_contaminated": int(len(contaminated)),
        "n_parents": int(matches["parent"].nunique()),
        "by_parent_source": matches["parent_source"].value_counts().to_dict(),
        "by_mechanism": matches["mechanism"].value_counts().to_dict(),
        "by_ratio": matches["ratio"].value_counts().to_dict(),
    }
    for column in (LABEL, "tfopwg_disposition"):
        if column in catalog.columns:
            disp = catalog[column].astype("string").fillna("(blank)").set_axis(names)
            mix = disp.reindex(contaminated).value_counts()
            summary[f"contaminated_{column}"] = {str(k): int(v) for k, v in mix.items()}
            summary[f"contaminated_{column}_fraction"] = {
                str(k): round(float(v) / max(len(contaminated), 1), 4) for k, v in mix.items()
            }
    return summary


def match_ephemerides(
    catalog: str | Path, out: str | Path, *, force: bool = False, min_significance: float = 3.0
) -> dict[str, Any]:
    """Match ``catalog`` (``"dr25"``, ``"toi"`` or a table path) against itself (and, for a Kepler catalog, the
    shipped DR24 TCEs) and write ``out`` (:func:`matches_table`) and its summary JSON (:func:`summary_path`).

    Returns the summary.
    """
    out = Path(out)
    if out.suffix.lower() != ".csv":
        raise ExomesaError(f"{out}: --out must name a .csv file (e.g. matches.csv).")
    summary_file = summary_path(out)
    check_writable([out, summary_file], force, what="ephemeris matches")
    df = load_catalog(catalog, require_label=False)
    missing = [c for c in ("koi_period", "koi_duration") if c not in df.columns]
    if "koi_time0bk" not in df.columns and "koi_time0" not in df.columns:
        missing.append("koi_time0bk (or koi_time0 in BJD)")
    if missing:
        raise ExomesaError(
            f"{catalog}: ephemeris matching needs {', '.join(missing)}; give a KOI or TOI table with periods, "
            "epochs and durations (e.g. a NASA Exoplanet Archive export)."
        )
    start = time.perf_counter()
    try:
        matches = match_catalog(df, min_significance=min_significance)
    except ExomesaError as exc:  # e.g. a mission without matching geometry: name the table
        raise ExomesaError(f"{catalog}: {exc}") from exc
    seconds = time.perf_counter() - start
    summary = {
        "catalog": str(catalog),
        "min_significance": min_significance,
        "parents": f"the catalog itself{' + ' + TCE_SOURCE if is_kepler(df) else ''}",
        "seconds": round(seconds, 3),
        **summarize_matches(df, matches),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    matches_table(df, matches).to_csv(out, index=False, float_format="%.6g")
    write_json(summary_file, summary)
    logger.info(
        "%d match(es); %d of %d candidates contaminated -> %s (summary: %s)",
        summary["n_matches"],
        summary["n_contaminated"],
        summary["n_candidates"],
        out,
        summary_file,
    )
    return summary
