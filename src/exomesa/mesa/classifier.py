"""``MesaClassifier``: the scikit-learn style face of MESA (fit / predict / predict_proba / embed / save / load).

Example::

    from exomesa.mesa.classifier import MesaClassifier
    from exomesa.data.catalog import load_dr25, split_catalog

    train, test = split_catalog(load_dr25(), 0.2, seed=42)
    clf = MesaClassifier(features="full", epochs=50).fit(train)          # views rendered from the catalog
    proba = clf.predict_proba(test)                                      # [N, 3], calibrated
    clf.save("output/mesa_model.pth"); clf = MesaClassifier.load("output/mesa_model.pth")

``fit`` carves a validation split (stratified, grouped by star, from the training data only) for early
stopping and for the calibration temperature; the fitted preprocessor, weights, temperature, history and
the reference bank of training embeddings (for similarity search) all go into the checkpoint.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError

__all__ = ["MesaClassifier", "DEFAULT_PARAMS"]

logger = logging.getLogger(__name__)

# Constructor defaults, in one place (also what `exomesa train --config` may override).
DEFAULT_PARAMS: dict[str, Any] = {
    "features": "full",  # feature preset ("seed" | "full") or {group: [columns]}
    "epochs": 50,  # maximum epochs
    "batch_size": 16,  # training batch size
    "learning_rate": 1e-4,  # AdamW peak learning rate
    "weight_decay": 0.05,  # AdamW weight decay
    "val_split": 0.15,  # validation fraction carved from the training data (grouped by star)
    "seed": 42,  # seeds the validation split, initialisation, shuffling, augmentation, dropout
    "device": "auto",  # auto | cpu | cuda | cuda:N
    "patience": 10,  # early-stopping patience in epochs (0: train all epochs)
    "monitor": "val_classification",  # early stopping on: val_classification | val_loss | val_macro_f1 | val_accuracy
    "d_model": 32,  # Transformer width
    "n_heads": 2,  # attention heads
    "n_layers": 1,  # Transformer layers
    "ff_dim": 64,  # Transformer feed-forward width
    "tab_hidden": 32,  # width of each tabular group MLP
    "phys_dim": 64,  # fused physics representation width
    "embed_dim": 32,  # shared contrastive space size
    "head_hidden": 64,  # classifier hidden width
    "dropout": 0.1,  # dropout on tokens, MLPs and classifier (attention dropout is always 0)
    "contrastive_weight": 0.1,  # weight of the InfoNCE term
    "classification_weight": 1.0,  # weight of the classification term
    "temperature": 0.07,  # InfoNCE temperature
    "learnable_temperature": False,  # learn the InfoNCE temperature
    "loss": "focal",  # focal | ce
    "focal_gamma": 2.0,  # focal exponent
    "class_weight": None,  # None (measured best accuracy, same macro-F1), "balanced" (n / (3 n_c)), or [w0, w1, w2]
    "grad_clip": 1.0,  # max gradient norm
    "warmup_epochs": 1.0,  # linear learning-rate warm-up before cosine decay
    # light-curve augmentation (exomesa.lightcurves.augment_views) on training batches; off by default: on
    # DR25 most views are rendered from the catalog, and it costs ~2.3 s per epoch of 6,400 KOIs (measured)
    "augment": False,
    "inference_batch_size": 1024,  # batch size for predict/embed
}


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class MesaClassifier:
    """MESA classifier for CONFIRMED / CANDIDATE / FALSE POSITIVE KOIs (parameters: :data:`DEFAULT_PARAMS`).

    Learned attributes after :meth:`fit` (or :meth:`load`): ``classes_`` (np.array of CLASSES),
    ``model_`` (:class:`~exomesa.mesa.model.MESAModel`), ``preprocessor_``, ``feature_set_``, ``history_``
    (list of per-epoch dicts), ``temperature_`` (calibration), ``n_parameters_``, ``reference_``
    (``kepoi_name`` [N], ``disposition`` [N], ``physics`` [N, P], ``lightcurve`` [N, P] L2-normalised
    training embeddings), ``device_``.
    """

    def __init__(self, **params: Any) -> None:
        unknown = sorted(set(params) - set(DEFAULT_PARAMS))
        if unknown:
            raise ExomesaError(
                f"unknown MesaClassifier parameter(s) {unknown}; valid ones: {sorted(DEFAULT_PARAMS)}."
            )
        for key, default in DEFAULT_PARAMS.items():
            setattr(self, key, params.get(key, default))

    # -- scikit-learn plumbing ----------------------------------------------------------------------------
    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters."""
        return {k: getattr(self, k) for k in DEFAULT_PARAMS}

    def set_params(self, **params: Any) -> MesaClassifier:
        """Set constructor parameters (unknown names are an error)."""
        for k, v in params.items():
            if k not in DEFAULT_PARAMS:
                raise ExomesaError(f"unknown MesaClassifier parameter {k!r}")
            setattr(self, k, v)
        return self

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.get_params().items() if v != DEFAULT_PARAMS[k]}
        return f"MesaClassifier({', '.join(f'{k}={v!r}' for k, v in changed.items())})"

    def _model_config(self, tabular_dims: dict[str, int]):
        from exomesa.mesa.model import MesaConfig

        return MesaConfig(
            tabular_dims=dict(tabular_dims),
            d_model=int(self.d_model),
            n_heads=int(self.n_heads),
            n_layers=int(self.n_layers),
            ff_dim=int(self.ff_dim),
            tab_hidden=int(self.tab_hidden),
            phys_dim=int(self.phys_dim),
            embed_dim=int(self.embed_dim),
            head_hidden=int(self.head_hidden),
            dropout=float(self.dropout),
            init_temperature=float(self.temperature),
            learnable_temperature=bool(self.learnable_temperature),
        )

    def _train_config(self, class_weights: list[float] | None, freeze_backbone: bool):
        from exomesa.mesa.trainer import TrainConfig

        return TrainConfig(
            epochs=int(self.epochs),
            batch_size=int(self.batch_size),
            learning_rate=float(self.learning_rate),
            weight_decay=float(self.weight_decay),
            warmup_epochs=float(self.warmup_epochs),
            grad_clip=float(self.grad_clip),
            patience=int(self.patience),
            monitor=str(self.monitor),
            contrastive_weight=float(self.contrastive_weight),
            classification_weight=float(self.classification_weight),
            loss=str(self.loss),
            focal_gamma=float(self.focal_gamma),
            class_weights=tuple(class_weights) if class_weights is not None else None,
            augment=bool(self.augment),
            eval_batch_size=int(self.inference_batch_size),
            seed=int(self.seed),
            freeze_backbone=bool(freeze_backbone),
        )

    def _class_weights(self, y: np.ndarray) -> list[float] | None:
        cw = self.class_weight
        if cw is None:
            return None
        if isinstance(cw, str):
            if cw != "balanced":
                raise ExomesaError(f"class_weight must be 'balanced', None or 3 numbers, not {cw!r}.")
            counts = np.bincount(y, minlength=3).astype(float)
            return [float(len(y) / (3 * c)) if c else 0.0 for c in counts]
        weights = [float(w) for w in cw]
        if len(weights) != 3:
            raise ExomesaError(f"class_weight needs one weight per class (3), got {weights}.")
        return weights

    # -- data ----------------------------------------------------------------------------------------------
    def _arrays(self, df: pd.DataFrame, views: Any | None, labels: np.ndarray | None = None):
        from exomesa.mesa.batches import align_views, build_arrays

        if "kepoi_name" not in df.columns:
            raise ExomesaError(
                "the catalog has no kepoi_name column; load it with exomesa.data.catalog.load_catalog."
            )
        g, loc, _ = align_views(df, views)
        return build_arrays(self.preprocessor_.transform(df), g, loc, labels)

    def _check_fitted(self) -> None:
        if not hasattr(self, "model_"):
            raise ExomesaError(
                "this MesaClassifier is not fitted yet; call fit(train_df) or MesaClassifier.load()."
            )

    # -- fitting -------------------------------------------------------------------------------------------
    def fit(
        self,
        train_df: pd.DataFrame,
        views: Any | None = None,
        pretrained: str | Path | None = None,
        freeze_backbone: bool = False,
        progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> MesaClassifier:
        """Train on a labelled catalog.

        Args:
            train_df: canonical catalog (:mod:`exomesa.data.catalog`) with ``koi_disposition``, ``kepid``,
                ``kepoi_name`` and the feature columns.
            views: :class:`~exomesa.lightcurves.ViewSet` (real views; missing KOIs are rendered) or None
                (all rendered from the catalog parameters).
            pretrained: path of a MESA checkpoint whose weights (and fitted preprocessor) start the
                training; its architecture and feature set must match this classifier's.
            freeze_backbone: train only the classifier head (needs ``pretrained``).
            progress: called with each epoch's history record.
        """
        from exomesa.data.catalog import CLASSES, LABEL, labels_to_index, split_catalog
        from exomesa.features.groups import TabularPreprocessor, resolve_feature_set
        from exomesa.lightcurves import augment_views
        from exomesa.mesa.batches import align_views, build_arrays
        from exomesa.mesa.model import MESAModel, count_parameters
        from exomesa.mesa.trainer import fit_temperature, predict_arrays, train_model
        from exomesa.utils import resolve_device, seed_everything

        if LABEL not in train_df.columns:
            raise ExomesaError(f"the training data have no {LABEL} column; training needs labelled KOIs.")
        if freeze_backbone and pretrained is None:
            raise ExomesaError("freeze_backbone needs a pretrained checkpoint (--pretrained_path).")
        if len(train_df) < 10:
            raise ExomesaError(f"only {len(train_df)} training KOIs; MESA needs at least 10.")
        train_df = train_df.reset_index(drop=True)
        seed_everything(int(self.seed))
        self.device_ = resolve_device(self.device)
        self.classes_ = np.array(CLASSES)
        feature_set = resolve_feature_set(self.features)

        ckpt = None
        if pretrained is not None:
            from exomesa.mesa.checkpoint import load_checkpoint

            ckpt = load_checkpoint(pretrained)
            self.preprocessor_ = TabularPreprocessor.from_state_dict(ckpt["preprocessor"])
            _check_compatible(
                pretrained, ckpt, feature_set, self._model_config(self.preprocessor_.output_dims)
            )
        else:
            self.preprocessor_ = TabularPreprocessor(feature_set).fit(train_df)
        self.feature_set_ = {g: list(c) for g, c in self.preprocessor_.feature_set_.items()}

        # Views and tabular arrays are computed once for the whole training table, then split by row.
        y_all = labels_to_index(train_df[LABEL])
        g_all, l_all, _ = align_views(train_df, views)
        tab_all = self.preprocessor_.transform(train_df)
        if self.val_split and float(self.val_split) > 0:
            tr_df, va_df = split_catalog(train_df, float(self.val_split), int(self.seed))
            pos = pd.Series(np.arange(len(train_df)), index=train_df["kepoi_name"].astype(str))
            tr_idx = pos.loc[tr_df["kepoi_name"].astype(str)].to_numpy()
            va_idx = pos.loc[va_df["kepoi_name"].astype(str)].to_numpy()
        else:
            tr_idx, va_idx = np.arange(len(train_df)), np.arange(0)

        def take(idx: np.ndarray):
            return build_arrays({k: v[idx] for k, v in tab_all.items()}, g_all[idx], l_all[idx], y_all[idx])

        train_arrays = take(tr_idx)
        val_arrays = take(va_idx) if len(va_idx) else None
        logger.info(
            "training on %d KOIs, validating on %d (grouped by star, seed %d)",
            len(tr_idx),
            len(va_idx),
            self.seed,
        )

        cfg = self._model_config(self.preprocessor_.output_dims)
        model = MESAModel(cfg)
        if ckpt is not None:
            try:
                model.load_state_dict(ckpt["state_dict"])
            except RuntimeError as exc:
                raise ExomesaError(
                    f"pretrained model {pretrained}: weights do not fit this model ({exc})."
                ) from exc
            logger.info("starting from pretrained weights %s", pretrained)
        train_cfg = self._train_config(self._class_weights(y_all[tr_idx]), freeze_backbone)
        self.train_config_ = dataclasses.asdict(train_cfg)
        self.history_ = train_model(
            model, train_arrays, val_arrays, train_cfg, self.device_, augment=augment_views, progress=progress
        )
        for p in model.parameters():
            p.requires_grad_(p is not model.logit_scale or cfg.learnable_temperature)
        self.model_ = model.eval()
        self.n_parameters_ = count_parameters(model)

        if val_arrays is not None:
            val_out = predict_arrays(model, val_arrays, int(self.inference_batch_size), self.device_)
            self.temperature_ = fit_temperature(val_out["logits"], y_all[va_idx])
        else:
            self.temperature_ = 1.0
        logger.info("calibration temperature %.3f (fitted on the validation split)", self.temperature_)

        bank = predict_arrays(
            model, take(np.arange(len(train_df))), int(self.inference_batch_size), self.device_
        )
        self.reference_ = {
            "kepoi_name": train_df["kepoi_name"].astype(str).to_numpy(),
            "disposition": train_df[LABEL].astype(str).to_numpy(),
            "physics": bank["phys_embedding"],
            "lightcurve": bank["lc_embedding"],
        }
        return self

    # -- inference -----------------------------------------------------------------------------------------
    def _forward(self, df: pd.DataFrame, views: Any | None) -> dict[str, np.ndarray]:
        from exomesa.mesa.trainer import predict_arrays

        self._check_fitted()
        if len(df) == 0:
            p = self.model_.cfg.embed_dim
            return {
                "logits": np.zeros((0, 3), np.float32),
                "lc_embedding": np.zeros((0, p), np.float32),
                "phys_embedding": np.zeros((0, p), np.float32),
                "fused": np.zeros((0, self.model_.cfg.d_model + self.model_.cfg.phys_dim), np.float32),
            }
        arrays = self._arrays(df.reset_index(drop=True), views)
        return predict_arrays(self.model_, arrays, int(self.inference_batch_size), self.device_)

    def _proba(self, logits: np.ndarray, calibrated: bool) -> np.ndarray:
        logits = logits.astype(np.float64)
        if calibrated:
            logits = logits / self.temperature_
        return _softmax(logits)

    @staticmethod
    def _embeddings(out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {"lightcurve": out["lc_embedding"], "physics": out["phys_embedding"], "fused": out["fused"]}

    def predict_proba(
        self, df: pd.DataFrame, views: Any | None = None, calibrated: bool = True
    ) -> np.ndarray:
        """Class probabilities ``[N, 3]`` in ``classes_`` order (temperature-scaled when ``calibrated``)."""
        return self._proba(self._forward(df, views)["logits"], calibrated)

    def predict(self, df: pd.DataFrame, views: Any | None = None) -> np.ndarray:
        """Predicted dispositions ``[N]`` (strings from ``classes_``)."""
        self._check_fitted()
        return self.classes_[self.predict_proba(df, views, calibrated=False).argmax(axis=1)]

    def embed(self, df: pd.DataFrame, views: Any | None = None) -> dict[str, np.ndarray]:
        """``lightcurve`` [N, P] and ``physics`` [N, P] (L2-normalised projections), ``fused`` [N, F]."""
        return self._embeddings(self._forward(df, views))

    def outputs(self, df: pd.DataFrame, views: Any | None = None) -> dict[str, np.ndarray]:
        """Every per-KOI output from one preprocessing and model pass: ``proba`` [N, 3] (calibrated, as
        :meth:`predict_proba`), ``proba_uncalibrated`` [N, 3], and :meth:`embed`'s ``lightcurve``,
        ``physics`` [N, P] and ``fused`` [N, F]."""
        out = self._forward(df, views)
        return {
            "proba": self._proba(out["logits"], True),
            "proba_uncalibrated": self._proba(out["logits"], False),
            **self._embeddings(out),
        }

    # -- persistence ---------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write a self-describing checkpoint (see :mod:`exomesa.mesa.checkpoint`)."""
        from exomesa.mesa.checkpoint import save_checkpoint

        self._check_fitted()
        params = self.get_params()
        payload = {
            "model_config": self.model_.cfg.to_dict(),
            "state_dict": {k: v.detach().cpu() for k, v in self.model_.state_dict().items()},
            "feature_set": self.feature_set_,
            "preprocessor": self.preprocessor_.state_dict(),
            "classes": [str(c) for c in self.classes_],
            "temperature": float(self.temperature_),
            "seed": int(self.seed),
            "params": {k: (v if not isinstance(v, tuple) else list(v)) for k, v in params.items()},
            "train_config": getattr(self, "train_config_", {}),
            "history": self.history_,
            "reference": self.reference_,
        }
        return save_checkpoint(path, payload)

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> MesaClassifier:
        """Rebuild a fitted classifier from :meth:`save` output (``torch.load(weights_only=True)``)."""
        from exomesa.features.groups import TabularPreprocessor
        from exomesa.mesa.checkpoint import load_checkpoint
        from exomesa.mesa.model import MesaConfig, MESAModel, count_parameters
        from exomesa.utils import resolve_device

        ckpt = load_checkpoint(path)
        params = {k: v for k, v in ckpt.get("params", {}).items() if k in DEFAULT_PARAMS}
        params["device"] = device
        clf = cls(**params)
        clf.device_ = resolve_device(device)
        model = MESAModel(MesaConfig.from_dict(ckpt["model_config"]))
        try:
            model.load_state_dict(ckpt["state_dict"])
        except RuntimeError as exc:
            raise ExomesaError(f"{path}: the weights do not fit the stored model config ({exc}).") from exc
        clf.model_ = model.to(clf.device_).eval()
        clf.preprocessor_ = TabularPreprocessor.from_state_dict(ckpt["preprocessor"])
        clf.feature_set_ = {g: list(c) for g, c in clf.preprocessor_.feature_set_.items()}
        clf.classes_ = np.array(ckpt["classes"])
        clf.temperature_ = float(ckpt["temperature"])
        clf.history_ = list(ckpt.get("history", []))
        clf.train_config_ = dict(ckpt.get("train_config", {}))
        clf.n_parameters_ = count_parameters(model)
        clf.exomesa_version_ = ckpt.get("exomesa_version")
        ref = ckpt.get("reference") or {}
        clf.reference_ = {
            "kepoi_name": np.array(ref.get("kepoi_name", []), dtype=str),
            "disposition": np.array(ref.get("disposition", []), dtype=str),
            "physics": ref["physics"].numpy()
            if "physics" in ref
            else np.zeros((0, model.cfg.embed_dim), np.float32),
            "lightcurve": ref["lightcurve"].numpy()
            if "lightcurve" in ref
            else np.zeros((0, model.cfg.embed_dim), np.float32),
        }
        return clf


_NON_SHAPE_FIELDS = {"dropout", "init_temperature", "learnable_temperature"}


def _column_difference(stored: list[str], requested: list[str], shown: int = 6) -> str:
    """``checkpoint 12 columns, requested 3 (only in checkpoint: a, b, ... (9))`` — short enough to read."""

    def names(cols: list[str]) -> str:
        return ", ".join(cols[:shown]) + (f", ... ({len(cols)} in all)" if len(cols) > shown else "")

    only_stored = [c for c in stored if c not in requested]
    only_requested = [c for c in requested if c not in stored]
    parts = [f"checkpoint {len(stored)} column(s), requested {len(requested)}"]
    if only_stored:
        parts.append(f"only in the checkpoint: {names(only_stored)}")
    if only_requested:
        parts.append(f"only requested: {names(only_requested)}")
    if not only_stored and not only_requested:
        parts.append("same columns in another order")
    return "; ".join(parts)


def _check_compatible(path: str | Path, ckpt: dict[str, Any], feature_set: dict[str, list[str]], cfg) -> None:
    """Raise an ExomesaError listing every feature/shape difference between a checkpoint and this classifier."""
    problems = []
    stored_fs = {
        g: list(c) for g, c in ckpt.get("feature_set", ckpt["preprocessor"].get("feature_set", {})).items()
    }
    for group in sorted(set(stored_fs) | set(feature_set)):
        a, b = stored_fs.get(group), feature_set.get(group)
        if a != b:
            problems.append(f"feature group {group!r}: {_column_difference(a or [], b or [])}")
    stored_cfg = ckpt["model_config"]
    for key, value in cfg.to_dict().items():
        if key in _NON_SHAPE_FIELDS or key not in stored_cfg:
            continue
        if stored_cfg[key] != value:
            problems.append(f"{key}: checkpoint {stored_cfg[key]} vs requested {value}")
    if problems:
        raise ExomesaError(
            f"pretrained model {path} does not match this classifier: "
            + "; ".join(problems)
            + ". Use the same --features and model sizes as the pretrained run (see its mesa_config.json)."
        )
