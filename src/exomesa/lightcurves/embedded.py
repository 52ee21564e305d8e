"""The real Kepler views shipped with the package: AstroNet views of the DR25 KOIs (loaded only when used).

``view_files/kepler_dr25_astronet_views.npz`` holds, for every DR25 KOI matched to a DR24 TCE of AstroNet's
labelled set (kepid, period within 0.5 %, epoch within one ``koi_duration``; :mod:`.astronet`), the TCE's
**global view** (2001 bins) and, where AstroNet's **local view** (201 bins, ±4 durations) is known, that too;
the other local views are cut from the global view on loading (:func:`.astronet.cut_local_views`, provenance
``"astronet_cut"``). It is written by ``scripts/build_embedded_views.py``, which records the input file's
SHA-256; docs/lightcurves.md gives the sources and the counts per class.

Storage (to fit the package): the views are stored normalised as AstroNet made them (median 0, minimum −1),
as float32 rounded to 16 significant bits (relative error ≤ 2^-16, far below the views' noise) and split into
byte planes, which compress better; loading restores float32 and multiplies by ``koi_depth`` (ppm → relative
flux), as ``exomesa lightcurves import`` does.

Select it wherever a views file is given: ``--lightcurves embedded`` (``ViewSet.load("embedded")``).

Example::

    from exomesa.lightcurves.embedded import embedded_views, embedded_info
    views = embedded_views()            # ViewSet of 4,121 KOIs, source "real"
    embedded_info()["counts"]           # per class, real vs cut local views
"""

from __future__ import annotations

import json
import logging
import time
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS, ViewSet

__all__ = [
    "EMBEDDED_FILE",
    "FORMAT_VERSION",
    "SIGNIFICANT_BITS",
    "embedded_views_path",
    "embedded_views",
    "embedded_matches",
    "embedded_info",
    "pack_views",
    "unpack_views",
    "round_significant",
]

logger = logging.getLogger(__name__)

EMBEDDED_FILE = "kepler_dr25_astronet_views.npz"
FORMAT_VERSION = 1
SIGNIFICANT_BITS = 16  # float32 keeps 24; the stored views keep 16 (relative error ≤ 2^-16)
_MATCH_FIELDS = ("kepid", "tce_plnt_num", "tce_period", "tce_time0bk", "tce_duration", "epoch_offset_hours")


def embedded_views_path() -> Path:
    """Where the shipped views file lies inside the installed package."""
    return Path(str(resources.files("exomesa.lightcurves") / "view_files" / EMBEDDED_FILE))


def round_significant(values: np.ndarray, bits: int = SIGNIFICANT_BITS) -> np.ndarray:
    """float32 ``values`` rounded (to nearest) to ``bits`` significant bits; still float32, same shape."""
    drop = 24 - bits
    u = np.ascontiguousarray(values, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = ((u + (1 << (drop - 1))) >> drop) << drop
    return u.astype(np.uint32).view(np.float32)


def pack_views(values: np.ndarray) -> np.ndarray:
    """[N, B] float32 → [4, N, B] uint8 byte planes (compress better than interleaved bytes)."""
    values = np.ascontiguousarray(values, dtype="<f4")
    return np.ascontiguousarray(values.view(np.uint8).reshape(*values.shape, 4).transpose(2, 0, 1))


def unpack_views(planes: np.ndarray) -> np.ndarray:
    """[4, N, B] uint8 byte planes → [N, B] float32 (the inverse of :func:`pack_views`)."""
    n, bins = planes.shape[1], planes.shape[2]
    values = np.ascontiguousarray(planes.transpose(1, 2, 0)).view("<f4").reshape(n, bins)
    return values.astype(np.float32, copy=False)


def _read(path: Path | None = None) -> dict[str, np.ndarray]:
    path = embedded_views_path() if path is None else path
    if not path.is_file():
        raise ExomesaError(
            f"the shipped real views {path} are missing from this installation; reinstall exomesa, or rebuild "
            "them with `python scripts/build_embedded_views.py` in a source checkout."
        )
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}


@lru_cache(maxsize=1)
def _meta() -> tuple[pd.DataFrame, dict[str, Any]]:
    with np.load(embedded_views_path(), allow_pickle=False) as data:
        arrays = {k: data[k] for k in ("candidate_id", "real_local", "info", *_MATCH_FIELDS)}
    matches = pd.DataFrame(
        {
            "candidate_id": arrays["candidate_id"].astype(str),
            **{k: arrays[k] for k in _MATCH_FIELDS},
            "local_view": np.where(arrays["real_local"].astype(bool), "real", "cut"),
        }
    )
    return matches, json.loads(str(arrays["info"]))


def _views() -> ViewSet:
    from exomesa.lightcurves.astronet import cut_local_views

    start = time.perf_counter()
    arrays = _read()
    glob = unpack_views(arrays.pop("global_view_planes"))
    real_local = arrays["real_local"].astype(bool)
    local = np.empty((len(glob), LOCAL_BINS), np.float32)
    local[real_local] = unpack_views(arrays.pop("local_view_planes"))
    cut = ~real_local
    local[cut] = cut_local_views(glob[cut], arrays["tce_period"][cut], arrays["tce_duration"][cut])
    scale = (arrays["koi_depth_ppm"] * 1e-6).astype(np.float32)[:, None]
    glob *= scale
    local *= scale
    views = ViewSet(
        candidate_id=arrays["candidate_id"].astype(str),
        global_view=glob,
        local_view=local,
        source=np.full(len(glob), "real"),
        provenance=np.where(real_local, "astronet", "astronet_cut"),
    )
    logger.info(
        "loaded the shipped real views of %d KOIs (%d with AstroNet's local view, %d cut) in %.2f s",
        len(views),
        int(real_local.sum()),
        int(cut.sum()),
        time.perf_counter() - start,
    )
    if views.global_view.shape[1] != GLOBAL_BINS:  # pragma: no cover - guarded by ViewSet
        raise ExomesaError(f"{embedded_views_path()}: global views of {views.global_view.shape[1]} bins.")
    return views


def embedded_views() -> ViewSet:
    """The shipped real views (a fresh copy): one row per matched DR25 KOI, source ``"real"``, provenance
    ``"astronet"`` (AstroNet's local view) or ``"astronet_cut"`` (local view cut from the global view).

    Shapes: ``global_view`` [N, 2001], ``local_view`` [N, 201] (±4 durations), relative flux − 1 (depth from
    DR25 ``koi_depth``). Read from the package at each call (about 0.4 s, 36 MB), so nothing stays in memory
    when the caller drops it.
    """
    return _views()


def embedded_matches() -> pd.DataFrame:
    """One row per shipped view: ``candidate_id``, the matched TCE (``kepid``, ``tce_plnt_num``,
    ``tce_period`` [d], ``tce_time0bk`` [BKJD], ``tce_duration`` [d]), ``epoch_offset_hours`` and
    ``local_view`` (``"real"`` or ``"cut"``)."""
    return _meta()[0].copy()


def embedded_info() -> dict[str, Any]:
    """The shipped file's provenance record: input file and SHA-256, sources, matching rule, counts per class."""
    return json.loads(json.dumps(_meta()[1]))
