"""``exomesa data prepare``: split a KOI table into the training and test files.

from exomesa.jobs.data import prepare_data
prepare_data("dr25", "data/")              # train_data.csv, test_data.csv, manifest.json
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from exomesa.data import CLASSES, LABEL, load_catalog, split_catalog, to_seed_layout
from exomesa.data.toi import data_provenance
from exomesa.defaults import SPLIT_SEED, TEST_SIZE
from exomesa.errors import ExomesaError
from exomesa.features import PRESETS, required_columns
from exomesa.features.ephemeris_group import EPHEMERIS_OPTIONAL_COLUMNS
from exomesa.lightcurves.render import RENDER_COLUMNS
from exomesa.utils import check_writable, write_json

__all__ = ["prepare_data"]

logger = logging.getLogger(__name__)


def prepare_data(
    source: str | Path = "dr25",
    out: str | Path = "data",
    *,
    test_size: float = TEST_SIZE,
    seed: int = SPLIT_SEED,
    force: bool = False,
) -> dict[str, Any]:
    """Split a KOI table into ``train_data.csv`` / ``test_data.csv`` (seed layout + the key columns, the
    ``full`` feature columns with what its ephemeris matching reads, and the light-curve columns), stratified by disposition and grouped by star, and write
    ``manifest.json``; returns the manifest."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExomesaError(f"--out {out} is a file; give a folder for train_data.csv and test_data.csv.")
    targets = [out / "train_data.csv", out / "test_data.csv", out / "manifest.json"]
    check_writable(targets, force, what="prepared data")
    df = load_catalog(source)
    try:
        train, test = split_catalog(df, test_size=test_size, seed=seed)
    except ExomesaError as exc:
        raise ExomesaError(f"{source}: {exc}") from exc
    # the full preset's columns (its ephemeris group's keys and epoch too), and what the matching reads when
    # present (positions, magnitudes, ephemeris uncertainties), so rows of any source keep their context
    wanted = required_columns(PRESETS["full"]) + [*RENDER_COLUMNS, "koi_time0bk", *EPHEMERIS_OPTIONAL_COLUMNS]
    wanted += required_columns(PRESETS["toi"]) + ["koi_time0", "tic_id", "toi", "toi_sectors", "n_sectors"]
    extra = [c for c in dict.fromkeys(wanted) if c in df.columns and c != "kepoi_name"]
    try:
        out.mkdir(parents=True, exist_ok=True)
        to_seed_layout(train, extra).to_csv(targets[0], index=False)
        to_seed_layout(test, extra).to_csv(targets[1], index=False)
    except OSError as exc:
        raise ExomesaError(
            f"cannot write the prepared data to {out} ({exc.strerror or exc}); choose a writable --out folder."
        ) from exc
    counts = {
        name: {c: int((part[LABEL] == c).sum()) for c in CLASSES} | {"total": len(part)}
        for name, part in (("train", train), ("test", test))
    }
    manifest = {
        "source": str(source),
        "provenance": data_provenance(source, df),
        "seed": seed,
        "test_size": test_size,
        "grouped_by": "star_id",
        "stratified_by": LABEL,
        "n_stars": {"train": int(train.star_id.nunique()), "test": int(test.star_id.nunique())},
        "counts": counts,
        "columns": list(to_seed_layout(train.head(1), extra).columns),
    }
    write_json(targets[2], manifest)
    for name, c in counts.items():
        logger.info("%-5s %5d KOIs  %s", name, c["total"], ", ".join(f"{k}: {c[k]}" for k in CLASSES))
    logger.info("wrote %s, %s and %s", *targets)
    return manifest
