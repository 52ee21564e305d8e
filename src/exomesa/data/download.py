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

from exomesa.defaults import cache_dir as default_cache_dir
from exomesa.errors import ExomesaError

__all__ = [
    "ARCHIVE_TAP_URL",
    "EXOFOP_TOI_URL",
    "KOI_TABLES",
    "TABLES",
    "archive_query_url",
    "download_koi_table",
]

logger = logging.getLogger(__name__)

ARCHIVE_TAP_URL = "https://exoplanetarchive.ipac.caltech.edu/TAP/sync"
#: KOI tables the archive serves through TAP.
KOI_TABLES = ("cumulative", "q1_q17_dr25_koi")
#: The current TESS TOI table as CSV from ExoFOP-TESS (the embedded one is its 2024-09-30 export).
EXOFOP_TOI_URL = "https://exofop.ipac.caltech.edu/tess/download_toi.php?sort=toi&output=csv"
#: Every table ``download_koi_table`` fetches: the archive's KOI tables and ExoFOP's ``toi``.
TABLES = (*KOI_TABLES, "toi")


def archive_query_url(table: str = "cumulative", columns: str = "*") -> str:
    """The URL that returns ``table`` as CSV (archive TAP ``sync`` for KOI tables, ExoFOP for ``toi``)."""
    if table == "toi":
        return EXOFOP_TOI_URL
    if table not in KOI_TABLES:
        raise ExomesaError(f"unknown archive table {table!r}; choose one of {list(TABLES)}.")
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
        table: ``"cumulative"`` (current dispositions), ``"q1_q17_dr25_koi"`` or ``"toi"`` (the current
            ExoFOP-TESS TOI table, :data:`EXOFOP_TOI_URL`; read with ``--source <cached path>``).
        cache_dir: folder for the CSV (default :func:`exomesa.defaults.cache_dir`).
        force: download again even when a cached copy exists.
        timeout: seconds per attempt.
        retries: further attempts after the first failure (with 2 s, 4 s, ... pauses).
        opener: ``urllib.request.urlopen`` or a stand-in (tests use a recorded response).
    """
    from exomesa.data.catalog import load_catalog

    url = archive_query_url(table)
    host = "ExoFOP-TESS" if table == "toi" else "the NASA Exoplanet Archive"
    offline_hint = (
        "the embedded TOI table (--source toi, exported 2024-09-30)"
        if table == "toi"
        else "the embedded DR25 table (the default, --source dr25)"
    )
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
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
            logger.info("downloading %s from %s (attempt %d)", table, host, attempt + 1)
            with opener(url, timeout=timeout) as response:  # type: ignore[operator]
                payload = response.read()
            break
        except (urllib.error.URLError, TimeoutError, OSError, http.client.HTTPException) as exc:
            last_error = exc
            if attempt < retries:
                time.sleep(2.0 * (attempt + 1))
    else:
        raise ExomesaError(
            f"could not reach {host} at {url.split('?')[0]} ({last_error}). Check your internet connection, "
            f"or work offline with {offline_hint}."
        )
    if not payload or not payload.strip():
        raise ExomesaError(f"{host} returned an empty response for {table}; try again later.")
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
            f"the answer of {host} for {table} is not a {'TOI' if table == 'toi' else 'KOI'} table ({exc}); "
            f"it began: {head!r}"
        ) from exc
    tmp.replace(target)
    logger.info("saved %d KOIs to %s", len(df), target)
    logger.info("use it with: exomesa data prepare --source %s --out data", target)
    return target
