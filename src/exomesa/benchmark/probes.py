"""Resource probes of the benchmark: peak memory from ``/proc``, the machine and the library versions.

Memory is measured per method and fold with :class:`PeakMemory` (see :data:`MEMORY_MEASURE` for what the
number means on this platform).
"""

from __future__ import annotations

import os
import platform
import re
import sys
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from exomesa.utils import peak_rss_mib, usable_cpus

__all__ = ["MEMORY_MEASURE", "PeakMemory", "machine_info", "versions"]


def _vm_hwm_kib() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            m = re.search(r"VmHWM:\s+(\d+)\s+kB", fh.read())
        return int(m.group(1)) if m else None
    except OSError:
        return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


_CAN_RESET = sys.platform.startswith("linux") and _vm_hwm_kib() is not None

MEMORY_MEASURE = (
    "peak resident set size of the benchmark process during the method (Linux VmHWM from "
    "/proc/self/status, reset through /proc/self/clear_refs before each method and fold); it includes the "
    "catalog and views already in memory, so peak_rss_delta_mb (peak minus the RSS at the method's start) "
    "is the method's own footprint"
    if _CAN_RESET
    else "resource.getrusage(RUSAGE_SELF).ru_maxrss: the process's lifetime peak resident set size (not "
    "reset between methods, so it never decreases from one method to the next)"
)


def _current_rss_mib() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            m = re.search(r"VmRSS:\s+(\d+)\s+kB", fh.read())
        return int(m.group(1)) / 1024.0 if m else float("nan")
    except OSError:
        return float("nan")


class PeakMemory:
    """Context manager measuring the peak RSS (MiB) of the block (see :data:`MEMORY_MEASURE`)."""

    def __enter__(self) -> PeakMemory:
        if _CAN_RESET:
            _reset_peak()
        self.start_mib = _current_rss_mib()
        return self

    def __exit__(self, *exc: object) -> None:
        self.peak_mib = peak_rss_mib()  # VmHWM (reset at __enter__ where possible), else ru_maxrss
        self.delta_mib = self.peak_mib - self.start_mib


def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, OS and (if any) GPU of this machine."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu": platform.processor() or None,
        "logical_cpus": os.cpu_count(),
    }
    info["usable_cpus"] = usable_cpus()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            m = re.search(r"model name\s*:\s*(.+)", fh.read())
        if m:
            info["cpu"] = m.group(1).strip()
        with open("/proc/meminfo", encoding="ascii") as fh:
            m = re.search(r"MemTotal:\s+(\d+)\s+kB", fh.read())
        if m:
            info["memory_gib"] = round(int(m.group(1)) / 1024**2, 1)
    except OSError:
        pass
    try:
        import torch  # already loaded by a MESA run; a LightGBM-only run pays for it only here

        info["torch_threads"] = torch.get_num_threads()
        info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except Exception:  # pragma: no cover - torch missing/broken
        info["cuda"] = None
    return info


def versions() -> dict[str, str | None]:
    """Versions of exomesa and the libraries that set the numbers."""

    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in (
        "exomesa",
        "numpy",
        "pandas",
        "scikit-learn",
        "torch",
        "lightgbm",
        "tsfresh",
        "batman-package",
    ):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out
