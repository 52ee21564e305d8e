"""Light-curve-only models on the real AstroNet views: 5 star-grouped folds, out-of-fold probabilities cached.

Folds: ``fold_all`` of prepare.py (the star-grouped, stratified 5 folds of all 8,054 DR25 KOIs), restricted to the
KOIs with a matched view, so the same LC scores serve the fusion and the presence study. In test fold k, no TCE
of a star of fold k (KOI or not) is trained on; non-KOI TCEs of stars hosting no DR25 KOI are usable in every fold.

Model (AstroNet-style, small): a global column (401 pooled bins: conv5×8 → pool3 → conv5×16 → pool3 →
conv5×32 → pool3) and a local column (201 bins: conv5×8 → pool3 → conv5×16 → pool3), concatenated with
log10(depth) (koi_depth for KOIs, the DR24 tce_depth for other TCEs) and a has-local flag → FC 64 → two heads:
the KOI disposition (3 classes) and, with ``--tces``, the TCE's ``av_training_set`` (PC/AFP/NTP, a label of
training-star TCEs only; never an input).

Settings (``--setting NAME`` from :data:`SETTINGS`) pick: local view (``real``: real only, masked elsewhere;
``cut``: real where known, else cut from the global view; ``cutall``: always cut; ``none``), depth scalar,
extra TCEs (multi-task), augmentation (phase flip, ±shift), epochs.

Run: ``PYTHONPATH=src python benchmarks/real_views/lc_models.py --setting base``
Writes ``$CACHE/lc_<setting>.npz`` (proba [8054, 3], NaN where no view / not predicted) and a results.json entry.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch
from common import CACHE, VIEWS, cut_local, fold_summary, pooled_global, prepared, update_results
from torch import nn

torch.set_num_threads(1)

SETTINGS: dict[str, dict] = {
    "global_only": {"local": "none", "depth": False, "tces": False, "augment": False},
    "base": {"local": "cut", "depth": False, "tces": False, "augment": False},
    "local_masked": {"local": "real", "depth": True, "tces": False, "augment": False},
    "local_cut": {"local": "cut", "depth": True, "tces": False, "augment": False},
    "local_cut_tces": {"local": "cut", "depth": True, "tces": True, "augment": False},
    "local_cut_tces_aug": {"local": "cut", "depth": True, "tces": True, "augment": True},
    "local_masked_tces_aug": {"local": "real", "depth": True, "tces": True, "augment": True},
}


class Net(nn.Module):
    """Two 1-D conv columns + scalars → shared FC → disposition head and av_training_set head."""

    def __init__(self, use_local: bool) -> None:
        super().__init__()

        def block(cin: int, cout: int) -> list[nn.Module]:
            return [nn.Conv1d(cin, cout, 5, padding=2), nn.ReLU(), nn.MaxPool1d(3, 3)]

        self.g = nn.Sequential(*block(1, 8), *block(8, 16), *block(16, 32), nn.Flatten())  # 401→133→44→14
        self.use_local = use_local
        self.l = nn.Sequential(*block(1, 8), *block(8, 16), nn.Flatten())  # 201→67→22
        n = 32 * 14 + (16 * 22 if use_local else 0) + 2
        self.fc = nn.Sequential(nn.Linear(n, 64), nn.ReLU(), nn.Dropout(0.3))
        self.head = nn.Linear(64, 3)
        self.av_head = nn.Linear(64, 3)

    def forward(self, g: torch.Tensor, loc: torch.Tensor, scal: torch.Tensor) -> tuple[torch.Tensor, ...]:
        parts = [self.g(g[:, None])]
        if self.use_local:
            parts.append(self.l(loc[:, None]) * scal[:, 1:2])  # has-local flag 0 → branch masked
        h = self.fc(torch.cat([*parts, scal], dim=1))
        return self.head(h), self.av_head(h)


def augment(g: torch.Tensor, loc: torch.Tensor, gen: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """Phase flip (p=0.5, both views together) and a small circular shift of the global view (±2 pooled bins)
    and of the local view (±3 bins)."""
    flip = torch.rand(len(g), generator=gen) < 0.5
    g = torch.where(flip[:, None], g.flip(1), g)
    loc = torch.where(flip[:, None], loc.flip(1), loc)
    sg = int(torch.randint(-2, 3, (1,), generator=gen))
    sl = int(torch.randint(-3, 4, (1,), generator=gen))
    return torch.roll(g, sg, 1), torch.roll(loc, sl, 1)


def build_inputs(p: dict, local: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per TCE row: pooled global [T, 401], local [T, 201], has_local [T] (cached)."""
    path = CACHE / f"inputs_{local}.npz"
    if path.exists():
        with np.load(path) as d:
            return d["g"], d["l"], d["has"]
    with np.load(VIEWS) as d:
        gv, lv = d["global_view"], d["local_view"]
    g = pooled_global(gv).astype(np.float32)
    real = np.isfinite(lv).all(axis=1)
    loc = np.zeros((len(gv), 201), np.float32)
    has = np.zeros(len(gv), np.float32)
    if local in ("real", "cut"):
        loc[real] = lv[real]
        has[real] = 1
    if local in ("cut", "cutall"):
        rows = np.flatnonzero(~real) if local == "cut" else np.arange(len(gv))
        loc[rows] = cut_local(gv[rows], p["tce_period"][rows], p["tce_duration"][rows])
        has[rows] = 1
    np.savez(path, g=g, l=loc, has=has)
    return g, loc, has


def run(name: str, epochs: int, folds: list[int], seed: int = 0, nested: bool = False) -> None:
    cfg = SETTINGS[name]
    p = prepared()
    g, loc, has = build_inputs(p, cfg["local"] if cfg["local"] != "none" else "real")
    n_tce = len(g)
    # labels per TCE row: disposition of the matched KOI (-1: not a KOI), av label
    koi_of = p["koi_of_tce"]
    ydisp = np.where(koi_of >= 0, p["y"][np.maximum(koi_of, 0)], -1)
    yav = np.array([("PC", "AFP", "NTP").index(a) for a in p["av"]])
    depth = np.where(koi_of >= 0, p["koi_depth"][np.maximum(koi_of, 0)], p["tce_depth"])
    depth = np.where(np.isfinite(depth) & (depth > 0), depth, p["tce_depth"])
    ld = (np.log10(np.clip(depth, 1, None)) - 3.0) / 1.0
    scal = np.stack([ld if cfg["depth"] else np.zeros(n_tce), has], axis=1).astype(np.float32)
    koi_fold = np.where(koi_of >= 0, p["fold_all"][np.maximum(koi_of, 0)], -1)
    star_fold = p["tce_fold_all"]  # test fold of the TCE's star (-1: star hosts no KOI)

    G, L, S = torch.from_numpy(g), torch.from_numpy(loc), torch.from_numpy(scal)
    Yd, Ya = torch.from_numpy(ydisp), torch.from_numpy(yav)
    out_path = CACHE / f"lc_{name}.npz"
    proba = np.full((len(p["y"]), 3), np.nan)
    if out_path.exists():
        proba = np.load(out_path)["proba"]
    timing = []

    def fit_predict(train: np.ndarray, te: np.ndarray, seed_k: int) -> np.ndarray:
        """Train on TCE rows ``train`` (bool [T]); softmax disposition probabilities of TCE rows ``te``."""
        torch.manual_seed(seed_k)
        gen = torch.Generator().manual_seed(seed_k)
        tr = np.flatnonzero(train)
        net = Net(cfg["local"] != "none")
        opt = torch.optim.AdamW(net.parameters(), lr=2e-3, weight_decay=1e-4)
        steps = epochs * ((len(tr) + 127) // 128)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
        ce = nn.CrossEntropyLoss(ignore_index=-1)
        for _ in range(epochs):
            net.train()
            perm = tr[torch.randperm(len(tr), generator=gen).numpy()]
            for b in range(0, len(perm), 128):
                idx = torch.from_numpy(perm[b : b + 128])
                gb, lb = G[idx], L[idx]
                if cfg["augment"]:
                    gb, lb = augment(gb, lb, gen)
                od, oa = net(gb, lb, S[idx])
                yd = Yd[idx]
                loss = ce(od, yd) if (yd >= 0).any() else od.sum() * 0
                if cfg["tces"]:
                    loss = loss + 0.5 * ce(oa, Ya[idx])
                opt.zero_grad()
                loss.backward()
                opt.step()
                sched.step()
        net.eval()
        with torch.no_grad():
            od, _ = net(G[te], L[te], S[te])
        return torch.softmax(od, 1).numpy()

    use_row = (koi_of >= 0) | cfg["tces"]
    if nested:
        # inner out-of-fold scores: for outer fold k and inner fold j != k, train without the stars of k and j
        npath = CACHE / f"lc_{name}_nested.npz"
        inner = np.load(npath)["inner"] if npath.exists() else np.full((5, len(p["y"]), 3), np.nan)
        for k in folds:
            for j in range(5):
                if j == k:
                    continue
                t0 = time.perf_counter()
                te = np.flatnonzero(koi_fold == j)
                train = (star_fold != k) & (star_fold != j) & use_row
                inner[k, koi_of[te]] = fit_predict(train, te, seed + 10 * k + j)
                print(f"{name} nested outer {k} inner {j}: {time.perf_counter() - t0:.0f} s", flush=True)
            np.savez(npath, inner=inner)
        return
    timing = []
    for k in folds:
        t0 = time.perf_counter()
        te = np.flatnonzero(koi_fold == k)
        proba[koi_of[te]] = fit_predict((star_fold != k) & use_row, te, seed + k)
        timing.append(time.perf_counter() - t0)
        m = fold_summary(p["y"], proba, np.where((p["fold_all"] == k) & np.isfinite(proba).all(1), k, -1))
        print(f"{name} fold {k}: {timing[-1]:.0f} s, {m}", flush=True)
        np.savez(out_path, proba=proba)
    fold_vec = np.where(np.isfinite(proba).all(1), p["fold_all"], -1)
    summary = fold_summary(p["y"], proba, fold_vec)
    summary.update(cfg)
    summary.update(epochs=epochs, seconds_per_fold=round(float(np.mean(timing)), 1), folds_run=folds)
    print(name, summary, flush=True)
    update_results("lc_only", name, summary)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--setting", required=True, choices=sorted(SETTINGS))
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--folds", default="0,1,2,3,4")
    ap.add_argument("--nested", action="store_true", help="inner out-of-fold scores for stacking")
    a = ap.parse_args()
    run(a.setting, a.epochs, [int(f) for f in a.folds.split(",")], nested=a.nested)
