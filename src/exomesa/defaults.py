"""Every default of exomesa, in one place.

The model and training defaults, the LightGBM baselines' settings, the data split, the output file names and
the cache folder live here. Everything else reads them: the dataclass configs (:class:`~exomesa.mesa.config.
MesaConfig`, :class:`~exomesa.mesa.trainer.TrainConfig`), the estimators' keyword defaults, the CLI help
texts and ``--config`` files. Change a value here and every place follows.

Plain Python only (no numpy, no torch): importing this module costs nothing.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = [
    "MESA_PARAMS",
    "MESA_PRESETS",
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
    "cache_dir",
    "mesa_params",
]

# ------------------------------------------------------------------------------------------------- data
TEST_SIZE = 0.2  # held-out fraction of stars in the default split (`data prepare`, `train`, `test`)
SPLIT_SEED = 42  # seed of the default train/test split and of the benchmark folds
N_FOLDS = 5  # cross-validation folds of `exomesa benchmark`
#: `exomesa benchmark --suite real` sizes (1,029 KOIs with real views; the suite must run in < 10 min on 2
#: cores): MESA epochs from scratch, fine-tuning epochs, and epochs of the one rendered-view pretraining run.
BENCHMARK_REAL_SUITE = {"epochs": 20, "finetune_epochs": 10, "pretrain_epochs": 4}
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
#: :class:`~exomesa.mesa.classifier.MesaClassifier` constructor defaults (also the keys `--config` takes).
MESA_PARAMS: dict[str, Any] = {
    "features": "full",  # feature preset ("seed" | "full") or {group: [columns]}
    "epochs": 50,  # maximum epochs
    # batch 64 with a 4x learning rate: the accuracy of batch 16 in a quarter of the time (issue 15 screen)
    "batch_size": 64,  # training batch size
    "learning_rate": 4e-4,  # AdamW peak learning rate
    "weight_decay": 0.05,  # AdamW weight decay
    "val_split": 0.15,  # validation fraction carved from the training data (grouped by star)
    "seed": 42,  # seeds the validation split, initialisation, shuffling, augmentation, dropout
    "device": "auto",  # auto | cpu | cuda | cuda:N
    "patience": 10,  # early-stopping patience in epochs (0: train all epochs)
    "monitor": "val_classification",  # val_classification | val_loss | val_macro_f1 | val_accuracy
    "d_model": 32,  # Transformer width
    "n_heads": 2,  # attention heads
    "n_layers": 1,  # Transformer layers
    "ff_dim": 64,  # Transformer feed-forward width
    "tab_hidden": 32,  # width of each tabular group MLP
    "phys_dim": 64,  # fused physics representation width
    "embed_dim": 32,  # shared contrastive space size
    "head_hidden": 64,  # classifier hidden width
    "dropout": 0.1,  # dropout on tokens, MLPs and classifier (attention dropout is always 0)
    "towers": "both",  # both | lightcurve | physics: which towers feed the classifier (ablations, AstroNet-like)
    # light-curve tower: "patch" (patch Transformer) | "astronet" (separate global/local 1-D conv columns);
    # the real-view benchmark (benchmarks/results_real.json) compares them; the DR25 default stays "patch"
    "lc_encoder": "patch",
    "contrastive_weight": 0.1,  # weight of the InfoNCE term (needs both towers)
    "classification_weight": 1.0,  # weight of the classification term
    "temperature": 0.07,  # InfoNCE temperature
    "learnable_temperature": False,  # learn the InfoNCE temperature
    "loss": "focal",  # focal | ce
    "focal_gamma": 2.0,  # focal exponent
    "class_weight": None,  # None (measured best accuracy, same macro-F1), "balanced", or [w0, w1, w2]
    "grad_clip": 1.0,  # max gradient norm
    # exponential moving average of the weights (0: off), evaluated and kept instead of the raw weights
    "ema_decay": 0.0,
    "warmup_epochs": 1.0,  # linear learning-rate warm-up before cosine decay
    # Light-curve augmentation (time shift, noise, scaling) of training batches. "auto": on when at least
    # one training view is real, off when every view is rendered from the catalog: a rendered view is a
    # deterministic function of catalog columns, and augmenting it costs ~2.3 s per epoch of 6,400 KOIs
    # for no measured gain. True / False force it.
    "augment": "auto",
    "inference_batch_size": 1024,  # batch size for predict/embed
    # issue 15: physics tower numeric embeddings (Gorishniy et al. 2022) and deep ensembles
    "num_embedding": "none",  # none | periodic | ple: per-feature embedding before the group MLPs
    "num_embedding_dim": 8,  # embedding size per numeric feature
    "num_embedding_bins": 16,  # periodic frequencies / piecewise-linear quantile bins
    "periodic_sigma": 0.5,  # std of the initial periodic frequencies (inputs are normal scores)
    # physics tower: "mlp" (one MLP per feature group, the seed design) | "ft" (FT-Transformer, Gorishniy et
    # al. 2021: one token per feature + a [CLS] token through ft_layers Transformer blocks of width d_model)
    # "ft" measured best (benchmarks/README.md, "Issue 15"): one model 0.849 vs 0.841 accuracy on folds 0-1
    "phys_encoder": "ft",
    "ft_layers": 2,  # Transformer blocks of the "ft" physics tower
    # deep-ensemble members (different seeds) in one checkpoint; 1 = a single model. 2 keeps the default
    # training run under 5 min on 2 cores (3 FT members took 439 s); each member adds its spread to the output
    "ensemble": 2,
    # processes training members side by side (0: one per CPU core, at most one per member; 1: in-process)
    "ensemble_workers": 0,
    "preset": None,  # named architecture preset of MESA_PRESETS (e.g. "seed"); its values win
}

#: Named architecture presets: parameter overrides on top of :data:`MESA_PARAMS`.
MESA_PRESETS: dict[str, dict[str, Any]] = {
    # the original design: MLP encoders, d_model 32, 2 heads, 1 layer
    "seed": {
        "d_model": 32,
        "n_heads": 2,
        "n_layers": 1,
        "ff_dim": 64,
        "tab_hidden": 32,
        "num_embedding": "none",
        "phys_encoder": "mlp",
        "batch_size": 16,
        "learning_rate": 1e-4,
        "ensemble": 1,
    },
}

#: Fixed parts of the model that are not constructor parameters (see MesaConfig).
MESA_VIEW_PATCHES = {"global_patch": 100, "local_patch": 20}  # bins per token: 2001 -> 21, 201 -> 11
MIN_LR_RATIO = 0.01  # cosine floor as a fraction of the learning rate
TRAIN_THREADS = 1  # torch threads while training: batches of 16 are per-op-overhead bound (measured)
# torch threads while a physics-only (tabular) MESA scores a table: its small MLPs are per-op-overhead bound;
# 9,564 KOIs took 0.13 s with 1 thread vs 0.3-0.9 s with 2 on the 2-core machine (issue 17)
TABULAR_PREDICT_THREADS = 1


def mesa_params(**overrides: Any) -> dict[str, Any]:
    """A copy of :data:`MESA_PARAMS` with ``overrides`` applied (a ``preset`` key expands first)."""
    out = dict(MESA_PARAMS)
    preset = overrides.pop("preset", None)
    if preset is not None:
        out.update(MESA_PRESETS[preset])
    out.update(overrides)
    return out


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
TSFRESH_N_JOBS = 0  # tsfresh worker processes (0: in-process; its pool costs more than it saves on 2 cores)

# ------------------------------------------------------------------------------------------ evaluation
TSNE_MAX_POINTS = 2000  # t-SNE on at most this many KOIs (seeded subsample beyond)
#: rows scored at a time by streaming predict. Measured (benchmarks/bench_predict_stream.py, two-tower MESA,
#: 100,000 rows): peak 0.80 GB and 725 rows/s with 10,000-row chunks, 1.85 GB and 740 rows/s with 50,000.
PREDICT_CHUNK_SIZE = 10_000
#: Vetters' metrics (issue 15): the precision at which CONFIRMED-vs-FP recall is read (ExoMiner's headline),
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
#: ``margin_threshold`` (the model hesitates between two classes) OR the ensemble spread (std) of its predicted
#: class exceeds ``std_threshold`` (members disagree; single models have no spread and use the margin only).
VETTING: dict[str, Any] = {
    "margin_threshold": 0.20,  # P(top) - P(second) below this -> needs a human
    "std_threshold": 0.10,  # ensemble std of P(predicted class) above this -> needs a human
    "neighbors": 5,  # nearest training KOIs shown per sheet
    "top_features": 8,  # features listed in "why this score"
    "ig_steps": 8,  # Integrated Gradients steps (Gauss-Legendre); 8 and 16 gave the same completeness error (1e-3)
    "ig_batch_size": 128,  # candidates per attribution batch (each expands to ig_steps model rows)
    "plot_points": 500,  # max points per light-curve plot (global view is median-downsampled)
    "diagnostic_columns": {  # catalog diagnostics shown against their training-class distribution
        "dikco_msky_sig": "centroid offset from the KIC position (sigma)",
        "koi_bin_oedp_sig": "odd-even depth significance (DV, sigma)",
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
