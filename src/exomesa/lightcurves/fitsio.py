"""Read Kepler and TESS light-curve FITS files (astropy only).

:func:`read_lightcurve` detects the mission from the primary header (``TELESCOP``), takes the ``LIGHTCURVE``
extension's ``TIME``, ``PDCSAP_FLUX`` and ``PDCSAP_FLUX_ERR`` columns, keeps cadences with quality flag 0
(``QUALITY``, or ``SAP_QUALITY`` in early Kepler files) and finite time/flux, and divides the flux by its
median (so one file — a Kepler quarter or a TESS sector — is normalised to 1). :func:`stitch` joins several
files of one target in time order.

Times stay in the file's own system, days since ``bjd_ref`` (BKJD = BJD − 2454833 for Kepler, BTJD = BJD −
2457000 for TESS); :attr:`LightCurve.bjd_ref` records the offset so a catalog epoch in BKJD or BJD can be
converted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from exomesa import sources
from exomesa.errors import ExomesaError

__all__ = ["LightCurve", "read_lightcurve", "read_header_ids", "stitch", "BKJD_REF", "BTJD_REF"]

logger = logging.getLogger(__name__)

BKJD_REF = sources.lightcurve_files("Kepler").bjd_ref  # 2454833.0
BTJD_REF = sources.lightcurve_files("TESS").bjd_ref  # 2457000.0


@dataclass
class LightCurve:
    """One target's light curve.

    Attributes:
        time: [N] float64, days since ``bjd_ref`` (BKJD for Kepler, BTJD for TESS), increasing.
        flux: [N] float64, PDCSAP flux divided by its per-file median (≈ 1).
        flux_err: [N] float64, the matching uncertainty (same scaling).
        mission: ``"Kepler"`` or ``"TESS"``.
        target_id: KIC id (Kepler) or TIC id (TESS).
        bjd_ref: the BJD of ``time == 0`` (2454833 Kepler, 2457000 TESS).
        paths: the files it was read from.
    """

    time: np.ndarray
    flux: np.ndarray
    flux_err: np.ndarray
    mission: str
    target_id: int
    bjd_ref: float
    paths: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.time)

    @property
    def name(self) -> str:
        """``KIC 10666592`` or ``TIC 25155310``."""
        return sources.lightcurve_files(self.mission).target_name(self.target_id)


def _mission(header, path: Path) -> str:
    """The mission of a light-curve file: its ``TELESCOP``, else the id keyword it has (registry order)."""
    telescope = str(header.get("TELESCOP", "")).strip().upper()
    known = sources.all_lightcurve_files()
    for files in known:
        if telescope.startswith(files.telescopes):
            return files.mission
    for files in known:
        if files.header_key in header:
            return files.mission
    keys = "/".join(f.header_key for f in known)
    raise ExomesaError(
        f"{path}: cannot tell the mission (TELESCOP={telescope!r}, no {keys} keyword); only "
        f"{' and '.join(f.mission for f in known)} light-curve files "
        f"({', '.join(f.files for f in known)}) are supported."
    )


def read_header_ids(path: Path | str) -> tuple[str, int]:
    """(mission, target id) from the primary header only, without reading the table."""
    from astropy.io import fits

    path = Path(path)
    try:
        header = fits.getheader(path, 0)
    except (OSError, ValueError) as exc:
        raise ExomesaError(f"{path} could not be read as a FITS file ({exc}).") from exc
    mission = _mission(header, path)
    key = sources.lightcurve_files(mission).header_key
    if key not in header:
        raise ExomesaError(f"{path}: the primary header has no {key}; is this a {mission} light-curve file?")
    return mission, int(header[key])


def read_lightcurve(path: Path | str) -> LightCurve:
    """Read one Kepler/TESS light-curve file; see the module docstring for what is kept.

    Raises:
        ExomesaError naming the file when it is missing, not FITS, not a light curve (no ``LIGHTCURVE``
        extension or flux column) or holds no good cadence.
    """
    from astropy.io import fits

    path = Path(path)
    if not path.is_file():
        raise ExomesaError(f"light-curve file {path} does not exist.")
    try:
        hdul = fits.open(path, memmap=False)
    except (OSError, ValueError) as exc:
        raise ExomesaError(f"{path} could not be read as a FITS file ({exc}).") from exc
    with hdul:
        mission = _mission(hdul[0].header, path)
        if "LIGHTCURVE" not in hdul:
            names = [h.name for h in hdul]
            raise ExomesaError(
                f"{path} is not a light-curve file: it has no LIGHTCURVE extension (extensions: {names}). "
                "Use the mission's *_llc.fits / *_lc.fits products, not target-pixel or full-frame files."
            )
        table = hdul["LIGHTCURVE"]
        columns = [c.upper() for c in (table.columns.names or [])]
        for required in ("TIME", "PDCSAP_FLUX"):
            if required not in columns:
                raise ExomesaError(
                    f"{path}: the LIGHTCURVE table has no {required} column (columns: {columns})."
                )
        files = sources.lightcurve_files(mission)
        key = files.header_key
        header0 = hdul[0].header
        if key not in header0:
            raise ExomesaError(
                f"{path}: the primary header has no {key}; is this a {mission} light-curve file?"
            )
        target_id = int(header0[key])
        bjd_ref = float(table.header.get("BJDREFI", files.bjd_ref)) + float(table.header.get("BJDREFF", 0.0))
        data = table.data
        time = np.asarray(data["TIME"], dtype=np.float64)
        flux = np.asarray(data["PDCSAP_FLUX"], dtype=np.float64)
        flux_err = (
            np.asarray(data["PDCSAP_FLUX_ERR"], dtype=np.float64)
            if "PDCSAP_FLUX_ERR" in columns
            else np.full_like(flux, np.nan)
        )
        quality_col = (
            "QUALITY" if "QUALITY" in columns else "SAP_QUALITY" if "SAP_QUALITY" in columns else None
        )
        quality = np.asarray(data[quality_col]) if quality_col else np.zeros(len(time), dtype=np.int64)

    good = (quality == 0) & np.isfinite(time) & np.isfinite(flux)
    if good.sum() < 2:
        raise ExomesaError(f"{path}: no usable cadences (quality flag 0 with finite time and PDCSAP flux).")
    time, flux, flux_err = time[good], flux[good], flux_err[good]
    median = np.median(flux)
    if not np.isfinite(median) or median <= 0:
        raise ExomesaError(f"{path}: the median PDCSAP flux is {median}; cannot normalise this light curve.")
    order = np.argsort(time, kind="stable")
    logger.debug("%s: %s %d, %d good cadences", path.name, mission, target_id, good.sum())
    return LightCurve(
        time=time[order],
        flux=flux[order] / median,
        flux_err=flux_err[order] / median,
        mission=mission,
        target_id=target_id,
        bjd_ref=bjd_ref,
        paths=(str(path),),
    )


def stitch(curves: Sequence[LightCurve]) -> LightCurve:
    """Join several (already per-file normalised) light curves of one target into one, sorted by time.

    Times are converted to the first curve's ``bjd_ref``; curves of different targets are an error.
    """
    if not curves:
        raise ExomesaError("stitch: no light curves given.")
    first = curves[0]
    for lc in curves[1:]:
        if (lc.mission, lc.target_id) != (first.mission, first.target_id):
            raise ExomesaError(
                f"stitch: {lc.paths[0]} is {lc.name} but {first.paths[0]} is {first.name}; stitch one target at "
                "a time."
            )
    time = np.concatenate([lc.time + (lc.bjd_ref - first.bjd_ref) for lc in curves])
    order = np.argsort(time, kind="stable")
    return LightCurve(
        time=time[order],
        flux=np.concatenate([lc.flux for lc in curves])[order],
        flux_err=np.concatenate([lc.flux_err for lc in curves])[order],
        mission=first.mission,
        target_id=first.target_id,
        bjd_ref=first.bjd_ref,
        paths=tuple(p for lc in curves for p in lc.paths),
    )
