"""Sharded, resumable view folders: one ``.npz`` per chunk of stars, a ``manifest.json`` and ``failures.csv``.

A shard folder (written by :func:`exomesa.lightcurves.parallel.build_views_parallel`) holds::

    manifest.json      what was built from what: the inputs' hash (file names, sizes, mtimes and the catalog
                       rows used), the parameters, the package versions, and the shards finished so far
    shard-00000.npz    the views of stars 0 … shard_size−1 (ViewSet format plus ``catalog_row`` and the
    shard-00001.npz    shard's failures), written atomically, so a killed run never leaves half a shard
    failures.csv       one row per KOI, file or star that gave no view, with the stage and the reason
    unmatched.csv      the files of stars the catalog does not hold (file, mission, target), left out

:func:`load_shard_folder` (what :meth:`ViewSet.load` does for a folder) returns the views of a finished folder
in catalog order, equal to the single ``views.npz`` of the same build.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa import sources
from exomesa.errors import ExomesaError
from exomesa.lightcurves.views import ViewSet
from exomesa.utils import check_writable

__all__ = [
    "check_out",
    "MANIFEST_NAME",
    "FAILURES_NAME",
    "FAILURE_COLUMNS",
    "KoiSpec",
    "StarTask",
    "shard_name",
    "star_fingerprint",
    "read_manifest",
    "write_manifest",
    "write_shard",
    "read_shard_failures",
    "collect_failures",
    "load_shard_folder",
    "is_shard_folder",
]

logger = logging.getLogger(__name__)

MANIFEST_NAME = "manifest.json"
FAILURES_NAME = "failures.csv"
FORMAT_NAME = "exomesa-view-shards"
FORMAT_VERSION = 1
FAILURE_COLUMNS = ["star", "candidate_id", "stage", "file", "reason"]


@dataclass(frozen=True)
class KoiSpec:
    """One KOI to fold: its catalog row (position), name and ephemeris (period [d], epoch [BJD], duration [h])."""

    row: int
    name: str
    period: float
    t0_bjd: float
    duration_hours: float


@dataclass(frozen=True)
class StarTask:
    """One unit of work: every KOI of one star, and the star's light-curve files."""

    mission: str
    target_id: int
    paths: tuple[str, ...]
    kois: tuple[KoiSpec, ...]

    @property
    def name(self) -> str:
        """``KIC 10666592`` or ``TIC 25155310``."""
        return sources.lightcurve_files(self.mission).target_name(self.target_id)


def shard_name(index: int) -> str:
    """``shard-00042.npz``."""
    return f"shard-{index:05d}.npz"


def star_fingerprint(task: StarTask) -> str:
    """A hash of a star's inputs: its files' names, sizes and mtimes (ns) and its KOIs' catalog values."""
    h = hashlib.sha256()
    h.update(f"{task.mission}:{task.target_id}\n".encode())
    for p in sorted(task.paths):
        try:
            st = os.stat(p)
            h.update(f"{Path(p).name}:{st.st_size}:{st.st_mtime_ns}\n".encode())
        except OSError:
            h.update(f"{Path(p).name}:missing\n".encode())
    for k in task.kois:
        h.update(f"{k.row}:{k.name}:{k.period!r}:{k.t0_bjd!r}:{k.duration_hours!r}\n".encode())
    return h.hexdigest()


def _atomic_write_bytes(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        with open(tmp, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExomesaError(f"cannot write {path} ({exc.strerror or exc}); choose a writable --out.") from exc


def read_manifest(folder: Path | str) -> dict | None:
    """The folder's manifest, or None when there is none; an unreadable one is an ExomesaError."""
    path = Path(folder) / MANIFEST_NAME
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ExomesaError(f"{path} is not a readable manifest ({exc}); rebuild with --force.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        raise ExomesaError(f"{path} is not an exomesa view-shard manifest; rebuild with --force.")
    return manifest


def write_manifest(folder: Path | str, manifest: dict) -> None:
    """Write ``manifest.json`` atomically (a killed run leaves the previous one intact)."""
    text = json.dumps(manifest, indent=1, sort_keys=True).encode()
    _atomic_write_bytes(Path(folder) / MANIFEST_NAME, lambda fh: fh.write(text))


def is_shard_folder(path: Path | str) -> bool:
    """True for a folder that holds a view-shard manifest."""
    return (Path(path) / MANIFEST_NAME).is_file()


def write_shard(
    folder: Path | str,
    index: int,
    views: ViewSet,
    catalog_row: np.ndarray,
    failures: Sequence[Sequence[str]],
) -> Path:
    """Write shard ``index`` (views [N], their catalog rows [N] int64, failure rows) atomically; uncompressed."""
    path = Path(folder) / shard_name(index)
    fail = np.asarray([[str(v) for v in row] for row in failures], dtype=str).reshape(
        -1, len(FAILURE_COLUMNS)
    )

    def write(fh):
        np.savez(
            fh,
            candidate_id=views.candidate_id.astype(str),
            global_view=views.global_view.astype(np.float32),
            local_view=views.local_view.astype(np.float32),
            source=views.source.astype(str),
            catalog_row=np.asarray(catalog_row, dtype=np.int64),
            failures=fail if fail.size else np.zeros((0, len(FAILURE_COLUMNS)), dtype="<U1"),
            format_version=np.array(1, dtype=np.int64),
        )

    _atomic_write_bytes(path, write)
    return path


def read_shard_failures(path: Path | str) -> list[list[str]]:
    """The failure rows stored in one shard file."""
    try:
        with np.load(path, allow_pickle=False) as data:
            return data["failures"].tolist() if "failures" in data.files else []
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        raise ExomesaError(f"shard {path} could not be read ({exc}); rerun the build to rewrite it.") from exc


def _shard_rows(path: Path) -> np.ndarray | None:
    with np.load(path, allow_pickle=False) as data:
        return data["catalog_row"] if "catalog_row" in data.files else None


def load_shard_folder(folder: Path | str) -> ViewSet:
    """The views of a finished shard folder, in catalog order (as the merged ``views.npz``).

    Raises:
        ExomesaError: no manifest, an unfinished build, or a missing/corrupt shard (the message says what to do).
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest is None:
        raise ExomesaError(
            f"{folder} is a folder without {MANIFEST_NAME}; give a views .npz file or a shard folder written by "
            "`exomesa lightcurves build --out FOLDER`."
        )
    n_shards = int(manifest.get("n_shards", 0))
    done = manifest.get("shards", {})
    if not manifest.get("complete") or len(done) < n_shards:
        raise ExomesaError(
            f"views folder {folder} is an unfinished build ({len(done)} of {n_shards} shards); rerun the same "
            "`exomesa lightcurves build` command to finish it."
        )
    parts: list[ViewSet] = []
    rows: list[np.ndarray] = []
    for index in range(n_shards):
        path = folder / shard_name(index)
        views = ViewSet.load(path)
        shard_rows = _shard_rows(path)
        parts.append(views)
        rows.append(np.arange(len(views)) if shard_rows is None else shard_rows)
    views = ViewSet.concat(parts)
    if len(views) == 0:
        return views
    order = np.argsort(np.concatenate(rows), kind="stable")
    return views.take(order)


def collect_failures(folder: Path | str, n_shards: int, extra: Iterable[Sequence[str]] = ()) -> pd.DataFrame:
    """Every failure row of a folder's shards (plus ``extra``) as a DataFrame with :data:`FAILURE_COLUMNS`."""
    rows = [list(r) for r in extra]
    for index in range(n_shards):
        path = Path(folder) / shard_name(index)
        if path.is_file():
            rows.extend(read_shard_failures(path))
    return pd.DataFrame(rows, columns=FAILURE_COLUMNS)


def check_out(out: Path | str, force: bool) -> Path:
    """Check ``out`` before any work: a ``.npz`` file (refused if it exists, unless ``force``) or a folder
    (a new one, or a shard folder to resume). Returns it as a Path."""
    out = Path(out)
    if out.suffix == ".npz":
        if out.is_dir():
            raise ExomesaError(f"--out {out} is a folder; give a file name ending in .npz or a folder name.")
        check_writable(out, force, what="views file")
    elif out.suffix and not out.is_dir():
        raise ExomesaError(
            f"--out {out}: give a views file ending in .npz, or a folder name (no suffix) for sharded output."
        )
    elif out.is_file():
        raise ExomesaError(f"--out {out} is a file; give a folder name for sharded output or a .npz file.")
    parent = out.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise ExomesaError(f"--out {out}: cannot write there ({parent} is not a writable folder).")
    return out
