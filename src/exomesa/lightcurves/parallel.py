"""Build real views star by star on many cores or a Dask cluster, into sharded, resumable output.

One task is one star: read and stitch its files, then fold every KOI of that star (the same functions as
:func:`exomesa.lightcurves.preprocess.build_views`, so the views are bit-identical in every mode). Tasks run

* in this process when ``workers == 1`` (or there is a single star to build);
* on a Dask ``LocalCluster`` (processes, one thread each) when ``dask.distributed`` is installed
  (``pip install 'exomesa[distributed]'``), or on an existing cluster given by ``scheduler="tcp://host:8786"``;
* otherwise on a ``concurrent.futures.ProcessPoolExecutor``.

Results go to a shard folder (:mod:`exomesa.lightcurves.shards`): one ``.npz`` per ``shard_size`` stars, a
``manifest.json``, ``failures.csv`` and ``unmatched.csv`` (files of stars or missions the catalog does not
hold: a folder may hold them, they are listed and left out). Rerunning the same command skips the finished
shards; an ``out`` ending in ``.npz`` is built in ``<out>.shards/`` and merged into one file (catalog order) at
the end, its side files named after it: ``<stem>.failures.csv``, ``<stem>.unmatched.csv``. A star that fails
never stops the run.

Examples::

    exomesa lightcurves build --fits_dir lightcurves/ --out views/ --workers 16
    exomesa lightcurves build --fits_dir /shared/kepler/ --out views/ --scheduler tcp://head-node:8786

    from exomesa.lightcurves.parallel import build_views_parallel
    result = build_views_parallel(catalog, fits_paths, "views/", workers=8)
    views = ViewSet.load("views/")
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa._version import __version__
from exomesa.errors import ExomesaError
from exomesa.lightcurves import preprocess
from exomesa.lightcurves import views as views_mod
from exomesa.lightcurves.executors import distributed_available, executor
from exomesa.lightcurves.shards import (
    FAILURES_NAME,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    check_out,
    collect_failures,
    load_shard_folder,
    read_manifest,
    shard_name,
    star_fingerprint,
    write_manifest,
    write_shard,
)
from exomesa.lightcurves.star_tasks import UNMATCHED_COLUMNS, StarResult, plan_star_tasks
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS, ViewSet
from exomesa.utils import check_writable, usable_cpus

__all__ = [
    "DEFAULT_SHARD_SIZE",
    "UNMATCHED_NAME",
    "BuildResult",
    "build_views_parallel",
]

logger = logging.getLogger(__name__)

#: The list of files that match no catalog row, inside a shard folder (``<stem>.unmatched.csv`` beside a
#: ``.npz`` output).
UNMATCHED_NAME = "unmatched.csv"
DEFAULT_SHARD_SIZE = 200  # stars per shard: ~1 MB of views, a few seconds of work per worker
_MAX_LOGGED_SKIPS = 20


@dataclass
class BuildResult:
    """Summary of :func:`build_views_parallel`.

    Attributes:
        out: the views file or shard folder written; failures_path: the failures CSV.
        unmatched: DataFrame (:data:`~exomesa.lightcurves.star_tasks.UNMATCHED_COLUMNS`) of the files that
            match no catalog row (other stars, other missions), left out; unmatched_path: where it is listed.
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
    unmatched: pd.DataFrame | None = None
    unmatched_path: Path | None = None


# ---------------------------------------------------------------------------------------------- the build


def _versions() -> dict[str, str]:
    import astropy
    import scipy

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
        if p.name in (MANIFEST_NAME, FAILURES_NAME, UNMATCHED_NAME)
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
    progress: bool | None = None,
    backend: str = "auto",
    extra_failures: Iterable[Sequence[str]] = (),
) -> BuildResult:
    """Real views for every catalog KOI whose star has files, one task per star, into sharded output.

    Args:
        catalog: KOI table with ``candidate_id``, ``kepid`` and/or ``tic_id`` (the light-curve ids), ``koi_period`` [d],
            ``koi_time0bk`` [BKJD] (or ``koi_time0`` [BJD]) and ``koi_duration`` [h].
        fits_paths: Kepler/TESS light-curve files.
        out: a shard folder, or a ``.npz`` file (built in ``<out>.shards/``, then merged in catalog order).
        workers: parallel processes (default: the number of cores); 1 runs in this process.
        scheduler: ``"tcp://host:8786"`` (or a ``distributed.Client``) to run on an existing Dask cluster.
        shard_size: stars per shard file.
        force: rebuild from scratch, overwriting ``out``. resume: skip the shards a same-input run finished.
        progress: a tqdm bar (stars done, failures, ETA) on stderr; ``None``: only when stderr is a terminal.
        backend: ``"auto"`` (Dask if installed, else processes), ``"dask"``, ``"processes"`` or ``"serial"``.
        extra_failures: rows (:data:`~exomesa.lightcurves.shards.FAILURE_COLUMNS`) of earlier stages, e.g. the
            stars whose download failed, written to ``failures.csv`` with the build's own (and counted in
            ``n_failed_stars``).

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
    n_workers = usable_cpus() if workers is None else int(workers)
    if n_workers < 1:
        raise ExomesaError(f"--workers must be at least 1 (got {workers}).")
    if backend not in ("auto", "dask", "processes", "serial"):
        raise ExomesaError(f"unknown backend {backend!r}; use 'auto', 'dask', 'processes' or 'serial'.")
    if scheduler is not None and not distributed_available():
        raise ExomesaError("--scheduler needs dask.distributed: pip install 'exomesa[distributed]'.")
    single_file = out.suffix == ".npz"
    folder = Path(f"{out}.shards") if single_file else out
    failures_path = out.with_name(out.stem + ".failures.csv") if single_file else out / FAILURES_NAME
    unmatched_path = out.with_name(out.stem + ".unmatched.csv") if single_file else out / UNMATCHED_NAME
    if single_file:
        check_writable([failures_path, unmatched_path], force, what="list of failures or unmatched files")

    unmatched_rows: list[list[str]] = []
    tasks, index_failures = plan_star_tasks(catalog, fits_paths, unmatched=unmatched_rows)
    unmatched = pd.DataFrame(unmatched_rows, columns=UNMATCHED_COLUMNS)
    _log_unmatched(unmatched, unmatched_path)
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
    elif scheduler is not None or backend == "dask" or (backend == "auto" and distributed_available()):
        if not distributed_available():
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
            executor(mode, todo, n_workers, scheduler) as (results, dashboard),
            tqdm(
                total=len(todo),
                desc="building views",
                unit="star",
                disable=None if progress is None else not progress,
                mininterval=0.5,
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
    extra_failures = list(extra_failures)  # an iterable, read twice below
    n_failed += len({r[0] for r in extra_failures if r[2] == "download"})  # stars that never got files
    failures = collect_failures(folder, len(shards), extra=[*extra_failures, *index_failures])
    _log_skips(failures)
    if n_views == 0:
        if single_file:
            failures.to_csv(failures_path, index=False)
            unmatched.to_csv(unmatched_path, index=False)
            _clear(folder)
            folder.rmdir()
        else:
            unmatched.to_csv(unmatched_path, index=False)
        if not tasks and len(unmatched):
            first = unmatched.iloc[0]
            raise ExomesaError(
                f"none of the {len(unmatched)} light-curve file(s) matches a catalog row (e.g. "
                f"{Path(first['file']).name}: {first['mission']} {first['target']}; listed in {unmatched_path}). "
                "Files match on KEPLERID -> kepid and TICID -> tic_id: pass the catalog these stars are in "
                "(e.g. --catalog toi or an ExoFOP export for TESS files)."
            )
        example = f" (e.g. {failures['reason'].iloc[0]})" if len(failures) else ""
        raise ExomesaError(
            f"none of the {len(tasks)} star(s) with light-curve files gave a view{example}. Check that the files' "
            "KEPLERID/TICID match the catalog's kepid/tic_id columns and that the ephemerides are usable."
        )
    if single_file:
        load_shard_folder(folder).save(out)
        failures.to_csv(failures_path, index=False)
        unmatched.to_csv(unmatched_path, index=False)
        _clear(folder)
        try:
            folder.rmdir()
        except OSError:  # the user put other files there: leave them
            logger.warning("left %s in place (it holds files exomesa did not write)", folder)
    else:
        failures.to_csv(failures_path, index=False)
        unmatched.to_csv(unmatched_path, index=False)
    seconds = time.perf_counter() - start
    logger.info(
        "built %d real view(s) from the files of %d star(s); skipped %d KOI(s); %d star(s) failed; wrote %s in "
        "%.1f s",
        n_views,
        len(tasks),
        int(failures["candidate_id"].ne("").sum()),
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
        unmatched=unmatched,
        unmatched_path=unmatched_path,
    )


def _finish_shard(
    folder: Path, index: int, done: list[tuple[int, StarResult]], shard_hash: str, manifest: dict
) -> None:
    results = [r for _, r in sorted(done, key=lambda item: item[0])]  # star order, whatever finished first
    rows = np.concatenate([r.rows for r in results]) if results else np.zeros(0, np.int64)
    order = np.argsort(rows, kind="stable")
    names = [n for r in results for n in r.names]
    views = (
        ViewSet(
            candidate_id=[names[k] for k in order],
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


def _log_unmatched(unmatched: pd.DataFrame, path: Path) -> None:
    """One line counting the files of stars the catalog does not hold (per mission), and where they are listed."""
    if not len(unmatched):
        return
    counts = unmatched.groupby("mission", sort=False).agg(files=("file", "size"), stars=("target", "nunique"))
    logger.info(
        "%d light-curve file(s) match no catalog row and are left out (%s); listed in %s",
        len(unmatched),
        ", ".join(f"{m}: {r.files} file(s) of {r.stars} star(s)" for m, r in counts.iterrows()),
        path,
    )


def _log_skips(failures: pd.DataFrame) -> None:
    koi = failures[failures["candidate_id"] != ""]
    for name, reason in zip(
        koi["candidate_id"][:_MAX_LOGGED_SKIPS], koi["reason"][:_MAX_LOGGED_SKIPS], strict=True
    ):
        logger.warning("no real view for %s (train/test render it from the catalog): %s", name, reason)
    if len(koi) > _MAX_LOGGED_SKIPS:
        logger.warning(
            "... and %d more KOI(s) without a real view (see failures.csv)", len(koi) - _MAX_LOGGED_SKIPS
        )
