"""Tell a MESA checkpoint file from anything else without importing torch.

A checkpoint written by :func:`exomesa.mesa.checkpoint.save_checkpoint` is a PyTorch zip archive: a zip file
whose members sit in one folder and include ``<folder>/data.pkl``. :func:`check_checkpoint_file` reads only
the zip directory, so a file that is not a checkpoint is refused at once, in our words, before the seconds
that importing torch costs.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from exomesa.errors import ExomesaError

__all__ = ["is_checkpoint_file", "check_checkpoint_file"]


def is_checkpoint_file(path: Path | str) -> bool:
    """Whether ``path`` is a PyTorch zip archive (the container of every MESA checkpoint); loads nothing."""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(name.endswith("/data.pkl") or name == "data.pkl" for name in zf.namelist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def check_checkpoint_file(path: Path | str) -> None:
    """Raise an :class:`ExomesaError` naming ``path`` when it cannot be a MESA checkpoint."""
    if not is_checkpoint_file(path):
        raise ExomesaError(
            f"{path} is not an exomesa model file: neither a MESA checkpoint (a PyTorch archive written by "
            "`exomesa train`) nor a baseline model (written by `exomesa baseline train`). Pass one of those."
        )
