"""Importing AstroNet views: matching TCEs to KOIs, rescaling to the catalog depth, bad files, the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.errors import ExomesaError
from exomesa.lightcurves.astronet import FIELDS, import_astronet_views, match_tces, read_astronet_npz
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS, ViewSet

SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # as in tests/conftest.py
REAL_VIEWS = SHARED / "data" / "views" / "kepler_dr24_tce_views.npz"


def _astronet_view(bins: int, width: int) -> np.ndarray:
    """A box transit normalised the AstroNet way: median 0, minimum -1."""
    view = np.zeros(bins, np.float32)
    c = bins // 2
    view[c - width : c + width + 1] = -1.0
    return view


def _tces(n: int = 5) -> dict[str, np.ndarray]:
    return {
        "kepid": np.array([100, 100, 200, 300, 400][:n], np.int64),
        "tce_plnt_num": np.array([1, 2, 1, 1, 1][:n], np.int64),
        "tce_period": np.array([10.0, 3.001, 5.0, 7.0, 2.0][:n]),
        "tce_time0bk": np.array([131.0, 132.0, 133.0, 134.0, 135.0][:n]),
        "tce_duration": np.array([0.1, 0.08, 0.2, 0.15, 0.1][:n]),
        "global_view": np.stack([_astronet_view(GLOBAL_BINS, 3)] * n),
        "local_view": np.stack([_astronet_view(LOCAL_BINS, 20)] * n),
    }


@pytest.fixture
def catalog() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kepid": [100, 100, 200, 300, 300, 400],
            "kepoi_name": ["K00001.01", "K00001.02", "K00002.01", "K00003.01", "K00003.02", "K00004.01"],
            "koi_period": [10.02, 3.0, 5.0, 7.01, 6.99, 2.0],
            "koi_time0bk": [131.0, 132.0, 133.0, 134.0, 134.5, 135.0],
            "koi_duration": [2.4, 1.9, 4.8, 3.6, 3.6, 2.4],
            "koi_depth": [1000.0, 250.0, 5000.0, 800.0, 900.0, np.nan],
        }
    )


def _write(path, arrays) -> str:
    np.savez(path, **arrays)
    return str(path)


def test_import_matches_rescales_and_skips_with_reasons(tmp_path, catalog):
    views, skipped = import_astronet_views(_write(tmp_path / "a.npz", _tces()), catalog)
    # kepid 300: two KOIs within 0.5 %, only K00003.01 at the TCE's epoch -> matched; kepid 400: no depth
    assert views.kepoi_name.tolist() == ["K00001.01", "K00001.02", "K00002.01", "K00003.01"]
    assert views.source.tolist() == ["real"] * 4 and views.provenance.tolist() == ["astronet"] * 4
    # the floor becomes -depth (ppm -> relative flux), the median stays 0
    floors = [-1e-3, -2.5e-4, -5e-3, -8e-4]
    np.testing.assert_allclose(views.local_view.min(axis=1), floors, rtol=1e-6)
    np.testing.assert_allclose(views.global_view.min(axis=1), floors, rtol=1e-6)
    assert np.all(np.median(views.local_view, axis=1) == 0)
    assert skipped.columns.tolist() == ["kepid", "tce_plnt_num", "tce_period", "kepoi_name", "reason"]
    assert skipped["kepid"].tolist() == [400] and skipped["kepoi_name"].tolist() == ["K00004.01"]
    assert "koi_depth of K00004.01 is nan" in skipped.loc[0, "reason"]


def test_matching_rules(catalog):
    kepid = np.array([100, 100, 300, 300, 500])
    period = np.array([10.0, 10.03, 7.0, 7.0, 1.0])
    t0 = np.array([131.0, 131.0, 134.0, 135.7, 0.0])
    names, reasons = match_tces(kepid, period, catalog, tce_time0bk=t0)
    # two TCEs claim K00001.01 -> both skipped; epoch picks K00003.01; a far epoch leaves the tie; no KOI on 500
    assert [r.split(":")[0] for r in reasons] == [
        "ambiguous",
        "ambiguous",
        "",
        "ambiguous",
        reasons[4].split(":")[0],
    ]
    assert "claimed by 2 TCEs" in reasons[0] and names[2] == "K00003.01"
    assert "K00003.01" in reasons[3] and "K00003.02" in reasons[3]
    assert reasons[4].startswith("no KOI on kepid 500")
    _, no_epoch = match_tces(kepid[2:3], period[2:3], catalog)  # without epochs the tie stays
    assert no_epoch[0].startswith("ambiguous")


def test_non_finite_view_skips_that_tce_only(tmp_path, catalog):
    arrays = _tces(3)
    arrays["local_view"][1, 7] = np.nan
    views, skipped = import_astronet_views(_write(tmp_path / "a.npz", arrays), catalog)
    assert views.kepoi_name.tolist() == ["K00001.01", "K00002.01"]
    assert skipped["tce_plnt_num"].tolist() == [2] and "NaN" in skipped["reason"].iloc[0]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda a: a.pop("tce_period"), "lacks the field(s) tce_period"),
        (
            lambda a: a.__setitem__("local_view", a["local_view"][:, :200]),
            "field local_view has shape [5, 200]",
        ),
        (lambda a: a.__setitem__("global_view", a["global_view"][:, :201]), "field global_view has shape"),
        (lambda a: a.__setitem__("tce_plnt_num", np.ones(5, np.int64)), "repeat 1 pair(s): (100, 1)"),
        (lambda a: a.__setitem__("tce_duration", np.ones(4)), "field tce_duration has 4 rows"),
    ],
)
def test_bad_files_are_one_clear_error(tmp_path, change, expected):
    arrays = _tces()
    change(arrays)
    path = _write(tmp_path / "bad.npz", arrays)
    with pytest.raises(ExomesaError, match="bad.npz") as info:
        read_astronet_npz(path)
    assert expected in str(info.value)


def test_not_an_npz_and_missing_file(tmp_path):
    text = tmp_path / "views.npz"
    text.write_text("kepid,global_view\n1,2\n")
    with pytest.raises(ExomesaError, match=r"views.npz could not be read as \.npz"):
        read_astronet_npz(text)
    with pytest.raises(ExomesaError, match="does not exist"):
        read_astronet_npz(tmp_path / "nope.npz")
    single = tmp_path / "single.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(ExomesaError, match="single.npy"):
        read_astronet_npz(single)


def test_cli_import_writes_views_and_skipped_csv(tmp_path, catalog, capsys):
    koi = tmp_path / "koi.csv"
    catalog.assign(koi_disposition="CANDIDATE").to_csv(koi, index=False)
    src = _write(tmp_path / "astronet.npz", _tces())
    out = tmp_path / "run" / "views.npz"
    argv = ["lightcurves", "import", "--astronet", src, "--catalog", str(koi), "--out", str(out)]
    assert main(argv) == 0
    views = ViewSet.load(out)
    assert len(views) == 4 and views.provenance_counts()["astronet"] == 4
    skipped = pd.read_csv(out.parent / "views.skipped.csv")  # named after --out
    assert skipped["kepid"].tolist() == [400] and list(skipped.columns)[-1] == "reason"
    err = capsys.readouterr().err
    assert "imported 4 real view(s)" in err and "skipped 1 TCE(s)" in err
    assert main(argv) == 2 and "--force" in capsys.readouterr().err
    # a second import into the same folder, under another name, is not refused
    other = out.with_name("more.npz")
    assert main([*argv[:-1], str(other)]) == 0
    assert (out.parent / "more.skipped.csv").is_file() and (out.parent / "views.skipped.csv").is_file()
    assert main([*argv, "--force"]) == 0


def test_cli_bad_file_writes_nothing(tmp_path, catalog, capsys):
    koi = tmp_path / "koi.csv"
    catalog.assign(koi_disposition="CANDIDATE").to_csv(koi, index=False)
    arrays = _tces()
    del arrays["local_view"]
    src = _write(tmp_path / "astronet.npz", arrays)
    out = tmp_path / "run" / "views.npz"
    assert main(["lightcurves", "import", "--astronet", src, "--catalog", str(koi), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "astronet.npz lacks the field(s) local_view" in err
    assert not (tmp_path / "run").exists()


@pytest.mark.slow
@pytest.mark.skipif(not REAL_VIEWS.is_file(), reason=f"{REAL_VIEWS} not found (../shared is absent)")
def test_real_astronet_file_against_dr25():
    from exomesa.data import load_dr25

    catalog = load_dr25()
    views, skipped = import_astronet_views(REAL_VIEWS, catalog)
    # 1,034 TCEs: four match FALSE POSITIVE KOIs without koi_depth in DR25, and one (KIC 9291368) sits between
    # two KOIs of near-equal period (K07155.01/.02, 3.7965 d) at neither one's epoch.
    assert len(views) == 1029 and len(views) + len(skipped) == 1034
    assert sorted(skipped["kepoi_name"].tolist()) == ["", "K06430.01", "K06507.01", "K06768.01", "K06850.01"]
    assert len(set(views.kepoi_name.tolist())) == len(views)
    depth = catalog.set_index("kepoi_name").loc[views.kepoi_name, "koi_depth"].to_numpy()
    np.testing.assert_allclose(views.local_view.min(axis=1), -depth * 1e-6, rtol=1e-5)
    assert set(views.source.tolist()) == {"real"} and set(views.provenance.tolist()) == {"astronet"}


def test_fields_constant_is_the_documented_layout():
    assert FIELDS == (
        "kepid",
        "tce_plnt_num",
        "tce_period",
        "tce_time0bk",
        "tce_duration",
        "global_view",
        "local_view",
    )
