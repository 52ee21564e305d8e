"""``MesaClassifier``: the scikit-learn style face of MESA (fit / predict / predict_proba / embed / save / load).

The network, trainer, checkpoint format, ensemble members and settings (:mod:`exomesa.mesa.config`) live in
their own modules; this estimator holds what fit, inference and persistence share.

Example::

    from exomesa.mesa.classifier import MesaClassifier
    from exomesa.data import load_dr25, split_catalog

    train, test = split_catalog(load_dr25(), 0.2, seed=42)
    clf = MesaClassifier(features="full", train={"epochs": 50}).fit(train)   # views rendered from the catalog
    proba = clf.predict_proba(test)                                      # [N, 3], calibrated
    clf.save("output/mesa_model.pth"); clf = MesaClassifier.load("output/mesa_model.pth")

``fit`` carves a validation split (stratified, grouped by star, from the training data only) for early
stopping and for the calibration temperature; the fitted preprocessor, weights, temperature, history and
the reference bank of training embeddings (for similarity search) all go into the checkpoint.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from exomesa.data import CLASSES, LABEL, labels_to_index, split_catalog
from exomesa.data.schema import candidate_column
from exomesa.errors import ExomesaError
from exomesa.features import TabularPreprocessor, resolve_feature_set
from exomesa.lightcurves import augment_views
from exomesa.mesa.batches import align_views, build_arrays, select_rows
from exomesa.mesa.checkpoint import check_compatible, load_checkpoint, save_checkpoint
from exomesa.mesa.config import (
    MesaConfig,
    TrainConfig,
    get_preset,
    is_setting_name,
    legacy_settings,
    settings_fields,
    split_settings,
)
from exomesa.mesa.ensemble import ensemble_logits, ensemble_proba, member_seeds, softmax, train_members
from exomesa.mesa.model import MESAModel, count_parameters
from exomesa.mesa.trainer import fit_temperature, predict_arrays
from exomesa.utils import resolve_device, seed_everything, usable_cpus

__all__ = ["MesaClassifier"]

logger = logging.getLogger(__name__)


#: embedding name (``embed()``, the training bank) → model output key; a tower that is off has none
_EMBEDDINGS = {"lightcurve": "lc_embedding", "physics": "phys_embedding"}


def _resolve(value: Any, base: Any, name: str) -> Any:
    """``value`` (a config: as is; a dict: overrides on ``base``; None: ``base``) as a config."""
    if value is None:
        return base
    if isinstance(value, type(base)):
        return value
    if isinstance(value, Mapping):
        overrides = dict(value)
        if isinstance(overrides.get("class_weights"), list):
            overrides["class_weights"] = tuple(overrides["class_weights"])
        return base.replace(**overrides)
    raise ExomesaError(
        f"{name} must be a {type(base).__name__}, a dict of its fields or None, not {type(value).__name__}."
    )


def _known(params: Mapping[str, Any]) -> dict[str, Any]:
    """A stored parameter record without the names this version does not know (forward compatibility)."""
    return {
        k: v for k, v in params.items() if k in ("features", "preset", "model", "train") or is_setting_name(k)
    }


def _ensemble_workers(workers: int, members: int) -> int:
    """Processes for ``members`` ensemble members: ``workers``, or with 0 one per CPU core (at most one per
    member)."""

    return workers if workers > 0 else max(1, min(members, usable_cpus()))


class MesaClassifier(BaseEstimator):
    """MESA classifier for CONFIRMED / CANDIDATE / FALSE POSITIVE candidates.

    Parameters (every setting, its default and meaning is a field of :class:`~exomesa.mesa.config.MesaConfig`
    or :class:`~exomesa.mesa.config.TrainConfig`):

    * ``model``: the network's settings: a :class:`MesaConfig` (used as is), a dict of its fields (overrides
      on the preset's), or None (the preset's).
    * ``train``: the optimisation, validation split, device, seed and ensemble settings, likewise.
    * ``features``: a feature preset name (``"full"``, ``"archive"``, ...) or ``{group: [columns]}``.
    * ``preset``: the named base of both configs (:data:`~exomesa.mesa.config.PRESETS`; None: ``default``).

    Example: ``MesaClassifier(preset="paper", train={"epochs": 20, "seed": 0})``.

    scikit-learn's contract holds: ``__init__`` only stores its arguments, ``clone`` / ``get_params`` /
    ``set_params`` work, with nested names for single settings (``set_params(model__d_model=16)``, a
    ``GridSearchCV`` grid ``{"model__d_model": [16, 32]}``); :meth:`fit` returns ``self``; learned attributes
    end in ``_``. Setting a nested name makes a new dict or config, never changes one in place.

    Learned attributes after :meth:`fit` (or :meth:`load`): ``classes_`` (np.array of CLASSES),
    ``model_`` (:class:`~exomesa.mesa.model.MESAModel`), ``preprocessor_``, ``feature_set_``, ``history_``
    (list of per-epoch dicts), ``temperature_`` (calibration), ``n_parameters_``, ``reference_``
    (``candidate_id`` [N], ``disposition`` [N], ``physics`` [N, P], ``lightcurve`` [N, P] L2-normalised
    training embeddings), ``device_``, ``augment_`` (the resolved augmentation switch), ``training_views_``
    (training rows per view source: ``{"real": n, "none": m}`` or ``{"rendered": n, ...}``).
    """

    def __init__(
        self,
        *,
        model: MesaConfig | Mapping[str, Any] | None = None,
        train: TrainConfig | Mapping[str, Any] | None = None,
        features: str | dict[str, list[str]] = "full",
        preset: str | None = None,
    ) -> None:
        self.model = model
        self.train = train
        self.features = features
        self.preset = preset

    # -- settings ------------------------------------------------------------------------------------------
    def settings(self) -> tuple[MesaConfig, TrainConfig]:
        """The resolved ``(MesaConfig, TrainConfig)``: the preset's, replaced or overridden by ``model`` /
        ``train``. Raises ExomesaError for an unknown preset or setting name."""
        base = get_preset(self.preset)
        return _resolve(self.model, base.model, "model"), _resolve(self.train, base.train, "train")

    def settings_record(self) -> dict[str, Any]:
        """JSON-able record of the resolved settings (``features``, ``preset``, ``model``, ``train``): what
        checkpoints and ``mesa_config.json`` store, and what :meth:`load` and ``--config`` read back."""
        model, train = self.settings()
        record_model = {k: v for k, v in model.to_dict().items() if k != "tabular_dims"}
        record_train = {k: v for k, v in train.to_dict().items() if k != "freeze_backbone"}
        if isinstance(record_train.get("class_weights"), tuple):
            record_train["class_weights"] = list(record_train["class_weights"])
        return {
            "features": self.features,
            "preset": self.preset,
            "model": record_model,
            "train": record_train,
        }

    @classmethod
    def from_settings(
        cls, *, features: str | dict[str, list[str]] | None = None, preset: str | None = None, **settings: Any
    ) -> MesaClassifier:
        """A classifier from flat setting names, routed to ``model`` / ``train``:
        ``MesaClassifier.from_settings(features="full", epochs=20, d_model=16)``."""
        model, train = split_settings(settings, "MesaClassifier settings")
        extra = {"features": features} if features is not None else {}
        return cls(preset=preset, model=model or None, train=train or None, **extra)

    @classmethod
    def from_record(cls, params: Mapping[str, Any], source: str = "settings") -> MesaClassifier:
        """An unfitted classifier from :meth:`settings_record` output, or from the flat parameter dict that
        earlier versions stored (``{"epochs": 50, "d_model": 32, "preset": "seed", ...}``)."""
        if isinstance(params.get("model"), Mapping) or isinstance(params.get("train"), Mapping):
            model, train = dict(params.get("model") or {}), dict(params.get("train") or {})
            split_settings({**model, **train}, source)  # names checked
            if isinstance(train.get("class_weights"), list):
                train["class_weights"] = tuple(train["class_weights"])
            kwargs = {k: params[k] for k in ("features", "preset") if k in params}
            return cls(model=model, train=train, **kwargs)
        return cls(**legacy_settings(params, source))

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's parameters; with ``deep`` also every resolved setting as ``model__<field>`` /
        ``train__<field>``."""
        out = super().get_params(deep=False)
        if deep:
            model, train = self.settings()
            out.update({f"model__{f.name}": getattr(model, f.name) for f in settings_fields(model)})
            out.update({f"train__{f.name}": getattr(train, f.name) for f in settings_fields(train)})
        return out

    def set_params(self, **params: Any) -> MesaClassifier:
        """Set parameters; ``model__<field>`` / ``train__<field>`` change one setting (a new dict or config
        replaces the old one, which is never changed in place)."""
        nested: dict[str, dict[str, Any]] = {}
        plain: dict[str, Any] = {}
        for key, value in params.items():
            head, sep, name = key.partition("__")
            if sep and head in ("model", "train"):
                nested.setdefault(head, {})[name] = value
            else:
                plain[key] = value
        if plain:
            super().set_params(**plain)
        for head, changes in nested.items():
            current = getattr(self, head)
            config_class = MesaConfig if head == "model" else TrainConfig
            if isinstance(current, config_class):
                setattr(self, head, current.replace(**changes))
                continue
            names = {f.name for f in dataclasses.fields(config_class)}
            unknown = sorted(set(changes) - names)
            if unknown:
                raise ValueError(f"invalid parameter(s) {[f'{head}__{n}' for n in unknown]} for {self!r}")
            setattr(self, head, {**dict(current or {}), **changes})
        return self

    def _resolve_augment(self, setting: bool | str, sources: np.ndarray) -> bool:
        """``augment="auto"``: on when any training view is real, off when all are rendered."""
        if isinstance(setting, str):
            if setting != "auto":
                raise ExomesaError(f"augment must be True, False or 'auto', not {setting!r}.")
            n_real = int(np.sum(np.asarray(sources) == "real"))
            logger.info("augmentation %s (%d real training view(s))", "on" if n_real else "off", n_real)
            return n_real > 0
        return bool(setting)

    @staticmethod
    def _resolve_missing_view(model: MesaConfig, df: pd.DataFrame, views: Any | None) -> tuple[str, Any]:
        """``model.missing_view`` made concrete for this training table: ``"auto"`` is ``"mask"`` when a row
        has a real view (given or shipped) and ``"render"`` otherwise. Also returns the aligned real views
        when it had to look them up (else None)."""
        if model.missing_view != "auto" or model.towers == "physics":
            return ("render" if model.towers == "physics" else model.missing_view), None
        from exomesa.lightcurves import views_for_catalog

        aligned = views_for_catalog(df, views, missing="none")
        n_real = int(np.sum(aligned.source == "real"))
        mode = "mask" if n_real else "render"
        logger.info(
            "light curves: %d of %d training rows have a real view; %s",
            n_real,
            len(df),
            "rows without one are masked" if n_real else "every view is rendered from the catalog",
        )
        return mode, (aligned if n_real else None)

    @staticmethod
    def _class_weights(cw: Any, y: np.ndarray) -> tuple[float, ...] | None:
        if cw is None:
            return None
        if isinstance(cw, str):
            if cw != "balanced":
                raise ExomesaError(f"class_weights must be 'balanced', None or 3 numbers, not {cw!r}.")
            counts = np.bincount(y, minlength=3).astype(float)
            return tuple(float(len(y) / (3 * c)) if c else 0.0 for c in counts)
        weights = tuple(float(w) for w in cw)
        if len(weights) != 3:
            raise ExomesaError(f"class_weights needs one weight per class (3), got {list(weights)}.")
        return weights

    # -- data ----------------------------------------------------------------------------------------------
    def missing_view_mode(self) -> str:
        """How the fitted model treats a candidate without a real view: ``"mask"`` (its light-curve branch
        reads a learned "no view" vector; views come from ``views`` or, when None, the real views shipped with
        the package) or ``"render"`` (a view rendered from its catalog parameters; with ``views`` None every
        view is rendered)."""
        self._check_fitted()
        return "mask" if self.model_.missing_lc is not None else "render"

    @staticmethod
    def _views(
        df: pd.DataFrame, views: Any | None, mode: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
        """``df``'s views for a model whose missing views are ``mode`` (``"mask"`` / ``"render"``):
        ``global_view`` [N, 2001], ``local_view`` [N, 201], ``source`` [N] str and, when masking,
        ``has_view`` [N] float32 (1.0 for a real view)."""
        g, loc, source = align_views(df, views, missing="none" if mode == "mask" else "render")
        source = np.asarray(source).astype(str)
        has_view = (source == "real").astype(np.float32) if mode == "mask" else None
        return g, loc, source, has_view

    def _arrays(self, df: pd.DataFrame, views: Any | None, labels: np.ndarray | None = None):

        candidate_column(df)  # an ExomesaError when the table has no candidate names
        g, loc, _, has_view = self._views(df, views, self.missing_view_mode())
        return build_arrays(self.preprocessor_.transform(df), g, loc, labels, has_view)

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
        lc_state: Mapping[str, Any] | None = None,
    ) -> MesaClassifier:
        """Train on a labelled catalog.

        Args:
            train_df: canonical catalog (:mod:`exomesa.data.catalog`) with ``koi_disposition``, ``star_id``,
                ``candidate_id`` and the feature columns.
            views: :class:`~exomesa.lightcurves.ViewSet` of real views, or None: the real views shipped with
                the package (DR25 KOIs). Rows without a real view are masked or rendered as
                ``model.missing_view`` says (``auto``: masked when some training row has a real view, else
                every view is rendered from the catalog, the behaviour of earlier versions).
            pretrained: path of a MESA checkpoint whose weights (and fitted preprocessor) start the
                training; its architecture and feature set must match this classifier's.
            freeze_backbone: train only the classifier head (needs ``pretrained``).
            progress: called with each epoch's history record.
            lc_state: pretrained weights of the light-curve tower (``lc_encoder.*``, from
                :func:`exomesa.mesa.pretrain.pretrain_lightcurve_tower`); every member starts from them.
        """

        if LABEL not in train_df.columns:
            raise ExomesaError(f"the training data have no {LABEL} column; training needs labelled KOIs.")
        if freeze_backbone and pretrained is None:
            raise ExomesaError("freeze_backbone needs a pretrained checkpoint (--pretrained_path).")
        if len(train_df) < 10:
            raise ExomesaError(f"only {len(train_df)} training KOIs; MESA needs at least 10.")
        train_df = train_df.reset_index(drop=True)
        model_settings, settings = self.settings()
        seed = int(settings.seed)
        seed_everything(seed)
        self.device_ = resolve_device(settings.device)
        self.classes_ = np.array(CLASSES)
        feature_set = resolve_feature_set(self.features)

        ckpt = None
        if pretrained is not None:
            ckpt = load_checkpoint(pretrained)
            if model_settings.missing_view == "auto":  # fine-tuning keeps the pretrained model's choice
                stored = MesaConfig.from_dict(ckpt["model_config"]).missing_view
                model_settings = model_settings.replace(missing_view=stored)
            self.preprocessor_ = TabularPreprocessor.from_state_dict(ckpt["preprocessor"])
            check_compatible(
                pretrained,
                ckpt,
                feature_set,
                model_settings.replace(tabular_dims=self.preprocessor_.output_dims),
            )
        else:
            self.preprocessor_ = TabularPreprocessor(feature_set).fit(train_df)
        self.feature_set_ = {g: list(c) for g, c in self.preprocessor_.feature_set_.items()}

        # Views and tabular arrays are computed once for the whole training table, then split by row.
        y_all = labels_to_index(train_df[LABEL])
        mode, aligned = self._resolve_missing_view(model_settings, train_df, views)
        g_all, l_all, sources, has_view = self._views(
            train_df, aligned if aligned is not None else views, mode
        )
        names, counts = np.unique(sources, return_counts=True)
        self.training_views_ = {str(n): int(c) for n, c in zip(names, counts, strict=True)}
        self.augment_ = self._resolve_augment(settings.augment, sources)
        tab_all = self.preprocessor_.transform(train_df)
        if settings.val_split and float(settings.val_split) > 0:
            tr_df, va_df = split_catalog(train_df, float(settings.val_split), seed)
            name = candidate_column(train_df)
            pos = pd.Series(np.arange(len(train_df)), index=train_df[name].astype(str))
            tr_idx = pos.loc[tr_df[name].astype(str)].to_numpy()
            va_idx = pos.loc[va_df[name].astype(str)].to_numpy()
        else:
            tr_idx, va_idx = np.arange(len(train_df)), np.arange(0)

        all_rows = build_arrays(tab_all, g_all, l_all, y_all, has_view)  # shares g_all / l_all: no copy
        train_arrays = select_rows(all_rows, tr_idx)
        val_arrays = select_rows(all_rows, va_idx) if len(va_idx) else None
        logger.info(
            "training on %d KOIs, validating on %d (grouped by star, seed %d)",
            len(tr_idx),
            len(va_idx),
            seed,
        )

        cfg = model_settings.replace(tabular_dims=dict(self.preprocessor_.output_dims), missing_view=mode)
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
        elif lc_state is not None:
            if cfg.towers not in ("both", "lightcurve") or not all(
                k.startswith("lc_encoder.") for k in lc_state
            ):
                raise ExomesaError(
                    "lc_state must hold only lc_encoder.* weights of a model with a light-curve tower."
                )
            try:
                unexpected = MESAModel(cfg).load_state_dict(dict(lc_state), strict=False).unexpected_keys
            except RuntimeError as exc:
                raise ExomesaError(
                    f"the pretrained light-curve tower does not fit this model ({exc})."
                ) from exc
            if unexpected:
                raise ExomesaError(
                    f"the pretrained light-curve tower has weights this model lacks: {unexpected[:3]}."
                )
            state = dict(lc_state)
            logger.info("starting from a pretrained light-curve tower (%d tensors)", len(state))
        train_cfg = settings.replace(
            class_weights=self._class_weights(settings.class_weights, y_all[tr_idx]),
            augment=bool(self.augment_),
            freeze_backbone=bool(freeze_backbone),
        )
        self.train_config_ = train_cfg.to_dict()
        members = int(settings.ensemble)
        if members < 1:
            raise ExomesaError(f"ensemble must be at least 1 member, got {members}.")
        trained = train_members(
            cfg.to_dict(),
            self.train_config_,
            train_arrays,
            val_arrays,
            seeds=member_seeds(seed, members),
            device=self.device_,
            workers=_ensemble_workers(int(settings.ensemble_workers), members),
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
                    predict_arrays(m, val_arrays, int(settings.eval_batch_size), self.device_)["logits"]
                    for m in self.members_
                ]
            )
            self.temperature_ = fit_temperature(ensemble_logits(z), y_all[va_idx])
        else:
            self.temperature_ = 1.0
        logger.info("calibration temperature %.3f (fitted on the validation split)", self.temperature_)

        bank = predict_arrays(self.model_, all_rows, int(settings.eval_batch_size), self.device_)
        self.reference_ = {
            "candidate_id": train_df[candidate_column(train_df)].astype(str).to_numpy(),
            "disposition": train_df[LABEL].astype(str).to_numpy(),
            **{name: bank[key] for name, key in _EMBEDDINGS.items() if key in bank},
        }
        return self

    # -- inference -----------------------------------------------------------------------------------------
    def _forward(self, df: pd.DataFrame, views: Any | None) -> dict[str, np.ndarray]:

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
        batch = int(self.settings()[1].eval_batch_size)
        out = predict_arrays(self.model_, arrays, batch, self.device_)
        others = [predict_arrays(m, arrays, batch, self.device_)["logits"] for m in self._members()[1:]]
        out["member_logits"] = np.stack([out["logits"], *others])  # [K, N, 3]
        return out

    def _members(self) -> list:
        return list(getattr(self, "members_", None) or [self.model_])

    def _proba(self, out: dict[str, np.ndarray], calibrated: bool) -> np.ndarray:

        z = out.get("member_logits")
        logits = ensemble_logits(z) if z is not None else out["logits"].astype(np.float64)
        if calibrated:
            logits = logits / self.temperature_
        return softmax(logits)

    def _proba_std(self, out: dict[str, np.ndarray]) -> np.ndarray:

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

    # -- the TrainedModel interface (exomesa.interface) ---------------------------------------------------
    kind = "mesa"

    def model_name(self) -> str:
        """``"MesaClassifier"``."""
        return type(self).__name__

    def proba_spread(self, df: pd.DataFrame, views: Any | None = None) -> np.ndarray | None:
        """:meth:`predict_proba_std` [N, 3] for an ensemble; None for a single model (no members)."""
        return self.predict_proba_std(df, views) if len(self._members()) > 1 else None

    def towers_read(self) -> str:
        """The towers that feed the classifier (``model_.cfg.towers``)."""
        self._check_fitted()
        return str(self.model_.cfg.towers)

    def features_read(self) -> dict[str, list[str]]:
        """The fitted feature set, ``{group: [columns]}``."""
        self._check_fitted()
        return self.feature_set_

    def training_reference(self) -> dict[str, np.ndarray]:
        """The bank of training rows: ``candidate_id``, ``disposition`` [N], ``physics``/``lightcurve`` [N, P]."""
        return getattr(self, "reference_", None) or {}

    def n_training_rows(self) -> int | None:
        """The number of training KOIs in the reference bank (None when it is empty)."""
        n = len(self.training_reference().get("candidate_id", []))
        return n or None

    def training_history(self) -> list[dict[str, Any]]:
        """The per-epoch records of :meth:`fit` (kept in the checkpoint)."""
        return list(getattr(self, "history_", None) or [])

    def calibration_temperature(self) -> float | None:
        """The fitted temperature (``temperature_``)."""
        t = getattr(self, "temperature_", None)
        return None if t is None else float(t)

    def version_built(self) -> str | None:
        """The exomesa version that wrote the checkpoint (None for a model fitted in this process)."""
        return getattr(self, "exomesa_version_", None)

    def summary(self) -> dict[str, Any]:
        """Class name, scalar parameters, calibration temperature, trainable parameters, epochs."""
        out: dict[str, Any] = {"class": self.model_name()}
        record = self.settings_record()
        flat = {
            "features": record["features"],
            "preset": record["preset"],
            **record["model"],
            **record["train"],
        }
        out.update({k: v for k, v in flat.items() if isinstance(v, str | int | float | bool | type(None))})
        temperature = self.calibration_temperature()
        if temperature is not None:
            out["calibration temperature (fitted on validation)"] = round(temperature, 4)
        n_params = getattr(self, "n_parameters_", None)
        if n_params is not None:
            out["trainable parameters"] = int(n_params)
        history = self.training_history()
        if history:
            out["epochs trained"] = len(history)
            if history[-1].get("best_epoch") is not None:
                out["weights kept from epoch"] = int(history[-1]["best_epoch"])
        return out

    # -- persistence ---------------------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write a self-describing checkpoint (see :mod:`exomesa.mesa.checkpoint`)."""

        self._check_fitted()
        payload = {
            "model_config": self.model_.cfg.to_dict(),
            "state_dict": {k: v.detach().cpu() for k, v in self.model_.state_dict().items()},
            "feature_set": self.feature_set_,
            "preprocessor": self.preprocessor_.state_dict(),
            "classes": [str(c) for c in self.classes_],
            "temperature": float(self.temperature_),
            "seed": int(self.settings()[1].seed),
            "params": self.settings_record(),
            "train_config": getattr(self, "train_config_", {}),
            "history": self.history_,
            "training_views": getattr(self, "training_views_", {}),
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

        ckpt = load_checkpoint(path)
        clf = cls.from_record(_known(ckpt.get("params", {})), source=str(path))
        clf.set_params(train__device=device)
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
        clf.training_views_ = dict(ckpt.get("training_views") or {})
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
