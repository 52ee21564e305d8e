"""``exomesa benchmark`` as one library call: :func:`run_benchmark_command` runs the benchmark (or only
re-renders) and writes ``results.json`` + ``RESULTS.md`` (:func:`write_outputs`), with the output-folder rules:
a full run writes to :data:`DEFAULT_OUT_DIR`, a ``--quick`` run to a temporary folder and never over a full
run's results.
"""

from __future__ import annotations

import json
import logging
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exomesa.benchmark.config import BenchmarkConfig
from exomesa.benchmark.runner import run_benchmark
from exomesa.benchmark.suites import run_real_benchmark
from exomesa.errors import ExomesaError
from exomesa.reporting.markdown import render_markdown
from exomesa.utils import check_writable, write_json

__all__ = ["DEFAULT_OUT_DIR", "RESULTS_FILES", "run_benchmark_command", "write_outputs"]

logger = logging.getLogger(__name__)

#: Where a full run writes (the folder the README quotes), relative to the working directory.
DEFAULT_OUT_DIR = Path("benchmarks")
#: results file of each suite (``--suite``), in ``out_dir``
RESULTS_FILES = {"default": "results.json", "real": "results_real.json"}


def _read_json(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def write_outputs(
    results: Mapping[str, Any] | None, out_dir: Path | str, suite: str = "default"
) -> tuple[Path | None, Path]:
    """Write the suite's results file (when given; ``results.json`` or ``results_real.json``) and
    ``RESULTS.md`` (both suites' tables, whichever files exist) into ``out_dir``; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    name = RESULTS_FILES[suite]
    json_path = write_json(out_dir / name, results) if results is not None else None
    extra = sorted((out_dir / "results").glob("*.json")) if (out_dir / "results").is_dir() else []
    main = results if suite == "default" else _read_json(out_dir / RESULTS_FILES["default"])
    real = results if suite == "real" else _read_json(out_dir / RESULTS_FILES["real"])
    md = render_markdown(main, extra, real_results=real)
    md_path = out_dir / "RESULTS.md"
    md_path.write_text(md, encoding="utf-8")
    return json_path, md_path


def _holds_full_results(out_dir: Path, name: str = "results.json") -> bool:
    """Whether ``out_dir/name`` exists and is not itself a quick run's output."""
    path = out_dir / name
    if not path.exists():
        return False
    try:
        return not json.loads(path.read_text(encoding="utf-8")).get("quick", False)
    except (OSError, ValueError, AttributeError):
        return True


def run_benchmark_command(
    config: BenchmarkConfig,
    out_dir: Path | str | None = None,
    *,
    force: bool = False,
    render_only: bool = False,
    update: bool = False,
    command: str | None = None,
) -> dict[str, Any] | None:
    """``exomesa benchmark``: run the benchmark and write ``results.json`` + ``RESULTS.md``; returns the results.

    Args:
        config: what to run; ``config.quick`` also picks the output folder (below).
        out_dir: output folder. Default: :data:`DEFAULT_OUT_DIR`; with ``quick``, a new temporary folder (a quick
            run never writes over a full run's ``results.json``).
        force: overwrite existing ``results.json`` / ``RESULTS.md``.
        render_only: run nothing; rebuild ``RESULTS.md`` from ``out_dir``'s JSON files (returns their results).
        update: run ``config.methods`` and replace only their rows in the existing results file (with
            ``force``); the other rows stay as they were, and an ``updates`` list records each such run
            (date, command, methods, versions), so every row's origin stays known.
        command: the command line recorded in the results.
    """
    name = RESULTS_FILES.get(config.suite, RESULTS_FILES["default"])
    if render_only:
        out_dir = Path(out_dir or DEFAULT_OUT_DIR)
        results = _read_json(out_dir / RESULTS_FILES["default"])
        _, md = write_outputs(results, out_dir)
        logger.info("wrote %s", md)
        return results

    if config.quick:
        out_dir = Path(out_dir) if out_dir else Path(tempfile.mkdtemp(prefix="exomesa-bench-quick-"))
        if _holds_full_results(out_dir, name) or out_dir.resolve() == DEFAULT_OUT_DIR.resolve():
            raise ExomesaError(
                f"--quick never writes over {out_dir / name} (the full benchmark's results); "
                "choose another --out_dir or omit it (a temporary folder is used)."
            )
    else:
        out_dir = Path(out_dir or DEFAULT_OUT_DIR)
    check_writable([out_dir / name, out_dir / "RESULTS.md"], force, "benchmark results")
    if update and not (out_dir / name).is_file():
        raise ExomesaError(
            f"--update: {out_dir / name} does not exist; run the benchmark without --update first."
        )
    if config.suite == "real":
        results = run_real_benchmark(config, command=command)
    else:
        results = run_benchmark(config, command=command)
    if update:
        results = merge_method_rows(_read_json(out_dir / name), results)
    json_path, md_path = write_outputs(
        results, out_dir, config.suite if config.suite in RESULTS_FILES else "default"
    )
    logger.info("wrote %s and %s", json_path, md_path)
    return results


def merge_method_rows(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """``old`` results with ``new``'s method rows in place of (or after) its own; the run is appended to the
    ``updates`` list (date, command, methods, versions, folds), so that a reader knows which rows came from it."""
    merged = dict(old)
    merged["methods"] = {**old.get("methods", {}), **new.get("methods", {})}
    merged["updates"] = [
        *old.get("updates", []),
        {
            "created": new.get("created"),
            "command": new.get("command"),
            "methods": list(new.get("methods", {})),
            "versions": new.get("versions"),
            "wall_seconds": new.get("wall_seconds"),
        },
    ]
    return merged
