"""The real views shipped with the package: contents, provenance record, size, selection by name."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa.evaluation.runner import load_views
from exomesa.lightcurves import embedded_views, views_for_catalog
from exomesa.lightcurves.embedded import (
    embedded_info,
    embedded_matches,
    embedded_views_path,
    pack_views,
    round_significant,
    unpack_views,
)
from exomesa.lightcurves.views import EMBEDDED, ViewSet

SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # as in tests/conftest.py
GLOBAL_VIEWS = SHARED / "data" / "views" / "kepler_dr24_global_views.npz"
MAX_MB = 25.0


def test_shipped_file_is_small_and_holds_no_label():
    path = embedded_views_path()
    assert path.is_file() and path.stat().st_size <= MAX_MB * 1e6
    with np.load(path, allow_pickle=False) as data:
        assert not any("av_" in k or "disposition" in k for k in data.files)


def test_embedded_views_are_the_matched_dr25_kois():
    from exomesa.data import LABEL, load_dr25

    start = time.perf_counter()
    views = embedded_views()
    assert time.perf_counter() - start < 30  # loaded lazily, in well under a second on a quiet machine
    assert len(views) == 4121 and views.counts() == {"real": 4121, "rendered": 0, "flat": 0}
    assert views.provenance_counts()["astronet"] == 970 and views.provenance_counts()["astronet_cut"] == 3151
    assert np.isfinite(views.global_view).all() and np.isfinite(views.local_view).all()
    assert set(views.local_half_widths().tolist()) == {4.0}
    catalog = load_dr25().set_index("kepoi_name")
    assert (
        len(set(views.candidate_id.tolist())) == len(views)
        and catalog.index.isin(views.candidate_id).sum() == 4121
    )
    depth = catalog.loc[views.candidate_id, "koi_depth"].to_numpy()
    np.testing.assert_allclose(views.global_view.min(axis=1), -depth * 1e-6, rtol=1e-4)
    info = embedded_info()
    assert len(info["input_sha256"]) == 64 and info["input_file"] == "kepler_dr24_global_views.npz"
    per_class = info["per_class"]
    labels = catalog.loc[views.candidate_id, LABEL].value_counts().to_dict()
    assert {c: v["kois"] for c, v in per_class.items()} == labels
    assert sum(v["real_local"] for v in per_class.values()) == 970
    matches = embedded_matches()
    assert matches["candidate_id"].tolist() == views.candidate_id.tolist()
    assert (matches["local_view"] == "real").sum() == 970


def test_selected_by_name_and_a_fresh_copy_each_time(caplog):
    views = ViewSet.load(EMBEDDED)
    views.global_view[0] = 1.0
    again = load_views("embedded")
    assert len(again) == 4121 and not np.all(again.global_view[0] == 1.0)
    catalog = pd.DataFrame(
        {
            "kepoi_name": ["K00002.01", "K00001.01"],
            "koi_period": [2.204735, 2.47063],
            "koi_duration": [3.889, 1.74],
            "koi_depth": [6674.7, 14230.0],
        }
    )
    with caplog.at_level(logging.WARNING):
        out = views_for_catalog(catalog, again, cache_dir=None)
    assert out.source.tolist() == ["real", "rendered"] and out.provenance[0] in ("astronet", "astronet_cut")
    assert "two conventions" in caplog.text  # ±4 AstroNet views beside ±2 rendered ones are never silent


def test_storage_rounding_and_byte_planes():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(7, 2001)) * 10.0 ** rng.integers(-5, 1, size=(7, 1))).astype(np.float32)
    r = round_significant(x)
    assert r.dtype == np.float32 and np.all(np.abs(r - x) <= np.abs(x) * 2.0**-16)
    np.testing.assert_array_equal(unpack_views(pack_views(r)), r)
    assert pack_views(r).dtype == np.uint8 and pack_views(r).shape == (4, 7, 2001)


@pytest.mark.slow
@pytest.mark.skipif(not GLOBAL_VIEWS.is_file(), reason=f"{GLOBAL_VIEWS} not found (../shared is absent)")
def test_shipped_views_agree_with_importing_the_shared_file():
    from exomesa.data import load_dr25
    from exomesa.lightcurves.astronet import import_astronet

    result = import_astronet(GLOBAL_VIEWS, load_dr25())
    views = embedded_views()
    assert views.candidate_id.tolist() == result.views.candidate_id.tolist()
    assert views.provenance.tolist() == result.views.provenance.tolist()
    depth = -result.views.global_view.min(axis=1, keepdims=True)
    assert np.abs(views.global_view - result.views.global_view).max() <= 2.0**-15 * max(1.0, depth.max())
    assert np.all(
        np.abs(views.global_view - result.views.global_view)
        <= 2.0**-15 * np.abs(result.views.global_view) + 1e-12
    )
    assert np.abs(views.local_view - result.views.local_view).max() < 1e-3 * depth.max()


@pytest.mark.slow
@pytest.mark.skipif(not GLOBAL_VIEWS.is_file(), reason=f"{GLOBAL_VIEWS} not found (../shared is absent)")
def test_the_build_script_reproduces_the_shipped_file_byte_for_byte(tmp_path):
    import subprocess
    import sys

    script = Path(__file__).resolve().parents[2] / "scripts" / "build_embedded_views.py"
    out = tmp_path / "views.npz"
    subprocess.run(
        [sys.executable, str(script), str(GLOBAL_VIEWS), "--out", str(out)], check=True, capture_output=True
    )
    assert out.read_bytes() == embedded_views_path().read_bytes()
