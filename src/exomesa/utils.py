"""Small shared helpers: seeding, device choice, safe output paths, JSON writing, optional extras."""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import random
from pathlib import Path
from typing import Any

import numpy as np

from exomesa.errors import ExomesaError

__all__ = [
    "import_optional",
    "seed_everything",
    "resolve_device",
    "check_writable",
    "write_json",
    "to_jsonable",
    "file_sha256",
]

logger = logging.getLogger(__name__)

#: Optional dependency (import name) → the exomesa extra that installs it.
EXTRAS: dict[str, str] = {
    "lightgbm": "baseline",
    "tsfresh": "baseline",
    "lightkurve": "download",
    "dask": "distributed",
    "distributed": "distributed",
}


def import_optional(module: str, purpose: str = "") -> Any:
    """Import an optional dependency, or raise one clear :class:`ExomesaError` naming the pip command.

    Args:
        module: import name, e.g. ``"tsfresh"`` or ``"lightgbm"`` (a dotted name imports a submodule).
        purpose: what needs it, e.g. ``"the TSFresh + LightGBM baseline"`` (shown in the message).
    """
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        top = module.split(".")[0]
        extra = EXTRAS.get(top)
        how = f'pip install "exomesa[{extra}]"' if extra else f"pip install {top}"
        need = f" ({purpose} needs it)" if purpose else ""
        raise ExomesaError(
            f"the optional package {top!r} is not installed{need}; install it with: {how}"
        ) from exc


def usable_cpus() -> int:
    """CPU cores this process may run on (its affinity mask where the OS has one, else the logical count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        return os.cpu_count() or 1


def peak_rss_mib() -> float:
    """This process's own peak resident memory [MiB] (0.0 where it cannot be read).

    Linux: ``VmHWM`` from ``/proc/self/status``, the high-water mark of the process's current address space.
    ``getrusage(...).ru_maxrss``, the fallback elsewhere, is wrong for a child started by fork + exec (a Dask
    worker, a ``subprocess`` child) on Linux: the kernel carries the parent's resident size at the fork into
    it, so a 10 MB child of a 700 MB parent reports 700 MB.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # kB
    except (OSError, ValueError):
        pass
    try:
        import resource
        import sys

        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS, KiB elsewhere
        return maxrss / (1024.0**2 if sys.platform == "darwin" else 1024.0)
    except (ImportError, OSError):  # pragma: no cover - Windows
        return 0.0


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's global and PyTorch's (CPU and CUDA) random number generators."""
    random.seed(seed)
    np.random.seed(seed % (2**32))  # noqa: NPY002 - seeds legacy global-state users too
    os.environ.setdefault("PYTHONHASHSEED", str(seed))
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a hard dependency
        return
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)


def resolve_device(name: str = "auto") -> str:
    """Turn ``auto|cpu|cuda|cuda:N`` into a usable torch device string; ``cuda`` without a GPU is an error."""
    import torch

    name = (name or "auto").lower()
    if name == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cpu":
        return "cpu"
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise ExomesaError(
                f"--device {name} was asked for but PyTorch sees no CUDA GPU on this machine; "
                "use --device cpu (or auto)."
            )
        return name
    raise ExomesaError(f"unknown device {name!r}; use auto, cpu or cuda.")


def check_writable(paths: list[Path] | Path, force: bool, what: str = "output") -> None:
    """Refuse to overwrite existing files unless ``force``; the message names the first file found."""
    if isinstance(paths, (str, Path)):
        paths = [Path(paths)]
    existing = [Path(p) for p in paths if Path(p).exists()]
    if existing and not force:
        raise ExomesaError(
            f"{existing[0]} already exists; refusing to overwrite the {what}. "
            "Pass --force to replace it, or choose another output folder."
        )


def to_jsonable(obj: Any) -> Any:
    """Convert NumPy scalars/arrays (recursively) into plain Python for ``json.dump``; NaN becomes None."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        value = float(obj)
        return None if not np.isfinite(value) else value
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, Path):
        return str(obj)
    return obj


def write_json(path: Path | str, obj: Any) -> Path:
    """Write ``obj`` as indented JSON (NumPy types converted, NaN as null); create parent folders."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(to_jsonable(obj), fh, indent=2)
        fh.write("\n")
    return path


def file_sha256(path: Path | str) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB blocks (provenance records of models and data files)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
