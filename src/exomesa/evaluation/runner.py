"""What a job reads before it evaluates, trains or scores: a labelled table, a views file, a model's history.

from exomesa.evaluation.runner import load_labelled_table, load_views
df, desc = load_labelled_table("data/test_data.csv", 1)
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import pandas as pd

from exomesa.data import LABEL, load_catalog, load_dr25, split_catalog
from exomesa.defaults import HISTORY_FILE, SPLIT_SEED, TEST_SIZE
from exomesa.errors import ExomesaError
from exomesa.interface import TrainedModel
from exomesa.lightcurves import ViewSet, views_for_catalog
from exomesa.lightcurves.views import EMBEDDED

__all__ = ["load_labelled_table", "load_views", "load_history", "model_views"]

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------- loading
def load_labelled_table(path: str | Path | None, part: int = 1) -> tuple[pd.DataFrame, str]:
    """A labelled table and its description. ``path`` None (or ``"dr25"``): side ``part`` (0 training,
    1 test) of the default DR25 split, ``split_catalog(load_dr25(), TEST_SIZE, SPLIT_SEED)``."""
    if path is None or str(path).lower() in {"dr25", "toi"}:
        name = "dr25" if path is None else str(path).lower()
        table = load_dr25() if name == "dr25" else load_catalog("toi", require_label=True)
        df = split_catalog(table, TEST_SIZE, SPLIT_SEED)[part]
        side = "test" if part else "training"
        desc = f"{name} {side} split (test_size={TEST_SIZE}, seed={SPLIT_SEED})"
    else:
        if not Path(path).is_file():
            raise ExomesaError(f"{path}: file not found; pass a KOI table (CSV or IPAC).")
        df = load_catalog(path, require_label=True)
        desc = str(path)
    if LABEL not in df.columns:
        raise ExomesaError(f"{desc}: no disposition column; a labelled table is needed.")
    return df.reset_index(drop=True), desc


def load_views(path: str | Path | None) -> Any:
    """The :class:`~exomesa.lightcurves.ViewSet` at ``path`` (None: no real views; ``"embedded"``: the real
    views shipped with the package)."""
    if path is None:
        return None
    if str(path) != EMBEDDED and not Path(path).exists():
        raise ExomesaError(f"{path}: views file not found; build one with `exomesa lightcurves build`.")
    return ViewSet.load(Path(path))


def model_views(
    clf: TrainedModel, df: pd.DataFrame, given: Any | None, cache_dir: str | Path | None = "auto"
) -> Any:
    """The views ``clf`` reads for ``df``'s rows, with ``source`` per row (``"real"``, ``"rendered"``,
    ``"flat"``, ``"none"``): ``given`` real views where a row has one; the rest rendered, or (a model that
    masks missing views) none, with the shipped real views standing in for ``given`` when it is None."""
    missing = "none" if clf.missing_view_mode() == "mask" else "render"
    return views_for_catalog(df, given, missing=missing, cache_dir=cache_dir)


def load_history(clf: TrainedModel, model_path: Path) -> list[dict]:
    """The model's per-epoch history, else (a MESA checkpoint without one) the history file beside it."""
    history = clf.training_history()
    path = model_path.parent / HISTORY_FILE
    if not history and path.exists() and clf.kind == "mesa":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            logger.warning("could not read the training history %s: %s", path, exc)
            return []
        history = data.get("history", data) if isinstance(data, dict) else data
    return [h for h in history if isinstance(h, dict)]
