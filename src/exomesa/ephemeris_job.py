"""``exomesa ephemeris``: match a catalog's ephemerides and write ``matches.csv`` plus a summary JSON beside it.

The science is in :mod:`exomesa.features.ephemeris` (pure numpy/pandas); this job reads the catalog, calls it and
writes the files. Dispositions appear only in the summary's report of the matched candidates (how many are false
positives), never as an input of the matching.

Example::

    exomesa ephemeris --catalog dr25 --out runs/eph/matches.csv
    exomesa ephemeris --catalog toi --out runs/eph/toi_matches.csv
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pandas as pd

from exomesa.data.catalog import load_catalog
from exomesa.data.schema import LABEL
from exomesa.data.tce import TCE_SOURCE
from exomesa.errors import ExomesaError
from exomesa.features.ephemeris_group import is_kepler, match_catalog
from exomesa.utils import check_writable, write_json

__all__ = ["summary_path", "run_ephemeris", "summarize_matches"]

logger = logging.getLogger(__name__)


def summary_path(out: Path) -> Path:
    """The summary JSON written beside ``out``: ``matches.csv`` → ``matches.summary.json``."""
    return out.with_name(out.stem + ".summary.json")


def summarize_matches(catalog: pd.DataFrame, matches: pd.DataFrame) -> dict[str, Any]:
    """Counts of a match table; the disposition mix of the contaminated candidates (a report, not an input)."""
    contaminated = matches.loc[matches["child_source"] == "candidate", "child"].astype(str).unique()
    names = catalog["kepoi_name"].astype(str)
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


def run_ephemeris(
    catalog: str | Path, out: Path, *, force: bool = False, min_significance: float = 3.0
) -> dict[str, Any]:
    """Match ``catalog`` (``"dr25"``, ``"toi"`` or a table path) and write ``out`` and its summary JSON.

    Returns the summary (also written to :func:`summary_path`).
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
    matches = match_catalog(df, min_significance=min_significance)
    seconds = time.perf_counter() - start
    summary = {
        "catalog": str(catalog),
        "min_significance": min_significance,
        "parents": f"the catalog itself{' + ' + TCE_SOURCE if is_kepler(df) else ''}",
        "seconds": round(seconds, 3),
        **summarize_matches(df, matches),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    matches.to_csv(out, index=False, float_format="%.6g")
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
