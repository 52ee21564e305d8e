"""ExoFOP-TESS TOI exports, the embedded 2024-09-30 table, and what every TESS TOI source shares.

An export (``download_toi.php?output=csv``) has a UTF-8 BOM, one comment line ("This file was produced by the
Exoplanet Follow-up Observing Program ..."), then a header with units in the names (``TIC ID``, ``TOI``,
``Period (days)``, ``Transit Epoch (BJD)``, ``Depth (ppm)``, ...). The embedded TESS data set
(:data:`TOI_RESOURCE`, exported 2024-09-30, 7,236 TOIs on 6,959 stars) is such a file.

Native keys: ``TIC ID`` → ``tic_id`` (→ ``star_id``), ``TOI`` → ``toi = 101.01`` (→ ``candidate_id =
"TOI-101.01"``). Physical columns with the same meaning as a KOI column take its canonical ``koi_*`` name
(:data:`EXOFOP_COLUMNS`). Time system: ``koi_time0`` is the mid-transit epoch in BJD (TDB), as both TOI tables
give it, and ``koi_time0bk = koi_time0 − 2454833`` (the Kepler BKJD offset) so the light-curve layer reads
Kepler and TESS rows alike.

Labels (TFOPWG disposition): CP, KP → CONFIRMED; PC, APC → CANDIDATE; FP, FA → FALSE POSITIVE. A blank one is
unlabelled: kept when ``require_label=False`` (``predict``), dropped with a logged count otherwise.

Also defined here, for every TESS TOI source (:mod:`.toi_archive`): :data:`LEAKY_COLUMNS`, the ``toi`` preset
and the SPOC 2-min light-curve files (:data:`LIGHTCURVES`: ``tess<time>-s<sector>-<TIC>-<n>-s_lc.fits``,
``TICID`` header, BTJD times).
"""

from __future__ import annotations

import gzip
import io
import logging
import re
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError
from exomesa.sources.base import CANDIDATE_ID, STAR_ID, LightCurveFiles, Source, snake

__all__ = [
    "TOI_RESOURCE",
    "TOI_SOURCE",
    "TOI_EXPORT_DATE",
    "TOI_DISPOSITIONS",
    "EXOFOP_COLUMNS",
    "BKJD_OFFSET",
    "LEAKY_COLUMNS",
    "LEAKY_PATTERNS",
    "PRESETS",
    "LIGHTCURVES",
    "SOURCE",
    "toi_path",
    "head_text",
    "is_exofop_file",
    "read_exofop",
    "toi_to_koi_names",
]

logger = logging.getLogger(__name__)

TOI_RESOURCE = "exofop_tess_tois_2024-09-30.csv.gz"
TOI_SOURCE = "ExoFOP-TESS TOI table (https://exofop.ipac.caltech.edu/tess/view_toi.php)"
TOI_EXPORT_DATE = "2024-09-30"
BKJD_OFFSET = 2454833.0  # BKJD = BJD - 2454833 (Kepler); BTJD = BJD - 2457000 (TESS)
_MIN_BJD = 2_400_000.0  # a BJD epoch of any space mission is above this; BTJD/BKJD values are far below
_LABEL = "koi_disposition"  # the canonical label column (exomesa.data.LABEL)

#: TFOPWG disposition code → canonical class (:data:`~exomesa.data.schema.CLASSES`).
TOI_DISPOSITIONS: dict[str, str] = {
    "CP": "CONFIRMED",
    "KP": "CONFIRMED",
    "PC": "CANDIDATE",
    "APC": "CANDIDATE",
    "FP": "FALSE POSITIVE",
    "FA": "FALSE POSITIVE",
}

#: TOI columns (ExoFOP names snake-cased, and the archive TOI table's names) that encode the TFOPWG outcome or
#: the follow-up it led to: dispositions, comments (e.g. "WASP-46 b"), the Source string (with disposition
#: suffixes such as ``spoc-s01-s69-b0A-KP``), follow-up counts, priorities and dates.
LEAKY_COLUMNS: frozenset[str] = frozenset(
    {
        "tfopwg_disposition",
        "tfopwg_disp",
        "tess_disposition",
        "comments",
        "source",
        "time_series_observations",
        "spectroscopy_observations",
        "imaging_observations",
        "master_priority",
        "toi_created",
        "rowupdate",
        "release_date",
    }
)
LEAKY_PATTERNS: tuple[re.Pattern, ...] = (re.compile(r"^sg\w*_priority$"), re.compile(r"^date(_|$)"))

#: ``toi``: every non-leaky physical TOI column (docs/features.md, "TESS TOI columns"). Metallicity and all
#: ``*_err`` uncertainties stay out, as on Kepler (they reveal spectroscopic follow-up).
PRESETS: dict[str, dict[str, list[str]]] = {
    "toi": {
        "planet": ["koi_period", "koi_depth", "koi_prad", "koi_duration", "koi_teq", "koi_insol"],
        "stellar": ["koi_steff", "koi_srad", "koi_slogg", "koi_smass", "tess_mag", "st_dist"],
        "diagnostics": ["koi_model_snr"],
    },
}

#: TESS SPOC 2-min PDCSAP light curves (MAST ``tess<time>-s<sector>-<TIC 16 digits>-<n>-s_lc.fits``).
LIGHTCURVES = LightCurveFiles(
    mission="TESS",
    telescopes=("TESS",),
    header_key="TICID",
    id_prefix="TIC",
    id_column="tic_id",
    file_name=re.compile(r"^tess\d+-s\d+-(\d{16})-\d+-[sf]_lc\.fits(\.gz)?$", re.IGNORECASE),
    cache_glob="tess*-{id:016d}-*_lc.fits",
    search={"mission": "TESS", "author": "SPOC", "exptime": 120},
    what="TESS SPOC 2-min",
    files="*_lc.fits",
    bjd_ref=2457000.0,
)

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

# Canonical columns that hold text (everything else mapped is numeric).
_TEXT = {"tfopwg_disposition", "toi_sectors", CANDIDATE_ID, "mission"}


def toi_path() -> Path:
    """Path of the embedded ExoFOP-TESS TOI table (package data, gzip CSV, 1.2 MB)."""
    path = Path(str(files("exomesa.data").joinpath("files", TOI_RESOURCE)))
    if not path.is_file():
        raise ExomesaError(
            f"the embedded TOI table {TOI_RESOURCE} is missing from the installed package ({path}); reinstall "
            "exomesa (`pip install --force-reinstall exomesa`)."
        )
    return path


def head_text(path: Path, n_bytes: int = 4096) -> str:
    """The first ``n_bytes`` of a (possibly gzip) text file, decoded; "" when unreadable."""
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            return fh.read(n_bytes).decode("utf-8-sig", "replace")
    except (OSError, EOFError):
        return ""


def is_exofop_file(path: Path | str, columns: list[str] | None = None) -> bool:
    """True when ``path`` (CSV, optionally gzip) is an ExoFOP-TESS TOI export (a ``TIC ID``/``TOI`` header)."""
    head = head_text(Path(path))
    for line in head.splitlines()[:5]:
        cells = {c.strip().strip('"').lower() for c in line.split(",")}
        if "toi" in cells and ("tic id" in cells or "tfopwg disposition" in cells):
            return True
    return "Exoplanet Follow-up Observing Program" in head[:300]


def read_exofop(path: Path) -> pd.DataFrame:
    """The raw ExoFOP table: skip the BOM and the comment lines before the header."""
    text_head = head_text(path, 8192).splitlines()
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


def toi_to_koi_names(
    raw: pd.DataFrame, source: str, require_label: bool = True, *, mapping: dict[str, str] | None = None
) -> pd.DataFrame:
    """Map a raw TOI table onto the canonical names and check what is TOI-specific (see module doc).

    ``mapping`` (raw name → canonical) is :data:`EXOFOP_COLUMNS` (names snake-cased) unless the archive TOI
    source passes its own (names lower-cased). Adds ``candidate_id = "TOI-101.01"``, ``star_id = tic_id``,
    ``mission = "TESS"``, ``koi_time0bk`` and ``n_sectors``.

    Raises:
        ExomesaError (one line naming ``source``, the column or row, and what to do): no TIC column, unknown
        disposition codes, duplicate TOI numbers, a period ≤ 0, an epoch that is not BJD.
    """
    archive = mapping is not None
    mapping = EXOFOP_COLUMNS if mapping is None else mapping
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
    df.insert(0, CANDIDATE_ID, ["TOI-" + f"{v:.2f}" for v in toi_num])
    dup = df[CANDIDATE_ID].duplicated(keep=False)
    if dup.any():
        first = df[CANDIDATE_ID][dup].iloc[0]
        rows = (np.flatnonzero((df[CANDIDATE_ID] == first).to_numpy()) + 1).tolist()
        raise ExomesaError(
            f"{source}: duplicate TOI number {first} at rows {rows} ({df[CANDIDATE_ID][dup].nunique()} "
            "duplicated); each TOI must appear once, so remove the repeated rows."
        )
    df.insert(1, STAR_ID, df["tic_id"].to_numpy())
    df["mission"] = "TESS"

    if "koi_period" in df.columns:
        bad = df["koi_period"].notna() & (df["koi_period"] <= 0)
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ExomesaError(
                f"{source}: the period of {df[CANDIDATE_ID].iloc[row]} (row {row + 1}) is "
                f"{df['koi_period'].iloc[row]:g} d; a period must be positive (leave the cell blank for a "
                "single-transit TOI)."
            )
    if "koi_time0" in df.columns:
        low = df["koi_time0"].notna() & (df["koi_time0"] < _MIN_BJD)
        if low.any():
            row = int(np.flatnonzero(low.to_numpy())[0])
            raise ExomesaError(
                f"{source}: the transit epoch of {df[CANDIDATE_ID].iloc[row]} (row {row + 1}) is "
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
        df[_LABEL] = label.astype(object).where(~blank, np.nan)
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
    return df.reset_index(drop=True)


SOURCE = Source(
    name="toi",
    mission="TESS",
    candidate_word="TOI",
    title=TOI_SOURCE,
    star_column="tic_id",
    candidate_column="toi",
    label_column="tfopwg_disposition",
    leaky_columns=LEAKY_COLUMNS,
    leaky_patterns=LEAKY_PATTERNS,
    presets=PRESETS,
    lightcurves=LIGHTCURVES,
    detect=is_exofop_file,
    read=read_exofop,
    to_canonical_names=toi_to_koi_names,
    embedded_path=toi_path,
    export_date=TOI_EXPORT_DATE,
)
