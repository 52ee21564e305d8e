"""Optional download of Kepler long-cadence and TESS SPOC 2-min light curves from MAST through ``lightkurve``.

lightkurve is an optional extra (``pip install 'exomesa[download]'``) and is imported only here, lazily.
Files land in ``cache_dir`` (lightkurve's ``mastDownload/...`` layout); a star whose ``kplr<KIC>-*_llc.fits``
files are already in the cache is not searched again, so a second run works offline.

Per star: at most one MAST request every ``min_interval_s`` seconds (a courtesy rate limit), ``retries``
attempts with doubling waits, and then, when a ``failures`` list is passed, a failure row (``stage
"download"``) instead of an error, so one star never stops a run of thousands. If the first
:data:`~exomesa.defaults.DOWNLOAD_GIVE_UP_AFTER` stars requested all fail, MAST is taken to be unreachable (an
offline machine), and after :data:`~exomesa.defaults.DOWNLOAD_OUTAGE_AFTER` failures in a row to be down: the
run then stops with one error (a rerun resumes from the cache).
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterable
from pathlib import Path

from exomesa import sources
from exomesa.defaults import (
    DOWNLOAD_BACKOFF_S,
    DOWNLOAD_GIVE_UP_AFTER,
    DOWNLOAD_MIN_INTERVAL_S,
    DOWNLOAD_OUTAGE_AFTER,
    DOWNLOAD_RETRIES,
)
from exomesa.errors import ExomesaError

__all__ = [
    "download_lightcurves",
    "cached_kepler_files",
    "cached_tess_files",
]

logger = logging.getLogger(__name__)

_sleep = time.sleep  # replaced in tests
_clock = time.monotonic  # replaced in tests


def cached_kepler_files(cache_dir: Path | str, kepid: int) -> list[Path]:
    """Kepler long-cadence files of star ``kepid`` already under ``cache_dir`` (recursive)."""
    return sources.lightcurve_files("Kepler").cached(cache_dir, kepid)


def cached_tess_files(cache_dir: Path | str, tic: int) -> list[Path]:
    """TESS SPOC 2-min light-curve files of star ``tic`` already under ``cache_dir`` (recursive)."""
    return sources.lightcurve_files("TESS").cached(cache_dir, tic)


def download_lightcurves(
    mission: str,
    ids: Iterable[int],
    cache_dir: Path | str,
    *,
    retries: int = DOWNLOAD_RETRIES,
    backoff_s: float = DOWNLOAD_BACKOFF_S,
    min_interval_s: float = DOWNLOAD_MIN_INTERVAL_S,
    failures: list[list[str]] | None = None,
    progress: bool | None = None,
) -> list[Path]:
    """Download the light curves of the stars ``ids`` of ``mission`` (any case) into ``cache_dir``, as its
    source says (:func:`exomesa.sources.lightcurve_files`: what MAST is searched for, the cache file pattern):
    Kepler long-cadence PDCSAP files by KIC id, TESS SPOC 2-min PDCSAP files by TIC id.

    Args:
        mission: ``"Kepler"`` or ``"TESS"`` (any case).
        ids: the stars' ids (KIC or TIC).
        cache_dir: download folder (created); cached stars are not fetched again.
        retries: attempts per star before giving up; backoff_s: first wait between attempts [s] (doubles).
        min_interval_s: least time between the first requests of two stars [s].
        failures: where a star that still fails after ``retries`` attempts is recorded as a
            :data:`~exomesa.lightcurves.shards.FAILURE_COLUMNS` row (and the loop goes on); ``None`` raises.
        progress: a tqdm bar (stars, failures, ETA) on stderr; ``None``: only when stderr is a terminal.

    Returns:
        Paths of the light-curve files for those stars (cached and newly downloaded).

    Raises:
        ExomesaError: lightkurve is not installed; MAST looks unreachable or down (see the module
            docstring); or, with ``failures=None``, any star failed after ``retries`` attempts.
    """
    files = sources.lightcurve_files(mission)
    return _download(
        ids, cache_dir, retries=retries, backoff_s=backoff_s, min_interval_s=min_interval_s,
        failures=failures, progress=progress, prefix=files.id_prefix, search=dict(files.search),
        cached=files.cached, what=files.what, files=files.files,
    )  # fmt: skip


def _download(
    ids: Iterable[int],
    cache_dir: Path | str,
    *,
    retries: int,
    backoff_s: float,
    min_interval_s: float,
    failures: list[list[str]] | None,
    progress: bool | None,
    prefix: str,
    search: dict,
    cached,
    what: str,
    files: str,
) -> list[Path]:
    """The download loop shared by Kepler (``KIC``) and TESS (``TIC``) targets."""
    try:
        with warnings.catch_warnings():  # lightkurve warns about optional sub-packages on import
            warnings.simplefilter("ignore")
            import lightkurve as lk
    except ImportError as exc:
        raise ExomesaError(
            "--download needs the optional package lightkurve: pip install 'exomesa[download]' "
            f"(or download the {files} files yourself and pass --fits_dir)."
        ) from exc
    from tqdm.auto import tqdm

    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    ids = sorted({int(k) for k in ids})
    limiter = _RateLimiter(min_interval_s)
    answered = failed_in_a_row = 0  # requests MAST answered; stars failed since the last answer
    show = None if progress is None else not progress
    with tqdm(ids, desc=f"downloading {what}", unit="star", disable=show) as bar:
        for kepid in bar:
            have = cached(cache_dir, kepid)
            if have:
                paths.extend(have)
                continue
            target = f"{prefix} {kepid}"
            reached, error = _fetch_star(lk, target, search, cache_dir, retries, backoff_s, limiter, what)
            if reached:
                answered += 1
                failed_in_a_row = 0
                if error is None:
                    paths.extend(cached(cache_dir, kepid))
                    continue
                message = error  # MAST answered, with no file for this star
            else:
                failed_in_a_row += 1
                message = (
                    f"could not download the light curves of {target} from MAST after {retries} attempt(s) "
                    f"({error})"
                )
                give_up = DOWNLOAD_GIVE_UP_AFTER if answered == 0 else DOWNLOAD_OUTAGE_AFTER
                if failures is None or failed_in_a_row >= min(give_up, len(ids)):
                    in_a_row = "" if failures is None else f"; {failed_in_a_row} star(s) in a row failed"
                    raise ExomesaError(
                        f"{message}{in_a_row}. Check the internet connection (this machine may be offline) and "
                        f"rerun (downloaded stars are cached), or put the {files} files in a folder and pass "
                        "--fits_dir."
                    )
            if failures is None:
                logger.warning("%s", message)
                continue
            logger.warning("%s; listed in the failures, going on", message)
            failures.append([target, "", "download", "", message])
            bar.set_postfix(failed=len(failures), refresh=False)
    logger.info("%d light-curve file(s) for %d star(s) in %s", len(paths), len(ids), cache_dir)
    return paths


class _RateLimiter:
    """Spaces calls at least ``min_interval_s`` apart (``wait`` sleeps the rest of the interval)."""

    def __init__(self, min_interval_s: float) -> None:
        self.min_interval_s = float(min_interval_s)
        self._last: float | None = None

    def wait(self) -> None:
        now = _clock()
        if self._last is not None and now - self._last < self.min_interval_s:
            _sleep(self.min_interval_s - (now - self._last))
            now = _clock()
        self._last = now


def _fetch_star(
    lk, target: str, search: dict, cache_dir: Path, retries: int, backoff_s: float, limiter: _RateLimiter,
    what: str,
) -> tuple[bool, str | None]:  # fmt: skip
    """Search and download one star's files in at most ``retries`` attempts.

    Returns (MAST answered, what went wrong): ``(True, None)`` downloaded; ``(True, why)`` MAST has no such
    light curve; ``(False, last error)`` every attempt failed.
    """
    for attempt in range(1, max(retries, 1) + 1):
        limiter.wait()
        try:
            result = lk.search_lightcurve(target, **search)
            if len(result) == 0:
                return True, f"MAST has no {what} light curve for {target}"
            result.download_all(download_dir=str(cache_dir))
            return True, None
        except Exception as exc:  # network stacks raise many types (requests, astroquery, OSError)
            if attempt >= retries:
                return False, f"{type(exc).__name__}: {exc}"
            wait = backoff_s * 2 ** (attempt - 1)
            logger.warning("download of %s failed (%s); retrying in %.0f s", target, exc, wait)
            _sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
