"""What the existing importer (``exomesa.lightcurves.astronet.import_astronet_views``) does on the new file.

Run: ``PYTHONPATH=src python benchmarks/real_views/check_importer.py`` → ``$CACHE/importer.json``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from exomesa.data import LABEL, load_dr25
from exomesa.lightcurves.astronet import import_astronet_views, match_tces, read_astronet_npz

CACHE = Path(os.environ.get("REALVIEWS_CACHE", "/work/cache_realviews"))
VIEWS = Path(os.environ.get("EXOMESA_SHARED", "/work/shared")) / "data/views/kepler_dr24_global_views.npz"

cat = load_dr25()
views, skipped = import_astronet_views(VIEWS, cat)
reasons = (
    skipped.reason.str.replace(r"K\d+\.\d+|[\d.]+", "#", regex=True).str.slice(0, 50).value_counts().to_dict()
)
d = read_astronet_npz(VIEWS)
names, why = match_tces(d["kepid"], d["tce_period"], cat, tce_time0bk=d["tce_time0bk"])  # ignoring NaN views
ok = why == ""
disp = dict(zip(cat.kepoi_name, cat[LABEL], strict=True))
out = {
    "importer_as_is": {
        "imported_kois": len(views),
        "per_class": {
            str(k): int(v)
            for k, v in __import__("pandas")
            .Series([disp[n] for n in views.kepoi_name])
            .value_counts()
            .items()
        },
        "skipped_tces": len(skipped),
        "skip_reasons": {str(k): int(v) for k, v in reasons.items()},
    },
    "importer_matching_if_nan_local_views_allowed": {
        "matched_kois": int(ok.sum()),
        "ambiguous_or_claimed_twice": int(np.char.startswith(why.astype(str), "ambiguous").sum()),
    },
}
(CACHE / "importer.json").write_text(json.dumps(out, indent=1))
print(json.dumps(out, indent=1))
kinds = {}
for w in why[~ok]:
    key = (
        "no KOI within 0.5 %"
        if w.startswith("no KOI")
        else ("claimed by several TCEs" if "claimed" in w else "ambiguous period tie")
    )
    kinds[key] = kinds.get(key, 0) + 1
out["importer_matching_if_nan_local_views_allowed"]["tce_skip_kinds"] = kinds
(CACHE / "importer.json").write_text(json.dumps(out, indent=1))
print(kinds)
