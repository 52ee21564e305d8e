"""One star's work, as a picklable task: plan the tasks from a catalog and a list of files, run one.

:func:`plan_star_tasks` groups the FITS files by star (from the standard MAST file names when they follow
them, else from the header) and lists each star's catalog KOIs; :func:`run_star` reads and stitches the
star's files and folds each KOI with the star's other KOIs masked — the same functions as
:func:`exomesa.lightcurves.preprocess.build_views`, so the views are identical in every execution mode.
:func:`run_star` never raises: failures come back as rows for ``failures.csv``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa import sources
from exomesa.data.schema import candidate_column
from exomesa.errors import ExomesaError
from exomesa.lightcurves import preprocess
from exomesa.lightcurves.fitsio import BKJD_REF, read_header_ids, read_lightcurve, stitch
from exomesa.lightcurves.preprocess import make_views
from exomesa.lightcurves.shards import KoiSpec, StarTask
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS
from exomesa.utils import peak_rss_mib

__all__ = ["StarResult", "UNMATCHED_COLUMNS", "plan_star_tasks", "run_star", "failed_result"]

logger = logging.getLogger(__name__)

#: Columns of the list of files that match no catalog row (``<out>.unmatched.csv``).
UNMATCHED_COLUMNS = ["file", "mission", "target"]


@dataclass
class StarResult:
    """What one star's task returns.

    Attributes:
        rows: [K] int64 catalog rows of the views built; names: [K] KOI names.
        global_view: [K, GLOBAL_BINS] float32; local_view: [K, LOCAL_BINS] float32.
        failures: rows of (star, candidate_id, stage, file, reason), see :data:`FAILURE_COLUMNS`.
        failed: True when the star gave nothing at all (no file readable, or an unexpected error).
        seconds: wall time of the task; peak_rss_mb: the worker process's peak resident memory so far [MiB].
    """

    rows: np.ndarray
    names: list[str]
    global_view: np.ndarray
    local_view: np.ndarray
    failures: list[list[str]] = field(default_factory=list)
    failed: bool = False
    seconds: float = 0.0
    peak_rss_mb: float = 0.0


# ---------------------------------------------------------------------------------------------- planning


def _numeric(catalog: pd.DataFrame, column: str) -> np.ndarray:
    if column not in catalog.columns:
        return np.full(len(catalog), np.nan)
    return pd.to_numeric(catalog[column], errors="coerce").to_numpy(dtype=np.float64)


def _index_files(paths: Iterable[Path | str]) -> tuple[dict[tuple[str, int], list[Path]], list[list[str]]]:
    """Group files by (mission, target id): from MAST file names when they follow a source's standard pattern
    (``kplr<KIC>-<time>_llc.fits``, ``tess<time>-s<sector>-<TIC>-<n>-s_lc.fits``), else from the header.
    A misnamed file is caught when the star's files are stitched (the star then fails, named in failures)."""
    groups: dict[tuple[str, int], list[Path]] = {}
    failures: list[list[str]] = []
    for path in paths:
        path = Path(path)
        key = next(
            (
                (f.mission, i)
                for f in sources.all_lightcurve_files()
                if (i := f.id_from_name(path.name)) is not None
            ),
            None,
        )
        if key is None:
            try:
                key = read_header_ids(path)
            except ExomesaError as exc:
                logger.warning("skipping %s: %s", path, exc)
                failures.append(["", "", "index", path.name, str(exc)])
                continue
        groups.setdefault(key, []).append(path)
    return groups, failures


def plan_star_tasks(
    catalog: pd.DataFrame,
    fits_paths: Iterable[Path | str],
    unmatched: list[list[str]] | None = None,
) -> tuple[list[StarTask], list[list[str]]]:
    """One :class:`StarTask` per star that has files and catalog KOIs, ordered by the star's first catalog row.

    A mission's files match the catalog column its source names (:attr:`~exomesa.sources.LightCurveFiles.id_column`:
    Kepler files ``kepid`` through KEPLERID, TESS files ``tic_id`` through TICID); registry order (Kepler first)
    when a row has both. Files of stars (or missions) the catalog does not hold are left out: a folder may
    hold other stars' files. They are appended to ``unmatched`` as rows of :data:`UNMATCHED_COLUMNS`
    (file path, mission, target: ``TIC 139754153``), sorted by path, when a list is given.

    Returns:
        (tasks, failure rows for files that could not be indexed).
    """
    name_column = candidate_column(catalog)
    groups, failures = _index_files(fits_paths)
    known = sources.all_lightcurve_files()
    ids = {f.mission: preprocess.catalog_ids(catalog, f.id_column) for f in known}
    period = _numeric(catalog, "koi_period")
    duration = _numeric(catalog, "koi_duration")
    t0bk = _numeric(catalog, "koi_time0bk")
    t0 = np.where(np.isfinite(t0bk), t0bk + BKJD_REF, _numeric(catalog, "koi_time0"))  # as epoch_bjd()
    names = catalog[name_column].astype(str).tolist()
    have = {f.mission: {k[1] for k in groups if k[0] == f.mission} for f in known}
    kois: dict[tuple[str, int], list[KoiSpec]] = {}
    for i in range(len(catalog)):
        key = next(
            ((f.mission, int(ids[f.mission][i])) for f in known if int(ids[f.mission][i]) in have[f.mission]),
            None,
        )
        if key is None:
            continue
        kois.setdefault(key, []).append(
            KoiSpec(i, names[i], float(period[i]), float(t0[i]), float(duration[i]))
        )
    tasks = [
        StarTask(key[0], key[1], tuple(str(p) for p in sorted(groups[key])), tuple(specs))
        for key, specs in kois.items()  # dicts keep insertion order: first catalog row
    ]
    if unmatched is not None:
        by_mission = {f.mission: f for f in known}
        unmatched.extend(
            sorted(
                [
                    str(p),
                    key[0],
                    by_mission[key[0]].target_name(key[1]) if key[0] in by_mission else str(key[1]),
                ]
                for key, paths in groups.items()
                if key not in kois
                for p in paths
            )
        )
    return tasks, failures


# ---------------------------------------------------------------------------------------------- one star


def run_star(task: StarTask) -> StarResult:
    """Read and stitch one star's files and fold each of its KOIs; never raises (failures are returned)."""
    start = time.perf_counter()
    rows: list[int] = []
    names: list[str] = []
    g_views: list[np.ndarray] = []
    l_views: list[np.ndarray] = []
    failures: list[list[str]] = []
    failed = False
    files = ";".join(Path(p).name for p in task.paths)
    try:
        good, errors = [], []
        for path in sorted(
            Path(p) for p in task.paths
        ):  # a fixed order: stitching is order-independent, logs are not
            try:
                good.append(read_lightcurve(path))
            except ExomesaError as exc:
                errors.append((path, exc))
            except Exception as exc:  # noqa: BLE001 - e.g. a truncated file fails while its table is read
                errors.append(
                    (path, ExomesaError(f"{path} could not be read ({type(exc).__name__}: {exc})."))
                )
        if not good:
            failed = True
            reason = errors[0][1] if len(errors) == 1 else "; ".join(str(e) for _, e in errors)
            for k in task.kois:
                failures.append([task.name, k.name, "read", files, f"unreadable light curve: {reason}"])
        else:
            for path, exc in errors:
                failures.append([task.name, "", "file", path.name, f"left out: {exc}"])
            lc = stitch(good)
            for k in task.kois:
                # the star's other KOIs' transits are masked, exactly as build_views does
                others = [(o.period, o.t0_bjd, o.duration_hours) for o in task.kois if o is not k]
                try:
                    g, loc = make_views(
                        lc, k.period, k.t0_bjd, k.duration_hours, name=k.name, other_transits=others
                    )
                except ExomesaError as exc:
                    failures.append([task.name, k.name, "views", files, str(exc)])
                    continue
                except Exception as exc:  # noqa: BLE001 - a bad KOI must not stop its star
                    failures.append([task.name, k.name, "error", files, f"{type(exc).__name__}: {exc}"])
                    continue
                rows.append(k.row)
                names.append(k.name)
                g_views.append(g)
                l_views.append(loc)
    except Exception as exc:  # noqa: BLE001 - a bad star must not stop the run
        failed, rows, names, g_views, l_views = True, [], [], [], []
        failures = [[task.name, k.name, "error", files, f"{type(exc).__name__}: {exc}"] for k in task.kois]
    return StarResult(
        rows=np.asarray(rows, dtype=np.int64),
        names=names,
        global_view=np.stack(g_views) if g_views else np.zeros((0, GLOBAL_BINS), np.float32),
        local_view=np.stack(l_views) if l_views else np.zeros((0, LOCAL_BINS), np.float32),
        failures=failures,
        failed=failed,
        seconds=time.perf_counter() - start,
        peak_rss_mb=peak_rss_mib(),
    )


def failed_result(task: StarTask, exc: BaseException) -> StarResult:
    reason = f"the worker failed: {type(exc).__name__}: {exc}"
    files = ";".join(Path(p).name for p in task.paths)
    return StarResult(
        rows=np.zeros(0, np.int64),
        names=[],
        global_view=np.zeros((0, GLOBAL_BINS), np.float32),
        local_view=np.zeros((0, LOCAL_BINS), np.float32),
        failures=[[task.name, k.name, "worker", files, reason] for k in task.kois],
        failed=True,
    )
