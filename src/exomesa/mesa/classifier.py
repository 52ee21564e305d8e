"""``MesaClassifier``: the scikit-learn style face of MESA (fit / predict / predict_proba / embed / save / load).

Longer than our ~400-line guide: it is one scikit-learn estimator whose fit, inference and persistence
share private state; the network, trainer, checkpoint format and ensemble members live in their own modules.

Example::

    from exomesa.mesa.classifier import MesaClassifier
    from exomesa.data import load_dr25, split_catalog

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
from sklearn.base import BaseEstimator

from exomesa.data.schema import candidate_column
from exomesa.defaults import MESA_PARAMS as _D
from exomesa.errors import ExomesaError

__all__ = ["MesaClassifier"]

logger = logging.getLogger(__name__)


#: embedding name (``embed()``, the training bank) → model output key; a tower that is off has none
_EMBEDDINGS = {"lightcurve": "lc_embedding", "physics": "phys_embedding"}


def _ensemble_workers(workers: int, members: int) -> int:
    """Processes for ``members`` ensemble members: ``workers``, or with 0 one per CPU core (at most one per
    member)."""
    from exomesa.utils import usable_cpus

    return workers if workers > 0 else max(1, min(members, usable_cpus()))


class MesaClassifier(BaseEstimator):
    """MESA classifier for CONFIRMED / CANDIDATE / FALSE POSITIVE candidates.

    Every parameter's default and meaning is in :data:`exomesa.defaults.MESA_PARAMS`. scikit-learn's
    contract holds: ``__init__`` only stores its arguments (``sklearn.base.clone`` works), :meth:`fit`
    returns ``self``, and learned attributes end in ``_``.

    Learned attributes after :meth:`fit` (or :meth:`load`): ``classes_`` (np.array of CLASSES),
    ``model_`` (:class:`~exomesa.mesa.model.MESAModel`), ``preprocessor_``, ``feature_set_``, ``history_``
    (list of per-epoch dicts), ``temperature_`` (calibration), ``n_parameters_``, ``reference_``
    (``candidate_id`` [N], ``disposition`` [N], ``physics`` [N, P], ``lightcurve`` [N, P] L2-normalised
    training embeddings), ``device_``, ``augment_`` (the resolved augmentation switch).
    """

    def __init__(
        self,
        *,
        features: str | dict[str, list[str]] = _D["features"],
        epochs: int = _D["epochs"],
        batch_size: int = _D["batch_size"],
        learning_rate: float = _D["learning_rate"],
        weight_decay: float = _D["weight_decay"],
        val_split: float = _D["val_split"],
        seed: int = _D["seed"],
        device: str = _D["device"],
        patience: int = _D["patience"],
        monitor: str = _D["monitor"],
        d_model: int = _D["d_model"],
        n_heads: int = _D["n_heads"],
        n_layers: int = _D["n_layers"],
        ff_dim: int = _D["ff_dim"],
        tab_hidden: int = _D["tab_hidden"],
        phys_dim: int = _D["phys_dim"],
        embed_dim: int = _D["embed_dim"],
        head_hidden: int = _D["head_hidden"],
        dropout: float = _D["dropout"],
        towers: str = _D["towers"],
        lc_encoder: str = _D["lc_encoder"],
        contrastive_weight: float = _D["contrastive_weight"],
        classification_weight: float = _D["classification_weight"],
        temperature: float = _D["temperature"],
        learnable_temperature: bool = _D["learnable_temperature"],
        loss: str = _D["loss"],
        focal_gamma: float = _D["focal_gamma"],
        class_weight: str | list[float] | None = _D["class_weight"],
        grad_clip: float = _D["grad_clip"],
        ema_decay: float = _D["ema_decay"],
        warmup_epochs: float = _D["warmup_epochs"],
        augment: bool | str = _D["augment"],
        inference_batch_size: int = _D["inference_batch_size"],
        num_embedding: str = _D["num_embedding"],
        num_embedding_dim: int = _D["num_embedding_dim"],
        num_embedding_bins: int = _D["num_embedding_bins"],
        periodic_sigma: float = _D["periodic_sigma"],
        phys_encoder: str = _D["phys_encoder"],
        ft_layers: int = _D["ft_layers"],
        ensemble: int = _D["ensemble"],
        ensemble_workers: int = _D["ensemble_workers"],
        preset: str | None = _D["preset"],
    ) -> None:
        self.features = features
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.val_split = val_split
        self.seed = seed
        self.device = device
        self.patience = patience
        self.monitor = monitor
        self.d_model = d_model
        self.n_heads = n_heads
        self.n_layers = n_layers
        self.ff_dim = ff_dim
        self.tab_hidden = tab_hidden
        self.phys_dim = phys_dim
        self.embed_dim = embed_dim
        self.head_hidden = head_hidden
        self.dropout = dropout
        self.towers = towers
        self.lc_encoder = lc_encoder
        self.contrastive_weight = contrastive_weight
        self.classification_weight = classification_weight
        self.temperature = temperature
        self.learnable_temperature = learnable_temperature
        self.loss = loss
        self.focal_gamma = focal_gamma
        self.class_weight = class_weight
        self.grad_clip = grad_clip
        self.ema_decay = ema_decay
        self.warmup_epochs = warmup_epochs
        self.augment = augment
        self.inference_batch_size = inference_batch_size
        self.num_embedding = num_embedding
        self.num_embedding_dim = num_embedding_dim
        self.num_embedding_bins = num_embedding_bins
        self.periodic_sigma = periodic_sigma
        self.phys_encoder = phys_encoder
        self.ft_layers = ft_layers
        self.ensemble = ensemble
        self.ensemble_workers = ensemble_workers
        self.preset = preset

    def _p(self, name: str) -> Any:
        """Parameter ``name`` as used: a named ``preset`` (defaults.MESA_PRESETS) overrides the attribute."""
        from exomesa.defaults import MESA_PRESETS

        if self.preset is not None:
            if self.preset not in MESA_PRESETS:
                raise ExomesaError(f"unknown preset {self.preset!r}; choose one of {sorted(MESA_PRESETS)}.")
            if name in MESA_PRESETS[self.preset]:
                return MESA_PRESETS[self.preset][name]
        return getattr(self, name)

    def _model_config(self, tabular_dims: dict[str, int]):
        from exomesa.mesa.model import MesaConfig

        return MesaConfig(
            tabular_dims=dict(tabular_dims),
            d_model=int(self._p("d_model")),
            n_heads=int(self._p("n_heads")),
            n_layers=int(self._p("n_layers")),
            ff_dim=int(self._p("ff_dim")),
            tab_hidden=int(self._p("tab_hidden")),
            phys_dim=int(self._p("phys_dim")),
            embed_dim=int(self._p("embed_dim")),
            head_hidden=int(self._p("head_hidden")),
            dropout=float(self.dropout),
            init_temperature=float(self.temperature),
            learnable_temperature=bool(self.learnable_temperature),
            towers=str(self.towers),
            num_embedding=str(self._p("num_embedding")),
            num_embedding_dim=int(self._p("num_embedding_dim")),
            num_embedding_bins=int(self._p("num_embedding_bins")),
            periodic_sigma=float(self._p("periodic_sigma")),
            lc_encoder=str(self._p("lc_encoder")),
            phys_encoder=str(self._p("phys_encoder")),
            ft_layers=int(self._p("ft_layers")),
        )

    def _train_config(self, class_weights: list[float] | None, freeze_backbone: bool):
        from exomesa.mesa.trainer import TrainConfig

        return TrainConfig(
            epochs=int(self._p("epochs")),
            batch_size=int(self._p("batch_size")),
            learning_rate=float(self._p("learning_rate")),
            weight_decay=float(self._p("weight_decay")),
            warmup_epochs=float(self._p("warmup_epochs")),
            grad_clip=float(self.grad_clip),
            ema_decay=float(self.ema_decay),
            patience=int(self.patience),
            monitor=str(self.monitor),
            contrastive_weight=float(self.contrastive_weight),
            classification_weight=float(self.classification_weight),
            loss=str(self.loss),
            focal_gamma=float(self.focal_gamma),
            class_weights=tuple(class_weights) if class_weights is not None else None,
            augment=bool(self.augment_),
            eval_batch_size=int(self.inference_batch_size),
            seed=int(self.seed),
            freeze_backbone=bool(freeze_backbone),
        )

    def _resolve_augment(self, sources: np.ndarray) -> bool:
        """``augment="auto"``: on when any training view is real, off when all are rendered (see defaults)."""
        if isinstance(self.augment, str):
            if self.augment != "auto":
                raise ExomesaError(f"augment must be True, False or 'auto', not {self.augment!r}.")
            n_real = int(np.sum(np.asarray(sources) == "real"))
            logger.info("augmentation %s (%d real training view(s))", "on" if n_real else "off", n_real)
            return n_real > 0
        return bool(self.augment)

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

        candidate_column(df)  # an ExomesaError when the table has no candidate names
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
            train_df: canonical catalog (:mod:`exomesa.data.catalog`) with ``koi_disposition``, ``star_id``,
                ``candidate_id`` and the feature columns.
            views: :class:`~exomesa.lightcurves.ViewSet` (real views; missing KOIs are rendered) or None
                (all rendered from the catalog parameters).
            pretrained: path of a MESA checkpoint whose weights (and fitted preprocessor) start the
                training; its architecture and feature set must match this classifier's.
            freeze_backbone: train only the classifier head (needs ``pretrained``).
            progress: called with each epoch's history record.
        """
        from exomesa.data import CLASSES, LABEL, labels_to_index, split_catalog
        from exomesa.features import TabularPreprocessor, resolve_feature_set
        from exomesa.lightcurves import augment_views
        from exomesa.mesa.batches import align_views, build_arrays, select_rows
        from exomesa.mesa.ensemble import ensemble_logits, member_seeds, train_members
        from exomesa.mesa.model import MESAModel, count_parameters
        from exomesa.mesa.trainer import fit_temperature, predict_arrays
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
            from exomesa.mesa.checkpoint import check_compatible, load_checkpoint

            ckpt = load_checkpoint(pretrained)
            self.preprocessor_ = TabularPreprocessor.from_state_dict(ckpt["preprocessor"])
            check_compatible(
                pretrained, ckpt, feature_set, self._model_config(self.preprocessor_.output_dims)
            )
        else:
            self.preprocessor_ = TabularPreprocessor(feature_set).fit(train_df)
        self.feature_set_ = {g: list(c) for g, c in self.preprocessor_.feature_set_.items()}

        # Views and tabular arrays are computed once for the whole training table, then split by row.
        y_all = labels_to_index(train_df[LABEL])
        g_all, l_all, sources = align_views(train_df, views)
        self.augment_ = self._resolve_augment(sources)
        tab_all = self.preprocessor_.transform(train_df)
        if self.val_split and float(self.val_split) > 0:
            tr_df, va_df = split_catalog(train_df, float(self.val_split), int(self.seed))
            name = candidate_column(train_df)
            pos = pd.Series(np.arange(len(train_df)), index=train_df[name].astype(str))
            tr_idx = pos.loc[tr_df[name].astype(str)].to_numpy()
            va_idx = pos.loc[va_df[name].astype(str)].to_numpy()
        else:
            tr_idx, va_idx = np.arange(len(train_df)), np.arange(0)

        all_rows = build_arrays(tab_all, g_all, l_all, y_all)  # shares g_all / l_all: no copy of the views
        train_arrays = select_rows(all_rows, tr_idx)
        val_arrays = select_rows(all_rows, va_idx) if len(va_idx) else None
        logger.info(
            "training on %d KOIs, validating on %d (grouped by star, seed %d)",
            len(tr_idx),
            len(va_idx),
            self.seed,
        )

        cfg = self._model_config(self.preprocessor_.output_dims)
        state = None
        if ckpt is not None:
            try:
                MESAModel(cfg).load_state_dict(ckpt["state_dict"])
            except RuntimeError as exc:
                raise ExomesaError(
                    f"pretrained model {pretrained}: weights do not fit this model ({exc})."
                ) from exc
            state = ckpt["state_dict"]
            logger.info("starting from pretrained weights %s", pretrained)
        train_cfg = self._train_config(self._class_weights(y_all[tr_idx]), freeze_backbone)
        self.train_config_ = dataclasses.asdict(train_cfg)
        if int(self._p("ensemble")) < 1:
            raise ExomesaError(f"ensemble must be at least 1 member, got {self._p('ensemble')}.")
        trained = train_members(
            cfg.to_dict(),
            self.train_config_,
            train_arrays,
            val_arrays,
            seeds=member_seeds(int(self.seed), int(self._p("ensemble"))),
            device=self.device_,
            workers=_ensemble_workers(int(self.ensemble_workers), int(self._p("ensemble"))),
            augment=augment_views,
            progress=progress,
            state=state,
        )
        self.members_ = []
        for member_state, _ in trained:
            model = MESAModel(cfg)
            model.load_state_dict(member_state)
            for p in model.parameters():
                p.requires_grad_(p is not model.logit_scale or cfg.learnable_temperature)
            self.members_.append(model.to(self.device_).eval())
        self.model_ = self.members_[0]  # embeddings and the similarity bank come from member 0
        self.history_ = trained[0][1]
        self.member_histories_ = [h for _, h in trained[1:]]
        self.n_parameters_ = count_parameters(self.model_) * len(self.members_)

        if val_arrays is not None:
            z = np.stack(
                [
                    predict_arrays(m, val_arrays, int(self.inference_batch_size), self.device_)["logits"]
                    for m in self.members_
                ]
            )
            self.temperature_ = fit_temperature(ensemble_logits(z), y_all[va_idx])
        else:
            self.temperature_ = 1.0
        logger.info("calibration temperature %.3f (fitted on the validation split)", self.temperature_)

        bank = predict_arrays(self.model_, all_rows, int(self.inference_batch_size), self.device_)
        self.reference_ = {
            "candidate_id": train_df[candidate_column(train_df)].astype(str).to_numpy(),
            "disposition": train_df[LABEL].astype(str).to_numpy(),
            **{name: bank[key] for name, key in _EMBEDDINGS.items() if key in bank},
        }
        return self

    # -- inference -----------------------------------------------------------------------------------------
    def _forward(self, df: pd.DataFrame, views: Any | None) -> dict[str, np.ndarray]:
        from exomesa.mesa.trainer import predict_arrays

        self._check_fitted()
        if len(df) == 0:
            cfg, model = self.model_.cfg, self.model_
            out = {
                "logits": np.zeros((0, 3), np.float32),
                "fused": np.zeros(
                    (0, cfg.d_model * model.use_lc + cfg.phys_dim * model.use_phys), np.float32
                ),
            }
            if model.use_lc:
                out["lc_embedding"] = np.zeros((0, cfg.embed_dim), np.float32)
            if model.use_phys:
                out["phys_embedding"] = np.zeros((0, cfg.embed_dim), np.float32)
            return out
        arrays = self._arrays(df.reset_index(drop=True), views)
        out = predict_arrays(self.model_, arrays, int(self.inference_batch_size), self.device_)
        others = [
            predict_arrays(m, arrays, int(self.inference_batch_size), self.device_)["logits"]
            for m in self._members()[1:]
        ]
        out["member_logits"] = np.stack([out["logits"], *others])  # [K, N, 3]
        return out

    def _members(self) -> list:
        return list(getattr(self, "members_", None) or [self.model_])

    def _proba(self, out: dict[str, np.ndarray], calibrated: bool) -> np.ndarray:
        from exomesa.mesa.ensemble import ensemble_logits, softmax

        z = out.get("member_logits")
        logits = ensemble_logits(z) if z is not None else out["logits"].astype(np.float64)
        if calibrated:
            logits = logits / self.temperature_
        return softmax(logits)

    def _proba_std(self, out: dict[str, np.ndarray]) -> np.ndarray:
        from exomesa.mesa.ensemble import ensemble_proba

        z = out.get("member_logits")
        if z is None:
            return np.zeros_like(out["logits"], dtype=np.float64)
        return ensemble_proba(z, self.temperature_)[1]

    @staticmethod
    def _embeddings(out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        emb = {name: out[key] for name, key in _EMBEDDINGS.items() if key in out}
        return {**emb, "fused": out["fused"]}

    def predict_proba(
        self, df: pd.DataFrame, views: Any | None = None, calibrated: bool = True
    ) -> np.ndarray:
        """Class probabilities ``[N, 3]`` in ``classes_`` order (temperature-scaled when ``calibrated``)."""
        return self._proba(self._forward(df, views), calibrated)

    def predict_proba_std(self, df: pd.DataFrame, views: Any | None = None) -> np.ndarray:
        """Per-class standard deviation ``[N, 3]`` of the ensemble members' calibrated probabilities (0 for
        a single model); see :mod:`exomesa.mesa.ensemble`."""
        return self._proba_std(self._forward(df, views))

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
        ``physics`` [N, P] and ``fused`` [N, F], and, for an ensemble, ``proba_std`` [N, 3]
        (:meth:`predict_proba_std`)."""
        out = self._forward(df, views)
        result = {
            "proba": self._proba(out, True),
            "proba_uncalibrated": self._proba(out, False),
            **self._embeddings(out),
        }
        if len(out["member_logits"]) > 1:  # an ensemble: the spread of its members (none for one model)
            result["proba_std"] = self._proba_std(out)
        return result

    def vet(self, df: pd.DataFrame, views: Any | None = None, **kwargs: Any) -> list[dict[str, Any]]:
        """Per-candidate vetting records (verdict, diagnostics, attributions, neighbours); see
        :func:`exomesa.evaluation.vetting.vet_records` (keyword arguments pass through) and, for the HTML pages,
        :func:`exomesa.reporting.vetting.write_vet_pages`."""
        from exomesa.evaluation.vetting import vet_records

        return vet_records(self, df, views, **kwargs)

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
            # deep ensemble: the weights of members 1..K-1 (member 0 is state_dict)
            "members": [
                {k: v.detach().cpu() for k, v in m.state_dict().items()} for m in self._members()[1:]
            ],
        }
        return save_checkpoint(path, payload)

    @classmethod
    def load(cls, path: str | Path, device: str = "cpu") -> MesaClassifier:
        """Rebuild a fitted classifier from :meth:`save` output (``torch.load(weights_only=True)``)."""
        from exomesa.features import TabularPreprocessor
        from exomesa.mesa.checkpoint import load_checkpoint
        from exomesa.mesa.model import MesaConfig, MESAModel, count_parameters
        from exomesa.utils import resolve_device

        ckpt = load_checkpoint(path)
        params = {k: v for k, v in ckpt.get("params", {}).items() if k in _D}
        params["device"] = device
        clf = cls(**params)
        clf.device_ = resolve_device(device)
        model = MESAModel(MesaConfig.from_dict(ckpt["model_config"]))
        try:
            model.load_state_dict(ckpt["state_dict"])
        except RuntimeError as exc:
            raise ExomesaError(f"{path}: the weights do not fit the stored model config ({exc}).") from exc
        clf.model_ = model.to(clf.device_).eval()
        clf.members_ = [clf.model_]
        for i, member_state in enumerate(ckpt.get("members") or []):
            member = MESAModel(MesaConfig.from_dict(ckpt["model_config"]))
            try:
                member.load_state_dict(member_state)
            except RuntimeError as exc:
                raise ExomesaError(
                    f"{path}: ensemble member {i + 1} does not fit the model ({exc})."
                ) from exc
            clf.members_.append(member.to(clf.device_).eval())
        clf.preprocessor_ = TabularPreprocessor.from_state_dict(ckpt["preprocessor"])
        clf.feature_set_ = {g: list(c) for g, c in clf.preprocessor_.feature_set_.items()}
        clf.classes_ = np.array(ckpt["classes"])
        clf.temperature_ = float(ckpt["temperature"])
        clf.history_ = list(ckpt.get("history", []))
        clf.train_config_ = dict(ckpt.get("train_config", {}))
        clf.augment_ = bool(clf.train_config_.get("augment", False))
        clf.n_parameters_ = count_parameters(model) * len(clf.members_)
        clf.exomesa_version_ = ckpt.get("exomesa_version")
        ref = ckpt.get("reference") or {}
        clf.reference_ = {
            # checkpoints of earlier versions name the bank's rows kepoi_name
            "candidate_id": np.array(ref.get("candidate_id", ref.get("kepoi_name", [])), dtype=str),
            "disposition": np.array(ref.get("disposition", []), dtype=str),
            "physics": ref["physics"].numpy()
            if "physics" in ref
            else np.zeros((0, model.cfg.embed_dim), np.float32),
            "lightcurve": ref["lightcurve"].numpy()
            if "lightcurve" in ref
            else np.zeros((0, model.cfg.embed_dim), np.float32),
        }
        return clf
