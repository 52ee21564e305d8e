"""Feature groups and presets (what each MESA encoder reads), and the columns a feature set needs.

Groups (what each MESA encoder reads):

* ``planet`` — transit and orbit fit: period, depth, radius, duration, impact, Rp/R*, a/R*, fitted stellar
  density, equilibrium temperature, insolation, semi-major axis, inclination.
* ``stellar`` — host star: effective temperature, log g, metallicity, radius, mass, magnitudes.
* ``diagnostics`` — pipeline statistics that are *not* labels: SNR, single/multiple event statistics, number
  of transits, planet count, odd–even depth significance, centroid offsets and their significances, plus a
  few derived consistency checks (see :data:`DERIVED_FEATURES`).
* ``ephemeris`` — matches of the candidate's period and epoch with other signals (other candidates, the training
  catalog, DR24 TCEs; :mod:`.ephemeris_group`): how many signals it shares an ephemeris with, the best match's
  significance, separation and depth ratio, and whether it is the contaminated member. Never a label.
* ``gaia`` (only in ``full_gaia``) — Gaia DR2 stellar properties joined on the KIC id (:mod:`.gaia`).

Presets (defined with their source, :mod:`exomesa.sources`): ``seed`` (the original five: period, depth,
planet radius / stellar temperature, stellar radius), ``archive`` (the 13 feature columns of the NASA
Exoplanet Archive's default KOI export, see :data:`ARCHIVE_PRESET`), ``full`` (every non-leaky, informative
numeric DR25 column in its group, plus the derived ones and the ``ephemeris`` group; ``full_ephemeris`` is an
alias), ``full_gaia`` (``full`` + ``gaia``), ``shared`` (what Kepler and TESS tables share: the seed five +
duration + SNR) and ``toi`` (the TESS TOI table's physical columns under their canonical names).

Left out of ``full`` on purpose: the vetting outcome and its proxies (see :mod:`exomesa.data.catalog`'s leak
guard); every ``*_err`` uncertainty of the planet and stellar fits (stellar uncertainties reveal which stars
got spectroscopic follow-up, and the planet ones inherit them); identifiers and positions (``kepid``,
``rowid``, ``ra``, ``dec``, ``koi_fwm_sra``/``sdec``) and epochs (``koi_time0bk``) as features of their own
(the ``ephemeris`` group reads the keys, the epoch and the positions to find matches); columns that are empty
or constant in DR25 (eccentricity, ingress, stellar age, model χ², ...). Centroid-offset uncertainties stay in
``diagnostics``: they set the significance of an offset, the main test for background eclipsing binaries.

Derived columns are computed in :mod:`.derived`; the train-fitted scaling is :mod:`.preprocessor`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping

import pandas as pd

from exomesa import sources
from exomesa.data import check_no_leak
from exomesa.errors import ExomesaError
from exomesa.features.ephemeris import EPHEMERIS_FEATURES
from exomesa.sources.kepler_dr25 import ARCHIVE_PRESET, FULL_PRESET

__all__ = [
    "COLUMN_INFO",
    "DERIVED_FEATURES",
    "FEATURE_GROUPS",
    "GAIA_FEATURES",
    "EPHEMERIS_GROUP_FEATURES",
    "PRESETS",
    "PRESET_NAMES",
    "ARCHIVE_PRESET",
    "resolve_feature_set",
    "required_columns",
    "check_columns",
    "feature_columns",
    "richest_preset",
]

logger = logging.getLogger(__name__)

#: column → (unit, meaning). Units as in the NASA Exoplanet Archive KOI table.
COLUMN_INFO: dict[str, tuple[str, str]] = {
    # planet
    "koi_period": ("days", "orbital period"),
    "koi_depth": ("ppm", "transit depth"),
    "koi_prad": ("Earth radii", "planet radius"),
    "koi_duration": ("hours", "transit duration (first to last contact)"),
    "koi_impact": ("", "impact parameter b of the transit fit"),
    "koi_ror": ("", "planet-to-star radius ratio Rp/R*"),
    "koi_dor": ("", "scaled semi-major axis a/R* from the transit fit"),
    "koi_srho": ("g/cm^3", "stellar density implied by the transit fit"),
    "koi_teq": ("K", "planet equilibrium temperature"),
    "koi_insol": ("Earth flux", "insolation flux"),
    "koi_sma": ("au", "orbital semi-major axis"),
    "koi_incl": ("deg", "orbital inclination"),
    # stellar
    "koi_steff": ("K", "stellar effective temperature"),
    "koi_slogg": ("log10(cm/s^2)", "stellar surface gravity"),
    "koi_smet": ("dex", "stellar metallicity [Fe/H]"),
    "koi_srad": ("solar radii", "stellar radius"),
    "koi_smass": ("solar masses", "stellar mass"),
    "koi_kepmag": ("mag", "Kepler-band magnitude"),
    "koi_gmag": ("mag", "SDSS g magnitude"),
    "koi_rmag": ("mag", "SDSS r magnitude"),
    "koi_imag": ("mag", "SDSS i magnitude"),
    "koi_zmag": ("mag", "SDSS z magnitude"),
    "koi_jmag": ("mag", "2MASS J magnitude"),
    "koi_hmag": ("mag", "2MASS H magnitude"),
    "koi_kmag": ("mag", "2MASS K magnitude"),
    "tess_mag": ("mag", "TESS-band magnitude (TOI tables)"),
    "st_dist": ("pc", "stellar distance (TOI tables)"),
    # diagnostics
    "koi_model_snr": ("", "transit signal-to-noise ratio of the model fit"),
    "koi_max_sngle_ev": ("sigma", "maximum single event statistic"),
    "koi_max_mult_ev": ("sigma", "maximum multiple event statistic (MES)"),
    "koi_num_transits": ("", "number of transits observed"),
    "koi_count": ("", "number of KOIs in the system"),
    "koi_tce_plnt_num": ("", "TCE planet number in the system"),
    "koi_bin_oedp_sig": ("", "odd-even depth comparison statistic"),
    "koi_fwm_stat_sig": ("percent", "flux-weighted centroid motion significance"),
    "koi_fwm_srao": ("arcsec", "flux-weighted centroid source RA offset"),
    "koi_fwm_srao_err": ("arcsec", "uncertainty of koi_fwm_srao"),
    "koi_fwm_sdeco": ("arcsec", "flux-weighted centroid source Dec offset"),
    "koi_fwm_sdeco_err": ("arcsec", "uncertainty of koi_fwm_sdeco"),
    "koi_fwm_prao": ("arcsec", "PRF-fitted out-of-transit RA offset"),
    "koi_fwm_prao_err": ("arcsec", "uncertainty of koi_fwm_prao"),
    "koi_fwm_pdeco": ("arcsec", "PRF-fitted out-of-transit Dec offset"),
    "koi_fwm_pdeco_err": ("arcsec", "uncertainty of koi_fwm_pdeco"),
    "koi_dicco_mra": ("arcsec", "difference-image centroid RA offset vs OOT (multi-quarter)"),
    "koi_dicco_mra_err": ("arcsec", "uncertainty of koi_dicco_mra"),
    "koi_dicco_mdec": ("arcsec", "difference-image centroid Dec offset vs OOT"),
    "koi_dicco_mdec_err": ("arcsec", "uncertainty of koi_dicco_mdec"),
    "koi_dicco_msky": ("arcsec", "difference-image centroid sky offset vs OOT"),
    "koi_dicco_msky_err": ("arcsec", "uncertainty of koi_dicco_msky"),
    "koi_dikco_mra": ("arcsec", "difference-image centroid RA offset vs KIC position"),
    "koi_dikco_mra_err": ("arcsec", "uncertainty of koi_dikco_mra"),
    "koi_dikco_mdec": ("arcsec", "difference-image centroid Dec offset vs KIC position"),
    "koi_dikco_mdec_err": ("arcsec", "uncertainty of koi_dikco_mdec"),
    "koi_dikco_msky": ("arcsec", "difference-image centroid sky offset vs KIC position"),
    "koi_dikco_msky_err": ("arcsec", "uncertainty of koi_dikco_msky"),
}

#: Derived features: name → (unit, meaning, source columns). Computed by :func:`add_derived_features`.
DERIVED_FEATURES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "n_quarters": ("", "number of Kepler quarters searched (ones in koi_quarters)", ("koi_quarters",)),
    "dikco_msky_sig": (
        "sigma",
        "koi_dikco_msky / koi_dikco_msky_err",
        ("koi_dikco_msky", "koi_dikco_msky_err"),
    ),
    "dicco_msky_sig": (
        "sigma",
        "koi_dicco_msky / koi_dicco_msky_err",
        ("koi_dicco_msky", "koi_dicco_msky_err"),
    ),
    "fwm_offset_sig": (
        "sigma",
        "hypot of the flux-weighted source offsets over their errors",
        ("koi_fwm_srao", "koi_fwm_srao_err", "koi_fwm_sdeco", "koi_fwm_sdeco_err"),
    ),
    "log_rho_ratio": (
        "dex",
        "log10 of fitted stellar density koi_srho over the catalog density 1.41*M/R^3",
        ("koi_srho", "koi_smass", "koi_srad"),
    ),
    "log_duration_ratio": (
        "dex",
        "log10 of koi_duration over the central-transit duration expected for a circular orbit of that star",
        ("koi_duration", "koi_period", "koi_smass", "koi_srad"),
    ),
    "log_depth_ror_ratio": ("dex", "log10 of depth over (Rp/R*)^2", ("koi_depth", "koi_ror")),
    "ses_mes_ratio": (
        "",
        "max single / max multiple event statistic",
        ("koi_max_sngle_ev", "koi_max_mult_ev"),
    ),
    "snr_per_transit": ("", "koi_model_snr / sqrt(koi_num_transits)", ("koi_model_snr", "koi_num_transits")),
    "mes_snr_ratio": ("", "koi_max_mult_ev / koi_model_snr", ("koi_max_mult_ev", "koi_model_snr")),
}

#: The ``full`` preset's groups (:data:`exomesa.sources.kepler_dr25.FULL_PRESET`).
FEATURE_GROUPS: dict[str, list[str]] = {group: list(cols) for group, cols in FULL_PRESET.items()}

#: The optional ``gaia`` group: Gaia DR2 stellar properties joined on kepid (:mod:`.gaia`).
#: Registered as derived features (after ``diagnostics`` took its list) so required_columns expands them.
GAIA_FEATURES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "gaia_teff": ("K", "Gaia DR2 effective temperature (Berger et al. 2018)", ("kepid", "kepoi_name")),
    "gaia_dist": ("pc", "Gaia DR2 distance", ("kepid", "kepoi_name")),
    "gaia_rad": ("solar radii", "Gaia DR2 stellar radius", ("kepid", "kepoi_name")),
    "gaia_av": ("mag", "V-band extinction", ("kepid", "kepoi_name")),
    "gaia_evstate": (
        "",
        "evolutionary state: 0 main sequence, 1 subgiant, 2 red giant",
        ("kepid", "kepoi_name"),
    ),
    "gaia_binary": ("", "1 if binaryFlag == 1 (Gaia radius excess), else 0", ("kepid", "kepoi_name")),
    "gaia_prad": ("Earth radii", "koi_ror x Gaia stellar radius", ("kepid", "kepoi_name", "koi_ror")),
}
DERIVED_FEATURES.update(GAIA_FEATURES)

#: The optional ``ephemeris`` group: ephemeris matches against the catalog, the training catalog and the DR24
#: TCEs (:mod:`.ephemeris`, :mod:`.ephemeris_group`). Registered as derived features so required_columns expands
#: them into the columns the matching reads: the neutral keys of any mission and the ephemeris (positions,
#: magnitudes and uncertainties are used when present, else taken from the mission's embedded catalog).
EPHEMERIS_GROUP_FEATURES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    name: (
        unit,
        meaning,
        (
            sources.CANDIDATE_ID,
            sources.STAR_ID,
            sources.MISSION,
            "koi_period",
            "koi_time0bk",
            "koi_duration",
            "koi_depth",
        ),
    )
    for name, (unit, meaning) in EPHEMERIS_FEATURES.items()
}
DERIVED_FEATURES.update(EPHEMERIS_GROUP_FEATURES)

#: Every source's feature presets (plain data, defined with their source in :mod:`exomesa.sources`).
PRESETS: dict[str, dict[str, list[str]]] = sources.presets()
PRESETS["full"] = FEATURE_GROUPS

#: Every preset's name, in registry order: what each command's ``--features`` offers (besides ``auto``).
PRESET_NAMES: tuple[str, ...] = tuple(PRESETS)

_VALID_GROUPS = ("planet", "stellar", "diagnostics", "gaia", "ephemeris")


def resolve_feature_set(spec: str | Mapping[str, list[str]]) -> dict[str, list[str]]:
    """A preset name (``"seed"``/``"archive"``/``"full"``) or a ``{group: [columns]}`` mapping → validated feature set.

    Raises:
        ExomesaError: unknown preset/group, an empty set, a duplicated column, or a leaky column.
    """
    if isinstance(spec, str):
        key = spec.strip().lower()
        if key not in PRESETS:
            raise ExomesaError(f"unknown feature preset {spec!r}; choose one of {sorted(PRESETS)}.")
        spec = PRESETS[key]
    out: dict[str, list[str]] = {}
    for group, cols in spec.items():
        if group not in _VALID_GROUPS:
            raise ExomesaError(f"unknown feature group {group!r}; groups are {list(_VALID_GROUPS)}.")
        cols = [str(c).strip().lower() for c in cols]
        if cols:
            out[group] = cols
    if "planet" not in out and "stellar" not in out:
        raise ExomesaError("a feature set needs at least one planet or stellar column.")
    flat = [c for cols in out.values() for c in cols]
    check_no_leak(flat)
    dup = sorted({c for c in flat if flat.count(c) > 1})
    if dup:
        raise ExomesaError(f"feature column(s) {dup} appear in more than one group; list each once.")
    return out


def feature_columns(feature_set: Mapping[str, list[str]]) -> list[str]:
    """All feature names of a feature set, group by group."""
    return [c for cols in feature_set.values() for c in cols]


def required_columns(feature_set: Mapping[str, list[str]]) -> list[str]:
    """The catalog columns a feature set reads (derived features expanded into their sources)."""
    cols: list[str] = []
    for name in feature_columns(feature_set):
        sources = DERIVED_FEATURES[name][2] if name in DERIVED_FEATURES else (name,)
        cols.extend(c for c in sources if c not in cols)
    return cols


def check_columns(
    feature_set: Mapping[str, list[str]], df: pd.DataFrame, source: str = "the input table"
) -> None:
    """Raise one :class:`ExomesaError` naming ``source`` when ``df`` lacks a column ``feature_set`` reads.

    This is the one wording of the missing-feature-column error: training, evaluation, scoring and the
    baselines all call it.
    """
    missing = [c for c in required_columns(feature_set) if c not in df.columns]
    if missing:
        shown = ", ".join(missing[:8]) + (f" ... ({len(missing)} in all)" if len(missing) > 8 else "")
        raise ExomesaError(
            f"{source}: missing {len(missing)} feature column(s) the model reads: {shown}. Give a table with "
            "those columns (e.g. a NASA archive KOI export or `exomesa data prepare` output; empty values are "
            "imputed), or use a model trained with `--features seed` for seed-format CSVs."
        )


#: Presets :func:`richest_preset` chooses from, richest first.
AUTO_PRESETS = ("full", "archive", "seed")


def richest_preset(columns: Iterable[str], source: str = "the input table") -> str:
    """The preset with the most input columns that ``columns`` fully covers (``full`` > ``archive`` > ``seed``).

    Raises:
        ExomesaError: no preset is covered (one line: what each preset lacks).
    """
    have = set(columns)
    # the Kepler presets an automatic choice picks from; full_gaia is opt-in, shared/toi are TESS choices
    needs = {name: required_columns(resolve_feature_set(name)) for name in AUTO_PRESETS}
    lacks = {name: [c for c in cols if c not in have] for name, cols in needs.items()}
    ok = [name for name in AUTO_PRESETS if not lacks[name]]
    if ok:
        return max(ok, key=lambda name: len(needs[name]))
    detail = "; ".join(
        f"{name} lacks {', '.join(cols[:5])}{f' ... ({len(cols)} in all)' if len(cols) > 5 else ''}"
        for name, cols in lacks.items()
    )
    raise ExomesaError(
        f"{source}: has the columns of no feature preset ({detail}); give a NASA archive KOI export or a "
        "seed-format CSV."
    )
