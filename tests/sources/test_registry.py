"""The source registry: every source listed once, presets and leak lists as the features and data layers use them."""

from __future__ import annotations

import pytest

from exomesa import sources
from exomesa.errors import ExomesaError
from exomesa.features import PRESETS
from exomesa.features.ephemeris import EPHEMERIS_FEATURES
from exomesa.features.groups import COLUMN_INFO, DERIVED_FEATURES, FEATURE_GROUPS, GAIA_FEATURES


def test_every_source_is_listed_once() -> None:
    names = [s.name for s in sources.SOURCES]
    assert names == ["dr25", "koi_archive", "seed_csv", "toi", "toi_archive"]
    assert sources.get("DR25") is sources.SOURCES[0]
    with pytest.raises(ExomesaError, match="unknown data source 'k2'"):
        sources.get("k2")
    assert sources.embedded("dr25") is not None and sources.embedded("toi") is not None
    assert sources.embedded("koi_archive") is None


def test_presets_are_the_sources_presets() -> None:
    assert PRESETS == sources.presets()
    assert set(PRESETS) == {
        "seed",
        "archive",
        "full",
        "shared",
        "full_gaia",
        "full_ephemeris",
        "toi",
        "toi_archive",
    }
    # full's diagnostics: the catalog diagnostics of COLUMN_INFO, then the derived columns (order matters:
    # it is the order of the model's inputs)
    prefixes = ("koi_model", "koi_max", "koi_num", "koi_count", "koi_tce", "koi_bin", "koi_fwm", "koi_dicco",
                "koi_dikco")  # fmt: skip
    derived = [d for d in DERIVED_FEATURES if d not in GAIA_FEATURES and d not in EPHEMERIS_FEATURES]
    assert FEATURE_GROUPS["diagnostics"] == [c for c in COLUMN_INFO if c.startswith(prefixes)] + derived
    assert PRESETS["full_gaia"]["gaia"] == list(GAIA_FEATURES)
    # full = planet, stellar, diagnostics, ephemeris (in this order: the model's inputs); full_gaia adds gaia;
    # full_ephemeris, the group's opt-in preset before it joined full, is an alias of full
    assert list(PRESETS["full"]) == ["planet", "stellar", "diagnostics", "ephemeris"]
    assert PRESETS["full"]["ephemeris"] == list(EPHEMERIS_FEATURES)
    assert PRESETS["full_ephemeris"] == PRESETS["full"]
    assert {g: c for g, c in PRESETS["full_gaia"].items() if g != "gaia"} == PRESETS["full"]


def test_missions_and_light_curve_files() -> None:
    assert [s.name for s in sources.for_mission("tess")] == ["toi", "toi_archive"]
    kepler, tess = sources.all_lightcurve_files()
    assert sources.lightcurve_files("KEPLER") is kepler and sources.lightcurve_files("TESS") is tess
    assert kepler.id_from_name("kplr010666592-2009131110544_llc.fits") == 10666592
    assert tess.id_from_name("tess2018206045859-s0001-0000000025155310-0120-s_lc.fits") == 25155310
    assert kepler.id_from_name("tess2018206045859-s0001-0000000025155310-0120-s_lc.fits") is None
    assert kepler.target_name(10666592) == "KIC 10666592" and tess.target_name(7) == "TIC 7"
    with pytest.raises(ExomesaError, match="no light-curve files are known for mission 'K2'"):
        sources.lightcurve_files("K2")


def test_leak_guard_asks_every_source() -> None:
    for column in ("koi_score", "koi_fpflag_xx", "Kepler_Name", "TFOPWG Disposition", "Comments", "sg1a_priority",
                   "Date Modified"):  # fmt: skip
        assert sources.is_leaky(column), column
    for column in ("koi_period", "star_id", "candidate_id", "tic_id", "toi", "tess_mag"):
        assert not sources.is_leaky(column), column
