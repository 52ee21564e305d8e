"""Catalog readers → one canonical schema, the leak guard, star-grouped splits and archive downloads.

* :mod:`.schema` — class order, the label column, seed-CSV names;
* :mod:`.catalog` — the embedded DR25 table and the archive/IPAC/seed-CSV readers;
* :mod:`.toi` — TESS Objects of Interest (ExoFOP exports, the archive's TOI table, the embedded 2024-09-30 table);
* :mod:`.leakage` — the leak guard;
* :mod:`.splits` — stratified, star-grouped train/test splits and k folds;
* :mod:`.download` — the NASA Exoplanet Archive TAP download (with a cache).
"""

from exomesa.data.catalog import canonicalize, dr25_path, load_catalog, load_dr25, to_seed_layout
from exomesa.data.leakage import LEAKY_COLUMNS, check_no_leak, is_leaky
from exomesa.data.schema import CLASSES, LABEL, SEED_COLUMNS, labels_to_index
from exomesa.data.splits import group_kfold, split_catalog
from exomesa.data.toi import TOI_EXPORT_DATE, TOI_SOURCE, load_toi, toi_path

__all__ = [
    "CLASSES",
    "LABEL",
    "LEAKY_COLUMNS",
    "SEED_COLUMNS",
    "TOI_EXPORT_DATE",
    "TOI_SOURCE",
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
    "to_seed_layout",
    "toi_path",
]
