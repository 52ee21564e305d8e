"""Build real views star by star on many cores or a Dask cluster, into sharded, resumable output.

One task is one star: read and stitch its files, then fold every KOI of that star (the same functions as
:func:`exomesa.lightcurves.preprocess.build_views`, so the views are bit-identical in every mode). Tasks run

* in this process when ``workers == 1`` (or there is a single star to build);
* on a Dask ``LocalCluster`` (processes, one thread each) when ``dask.distributed`` is installed
  (``pip install 'exomesa[distributed]'``), or on an existing cluster given by ``scheduler="tcp://host:8786"``;
* otherwise on a ``concurrent.futures.ProcessPoolExecutor``.

Results go to a shard folder (:mod:`exomesa.lightcurves.shards`): one ``.npz`` per ``shard_size`` stars, a
``manifest.json`` and ``failures.csv``. Rerunning the same command skips the finished shards; an ``out`` ending
in ``.npz`` is built in ``<out>.shards/`` and merged into one file (catalog order) at the end, its failures
written to ``<stem>.failures.csv``. A star that fails never stops the run.

Examples::

    exomesa lightcurves build --fits_dir lightcurves/ --out views/ --workers 16
    exomesa lightcurves build --fits_dir /shared/kepler/ --out views/ --scheduler tcp://head-node:8786

    from exomesa.lightcurves.parallel import build_views_parallel
    result = build_views_parallel(catalog, fits_paths, "views/", workers=8)
    views = ViewSet.load("views/")
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError
from exomesa.lightcurves import preprocess
from exomesa.lightcurves import views as views_mod
from exomesa.lightcurves.fitsio import BKJD_REF, read_header_ids, read_lightcurve, stitch
from exomesa.lightcurves.preprocess import make_views
from exomesa.lightcurves.shards import (
    FAILURES_NAME,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    KoiSpec,
    StarTask,
    check_out,
    collect_failures,
    load_shard_folder,
    read_manifest,
    shard_name,
    star_fingerprint,
    write_manifest,
    write_shard,
)
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS, ViewSet
from exomesa.utils import check_writable

__all__ = [
    "DEFAULT_SHARD_SIZE",
    "BuildResult",
    "StarResult",
    "plan_star_tasks",
    "run_star",
    "build_views_parallel",
]

logger = logging.getLogger(__name__)

DEFAULT_SHARD_SIZE = 200  # stars per shard: ~1 MB of views, a few seconds of work per worker
_MAX_LOGGED_SKIPS = 20

_KEPLER_NAME = re.compile(r"^kplr(\d{9})-\d+_[ls]lc\.fits(\.gz)?$", re.IGNORECASE)
_TESS_NAME = re.compile(r"^tess\d+-s\d+-(\d{16})-\d+-[sf]_lc\.fits(\.gz)?$", re.IGNORECASE)


@dataclass
class StarResult:
    """What one star's task returns.

    Attributes:
        rows: [K] int64 catalog rows of the views built; names: [K] KOI names.
        global_view: [K, GLOBAL_BINS] float32; local_view: [K, LOCAL_BINS] float32.
        failures: rows of (star, kepoi_name, stage, file, reason), see :data:`FAILURE_COLUMNS`.
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


@dataclass
class BuildResult:
    """Summary of :func:`build_views_parallel`.

    Attributes:
        out: the views file or shard folder written; failures_path: the failures CSV.
        n_views, n_stars, n_failed_stars: views built, stars with files, stars that gave nothing.
        n_shards, n_shards_skipped: shards in the build and those found finished (resumed).
        failures: DataFrame with :data:`FAILURE_COLUMNS`.
        mode: ``"serial"``, ``"dask"`` or ``"processes"`` (``"resume"`` when nothing was left to do).
        seconds: wall time; peak_rss_mb: largest worker peak memory seen [MiB]; dashboard: Dask dashboard URL.
    """

    out: Path
    failures_path: Path
    n_views: int
    n_stars: int
    n_failed_stars: int
    n_shards: int
    n_shards_skipped: int
    failures: pd.DataFrame
    mode: str
    seconds: float
    peak_rss_mb: float = 0.0
    dashboard: str | None = None


# ---------------------------------------------------------------------------------------------- planning


def _numeric(catalog: pd.DataFrame, column: str) -> np.ndarray:
    if column not in catalog.columns:
        return np.full(len(catalog), np.nan)
    return pd.to_numeric(catalog[column], errors="coerce").to_numpy(dtype=np.float64)


def _index_files(paths: Iterable[Path | str]) -> tuple[dict[tuple[str, int], list[Path]], list[list[str]]]:
    """Group files by (mission, target id): from MAST file names when they follow the standard pattern
    (``kplr<KIC>-<time>_llc.fits``, ``tess<time>-s<sector>-<TIC>-<n>-s_lc.fits``), else from the header.
    A misnamed file is caught when the star's files are stitched (the star then fails, named in failures)."""
    groups: dict[tuple[str, int], list[Path]] = {}
    failures: list[list[str]] = []
    for path in paths:
        path = Path(path)
        m = _KEPLER_NAME.match(path.name)
        t = None if m else _TESS_NAME.match(path.name)
        if m:
            key = ("Kepler", int(m.group(1)))
        elif t:
            key = ("TESS", int(t.group(1)))
        else:
            try:
                key = read_header_ids(path)
            except ExomesaError as exc:
                logger.warning("skipping %s: %s", path, exc)
                failures.append(["", "", "index", path.name, str(exc)])
                continue
        groups.setdefault(key, []).append(path)
    return groups, failures


def plan_star_tasks(
    catalog: pd.DataFrame, fits_paths: Iterable[Path | str]
) -> tuple[list[StarTask], list[list[str]]]:
    """One :class:`StarTask` per star that has files and catalog KOIs, ordered by the star's first catalog row.

    Kepler files match ``kepid`` (KEPLERID), TESS files ``tic_id`` (TICID); Kepler first when a row has both.

    Returns:
        (tasks, failure rows for files that could not be indexed).
    """
    if "kepoi_name" not in catalog.columns:
        raise ExomesaError("the catalog has no 'kepoi_name' column; cannot name the views.")
    groups, failures = _index_files(fits_paths)
    kepids = preprocess._ids(catalog, "kepid")
    ticids = preprocess._ids(catalog, "tic_id")
    period = _numeric(catalog, "koi_period")
    duration = _numeric(catalog, "koi_duration")
    t0bk = _numeric(catalog, "koi_time0bk")
    t0 = np.where(np.isfinite(t0bk), t0bk + BKJD_REF, _numeric(catalog, "koi_time0"))  # as epoch_bjd()
    names = catalog["kepoi_name"].astype(str).tolist()
    kepler_ids = {k[1] for k in groups if k[0] == "Kepler"}
    tess_ids = {k[1] for k in groups if k[0] == "TESS"}
    kois: dict[tuple[str, int], list[KoiSpec]] = {}
    for i in range(len(catalog)):
        if kepids[i] >= 0 and int(kepids[i]) in kepler_ids:
            key = ("Kepler", int(kepids[i]))
        elif ticids[i] >= 0 and int(ticids[i]) in tess_ids:
            key = ("TESS", int(ticids[i]))
        else:
            continue
        kois.setdefault(key, []).append(
            KoiSpec(i, names[i], float(period[i]), float(t0[i]), float(duration[i]))
        )
    tasks = [
        StarTask(key[0], key[1], tuple(str(p) for p in sorted(groups[key])), tuple(specs))
        for key, specs in kois.items()  # dicts keep insertion order: first catalog row
    ]
    return tasks, failures


# ---------------------------------------------------------------------------------------------- one star


def _peak_rss_mb() -> float:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux
    except (ImportError, OSError):  # pragma: no cover - Windows
        return 0.0


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
        for path in sorted(Path(p) for p in task.paths):  # the order of build_views' _read_star
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
        peak_rss_mb=_peak_rss_mb(),
    )


def _worker_failure(task: StarTask, exc: BaseException) -> StarResult:
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


# ---------------------------------------------------------------------------------------------- executors


def _distributed_available() -> bool:
    return importlib.util.find_spec("distributed") is not None


def _run_serial(tasks: Sequence[StarTask]) -> Iterator[tuple[int, StarResult]]:
    for i, task in enumerate(tasks):
        yield i, run_star(task)


def _run_pool(tasks: Sequence[StarTask], workers: int) -> Iterator[tuple[int, StarResult]]:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    window = max(4 * workers, 16)
    todo = iter(enumerate(tasks))
    pending: dict = {}
    executor = ProcessPoolExecutor(max_workers=workers)
    try:

        def fill() -> None:
            while len(pending) < window:
                item = next(todo, None)
                if item is None:
                    return
                pending[executor.submit(run_star, item[1])] = item[0]

        fill()
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                i = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool as exc:
                    raise ExomesaError(
                        f"a worker process died ({exc}); the finished shards are kept: rerun the same command "
                        "to resume (fewer --workers if memory ran out)."
                    ) from exc
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
                    result = _worker_failure(tasks[i], exc)
                yield i, result
            fill()
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


@contextmanager
def _dask_client(workers: int, scheduler):
    from distributed import Client, LocalCluster

    if scheduler is not None and not isinstance(scheduler, str):  # a Client given by the caller
        yield scheduler
        return
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise ExomesaError(
            f"cannot reach the Dask scheduler {scheduler or 'LocalCluster'} ({exc}); start it first "
            "(`dask scheduler`, see docs/scaling.md) or drop --scheduler to run locally."
        ) from exc
    logger.info("Dask dashboard: %s", client.dashboard_link)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _run_dask(tasks: Sequence[StarTask], client) -> Iterator[tuple[int, StarResult]]:
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    slots = sum(client.nthreads().values()) or 1
    window = max(4 * slots, 16)
    todo = iter(enumerate(tasks))
    index_of: dict[str, int] = {}
    live: dict[str, object] = {}
    queue = as_completed()

    def submit_next() -> None:
        item = next(todo, None)
        if item is not None:
            fut = client.submit(run_star, item[1], pure=False)
            index_of[fut.key] = item[0]
            live[fut.key] = fut
            queue.add(fut)

    for _ in range(window):
        submit_next()
    try:
        for fut in queue:
            i = index_of.pop(fut.key)
            live.pop(fut.key, None)
            try:
                result = fut.result()
            except KilledWorker as exc:  # the star killed workers repeatedly (memory?): a failure, not a stop
                result = _worker_failure(tasks[i], exc)
            fut.release()
            yield i, result
            submit_next()
    finally:
        for fut in live.values():
            fut.cancel()


# ---------------------------------------------------------------------------------------------- the build


def _versions() -> dict[str, str]:
    import astropy
    import scipy

    from exomesa import __version__

    return {
        "exomesa": __version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "astropy": astropy.__version__,
    }


def _params(shard_size: int) -> dict:
    return {
        "global_bins": GLOBAL_BINS,
        "local_bins": LOCAL_BINS,
        "local_half_width_durations": views_mod.LOCAL_HALF_WIDTH_DURATIONS,
        "local_bin_width_durations": views_mod.LOCAL_BIN_WIDTH_DURATIONS,
        "min_in_transit_points": preprocess.MIN_IN_TRANSIT_POINTS,
        "min_local_coverage": preprocess.MIN_LOCAL_COVERAGE,
        "transit_mask_durations": preprocess.TRANSIT_MASK_DURATIONS,
        "shard_size": int(shard_size),
    }


def _own_files(folder: Path) -> list[Path]:
    return [
        p
        for p in folder.iterdir()
        if p.name in (MANIFEST_NAME, FAILURES_NAME)
        or re.fullmatch(r"shard-\d{5}\.npz", p.name)
        or (p.name.startswith(".") and ".tmp" in p.name)
    ]


def _clear(folder: Path) -> None:
    for p in _own_files(folder):
        p.unlink(missing_ok=True)


def _prepare_folder(
    folder: Path, identity: dict, shard_hashes: list[str], *, force: bool, resume: bool
) -> set[int]:
    """Create or reuse the shard folder; returns the shard indices already finished (to skip)."""
    if folder.exists() and not folder.is_dir():
        raise ExomesaError(f"{folder} is a file; give a folder for sharded output or remove it.")
    folder.mkdir(parents=True, exist_ok=True)
    if force:
        _clear(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        if not force and any(folder.iterdir()):
            raise ExomesaError(
                f"{folder} is not empty ({', '.join(sorted(p.name for p in folder.iterdir())[:3])} ...) and has no "
                f"{MANIFEST_NAME}; choose another --out or pass --force to build there."
            )
        done: set[int] = set()
    else:
        differs = [k for k in identity if manifest.get(k) != identity[k]]
        if differs or not resume:
            why = (
                f"was built from other {' and '.join(differs)}"
                if differs
                else "holds a finished or started build"
            )
            raise ExomesaError(
                f"{folder} {why}; refusing to overwrite it. Pass --force to rebuild, or choose another --out."
            )
        entries = manifest.get("shards", {})
        done = {
            int(i)
            for i, e in entries.items()
            if int(i) < len(shard_hashes)
            and e.get("hash") == shard_hashes[int(i)]
            and (folder / shard_name(int(i))).is_file()
        }
    return done


def build_views_parallel(
    catalog: pd.DataFrame,
    fits_paths: Iterable[Path | str],
    out: Path | str,
    *,
    workers: int | None = None,
    scheduler=None,
    shard_size: int = DEFAULT_SHARD_SIZE,
    force: bool = False,
    resume: bool = True,
    progress: bool = True,
    backend: str = "auto",
) -> BuildResult:
    """Real views for every catalog KOI whose star has files, one task per star, into sharded output.

    Args:
        catalog: KOI table with ``kepoi_name``, ``kepid`` (and/or ``tic_id``), ``koi_period`` [d],
            ``koi_time0bk`` [BKJD] (or ``koi_time0`` [BJD]) and ``koi_duration`` [h].
        fits_paths: Kepler/TESS light-curve files.
        out: a shard folder, or a ``.npz`` file (built in ``<out>.shards/``, then merged in catalog order).
        workers: parallel processes (default: the number of cores); 1 runs in this process.
        scheduler: ``"tcp://host:8786"`` (or a ``distributed.Client``) to run on an existing Dask cluster.
        shard_size: stars per shard file.
        force: rebuild from scratch, overwriting ``out``. resume: skip the shards a same-input run finished.
        progress: a tqdm bar (stars done, failures, ETA) on stderr.
        backend: ``"auto"`` (Dask if installed, else processes), ``"dask"``, ``"processes"`` or ``"serial"``.

    Returns:
        a :class:`BuildResult`; the views are read back with ``ViewSet.load(result.out)``.

    Raises:
        ExomesaError: ``out`` exists from another build (without ``force``), no KOI got a view, a cluster that
            cannot be reached, or a local worker pool that died (finished shards are kept for a rerun).
    """
    start = time.perf_counter()
    out = check_out(out, force)
    if shard_size < 1:
        raise ExomesaError(f"--shard_size must be at least 1 (got {shard_size}).")
    n_workers = (os.cpu_count() or 1) if workers is None else int(workers)
    if n_workers < 1:
        raise ExomesaError(f"--workers must be at least 1 (got {workers}).")
    if backend not in ("auto", "dask", "processes", "serial"):
        raise ExomesaError(f"unknown backend {backend!r}; use 'auto', 'dask', 'processes' or 'serial'.")
    if scheduler is not None and not _distributed_available():
        raise ExomesaError("--scheduler needs dask.distributed: pip install 'exomesa[distributed]'.")
    single_file = out.suffix == ".npz"
    folder = Path(f"{out}.shards") if single_file else out
    failures_path = out.with_name(out.stem + ".failures.csv") if single_file else out / FAILURES_NAME
    if single_file:
        check_writable(failures_path, force, what="failures file")

    tasks, index_failures = plan_star_tasks(catalog, fits_paths)
    shards = [list(range(s, min(s + shard_size, len(tasks)))) for s in range(0, len(tasks), shard_size)]
    star_hashes = [star_fingerprint(t) for t in tasks]
    shard_hashes = [hashlib.sha256("".join(star_hashes[i] for i in s).encode()).hexdigest() for s in shards]
    identity = {
        "inputs": {
            "hash": hashlib.sha256("".join(star_hashes).encode()).hexdigest(),
            "n_stars": len(tasks),
            "n_kois": sum(len(t.kois) for t in tasks),
            "n_files": sum(len(t.paths) for t in tasks),
        },
        "params": _params(shard_size),
        "versions": _versions(),
    }
    done = _prepare_folder(folder, identity, shard_hashes, force=force, resume=resume)
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        **identity,
        "n_shards": len(shards),
        "complete": False,
        "shards": {},
    }
    previous = read_manifest(folder) if done else None
    for i in sorted(done):
        manifest["shards"][str(i)] = previous["shards"][str(i)]
    write_manifest(folder, manifest)

    todo_shards = [i for i in range(len(shards)) if i not in done]
    todo = [tasks[j] for i in todo_shards for j in shards[i]]
    shard_of = [i for i in todo_shards for _ in shards[i]]
    if scheduler is None:
        n_workers = min(n_workers, max(len(todo), 1))
    if not todo:
        mode = "resume"
    elif backend == "serial" or (scheduler is None and n_workers == 1):
        mode = "serial"
    elif scheduler is not None or backend == "dask" or (backend == "auto" and _distributed_available()):
        if not _distributed_available():
            raise ExomesaError("backend 'dask' needs dask.distributed: pip install 'exomesa[distributed]'.")
        mode = "dask"
    else:
        mode = "processes"
    logger.info(
        "views of %d star(s) (%d KOI(s)) in %d shard(s) in %s: %d shard(s) finished already, %d to build (%s%s)",
        len(tasks),
        identity["inputs"]["n_kois"],
        len(shards),
        folder,
        len(done),
        len(todo_shards),
        mode,
        f", {n_workers} workers" if mode in ("dask", "processes") and scheduler is None else "",
    )

    left = {i: len(shards[i]) for i in todo_shards}
    partial: dict[int, list[tuple[int, StarResult]]] = {i: [] for i in todo_shards}
    n_failed = sum(int(e.get("failed_stars", 0)) for e in manifest["shards"].values())
    n_views = sum(int(e.get("views", 0)) for e in manifest["shards"].values())
    peak = 0.0
    dashboard = None
    if todo:
        from tqdm.auto import tqdm

        with (
            _executor(mode, todo, n_workers, scheduler) as (results, dashboard),
            tqdm(
                total=len(todo), desc="building views", unit="star", disable=not progress, mininterval=0.5
            ) as bar,
        ):  # the bar starts once the workers are up
            bar.set_postfix(failed=n_failed, views=n_views, shards=f"{len(done)}/{len(shards)}")
            for j, result in results:
                shard = shard_of[j]
                partial[shard].append((j, result))
                left[shard] -= 1
                n_failed += int(result.failed)
                n_views += len(result.names)
                peak = max(peak, result.peak_rss_mb)
                if left[shard] == 0:
                    _finish_shard(folder, shard, partial.pop(shard), shard_hashes[shard], manifest)
                    done.add(shard)
                bar.set_postfix(
                    failed=n_failed, views=n_views, shards=f"{len(done)}/{len(shards)}", refresh=False
                )
                bar.update(1)

    manifest["complete"] = True
    write_manifest(folder, manifest)
    failures = collect_failures(folder, len(shards), extra=index_failures)
    _log_skips(failures)
    if n_views == 0:
        if single_file:
            failures.to_csv(failures_path, index=False)
            _clear(folder)
            folder.rmdir()
        example = f" (e.g. {failures['reason'].iloc[0]})" if len(failures) else ""
        raise ExomesaError(
            f"none of the {len(tasks)} star(s) with light-curve files gave a view{example}. Check that the files' "
            "KEPLERID/TICID match the catalog's kepid/tic_id columns and that the ephemerides are usable."
        )
    if single_file:
        load_shard_folder(folder).save(out)
        failures.to_csv(failures_path, index=False)
        _clear(folder)
        try:
            folder.rmdir()
        except OSError:  # the user put other files there: leave them
            logger.warning("left %s in place (it holds files exomesa did not write)", folder)
    else:
        failures.to_csv(failures_path, index=False)
    seconds = time.perf_counter() - start
    logger.info(
        "built %d real view(s) from the files of %d star(s); skipped %d KOI(s); %d star(s) failed; wrote %s in "
        "%.1f s",
        n_views,
        len(tasks),
        int(failures["kepoi_name"].ne("").sum()),
        n_failed,
        out,
        seconds,
    )
    return BuildResult(
        out=out,
        failures_path=failures_path,
        n_views=n_views,
        n_stars=len(tasks),
        n_failed_stars=n_failed,
        n_shards=len(shards),
        n_shards_skipped=len(shards) - len(todo_shards),
        failures=failures,
        mode=mode,
        seconds=seconds,
        peak_rss_mb=peak,
        dashboard=dashboard,
    )


@contextmanager
def _executor(mode: str, tasks: Sequence[StarTask], workers: int, scheduler):
    """Yields (iterator of (task index, StarResult) as tasks complete, dashboard URL or None)."""
    if mode == "serial":
        yield _run_serial(tasks), None
    elif mode == "processes":
        results = _run_pool(tasks, workers)
        try:
            yield results, None
        finally:
            results.close()
    else:
        with _dask_client(workers, scheduler) as client:
            results = _run_dask(tasks, client)
            try:
                yield results, client.dashboard_link
            finally:
                results.close()


def _finish_shard(
    folder: Path, index: int, done: list[tuple[int, StarResult]], shard_hash: str, manifest: dict
) -> None:
    results = [r for _, r in sorted(done, key=lambda item: item[0])]  # star order, whatever finished first
    rows = np.concatenate([r.rows for r in results]) if results else np.zeros(0, np.int64)
    order = np.argsort(rows, kind="stable")
    names = [n for r in results for n in r.names]
    views = (
        ViewSet(
            kepoi_name=[names[k] for k in order],
            global_view=np.concatenate([r.global_view for r in results])[order],
            local_view=np.concatenate([r.local_view for r in results])[order],
            source=["real"] * len(names),
        )
        if names
        else ViewSet.empty()
    )
    failures = [f for r in results for f in r.failures]
    write_shard(folder, index, views, rows[order], failures)
    manifest["shards"][str(index)] = {
        "hash": shard_hash,
        "stars": len(results),
        "views": len(views),
        "failed_stars": sum(r.failed for r in results),
    }
    write_manifest(folder, manifest)


def _log_skips(failures: pd.DataFrame) -> None:
    koi = failures[failures["kepoi_name"] != ""]
    for name, reason in zip(
        koi["kepoi_name"][:_MAX_LOGGED_SKIPS], koi["reason"][:_MAX_LOGGED_SKIPS], strict=True
    ):
        logger.warning("no real view for %s (train/test render it from the catalog): %s", name, reason)
    if len(koi) > _MAX_LOGGED_SKIPS:
        logger.warning(
            "... and %d more KOI(s) without a real view (see failures.csv)", len(koi) - _MAX_LOGGED_SKIPS
        )
