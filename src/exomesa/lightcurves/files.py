"""Finding light-curve files on disk.

from exomesa.lightcurves.files import find_fits_files
files = find_fits_files("fits/")          # every *.fits / *.fits.gz below, sorted
"""

from __future__ import annotations

from pathlib import Path

from exomesa.errors import ExomesaError

__all__ = ["find_fits_files"]


def find_fits_files(folder: Path | str) -> list[Path]:
    """Every ``*.fits`` / ``*.fits.gz`` file under ``folder`` (recursively), sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExomesaError(f"--fits_dir {folder} is not a folder.")
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith((".fits", ".fits.gz"))
    )
