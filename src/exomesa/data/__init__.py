"""Catalog readers → one canonical schema, the leak guard, star-grouped splits and archive downloads.

* :mod:`.catalog` — the embedded DR25 table, archive/IPAC/seed CSV readers, the leak guard, splits;
* :mod:`.download` — the NASA Exoplanet Archive TAP download (with a cache).
"""

from exomesa.data.catalog import (
    CLASSES,
    LABEL,
    check_no_leak,
    group_kfold,
    labels_to_index,
    load_catalog,
    load_dr25,
    split_catalog,
)

__all__ = [
    "CLASSES",
    "LABEL",
    "check_no_leak",
    "group_kfold",
    "labels_to_index",
    "load_catalog",
    "load_dr25",
    "split_catalog",
]
