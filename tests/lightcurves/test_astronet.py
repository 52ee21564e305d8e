"""Importing AstroNet views: matching TCEs to KOIs, rescaling to the catalog depth, bad files, the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.errors import ExomesaError
from exomesa.lightcurves.astronet import (
    FIELDS,
    NOT_A_KOI,
    OTHER_TCE,
    cut_local_views,
    import_astronet,
    import_astronet_views,
    match_tces,
    read_astronet_npz,
    read_tce_labels,
)
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS, ViewSet

SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # as in tests/conftest.py
REAL_VIEWS = SHARED / "data" / "views" / "kepler_dr24_tce_views.npz"
GLOBAL_VIEWS = SHARED / "data" / "views" / "kepler_dr24_global_views.npz"


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
    t0 = np.array([131.0, 131.02, 134.0, 135.7, 0.0])
    names, reasons = match_tces(kepid, period, catalog, tce_time0bk=t0)
    # K00001.01 takes the nearer-epoch TCE of two; the epoch picks K00003.01; at neither KOI's epoch -> not a
    # KOI; nothing on kepid 500 -> not a KOI
    assert names[0] == "K00001.01" and reasons[0] == ""
    assert reasons[1].startswith(OTHER_TCE) and names[1] == "K00001.01"
    assert names[2] == "K00003.01" and reasons[2] == ""
    assert reasons[3].startswith(NOT_A_KOI) and "epoch" in reasons[3]
    assert reasons[4].startswith(f"{NOT_A_KOI}: no KOI on kepid 500")
    _, no_epoch = match_tces(kepid[2:3], period[2:3], catalog)  # without epochs two KOIs tie for it
    assert no_epoch[0].startswith("ambiguous")


def test_eclipsing_binary_primary_and_secondary_take_the_koi_epoch(catalog):
    # two TCEs at one period, half a period apart: the one at the KOI's epoch is the KOI, whichever comes first
    kepid = np.array([200, 200])
    period = np.array([5.0, 5.0])
    for order in ([135.5, 133.0], [133.0, 135.5]):
        names, reasons = match_tces(kepid, period, catalog, tce_time0bk=np.array(order))
        at = order.index(133.0)
        assert names[at] == "K00002.01" and reasons[at] == ""
        assert reasons[1 - at].startswith(NOT_A_KOI)


def test_missing_local_views_are_cut_and_marked(tmp_path, catalog):
    arrays = _tces(3)
    arrays["local_view"][1] = np.nan  # AstroNet's local view unknown for K00001.02
    result = import_astronet(_write(tmp_path / "a.npz", arrays), catalog)
    views = result.views
    assert views.kepoi_name.tolist() == ["K00001.01", "K00001.02", "K00002.01"]
    assert views.provenance.tolist() == ["astronet", "astronet_cut", "astronet"]
    assert result.matches["local_view"].tolist() == ["real", "cut", "real"]
    assert result.counts["real_local"] == 2 and result.counts["cut_local"] == 1 and len(result.skipped) == 0
    assert np.isfinite(views.local_view).all()
    np.testing.assert_allclose(views.local_view[1].min(), -2.5e-4, rtol=1e-5)  # depth restored
    assert views.local_half_widths().tolist() == [4.0, 4.0, 4.0]


def test_non_koi_tces_are_counted_not_skipped(tmp_path, catalog, caplog):
    arrays = _tces()
    arrays["kepid"][3] = 999  # a TCE on a star without KOIs
    result = import_astronet(_write(tmp_path / "a.npz", arrays), catalog)
    assert result.counts["not_koi"] == 1 and result.counts["skipped"] == 1  # kepid 400: no koi_depth
    assert result.skipped["kepid"].tolist() == [400]
    assert "999" not in caplog.text and "not KOIs" in result.summary()


def test_cut_local_view_follows_astronet_geometry():
    period, duration = 10.0, 0.5  # ±4 durations = ±0.2 of the phase = 400 global bins
    phase = (np.arange(GLOBAL_BINS) + 0.5) / GLOBAL_BINS - 0.5
    glob = np.where(np.abs(phase * period) <= duration / 2, -1.0, 0.0).astype(np.float32)
    cut = cut_local_views(glob[None], np.array([period]), np.array([duration]))[0]
    assert cut.shape == (LOCAL_BINS,) and cut.min() == -1.0 and np.median(cut) == 0.0
    centres = np.linspace(-4 + 0.08, 4 - 0.08, LOCAL_BINS)
    inside = np.abs(centres) < 0.45
    outside = np.abs(centres) > 0.55
    assert np.all(cut[inside] < -0.9) and np.all(cut[outside] == 0.0)
    flat = cut_local_views(np.zeros((1, GLOBAL_BINS)), np.array([1.0]), np.array([0.1]))
    assert np.all(flat == 0.0)


def test_av_training_set_never_reaches_a_view_or_a_feature(tmp_path, catalog):
    from exomesa import sources

    arrays = _tces()
    with_pc = dict(arrays, av_training_set=np.array(["PC", "AFP", "NTP", "PC", "AFP"]))
    with_afp = dict(arrays, av_training_set=np.array(["AFP", "PC", "PC", "NTP", "NTP"]))
    a = import_astronet(_write(tmp_path / "a.npz", with_pc), catalog)
    b = import_astronet(_write(tmp_path / "b.npz", with_afp), catalog)
    c = import_astronet(_write(tmp_path / "c.npz", arrays), catalog)
    for other in (b, c):  # the label changes nothing the import makes
        np.testing.assert_array_equal(a.views.global_view, other.views.global_view)
        np.testing.assert_array_equal(a.views.local_view, other.views.local_view)
        pd.testing.assert_frame_equal(a.matches, other.matches)
    assert not any("av_" in col for col in a.matches.columns)
    saved = np.load(a.views.save(tmp_path / "v.npz"))
    assert not any("av_" in k for k in saved.files)
    # a table that carries it is guarded like the catalog's own vetting columns
    assert sources.is_leaky("av_training_set")
    # it is readable only as a clearly named label, for pretraining
    labels = read_tce_labels(tmp_path / "a.npz")
    assert labels.columns.tolist() == ["kepid", "tce_plnt_num", "av_training_set_label"]
    with pytest.raises(ExomesaError, match="no av_training_set"):
        read_tce_labels(tmp_path / "c.npz")


def test_non_finite_global_view_skips_that_tce_only(tmp_path, catalog):
    arrays = _tces(3)
    arrays["global_view"][1, 7] = np.nan
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
    result = import_astronet(REAL_VIEWS, catalog)
    views, skipped = result.views, result.skipped
    # 1,034 TCEs: four match FALSE POSITIVE KOIs without koi_depth in DR25; 61 sit at a KOI's period but not at
    # its epoch (mostly an eclipsing binary's other eclipse, whose KOI is another TCE of the larger file)
    assert len(views) == 969 and result.counts["not_koi"] == 61 and len(skipped) == 4
    assert sorted(skipped["kepoi_name"].tolist()) == ["K06430.01", "K06507.01", "K06768.01", "K06850.01"]
    assert len(set(views.kepoi_name.tolist())) == len(views)
    depth = catalog.set_index("kepoi_name").loc[views.kepoi_name, "koi_depth"].to_numpy()
    np.testing.assert_allclose(views.local_view.min(axis=1), -depth * 1e-6, rtol=1e-5)
    assert set(views.source.tolist()) == {"real"} and set(views.provenance.tolist()) == {"astronet"}


@pytest.mark.slow
@pytest.mark.skipif(not GLOBAL_VIEWS.is_file(), reason=f"{GLOBAL_VIEWS} not found (../shared is absent)")
def test_global_views_file_against_dr25():
    from exomesa.data import LABEL, load_dr25

    catalog = load_dr25()
    result = import_astronet(GLOBAL_VIEWS, catalog)
    c = result.counts
    # 4,138 KOIs match a TCE (period 0.5 %, epoch within koi_duration); 17 of them have no koi_depth
    assert c["tces"] == 10455 and c["imported"] == 4121 and c["skipped"] == 17
    assert (c["real_local"], c["cut_local"]) == (970, 3151)
    assert c["not_koi"] + c["other_tce"] + c["imported"] + c["skipped"] == 10455
    labels = catalog.set_index("kepoi_name").loc[result.views.candidate_id, LABEL].value_counts().to_dict()
    assert labels == {"FALSE POSITIVE": 1827, "CONFIRMED": 1472, "CANDIDATE": 822}
    assert len(set(result.views.candidate_id.tolist())) == len(result.views)
    assert np.isfinite(result.views.local_view).all()
    assert (result.matches["epoch_offset_hours"] <= catalog.set_index("kepoi_name").loc[
        result.views.candidate_id, "koi_duration"].to_numpy()).all()  # fmt: skip


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


@pytest.mark.skipif(not GLOBAL_VIEWS.is_file(), reason=f"{GLOBAL_VIEWS} not found (../shared is absent)")
def test_tce_pretraining_set_is_rescaled_and_labelled():
    from exomesa.lightcurves.astronet import TCE_LABELS, read_tce_pretraining

    tces = read_tce_pretraining(GLOBAL_VIEWS)
    n = len(tces["label"])
    assert n == 10455 and np.bincount(tces["label"], minlength=3).tolist() == [2335, 6412, 1708]
    assert TCE_LABELS == ("PC", "AFP", "NTP")
    assert np.isfinite(tces["global_view"]).all() and np.isfinite(tces["local_view"]).all()
    floor = -tces["global_view"].min(axis=1)
    assert (floor > 0).all() and np.median(floor) < 0.01  # depths restored: relative flux, not unit depth
