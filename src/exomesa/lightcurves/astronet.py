"""Import real views preprocessed by AstroNet (Shallue & Vanderburg 2018) and match them to catalog KOIs.

The input is an ``.npz`` with one row per Threshold-Crossing Event (TCE), the arrays of :data:`FIELDS`:
``kepid`` [N] int, ``tce_plnt_num`` [N] int (the TCE's number on its star), ``tce_period`` [N] (days),
``tce_time0bk`` [N] (BKJD), ``tce_duration`` [N] (days), ``global_view`` [N, 2001] (the whole phase) and
``local_view`` [N, 201] (±4 durations, bins 0.16 durations wide; **all NaN where AstroNet's local view is not
known**). Other arrays are not read: in particular ``av_training_set`` (the DR24 vetting label of each TCE)
never enters a view or a feature; :func:`read_tce_labels` reads it, as a label, for pretraining only.

1. **Matching** (:func:`match_tces`), KOI by KOI: the TCEs on the KOI's ``kepid`` whose ``tce_period`` is within
   :data:`PERIOD_TOLERANCE` (0.5 %, relative to ``koi_period``) and whose epoch agrees with the KOI's
   (``tce_time0bk`` folded on ``koi_period`` within one ``koi_duration`` of ``koi_time0bk``) are its
   candidates, and the nearest epoch wins (then the nearest period). An eclipsing binary's primary and
   secondary eclipse are two TCEs at one period: the one at the KOI's epoch is taken, the other is *another
   TCE of that KOI*. Where the catalog or the file has no epoch, the period alone decides; two KOIs that stay
   tied for one TCE leave it unmatched (ambiguous). A TCE that matches no KOI is *not a KOI* (most TCEs of a
   star are not): it is counted, never reported as an error.
2. **Local view**: where AstroNet's local view is missing (any NaN), it is cut from the global view with
   AstroNet's geometry (:func:`cut_local_views`) and the row's provenance is ``"astronet_cut"`` instead of
   ``"astronet"``. Both span ±4 durations (``LOCAL_HALF_WIDTH_OF``), unlike views built by ``lightcurves
   build`` (±2).
3. **Rescaling**: AstroNet normalises each view to median 0 and minimum −1, so the depth is lost. The views
   are multiplied by ``koi_depth × 1e-6`` (ppm → relative flux), which puts the floor at −depth and keeps the
   median at 0: exomesa's convention (relative flux − 1; :mod:`.views`). A KOI with a missing or non-positive
   ``koi_depth`` is skipped, and so is a TCE whose global view holds NaN or infinite values.

Imported rows have source ``"real"`` and are named by the matched ``kepoi_name``.

Example::

    result = import_astronet("kepler_dr24_global_views.npz", load_catalog("dr25"))
    result.views, result.skipped, result.counts   # ViewSet, skipped TCEs, summary counts
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.data.schema import candidate_column
from exomesa.errors import ExomesaError
from exomesa.lightcurves.views import (
    ASTRONET_LOCAL_HALF_WIDTH_DURATIONS,
    GLOBAL_BINS,
    LOCAL_BIN_WIDTH_DURATIONS,
    LOCAL_BINS,
    ViewSet,
)

__all__ = [
    "FIELDS",
    "PERIOD_TOLERANCE",
    "SKIPPED_COLUMNS",
    "MATCH_COLUMNS",
    "NOT_A_KOI",
    "OTHER_TCE",
    "LABEL_FIELD",
    "AstronetImport",
    "read_astronet_npz",
    "read_tce_labels",
    "TCE_LABELS",
    "read_tce_pretraining",
    "cut_local_views",
    "match_tces",
    "import_astronet",
    "import_astronet_views",
]

logger = logging.getLogger(__name__)

FIELDS = ("kepid", "tce_plnt_num", "tce_period", "tce_time0bk", "tce_duration", "global_view", "local_view")
PERIOD_TOLERANCE = 0.005  # |tce_period − koi_period| ≤ 0.5 % of koi_period
SKIPPED_COLUMNS = ("kepid", "tce_plnt_num", "tce_period", "kepoi_name", "reason")
#: One row per imported KOI: the TCE it was matched to and whether its local view is AstroNet's or cut.
MATCH_COLUMNS = (
    "candidate_id", "kepid", "tce_plnt_num", "tce_period", "tce_time0bk", "tce_duration", "epoch_offset_hours",
    "local_view",
)  # fmt: skip
NOT_A_KOI = "not a KOI"  # reason prefix of a TCE no KOI matches (counted, not an error)
OTHER_TCE = (
    "another TCE"  # reason prefix of a TCE whose KOI took a TCE nearer its epoch (counted, not an error)
)
#: The DR24 vetting label of each TCE in the file (PC/AFP/NTP): a pretraining label only, never a feature.
LABEL_FIELD = "av_training_set"
_CATALOG_COLUMNS = ("kepid", "koi_period", "koi_depth")  # and candidate_id (kepoi_name in older tables)


def read_astronet_npz(path: Path | str) -> dict[str, np.ndarray]:
    """The arrays of :data:`FIELDS` from an AstroNet views file, checked.

    Returns:
        ``{field: array}``; ``kepid``/``tce_plnt_num`` int64 [N], the ephemeris float64 [N], ``global_view``
        float32 [N, 2001], ``local_view`` float32 [N, 201] (non-finite values are kept: a NaN local view is
        cut from the global view on import, a TCE with a non-finite global view is skipped).

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


def read_tce_labels(path: Path | str) -> pd.DataFrame:
    """The DR24 vetting label of every TCE in an AstroNet views file, **for pretraining only**.

    ``av_training_set`` (PC / AFP / NTP) was made by human vetting of the same signals that became KOIs: it is a
    training label for a light-curve encoder on the training-fold stars' TCEs, never a feature, and a TCE of a
    test-fold star must never be trained on with it.

    Returns:
        DataFrame [N rows] with ``kepid``, ``tce_plnt_num`` and ``av_training_set_label`` (str), in file order.

    Raises:
        ExomesaError naming the file when it has no ``av_training_set``.
    """
    data = read_astronet_npz(path)
    with np.load(Path(path), allow_pickle=False) as raw:
        if LABEL_FIELD not in raw.files:
            raise ExomesaError(f"AstroNet views file {path} has no {LABEL_FIELD} array (no TCE labels).")
        labels = raw[LABEL_FIELD].astype(str)
    if len(labels) != len(data["kepid"]):
        raise ExomesaError(
            f"AstroNet views file {path}: field {LABEL_FIELD} has {len(labels)} rows but kepid has "
            f"{len(data['kepid'])}."
        )
    return pd.DataFrame(
        {"kepid": data["kepid"], "tce_plnt_num": data["tce_plnt_num"], f"{LABEL_FIELD}_label": labels}
    )


#: The DR24 vetting labels of TCEs (``av_training_set``): planet candidate, astrophysical false positive,
#: non-transiting phenomenon. Index = the class a pretraining head predicts.
TCE_LABELS = ("PC", "AFP", "NTP")


def read_tce_pretraining(path: Path | str) -> dict[str, np.ndarray]:
    """Every labelled TCE of an AstroNet views file as pretraining material for a light-curve encoder.

    The views are rescaled to each TCE's DR24 depth (``tce_depth`` of the shipped TCE table, ppm), as imported
    KOI views are to ``koi_depth``; a missing local view is cut from the global view. ``av_training_set`` is
    returned as the **training label** of a pretraining head only: never a feature, and the caller must drop
    the TCEs of every test star before training on it.

    Returns:
        ``kepid`` [N] int64, ``tce_plnt_num`` [N] int64, ``global_view`` [N, 2001] and ``local_view`` [N, 201]
        float32 (relative flux − 1), ``label`` [N] int64 (index into :data:`TCE_LABELS`). TCEs without a
        finite global view, a positive depth or a known label are left out.
    """
    from exomesa.data.tce import load_dr24_tces

    data = read_astronet_npz(path)
    labels = read_tce_labels(path)[f"{LABEL_FIELD}_label"].astype(str).to_numpy()
    keys = pd.DataFrame({"kepid": data["kepid"], "tce_plnt_num": data["tce_plnt_num"]})
    depth = keys.merge(
        load_dr24_tces()[["kepid", "tce_plnt_num", "tce_depth"]], on=["kepid", "tce_plnt_num"], how="left"
    )["tce_depth"].to_numpy(np.float64)
    label_index = {name: i for i, name in enumerate(TCE_LABELS)}
    y = np.array([label_index.get(v, -1) for v in labels], dtype=np.int64)
    g = data["global_view"]
    ok = np.isfinite(g).all(axis=1) & np.isfinite(depth) & (depth > 0) & (y >= 0)
    idx = np.flatnonzero(ok)
    local = data["local_view"][idx].copy()
    cut = ~np.isfinite(local).all(axis=1)
    if cut.any():
        local[cut] = cut_local_views(
            g[idx[cut]], data["tce_period"][idx[cut]], data["tce_duration"][idx[cut]]
        )
    scale = (depth[idx] * 1e-6).astype(np.float32)[:, None]
    logger.info(
        "TCE pretraining set: %d of %d TCEs (%s), %d local views cut",
        len(idx),
        len(y),
        ", ".join(f"{name} {int((y[idx] == i).sum())}" for i, name in enumerate(TCE_LABELS)),
        int(cut.sum()),
    )
    return {
        "kepid": data["kepid"][idx],
        "tce_plnt_num": data["tce_plnt_num"][idx],
        "global_view": g[idx] * scale,
        "local_view": local * scale,
        "label": y[idx],
    }


def cut_local_views(global_view: np.ndarray, period: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """Local views [N, 201] cut from global views [N, 2001] with AstroNet's local geometry.

    AstroNet's local view has 201 bins of width 0.16 durations whose centres span ±(4 − 0.08) durations; its
    global view has 2001 bins of width P/2001 over [−P/2, P/2]. The global view is linearly interpolated at the
    local bin centres (phase clipped to ±P/2), then normalised as AstroNet does (median 0, minimum −1; a flat
    cut stays 0). Where the transit spans few global bins (long periods) the cut is coarse.

    Args:
        global_view: [N, 2001] finite; period: [N] days; duration: [N] days (the period and duration the
            views were folded on).
    """
    g = np.asarray(global_view, dtype=np.float64).reshape(-1, GLOBAL_BINS)
    period = np.asarray(period, dtype=np.float64).reshape(-1)
    duration = np.asarray(duration, dtype=np.float64).reshape(-1)
    half = ASTRONET_LOCAL_HALF_WIDTH_DURATIONS - LOCAL_BIN_WIDTH_DURATIONS / 2
    local_centres = np.linspace(-half, half, LOCAL_BINS)  # durations
    global_centres = (np.arange(GLOBAL_BINS) + 0.5) / GLOBAL_BINS - 0.5  # phase
    out = np.empty((len(g), LOCAL_BINS), dtype=np.float64)
    for i in range(len(g)):
        phase = np.clip(local_centres * duration[i] / period[i], -0.5, 0.5)
        out[i] = np.interp(phase, global_centres, g[i])
    out -= np.median(out, axis=1, keepdims=True)
    floor = -out.min(axis=1, keepdims=True)
    return (out / np.where(floor > 0, floor, 1.0)).astype(np.float32)


def match_tces(
    kepid: np.ndarray,
    tce_period: np.ndarray,
    catalog: pd.DataFrame,
    *,
    tce_time0bk: np.ndarray | None = None,
    tolerance: float = PERIOD_TOLERANCE,
) -> tuple[np.ndarray, np.ndarray]:
    """Match each catalog KOI to its nearest-epoch TCE (same ``kepid``, period within ``tolerance``).

    Args:
        kepid: [N] int; tce_period: [N] days; catalog: with ``kepid``, ``kepoi_name``, ``koi_period`` [d]
            and ``koi_depth`` [ppm] (``koi_time0bk`` [BKJD] and ``koi_duration`` [h] give the epoch test).
        tce_time0bk: [N] BKJD epochs; None: the period alone decides.

    Returns:
        (kepoi_name [N] str; reason [N] str). A row is matched where its reason is ``""``. Otherwise the reason
        starts with :data:`NOT_A_KOI` (no KOI at this period and epoch), :data:`OTHER_TCE` (its KOI took a TCE
        nearer its epoch; ``kepoi_name`` names that KOI) or ``"ambiguous"`` (KOIs tied for it without epochs).
    """
    cat = _catalog_table(catalog)
    n = len(kepid)
    t0 = np.full(n, np.nan) if tce_time0bk is None else np.asarray(tce_time0bk, dtype=np.float64)
    tces = pd.DataFrame({"row": np.arange(n), "kepid": kepid, "tce_period": tce_period, "tce_t0": t0})
    pairs = tces.merge(cat.reset_index(drop=True).reset_index(names="koi"), on="kepid", how="inner")
    pairs = pairs[np.abs(pairs["tce_period"] - pairs["koi_period"]) <= tolerance * pairs["koi_period"]]
    period = pairs["koi_period"].to_numpy()
    offset = np.abs(
        np.mod(pairs["tce_t0"].to_numpy() - pairs["koi_time0bk"].to_numpy() + period / 2, period) - period / 2
    )  # days; NaN without epochs
    window = pairs["koi_duration"].to_numpy() / 24.0
    known = np.isfinite(offset) & np.isfinite(window)
    pairs = pairs.assign(
        offset=np.where(known, offset, np.inf),
        dperiod=np.abs(pairs["tce_period"] - pairs["koi_period"]) / pairs["koi_period"],
        known=known,
        window=window,
    )
    pct = f"{tolerance:.1%}"
    names = np.full(n, "", dtype=object)
    reasons = np.array(
        [f"{NOT_A_KOI}: no KOI on kepid {k} with koi_period within {pct} of {p:.6g} d" for k, p in
         zip(kepid, tce_period, strict=True)],
        dtype=object,
    )  # fmt: skip
    off_epoch = pairs[pairs["known"] & (pairs["offset"] > pairs["window"])]
    for row, group in off_epoch.groupby("row"):
        best = group.sort_values("offset").iloc[0]
        reasons[row] = (
            f"{NOT_A_KOI}: {best['kepoi_name']} has the period but its epoch is {best['offset'] * 24:.3g} h away "
            f"(more than its koi_duration)"
        )
    pairs = pairs[~pairs["known"] | (pairs["offset"] <= pairs["window"])]
    # each KOI takes its nearest-epoch TCE (then the nearest period)
    best = pairs.sort_values(["koi", "offset", "dperiod", "row"]).drop_duplicates("koi")
    # a TCE taken by several KOIs goes to the nearest epoch; a tie without epochs is ambiguous
    for row, group in best.groupby("row"):
        group = group.sort_values(["offset", "dperiod"])
        if len(group) > 1 and not np.isfinite(group["offset"].iloc[0]):
            shown = ", ".join(f"{k} ({p:.6g} d)" for k, p in group[["kepoi_name", "koi_period"]].to_numpy())
            reasons[row] = f"ambiguous: {len(group)} KOIs with koi_period within {pct} and no epochs: {shown}"
            continue
        names[row] = group["kepoi_name"].iloc[0]
        reasons[row] = ""
    taken = {name: row for row, name in enumerate(names) if reasons[row] == ""}
    for row, group in pairs.groupby("row"):
        if reasons[row] == "" or str(reasons[row]).startswith("ambiguous"):
            continue
        mine = [k for k in group["kepoi_name"] if k in taken]
        if mine:
            names[row] = mine[0]
            reasons[row] = f"{OTHER_TCE}: {mine[0]} took the TCE nearer its epoch (row {taken[mine[0]]})"
    return names.astype(str), reasons.astype(str)


@dataclass
class AstronetImport:
    """What :func:`import_astronet` made of an AstroNet views file.

    Attributes:
        views: the imported KOIs' views (source ``"real"``, provenance ``"astronet"`` or ``"astronet_cut"``).
        matches: DataFrame with :data:`MATCH_COLUMNS`, one row per view, in the same order (``local_view`` is
            ``"real"`` or ``"cut"``; ``epoch_offset_hours`` NaN where the epoch was not compared).
        skipped: DataFrame with :data:`SKIPPED_COLUMNS`: TCEs of a KOI that could not be imported (a bad
            global view, no ``koi_depth``) or ambiguous ones. TCEs that are not KOIs are not listed.
        counts: ``tces``, ``imported``, ``real_local``, ``cut_local``, ``not_koi``, ``other_tce``, ``skipped``.
    """

    views: ViewSet
    matches: pd.DataFrame
    skipped: pd.DataFrame
    counts: dict[str, int] = dataclass_field(default_factory=dict)

    def summary(self) -> str:
        """One line: imported views (real/cut local), TCEs that are not KOIs, skipped TCEs."""
        c = self.counts
        return (
            f"{c['imported']} KOI view(s) imported ({c['real_local']} with AstroNet's local view, {c['cut_local']} "
            f"with the local view cut from the global view) from {c['tces']} TCE(s); {c['not_koi']} TCE(s) are "
            f"not KOIs and {c['other_tce']} are a second TCE of an imported KOI (left out, not errors); "
            f"{c['skipped']} skipped"
        )


def import_astronet(npz_path: Path | str, catalog: pd.DataFrame) -> AstronetImport:
    """Real views from an AstroNet views file, matched to ``catalog`` KOIs and rescaled to their depth.

    Args:
        npz_path: the AstroNet ``.npz`` (see the module docstring for its arrays).
        catalog: a canonical KOI table with ``kepid``, ``kepoi_name``, ``koi_period`` [d], ``koi_depth`` [ppm]
            (``koi_time0bk`` [BKJD], ``koi_duration`` [h] for the epoch test).

    Returns:
        :class:`AstronetImport` (views in file order, their matches, skipped TCEs, counts).

    Raises:
        ExomesaError: the file is unreadable or malformed (see :func:`read_astronet_npz`), or the catalog
            lacks a needed column.
    """
    data = read_astronet_npz(npz_path)
    n = len(data["kepid"])
    good_global = np.isfinite(data["global_view"]).all(axis=1)
    real_local = np.isfinite(data["local_view"]).all(axis=1)
    names = np.full(n, "", dtype=object)
    reasons = np.full(n, "global view holds NaN or infinite values", dtype=object)
    rows = np.flatnonzero(good_global)
    names[rows], reasons[rows] = match_tces(
        data["kepid"][rows], data["tce_period"][rows], catalog, tce_time0bk=data["tce_time0bk"][rows]
    )
    # a bad global view of a TCE that is not a KOI is not an error either
    bad = np.flatnonzero(~good_global)
    if bad.size:
        b_names, b_reasons = match_tces(
            data["kepid"][bad], data["tce_period"][bad], catalog, tce_time0bk=data["tce_time0bk"][bad]
        )
        for i, row in enumerate(bad):
            names[row] = b_names[i]
            if b_reasons[i].startswith(NOT_A_KOI):
                reasons[row] = b_reasons[i]

    cid = candidate_column(catalog)
    depth_of = dict(
        zip(catalog[cid].astype(str), pd.to_numeric(catalog["koi_depth"], errors="coerce"), strict=True)
    )
    depth_ppm = np.full(n, np.nan)
    for row in np.flatnonzero(reasons == ""):
        depth = depth_of.get(names[row], np.nan)
        if not (np.isfinite(depth) and depth > 0):
            reasons[row] = f"koi_depth of {names[row]} is {depth}; cannot restore the depth of the view"
        else:
            depth_ppm[row] = depth

    keep = reasons == ""
    idx = np.flatnonzero(keep)
    local = data["local_view"][idx].copy()
    cut = ~real_local[idx]
    if cut.any():
        local[cut] = cut_local_views(
            data["global_view"][idx[cut]], data["tce_period"][idx[cut]], data["tce_duration"][idx[cut]]
        )
    scale = (depth_ppm[idx] * 1e-6).astype(np.float32)[:, None]
    views = ViewSet(
        candidate_id=names[idx].astype(str),
        global_view=data["global_view"][idx] * scale,
        local_view=local * scale,
        source=["real"] * len(idx),
        provenance=np.where(cut, "astronet_cut", "astronet"),
    )
    epochs = (
        pd.DataFrame({"kepoi_name": catalog[cid].astype(str).to_numpy()})
        .assign(
            t0=pd.to_numeric(catalog["koi_time0bk"], errors="coerce").to_numpy()
            if "koi_time0bk" in catalog.columns
            else np.nan,
            period=pd.to_numeric(catalog["koi_period"], errors="coerce").to_numpy(),
        )
        .drop_duplicates("kepoi_name")
        .set_index("kepoi_name")
        .reindex(names[idx].astype(str))
    )
    p = epochs["period"].to_numpy()
    offset_h = np.abs(np.mod(data["tce_time0bk"][idx] - epochs["t0"].to_numpy() + p / 2, p) - p / 2) * 24.0
    matches = pd.DataFrame(
        {
            "candidate_id": names[idx].astype(str),
            "kepid": data["kepid"][idx],
            "tce_plnt_num": data["tce_plnt_num"][idx],
            "tce_period": data["tce_period"][idx],
            "tce_time0bk": data["tce_time0bk"][idx],
            "tce_duration": data["tce_duration"][idx],
            "epoch_offset_hours": offset_h,
            "local_view": np.where(cut, "cut", "real"),
        },
        columns=list(MATCH_COLUMNS),
    )
    reason_str = reasons.astype(str)
    not_koi = np.char.startswith(reason_str, NOT_A_KOI)
    other = np.char.startswith(reason_str, OTHER_TCE)
    listed = ~keep & ~not_koi & ~other
    skipped = pd.DataFrame(
        {
            "kepid": data["kepid"][listed],
            "tce_plnt_num": data["tce_plnt_num"][listed],
            "tce_period": data["tce_period"][listed],
            "kepoi_name": names[listed].astype(str),
            "reason": reason_str[listed],
        },
        columns=list(SKIPPED_COLUMNS),
    )
    counts = {
        "tces": n,
        "imported": len(views),
        "real_local": int((~cut).sum()),
        "cut_local": int(cut.sum()),
        "not_koi": int(not_koi.sum()),
        "other_tce": int(other.sum()),
        "skipped": len(skipped),
    }
    for _, s in skipped.head(10).iterrows():
        logger.warning("skipped TCE kepid %d #%d: %s", s["kepid"], s["tce_plnt_num"], s["reason"])
    if len(skipped) > 10:
        logger.warning("... and %d more skipped TCE(s)", len(skipped) - 10)
    result = AstronetImport(views=views, matches=matches, skipped=skipped, counts=counts)
    logger.debug("%s: %s", npz_path, result.summary())
    return result


def import_astronet_views(npz_path: Path | str, catalog: pd.DataFrame) -> tuple[ViewSet, pd.DataFrame]:
    """:func:`import_astronet` as (views, skipped): the views of the matched KOIs and the skipped TCEs."""
    result = import_astronet(npz_path, catalog)
    return result.views, result.skipped
