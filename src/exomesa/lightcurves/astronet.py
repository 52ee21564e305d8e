"""Import real views preprocessed by AstroNet (Shallue & Vanderburg 2018) and match them to catalog KOIs.

The input is an ``.npz`` with one row per Threshold-Crossing Event (TCE), the arrays of :data:`FIELDS`:
``kepid`` [N] int, ``tce_plnt_num`` [N] int (the TCE's number on its star), ``tce_period`` [N] (days),
``tce_time0bk`` [N] (BKJD), ``tce_duration`` [N] (days), ``global_view`` [N, 2001] and ``local_view`` [N, 201].

1. **Matching** (:func:`match_tces`): a TCE matches the catalog KOI on the same ``kepid`` whose ``koi_period``
   is within :data:`PERIOD_TOLERANCE` (0.5 %, relative to ``koi_period``). When two or more KOIs are that
   close, the one whose epoch agrees with the TCE's (``tce_time0bk`` folded on ``koi_period`` within one
   ``koi_duration`` of ``koi_time0bk``) is taken if exactly one does. A TCE is skipped, with a reason, when no
   KOI is close enough, when the tie stays (ambiguous), or when another TCE claims the same KOI (every
   claimant is skipped).
2. **Rescaling**: AstroNet normalises each view to median 0 and minimum −1, so the depth is lost. The views
   are multiplied by ``koi_depth × 1e-6`` (ppm → relative flux), which puts the floor at −depth and keeps the
   median at 0: exomesa's convention (relative flux − 1; :mod:`.views`). A KOI with a missing or non-positive
   ``koi_depth`` is skipped, and so is a TCE whose views hold NaN or infinite values.

Imported rows have source ``"real"`` and provenance ``"astronet"``, named by the matched ``kepoi_name``.

Example::

    views, skipped = import_astronet_views("kepler_dr24_tce_views.npz", load_catalog("dr25"))
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.data.schema import candidate_column
from exomesa.errors import ExomesaError
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS, ViewSet

__all__ = [
    "FIELDS",
    "PERIOD_TOLERANCE",
    "SKIPPED_COLUMNS",
    "read_astronet_npz",
    "match_tces",
    "import_astronet_views",
]

logger = logging.getLogger(__name__)

FIELDS = ("kepid", "tce_plnt_num", "tce_period", "tce_time0bk", "tce_duration", "global_view", "local_view")
PERIOD_TOLERANCE = 0.005  # |tce_period − koi_period| ≤ 0.5 % of koi_period
SKIPPED_COLUMNS = ("kepid", "tce_plnt_num", "tce_period", "kepoi_name", "reason")
_CATALOG_COLUMNS = ("kepid", "koi_period", "koi_depth")  # and candidate_id (kepoi_name in older tables)


def read_astronet_npz(path: Path | str) -> dict[str, np.ndarray]:
    """The arrays of :data:`FIELDS` from an AstroNet views file, checked.

    Returns:
        ``{field: array}``; ``kepid``/``tce_plnt_num`` int64 [N], the ephemeris float64 [N], ``global_view``
        float32 [N, 2001], ``local_view`` float32 [N, 201] (non-finite values are kept; the import skips them).

    Raises:
        ExomesaError naming the file (and the field) when it is missing, not an ``.npz``, lacks a field, has
        views of the wrong length, arrays of different lengths, or a repeated (kepid, tce_plnt_num) pair.
    """
    path = Path(path)
    if not path.is_file():
        raise ExomesaError(f"AstroNet views file {path} does not exist.")
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):
            raise ValueError("it holds a single array, not named arrays")
        with data:
            missing = [f for f in FIELDS if f not in data.files]
            if missing:
                raise ExomesaError(
                    f"AstroNet views file {path} lacks the field(s) {', '.join(missing)} "
                    f"(it has: {', '.join(data.files) or 'nothing'}); expected {', '.join(FIELDS)}."
                )
            arrays = {f: data[f] for f in FIELDS}
    except ExomesaError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ExomesaError(
            f"AstroNet views file {path} could not be read as .npz ({exc}); give the .npz with the arrays "
            f"{', '.join(FIELDS)}."
        ) from exc

    n = len(np.atleast_1d(arrays["kepid"]))
    for field, bins in (("global_view", GLOBAL_BINS), ("local_view", LOCAL_BINS)):
        arr = arrays[field]
        if arr.ndim != 2 or arr.shape[1] != bins:
            raise ExomesaError(
                f"AstroNet views file {path}: field {field} has shape {list(arr.shape)}; expected [N, {bins}] "
                f"(AstroNet {'global' if bins == GLOBAL_BINS else 'local'} views have {bins} bins)."
            )
    for field in FIELDS:
        arr = arrays[field]
        if arr.ndim == 0 or arr.shape[0] != n:
            raise ExomesaError(
                f"AstroNet views file {path}: field {field} has {arr.shape[0] if arr.ndim else 0} rows but kepid "
                f"has {n}; every field needs one row per TCE."
            )
    out: dict[str, np.ndarray] = {}
    for field in ("kepid", "tce_plnt_num"):
        arr = arrays[field]
        if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
            raise ExomesaError(
                f"AstroNet views file {path}: field {field} must be integers [N], got {arr.dtype}."
            )
        out[field] = arr.astype(np.int64)
    for field in ("tce_period", "tce_time0bk", "tce_duration", "global_view", "local_view"):
        arr = arrays[field]
        if not np.issubdtype(arr.dtype, np.number):
            raise ExomesaError(f"AstroNet views file {path}: field {field} must be numeric, got {arr.dtype}.")
        out[field] = arr.astype(np.float32 if field.endswith("view") else np.float64)

    pairs = pd.DataFrame({"kepid": out["kepid"], "tce_plnt_num": out["tce_plnt_num"]})
    dup = pairs[pairs.duplicated(keep=False)].drop_duplicates()
    if len(dup):
        shown = ", ".join(f"({k}, {p})" for k, p in dup.to_numpy()[:5]) + (" ..." if len(dup) > 5 else "")
        raise ExomesaError(
            f"AstroNet views file {path}: fields kepid/tce_plnt_num repeat {len(dup)} pair(s): {shown}; "
            "each TCE must appear once (remove the duplicate rows)."
        )
    return out


def _catalog_table(catalog: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _CATALOG_COLUMNS if c not in catalog.columns]
    if missing:
        raise ExomesaError(
            f"the catalog lacks the column(s) {', '.join(missing)}; importing AstroNet views needs "
            f"{', '.join(_CATALOG_COLUMNS)}."
        )
    cat = pd.DataFrame(
        {
            "kepid": pd.to_numeric(catalog["kepid"], errors="coerce"),
            "kepoi_name": catalog[candidate_column(catalog)].astype(str).to_numpy(),
            "koi_period": pd.to_numeric(catalog["koi_period"], errors="coerce"),
            "koi_depth": pd.to_numeric(catalog["koi_depth"], errors="coerce"),
            **{
                c: pd.to_numeric(catalog[c], errors="coerce") if c in catalog.columns else np.nan
                for c in ("koi_time0bk", "koi_duration")
            },
        }
    )
    cat = cat[cat["kepid"].notna() & np.isfinite(cat["koi_period"]) & (cat["koi_period"] > 0)]
    return cat.astype({"kepid": np.int64})


def match_tces(
    kepid: np.ndarray,
    tce_period: np.ndarray,
    catalog: pd.DataFrame,
    *,
    tce_time0bk: np.ndarray | None = None,
    tolerance: float = PERIOD_TOLERANCE,
) -> tuple[np.ndarray, np.ndarray]:
    """Match TCEs to catalog KOIs on the same ``kepid`` with ``koi_period`` within ``tolerance`` (relative).

    Args:
        kepid: [N] int; tce_period: [N] days; catalog: with ``kepid``, ``kepoi_name``, ``koi_period`` [d]
            and ``koi_depth`` [ppm] (``koi_time0bk`` [BKJD] and ``koi_duration`` [h] break ties).
        tce_time0bk: [N] BKJD epochs used to break a tie between KOIs of near-equal periods; None: no tie-break.

    Returns:
        (kepoi_name [N] str; reason [N] str). A row is matched where its reason is ``""``; a skipped row keeps
        the KOI it claimed when another TCE claims it too, else ``""``.
    """
    cat = _catalog_table(catalog)
    t0 = np.full(len(kepid), np.nan) if tce_time0bk is None else np.asarray(tce_time0bk, dtype=np.float64)
    tces = pd.DataFrame(
        {"row": np.arange(len(kepid)), "kepid": kepid, "tce_period": tce_period, "tce_t0": t0}
    )
    pairs = tces.merge(cat, on="kepid", how="inner")
    pairs = pairs[np.abs(pairs["tce_period"] - pairs["koi_period"]) <= tolerance * pairs["koi_period"]]
    period = pairs["koi_period"].to_numpy()
    offset = (
        np.mod(pairs["tce_t0"].to_numpy() - pairs["koi_time0bk"].to_numpy() + period / 2, period) - period / 2
    )
    pairs = pairs.assign(same_epoch=np.abs(offset) <= pairs["koi_duration"].to_numpy() / 24.0)  # NaN → False
    names = np.full(len(kepid), "", dtype=object)
    reasons = np.full(len(kepid), "", dtype=object)
    pct = f"{tolerance:.1%}"
    for row in range(len(kepid)):
        reasons[row] = f"no KOI on kepid {kepid[row]} with koi_period within {pct} of {tce_period[row]:.6g} d"
    for row, group in pairs.groupby("row"):
        if len(group) > 1 and group["same_epoch"].sum() == 1:
            group = group[group["same_epoch"]]
        if len(group) > 1:
            shown = ", ".join(f"{n} ({p:.6g} d)" for n, p in group[["kepoi_name", "koi_period"]].to_numpy())
            reasons[row] = (
                f"ambiguous: {len(group)} KOIs with koi_period within {pct} and no single one at the TCE's "
                f"epoch: {shown}"
            )
        else:
            names[row] = group["kepoi_name"].iloc[0]
            reasons[row] = ""
    claimed = pd.Series(names[reasons == ""]).value_counts()
    for name in claimed[claimed > 1].index:
        rows = np.flatnonzero(names == name)
        for row in rows:
            reasons[row] = f"ambiguous: {name} is claimed by {len(rows)} TCEs"
    return names.astype(str), reasons.astype(str)


def import_astronet_views(npz_path: Path | str, catalog: pd.DataFrame) -> tuple[ViewSet, pd.DataFrame]:
    """Real views from an AstroNet views file, matched to ``catalog`` KOIs and rescaled to their depth.

    Args:
        npz_path: the AstroNet ``.npz`` (see the module docstring for its arrays).
        catalog: a canonical KOI table with ``kepid``, ``kepoi_name``, ``koi_period`` [d], ``koi_depth`` [ppm].

    Returns:
        (ViewSet of the matched TCEs in file order, named by ``kepoi_name``, source ``"real"``, provenance
         ``"astronet"``; skipped: DataFrame with :data:`SKIPPED_COLUMNS`, one row per TCE left out).

    Raises:
        ExomesaError: the file is unreadable or malformed (see :func:`read_astronet_npz`), or the catalog
            lacks a needed column.
    """
    data = read_astronet_npz(npz_path)
    n = len(data["kepid"])
    finite = np.isfinite(data["global_view"]).all(axis=1) & np.isfinite(data["local_view"]).all(axis=1)
    names = np.full(n, "", dtype=object)
    reasons = np.full(n, "views hold NaN or infinite values", dtype=object)
    rows = np.flatnonzero(finite)
    names[rows], reasons[rows] = match_tces(
        data["kepid"][rows], data["tce_period"][rows], catalog, tce_time0bk=data["tce_time0bk"][rows]
    )

    depth_of = dict(
        zip(
            catalog[candidate_column(catalog)].astype(str),
            pd.to_numeric(catalog["koi_depth"], errors="coerce"),
            strict=True,
        )
    )
    depth_ppm = np.full(n, np.nan)
    for row in np.flatnonzero(reasons == ""):
        depth = depth_of.get(names[row], np.nan)
        if not (np.isfinite(depth) and depth > 0):
            reasons[row] = f"koi_depth of {names[row]} is {depth}; cannot restore the depth of the view"
        else:
            depth_ppm[row] = depth

    keep = reasons == ""
    scale = (depth_ppm[keep] * 1e-6).astype(np.float32)[:, None]
    views = ViewSet(
        candidate_id=names[keep].astype(str),
        global_view=data["global_view"][keep] * scale,
        local_view=data["local_view"][keep] * scale,
        source=["real"] * int(keep.sum()),
        provenance=["astronet"] * int(keep.sum()),
    )
    skipped = pd.DataFrame(
        {
            "kepid": data["kepid"][~keep],
            "tce_plnt_num": data["tce_plnt_num"][~keep],
            "tce_period": data["tce_period"][~keep],
            "kepoi_name": names[~keep].astype(str),
            "reason": reasons[~keep].astype(str),
        },
        columns=list(SKIPPED_COLUMNS),
    )
    for _, s in skipped.head(10).iterrows():
        logger.warning("skipped TCE kepid %d #%d: %s", s["kepid"], s["tce_plnt_num"], s["reason"])
    if len(skipped) > 10:
        logger.warning("... and %d more skipped TCE(s)", len(skipped) - 10)
    logger.debug(
        "imported %d AstroNet view(s) of %d TCE(s) in %s; skipped %d", len(views), n, npz_path, len(skipped)
    )
    return views, skipped
