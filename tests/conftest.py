"""Shared test set-up: headless matplotlib, fixed seeds, and the location of ../shared."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = REPO_ROOT.parent / "shared"
SHARED_LIGHTCURVES = SHARED / "data" / "lightcurves"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A fresh exomesa cache folder for the session: tests neither read a user's stale cache nor fill it."""
    os.environ["EXOMESA_CACHE"] = str(tmp_path_factory.mktemp("exomesa-cache"))


@pytest.fixture(autouse=True)
def _seeded() -> None:
    np.random.seed(0)  # noqa: NPY002


@pytest.fixture
def shared_lightcurves() -> Path:
    """The folder of real Kepler/TESS FITS files in ../shared; skips where it is absent."""
    if not SHARED_LIGHTCURVES.is_dir():
        pytest.skip(f"real light-curve fixtures not found at {SHARED_LIGHTCURVES} (../shared is absent)")
    return SHARED_LIGHTCURVES
