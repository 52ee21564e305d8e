"""Inputs of the vetting sheet: candidates picked from a catalog by name, and real light curves kept whole.

The views fed to the model are folded and binned (:func:`exomesa.lightcurves.preprocess.build_views`); the
light-curve diagnostics need the unfolded, detrended curve. :func:`real_curves` reads each star's FITS files
once, stitches them, and keeps per KOI the detrended relative flux with the star's *other* KOIs' transits
masked (Kepler-90's six other planets when vetting K00351.01), plus the files and quarters/sectors it used.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa import sources
from exomesa.data.schema import candidate_column, star_column
from exomesa.errors import ExomesaError
from exomesa.lightcurves.fitsio import read_header_ids, read_lightcurve, stitch
from exomesa.lightcurves.preprocess import TRANSIT_MASK_DURATIONS, detrend, fold_time, other_transits_mask
from exomesa.lightcurves.render import flat_reason
from exomesa.lightcurves.star_tasks import plan_star_tasks

__all__ = ["RealCurve", "select_candidates", "real_curves"]

logger = logging.getLogger(__name__)


@dataclass
class RealCurve:
    """One KOI's detrended real light curve for the diagnostics.

    Attributes:
        time: [N] days since ``bjd_ref``; flux: [N] relative flux − 1 (detrended); flux_err: [N] same units.
        epoch: mid-transit time in ``time``'s system [days]; mask: [N] bool, True = another KOI's transit.
        files: file names read; periods: quarters (Kepler) or sectors (TESS) found in their headers.
    """

    time: np.ndarray
    flux: np.ndarray
    flux_err: np.ndarray
    epoch: float
    mask: np.ndarray
    mission: str
    target_id: int
    bjd_ref: float
    files: list[str] = field(default_factory=list)
    periods: list[int] = field(default_factory=list)
    n_other_kois: int = 0


def select_candidates(
    catalog: pd.DataFrame, kois: Sequence[str] = (), tois: Sequence[str] = (), source: str = "the catalog"
) -> pd.DataFrame:
    """Rows of ``catalog`` named by ``kois`` (``candidate_id``, e.g. ``K00752.01``) or ``tois`` (``toi`` column,
    e.g. ``101.01``), in the order asked; all rows when neither is given.

    Raises:
        ExomesaError: a name that is not in the catalog (all such names listed), or TOIs asked of a table
            without a ``toi`` column.
    """
    if not kois and not tois:
        return catalog.reset_index(drop=True)
    picks: list[int] = []
    missing: list[str] = []
    if kois:
        index = {str(n): i for i, n in enumerate(catalog[candidate_column(catalog)].astype(str))}
        for k in kois:
            key = str(k).strip()
            if key not in index and key.replace(".", "", 1).isdigit():  # "752.01" -> "K00752.01"
                key = f"K{float(key):08.2f}"
            if key in index:
                picks.append(index[key])
            else:
                missing.append(str(k))
    if tois:
        if "toi" not in catalog.columns:
            raise ExomesaError(
                f"{source} has no 'toi' column, so --toi cannot be looked up; pass a TOI table with --input "
                "(e.g. an ExoFOP TOI export) or use --koi for Kepler candidates."
            )
        values = pd.to_numeric(catalog["toi"], errors="coerce").round(2).to_numpy()
        for t in tois:
            try:
                hit = np.flatnonzero(values == round(float(str(t).upper().removeprefix("TOI-")), 2))
            except ValueError:
                hit = np.zeros(0, int)
            if hit.size:
                picks.append(int(hit[0]))
            else:
                missing.append(f"TOI {t}")
    if missing:
        raise ExomesaError(
            f"not in {source}: {', '.join(missing)}. Check the names (KOIs look like K00752.01) or pass the "
            "table that holds them with --input."
        )
    return catalog.iloc[picks].drop_duplicates(candidate_column(catalog)).reset_index(drop=True)


def _header_period(path: Path) -> int | None:
    from astropy.io import fits

    try:
        header = fits.getheader(path, 0)
    except OSError:
        return None
    for key in ("QUARTER", "SECTOR", "CAMPAIGN"):
        if key in header:
            return int(header[key])
    return None


def real_curves(catalog: pd.DataFrame, fits_paths: Iterable[Path | str]) -> dict[str, RealCurve]:
    """Detrended real curves for the catalog KOIs whose star has files among ``fits_paths`` (by KEPLERID/TICID,
    matched as :func:`exomesa.lightcurves.star_tasks.plan_star_tasks` matches them for the views).

    Raises:
        ExomesaError: files were given but none belongs to a star of the catalog (names the files' targets and
            the candidates' stars), so a FITS file of another star is never used silently.
    """
    paths = [Path(p) for p in fits_paths]
    tasks, _failures = plan_star_tasks(catalog, paths)
    if paths and not tasks:
        found = set()
        for p in paths[:20]:
            try:
                found.add(read_header_ids(p))
            except ExomesaError:
                continue
        held = ", ".join(f"{m} {t}" for m, t in sorted(found)) or "no readable light curve"
        stars = catalog[star_column(catalog)].astype(np.int64)
        missions = catalog["mission"] if "mission" in catalog.columns else pd.Series("Kepler", catalog.index)
        wanted = ", ".join(
            f"{n} ({sources.lightcurve_files(m).target_name(k)})"
            for n, k, m in zip(catalog[candidate_column(catalog)], stars, missions, strict=False)
        )
        raise ExomesaError(
            f"the FITS files given hold {held}, but the candidates are {wanted}: none of the files belongs to "
            "a candidate's star. Pass the files of the candidates' stars (KEPLERID/TICID in the header)."
        )
    out: dict[str, RealCurve] = {}
    for task in tasks:
        try:
            lc = stitch([read_lightcurve(p) for p in task.paths])
        except ExomesaError as exc:
            logger.warning("no real light curve for %s: %s", task.name, exc)
            continue
        files = [Path(p).name for p in lc.paths]
        periods = sorted({q for q in (_header_period(Path(p)) for p in lc.paths) if q is not None})
        for koi in task.kois:
            if flat_reason(koi.period, koi.duration_hours) is not None or not np.isfinite(koi.t0_bjd):
                logger.warning(
                    "%s: no usable ephemeris, the real curve is not used for diagnostics", koi.name
                )
                continue
            others = [(k.period, k.t0_bjd, k.duration_hours) for k in task.kois if k.name != koi.name]
            mask = other_transits_mask(lc.time, others, lc.bjd_ref)
            epoch = koi.t0_bjd - lc.bjd_ref
            duration = koi.duration_hours / 24.0
            own = np.abs(fold_time(lc.time, koi.period, epoch)) < 0.5 * TRANSIT_MASK_DURATIONS * duration
            keep = ~mask & np.isfinite(lc.flux) & np.isfinite(lc.time)
            trend = detrend(lc.time[keep], lc.flux[keep], own[keep], knot_spacing=max(1.5, 3.0 * duration))
            out[koi.name] = RealCurve(
                time=lc.time[keep],
                flux=lc.flux[keep] / trend - 1.0,
                flux_err=lc.flux_err[keep] / trend,
                epoch=float(epoch),
                mask=np.zeros(int(keep.sum()), bool),
                mission=lc.mission,
                target_id=int(lc.target_id),
                bjd_ref=float(lc.bjd_ref),
                files=files,
                periods=periods,
                n_other_kois=len(others),
            )
    return out
