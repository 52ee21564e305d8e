"""Catalog readers → one canonical schema, the leak guard, star-grouped splits and archive downloads.

The per-source readers, leak lists and presets live in :mod:`exomesa.sources`; this package maps them onto one
schema with the mission-neutral keys ``star_id``, ``candidate_id`` and ``mission``.

* :mod:`.schema` — class order, the label column, the key columns, seed-CSV names;
* :mod:`.catalog` — the canonical schema (:func:`canonicalize`) and :func:`load_catalog` for every source;
* :mod:`.toi` — TESS Objects of Interest (ExoFOP exports, the archive's TOI table, the embedded 2024-09-30 table);
* :mod:`.leakage` — the leak guard;
* :mod:`.splits` — stratified, star-grouped train/test splits and k folds;
* :mod:`.download` — the NASA Exoplanet Archive TAP download (with a cache).
"""

from exomesa.data.catalog import canonicalize, dr25_path, load_catalog, load_dr25, to_seed_layout
from exomesa.data.leakage import LEAKY_COLUMNS, check_no_leak, is_leaky
from exomesa.data.schema import (
    CANDIDATE_ID,
    CLASSES,
    LABEL,
    MISSION,
    SEED_COLUMNS,
    STAR_ID,
    candidate_column,
    labels_to_index,
    star_column,
)
from exomesa.data.splits import group_kfold, split_catalog
from exomesa.data.toi import TOI_EXPORT_DATE, TOI_SOURCE, load_toi, toi_path

__all__ = [
    "CANDIDATE_ID",
    "CLASSES",
    "LABEL",
    "LEAKY_COLUMNS",
    "MISSION",
    "SEED_COLUMNS",
    "STAR_ID",
    "TOI_EXPORT_DATE",
    "TOI_SOURCE",
    "candidate_column",
    "canonicalize",
    "check_no_leak",
    "dr25_path",
    "group_kfold",
    "is_leaky",
    "labels_to_index",
    "load_catalog",
    "load_dr25",
    "load_toi",
    "split_catalog",
    "star_column",
    "to_seed_layout",
    "toi_path",
]
