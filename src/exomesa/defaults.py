"""exomesa's defaults that are not MESA settings.

The data split, the LightGBM baselines' settings, vetting thresholds, the output file names and the cache
folder live here. MESA's model and training settings (and their presets) live in :mod:`exomesa.mesa.config`.

Plain Python only (no numpy, no torch): importing this module costs nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = [
    "LGBM_PARAMS",
    "TSFRESH_PRESET",
    "TEST_SIZE",
    "SPLIT_SEED",
    "N_FOLDS",
    "BENCHMARK_REAL_SUITE",
    "MODEL_FILE",
    "HISTORY_FILE",
    "CONFIG_FILE",
    "RESULTS_FILE",
    "PREDICTIONS_FILE",
    "REPORT_FILE",
    "FIGURE_FILES",
    "TSNE_MAX_POINTS",
    "VETTING",
    "PREDICT_CHUNK_SIZE",
    "TABULAR_PREDICT_THREADS",
    "cache_dir",
]

# ------------------------------------------------------------------------------------------------- data
TEST_SIZE = 0.2  # held-out fraction of stars in the default split (`data prepare`, `train`, `test`)
SPLIT_SEED = 42  # seed of the default train/test split and of the benchmark folds
N_FOLDS = 5  # cross-validation folds of `exomesa benchmark`
#: `exomesa benchmark --suite real` sizes (1,029 KOIs with real views; sized for a run of under 10 minutes on
#: a small CPU machine): MESA epochs from scratch, fine-tuning epochs, and epochs of the one rendered-view pretraining run.
BENCHMARK_REAL_SUITE = {"epochs": 30, "finetune_epochs": 10, "pretrain_epochs": 4}
#: Light-curve downloads from MAST (`lightcurves build --download`): attempts per star, the first wait between
#: attempts (doubling), the least time between two requests (a courtesy rate limit), and how many stars must
#: fail in a row for the run to stop: before MAST answered once ("unreachable": an offline machine), or after
#: ("MAST is down"). Otherwise a star that fails goes to failures.csv and the run goes on.
DOWNLOAD_RETRIES = 3
DOWNLOAD_BACKOFF_S = 2.0
DOWNLOAD_MIN_INTERVAL_S = 1.0
DOWNLOAD_GIVE_UP_AFTER = 3
DOWNLOAD_OUTAGE_AFTER = 25

# ------------------------------------------------------------------------------------------------- MESA
# MESA's model and training settings and their presets live in exomesa.mesa.config (MesaConfig, TrainConfig).
#: torch threads while a physics-only (tabular) MESA scores a table: its small MLPs are per-op-overhead bound
#: (measured: 9,564 KOIs in 0.13 s with 1 thread, 0.3-0.9 s with 2)
TABULAR_PREDICT_THREADS = 1


# ------------------------------------------------------------------------------------------- baselines
#: LightGBM settings shared by the tabular and TSFresh baselines (constructor defaults and CLI help).
LGBM_PARAMS: dict[str, Any] = {
    "features": "full",  # tabular feature preset
    "n_estimators": 300,  # boosting rounds
    "learning_rate": 0.05,  # shrinkage
    "num_leaves": 31,  # maximum leaves per tree
    "min_child_samples": 20,  # minimum KOIs per leaf
    "seed": 42,  # LightGBM seed (deterministic=True)
    "n_jobs": 2,  # LightGBM threads
}
TSFRESH_PRESET = "transit"  # tsfresh calculator preset of TsfreshLightGBM
TSFRESH_N_JOBS = 0  # tsfresh worker processes (0: in-process; on few cores its pool costs more than it saves)

# ------------------------------------------------------------------------------------------ evaluation
TSNE_MAX_POINTS = 2000  # t-SNE on at most this many KOIs (seeded subsample beyond)
#: rows scored at a time by streaming predict. Measured (benchmarks/bench_predict_stream.py, two-tower MESA,
#: 100,000 rows): peak 0.80 GB and 725 rows/s with 10,000-row chunks, 1.85 GB and 740 rows/s with 50,000.
PREDICT_CHUNK_SIZE = 10_000
#: Vetters' metrics: the precision at which CONFIRMED-vs-FP recall is read (ExoMiner's headline),
#: and the bin edges of accuracy by transit SNR (koi_model_snr) and by orbital period (koi_period, days).
#: SNR: 7.1 is the Kepler pipeline's detection threshold, 10-20 the marginal range, > 100 bright signals;
#: period: < 1 d ultra-short, 1-10 d short, 10-100 d the bulk, > 100 d few transits per quarter.
VETTING_PRECISION = 0.99
VETTING_BINS: dict[str, tuple[float, ...]] = {
    "koi_model_snr": (0.0, 10.0, 20.0, 50.0, 100.0, float("inf")),
    "koi_period": (0.0, 1.0, 3.0, 10.0, 30.0, 100.0, float("inf")),
}

# --------------------------------------------------------------------------------------------- vetting
#: `exomesa vet`. A candidate is flagged "needs a human" when the top-two probability margin is below
#: ``margin_threshold`` (the model hesitates between two classes), OR the ensemble spread (std) of its predicted
#: class exceeds ``std_threshold`` (members disagree; single models have no spread and use the margin only), OR
#: false-positive evidence of at least ``evidence_sigma`` contradicts a verdict other than FALSE POSITIVE: an
#: odd/even depth difference or a secondary eclipse in the light curve, the catalog's DV odd/even statistic, an
#: ephemeris match or a centroid offset (the DR25 Robovetter's 3 sigma).
VETTING: dict[str, Any] = {
    "margin_threshold": 0.20,  # P(top) - P(second) below this -> needs a human
    "std_threshold": 0.10,  # ensemble std of P(predicted class) above this -> needs a human
    "evidence_sigma": 3.0,  # odd/even, secondary, DV odd/even, centroid offset at or above this -> evidence
    "neighbors": 5,  # nearest training KOIs shown per sheet
    "top_features": 8,  # features listed in "why this score"
    "ig_steps": 8,  # Integrated Gradients steps (Gauss-Legendre); 8 and 16 gave the same completeness error (1e-3)
    "ig_batch_size": 128,  # candidates per attribution batch (each expands to ig_steps model rows)
    "plot_points": 500,  # max points per light-curve plot (global view is median-downsampled)
    "diagnostic_columns": {  # catalog diagnostics shown against their training-class distribution
        "dikco_msky_sig": "centroid offset from the KIC position (sigma)",
        "koi_bin_oedp_sig": "odd-even depth statistic (DV; probability the depths agree)",
        "koi_model_snr": "transit model SNR",
        "koi_count": "number of KOIs on the star (multiplicity)",
    },
}

# ------------------------------------------------------------------------------------------ file names
MODEL_FILE = "mesa_model.pth"  # `exomesa train` checkpoint
HISTORY_FILE = "mesa_training_history.json"  # per-epoch losses/metrics
CONFIG_FILE = "mesa_config.json"  # resolved configuration of a training run
RESULTS_FILE = "test_results.json"  # `exomesa test` metrics (docs/results_schema.md)
PREDICTIONS_FILE = "predictions.csv"  # per-candidate probabilities
REPORT_FILE = "report.html"  # self-contained HTML report
#: Figure key → file name written with ``--visualize`` (the key is also the report anchor).
FIGURE_FILES: dict[str, str] = {
    "confusion_matrix": "confusion_matrix.png",
    "roc_curves": "roc_curves.png",
    "reliability_diagram": "reliability_diagram.png",
    "tsne_visualization": "tsne_visualization.png",
    "pca_visualization": "pca_visualization.png",
    "contrastive_space": "contrastive_space.png",
    "training_loss": "training_loss.png",
    "training_accuracy": "training_accuracy.png",
    "lightcurve_gallery": "lightcurve_gallery.png",
}


def baseline_file(method: str) -> str:
    """File name of a saved baseline model: ``baseline_<method>.json``."""
    return f"baseline_{method}.json"


# --------------------------------------------------------------------------------------------- caching
def cache_dir() -> Path:
    """exomesa's cache folder: ``$EXOMESA_CACHE`` if set, else ``~/.cache/exomesa``.

    It holds re-creatable files only (the parsed DR25 table, rendered views, tsfresh features, downloads);
    deleting it is always safe. Sub-folders: ``views/``, ``tsfresh/``, ``lightcurves/``.
    """
    env = os.environ.get("EXOMESA_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "exomesa"
