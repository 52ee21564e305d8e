"""Download current KOI tables from the NASA Exoplanet Archive TAP service (for users with internet).

The embedded DR25 table needs no download; this fetches the live ``cumulative`` KOI table (or the archived
``q1_q17_dr25_koi`` one) as CSV into a cache folder, with a timeout, retries and a clear message when offline.

Example::

    from exomesa.data.download import download_koi_table
    path = download_koi_table("cumulative")          # ~/.cache/exomesa/cumulative.csv
    # then: exomesa data prepare --source <path> --out data/
"""

from __future__ import annotations

import http.client
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from exomesa.errors import ExomesaError

__all__ = ["ARCHIVE_TAP_URL", "KOI_TABLES", "archive_query_url", "download_koi_table"]

logger = logging.getLogger(__name__)

ARCHIVE_TAP_URL = "https://exoplanetarchive.ipac.caltech.edu/TAP/sync"
#: KOI tables the archive serves through TAP.
KOI_TABLES = ("cumulative", "q1_q17_dr25_koi")


def archive_query_url(table: str = "cumulative", columns: str = "*") -> str:
    """The TAP ``sync`` URL that returns ``table`` as CSV."""
    if table not in KOI_TABLES:
        raise ExomesaError(f"unknown archive table {table!r}; choose one of {list(KOI_TABLES)}.")
    query = f"select {columns} from {table}"
    return f"{ARCHIVE_TAP_URL}?{urllib.parse.urlencode({'query': query, 'format': 'csv'})}"


def download_koi_table(
    table: str = "cumulative",
    cache_dir: Path | str | None = None,
    *,
    force: bool = False,
    timeout: float = 120.0,
    retries: int = 2,
    opener: Callable[..., object] = urllib.request.urlopen,
) -> Path:
    """Fetch ``table`` from the archive into ``cache_dir/<table>.csv`` and return the path.

    An existing cached file is reused unless ``force``. The download is written to a temporary file and
    checked (it must parse as a KOI table) before it replaces the cache entry.

    Args:
        table: ``"cumulative"`` (current dispositions) or ``"q1_q17_dr25_koi"``.
        cache_dir: folder for the CSV (default :func:`exomesa.defaults.cache_dir`).
        force: download again even when a cached copy exists.
        timeout: seconds per attempt.
        retries: further attempts after the first failure (with 2 s, 4 s, ... pauses).
        opener: ``urllib.request.urlopen`` or a stand-in (tests use a recorded response).
    """
    from exomesa.data.catalog import load_catalog

    url = archive_query_url(table)
    cache = Path(cache_dir) if cache_dir is not None else cache_dir()
    target = cache / f"{table}.csv"
    if target.exists() and not force:
        logger.info("using cached %s (pass --force to download again)", target)
        return target
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExomesaError(
            f"cannot create the cache folder {cache} ({exc.strerror or exc}); pass a writable --cache_dir."
        ) from exc
    last_error: Exception | None = None
    for attempt in range(retries + 1):
        try:
            logger.info("downloading %s from the NASA Exoplanet Archive (attempt %d)", table, attempt + 1)
            with opener(url, timeout=timeout) as response:  # type: ignore[operator]
                payload = response.read()
            break
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
            last_error = exc
            if attempt < retries:
                time.sleep(2.0 * (attempt + 1))
    else:
        raise ExomesaError(
            f"could not reach the NASA Exoplanet Archive at {ARCHIVE_TAP_URL} ({last_error}). Check your "
            "internet connection, or work offline with the embedded DR25 table (the default, --source dr25)."
        )
    if not payload or not payload.strip():
        raise ExomesaError(f"the archive returned an empty response for {table}; try again later.")
    tmp = target.with_suffix(".csv.part")
    try:
        tmp.write_bytes(payload)
    except OSError as exc:
        raise ExomesaError(
            f"cannot write the downloaded table to {tmp} ({exc.strerror or exc}); pass a writable --cache_dir."
        ) from exc
    try:
        df = load_catalog(tmp, require_label=False)
    except ExomesaError as exc:
        tmp.unlink(missing_ok=True)
        head = payload[:200].decode("utf-8", "replace")
        raise ExomesaError(
            f"the archive's answer for {table} is not a KOI table ({exc}); it began: {head!r}"
        ) from exc
    tmp.replace(target)
    logger.info("saved %d KOIs to %s", len(df), target)
    logger.info("use it with: exomesa data prepare --source %s --out data", target)
    return target
