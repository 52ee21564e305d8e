"""How close a local view cut from the global view (common.cut_local) is to AstroNet's real local view.

Pearson correlation per TCE over the 2,039 TCEs with both views, by the number of global bins the ±4-duration
window spans. Run: ``PYTHONPATH=src python benchmarks/real_views/check_local_cut.py`` → results.json.
"""

from __future__ import annotations

import numpy as np
from common import VIEWS, cut_local, update_results

with np.load(VIEWS) as d:
    real = np.isfinite(d["local_view"]).all(axis=1)
    gv, lv = d["global_view"][real], d["local_view"][real]
    per, dur = d["tce_period"][real], d["tce_duration"][real]
cut = cut_local(gv, per, dur)
a = cut - cut.mean(1, keepdims=True)
b = lv - lv.mean(1, keepdims=True)
r = (a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1) + 1e-12)
span = 8 * dur / per * 2001  # global bins inside ±4 durations
out = {"n": int(real.sum()), "median_corr": round(float(np.median(r)), 3)}
for lo, hi in ((0, 5), (5, 25), (25, 201), (201, 2001)):
    m = (span >= lo) & (span < hi)
    if m.any():
        out[f"span_{lo}_{hi}_global_bins"] = {
            "n": int(m.sum()),
            "median_corr": round(float(np.median(r[m])), 3),
        }
print(out)
update_results("local_cut_check", "cut_vs_real_local_view", out)
