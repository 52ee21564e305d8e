"""Small deterministic KOI tables and views for the baseline tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from exomesa.data import CLASSES, LABEL
from exomesa.lightcurves import GLOBAL_BINS, LOCAL_BINS, ViewSet


def _catalog(n: int = 150, seed: int = 0) -> pd.DataFrame:
    """Seed-preset columns whose values separate the three classes (period for CONFIRMED, depth for FP)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    period = np.where(y == 0, 30.0, 3.0) * rng.lognormal(0, 0.2, n)
    depth = np.where(y == 2, 20000.0, 500.0) * rng.lognormal(0, 0.2, n)
    df = pd.DataFrame(
        {
            "kepoi_name": [f"K{i:05d}.01" for i in range(n)],
            "kepid": np.arange(n) + 1000,
            LABEL: np.asarray(CLASSES)[y],
            "koi_period": period,
            "koi_depth": depth,
            "koi_prad": rng.lognormal(1, 0.5, n),
            "koi_steff": rng.normal(5700, 300, n),
            "koi_srad": rng.lognormal(0, 0.2, n),
            "koi_duration": rng.uniform(2, 6, n),
        }
    )
    df.loc[::7, "koi_prad"] = np.nan  # missing values are imputed with the training median
    return df


def _views(df: pd.DataFrame, seed: int = 0) -> ViewSet:
    """Box transits whose depth carries the label: shallow for CONFIRMED/CANDIDATE, deep for FALSE POSITIVE."""
    rng = np.random.default_rng(seed)
    n = len(df)
    depth = np.where(df[LABEL].to_numpy() == "FALSE POSITIVE", 0.02, 0.001)
    g = rng.normal(0, 1e-4, (n, GLOBAL_BINS)).astype(np.float32)
    loc = rng.normal(0, 1e-4, (n, LOCAL_BINS)).astype(np.float32)
    g[:, 995:1006] -= depth[:, None]
    loc[:, 80:121] -= depth[:, None]
    return ViewSet(df["kepoi_name"].to_numpy(), g, loc, np.full(n, "rendered"))


@pytest.fixture
def make_catalog() -> Callable[..., pd.DataFrame]:
    """``make_catalog(n=150, seed=0)``: a labelled seed-preset KOI table."""
    return _catalog


@pytest.fixture
def make_views() -> Callable[..., ViewSet]:
    """``make_views(df, seed=0)``: views of ``df``'s KOIs whose transit depth carries the label."""
    return _views
