"""Optional download of Kepler long-cadence and TESS SPOC 2-min light curves from MAST through ``lightkurve``.

lightkurve is an optional extra (``pip install 'exomesa[download]'``) and is imported only here, lazily.
Files land in ``cache_dir`` (lightkurve's ``mastDownload/...`` layout); a star whose ``kplr<KIC>-*_llc.fits``
files are already in the cache is not searched again, so a second run works offline.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterable
from pathlib import Path

from exomesa.errors import ExomesaError

__all__ = [
    "download_kepler_lightcurves",
    "cached_kepler_files",
    "download_tess_lightcurves",
    "cached_tess_files",
]

logger = logging.getLogger(__name__)

_sleep = time.sleep  # replaced in tests


def cached_kepler_files(cache_dir: Path | str, kepid: int) -> list[Path]:
    """Kepler long-cadence files of star ``kepid`` already under ``cache_dir`` (recursive)."""
    return sorted(Path(cache_dir).rglob(f"kplr{int(kepid):09d}-*_llc.fits"))


def cached_tess_files(cache_dir: Path | str, tic: int) -> list[Path]:
    """TESS SPOC 2-min light-curve files of star ``tic`` already under ``cache_dir`` (recursive)."""
    return sorted(Path(cache_dir).rglob(f"tess*-{int(tic):016d}-*_lc.fits"))


def download_tess_lightcurves(
    tic_ids: Iterable[int], cache_dir: Path | str, *, retries: int = 3, backoff_s: float = 2.0
) -> list[Path]:
    """Download the TESS SPOC 2-min PDCSAP light curves of the stars ``tic_ids`` into ``cache_dir``.

    As :func:`download_kepler_lightcurves` (cache, retries, the same offline message), searching
    ``TIC <id>`` with ``mission="TESS", author="SPOC", exptime=120``.
    """
    return _download(
        tic_ids, cache_dir, retries=retries, backoff_s=backoff_s, prefix="TIC",
        search={"mission": "TESS", "author": "SPOC", "exptime": 120}, cached=cached_tess_files,
        what="TESS SPOC 2-min", files="*_lc.fits",
    )  # fmt: skip


def download_kepler_lightcurves(
    kepids: Iterable[int], cache_dir: Path | str, *, retries: int = 3, backoff_s: float = 2.0
) -> list[Path]:
    """Download all Kepler long-cadence PDCSAP light curves of the stars ``kepids`` into ``cache_dir``.

    Args:
        kepids: Kepler Input Catalog ids.
        cache_dir: download folder (created); cached stars are not fetched again.
        retries: attempts per star before giving up; backoff_s: first wait between attempts (doubles).

    Returns:
        Paths of the light-curve files for those stars (cached and newly downloaded).

    Raises:
        ExomesaError: lightkurve is not installed, or MAST cannot be reached after ``retries`` attempts.
    """
    return _download(
        kepids, cache_dir, retries=retries, backoff_s=backoff_s, prefix="KIC",
        search={"mission": "Kepler", "author": "Kepler", "exptime": 1800}, cached=cached_kepler_files,
        what="Kepler long-cadence", files="*_llc.fits",
    )  # fmt: skip


def _download(
    ids: Iterable[int],
    cache_dir: Path | str,
    *,
    retries: int,
    backoff_s: float,
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
    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    ids = sorted({int(k) for k in ids})
    for kepid in ids:
        have = cached(cache_dir, kepid)
        if have:
            paths.extend(have)
            continue
        target = f"{prefix} {kepid}"
        for attempt in range(1, retries + 1):
            try:
                result = lk.search_lightcurve(target, **search)
                if len(result) == 0:
                    logger.warning("MAST has no %s light curve for %s", what, target)
                    break
                result.download_all(download_dir=str(cache_dir))
                break
            except Exception as exc:  # network stacks raise many types (requests, astroquery, OSError)
                if attempt == retries:
                    raise ExomesaError(
                        f"could not download the light curves of {target} from MAST after {retries} attempt(s) "
                        f"({type(exc).__name__}: {exc}). Check the internet connection (this machine may be "
                        f"offline), or put the {files} files in a folder and pass --fits_dir instead."
                    ) from exc
                wait = backoff_s * 2 ** (attempt - 1)
                logger.warning("download of %s failed (%s); retrying in %.0f s", target, exc, wait)
                _sleep(wait)
        paths.extend(cached(cache_dir, kepid))
    logger.info("%d light-curve file(s) for %d star(s) in %s", len(paths), len(ids), cache_dir)
    return paths
