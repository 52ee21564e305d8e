"""MESA's settings: :class:`MesaConfig` (the network) and :class:`TrainConfig` (the optimisation), and the named
presets built from them.

These two dataclasses are the one place where a MESA hyperparameter and its default are written. Each field
carries its help text and, where it has one, its allowed range in ``metadata``; the estimator
(:class:`~exomesa.mesa.classifier.MesaClassifier`), the ``exomesa train`` / ``exomesa run`` flags
(:mod:`exomesa.cli._settings`) and ``--config`` files all read them from here.

Presets are named pairs of configs, a base plus overrides (the style of AstroNet's ``configurations.py``)::

    PRESETS["default"]     the current design (FT-Transformer physics tower, AstroNet light-curve columns, real
                           views where they exist and a masked branch elsewhere, unimodal heads, batch 64,
                           ensemble of 2)
    PRESETS["paper"]       the original design (MLP towers, d_model 32, 1 layer, batch 16, lr 1e-4, one model)
    get_preset("seed")     an accepted alias of "paper" (older commands and checkpoints)

Both configs are frozen (``dataclasses.replace`` makes a changed copy), stored in checkpoints as dicts
(``to_dict`` / ``from_dict``). Plain Python only: importing this module imports neither torch nor numpy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from exomesa.errors import ExomesaError, InvalidSettingError
from exomesa.ranges import DEVICE_HELP, DEVICES, RANGES, check_device, check_range

__all__ = [
    "MesaConfig",
    "TrainConfig",
    "Preset",
    "PRESETS",
    "PRESET_ALIASES",
    "get_preset",
    "settings_fields",
    "split_settings",
    "is_setting_name",
    "legacy_settings",
    "RANGES",
    "MONITORS",
    "TOWERS",
    "LC_ENCODERS",
    "MISSING_VIEW_MODES",
]

#: Which towers feed the classifier: both (MESA), only the light curve (AstroNet-like), only the tables.
TOWERS = ("both", "lightcurve", "physics")

#: Light-curve tower forms: AstroNet-like separate conv columns (default) or a patch Transformer.
LC_ENCODERS = ("patch", "astronet")

#: What a candidate without a real light curve gets: ``auto`` (``mask`` when the training data hold real
#: views, else ``render``), ``mask`` (a learned "no view" vector replaces the light-curve representation) or
#: ``render`` (a transit model rendered from its catalog parameters, for every row without a real view).
MISSING_VIEW_MODES = ("auto", "mask", "render")

#: Early-stopping metrics of the validation split → True when larger is better.
MONITORS = {"val_classification": False, "val_loss": False, "val_macro_f1": True, "val_accuracy": True}


def setting(
    default: Any = dataclasses.MISSING,
    help: str = "",  # noqa: A002 - the argparse word
    *,
    choices: tuple[str, ...] | None = None,
    range: str | None = None,  # noqa: A002 - a key of RANGES
    parse: Callable[[str], Any] | None = None,
    cli: bool = True,
    factory: Callable[[], Any] | None = None,
) -> Any:
    """A dataclass field with its help text, allowed ``choices`` or ``range`` (a key of :data:`RANGES`), a
    command-line ``parse`` function for types argparse cannot infer, and ``cli=False`` for fields that are
    not user settings (input sizes the classifier fills in, fit arguments)."""
    meta = {"help": help, "choices": choices, "range": range, "parse": parse, "cli": cli}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def _parse_bool(text: str) -> bool:
    low = text.strip().lower()
    if low in ("true", "1", "yes", "on"):
        return True
    if low in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"expected true or false, not {text!r}")


def _parse_augment(text: str) -> bool | str:
    return "auto" if text.strip().lower() == "auto" else _parse_bool(text)


def _parse_class_weights(text: str) -> str | tuple[float, ...] | None:
    low = text.strip().lower()
    if low in ("none", ""):
        return None
    if low == "balanced":
        return "balanced"
    weights = tuple(float(w) for w in low.split(","))
    if len(weights) != 3:
        raise ValueError(f"expected 'balanced', 'none' or three comma-separated weights, not {text!r}")
    return weights


def _parse_device(text: str) -> str:
    if not DEVICES.fullmatch(text):
        raise ValueError(f"must be auto, cpu, cuda or cuda:N, not {text!r}")
    return text


def _parse_optional_int(text: str) -> int | None:
    return None if text.strip().lower() == "none" else int(text)


def _validate(cfg: Any) -> None:
    """Every field with ``choices`` or a ``range`` (a key of :data:`~exomesa.ranges.RANGES`, the vocabulary
    the command line checks its flags with) holds an allowed value; else InvalidSettingError (a ValueError and
    an ExomesaError) naming the setting and what it may be."""
    for f in dataclasses.fields(cfg):
        value = getattr(cfg, f.name)
        choices = f.metadata.get("choices")
        if choices and value not in choices:
            allowed = ", ".join(choices[:-1]) + " or " + choices[-1]
            raise InvalidSettingError(f"{f.name} must be {allowed}, not {value!r}.")
        rng = f.metadata.get("range")
        if rng and not (value is None and "None" in str(f.type)):
            check_range(f.name, value, rng, integer=str(f.type).startswith("int"))


class _DictMixin:
    #: values given to keys an older checkpoint lacks, when they differ from today's default (the meaning the
    #: file was written with)
    _LEGACY_FILL: dict[str, Any] = {}

    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON- and ``weights_only``-safe)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]):
        """Rebuild from :meth:`to_dict` output; unknown keys are ignored (forward compatibility), missing keys
        take their legacy value (``_LEGACY_FILL``) or else the default."""
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        values = {**cls._LEGACY_FILL, **{k: v for k, v in d.items() if k in names}}
        if "class_weights" in values and isinstance(values["class_weights"], list):
            values["class_weights"] = tuple(values["class_weights"])
        return cls(**values)

    def replace(self, **changes: Any):
        """A copy with ``changes`` applied (field names; unknown names raise ExomesaError)."""
        names = {f.name for f in dataclasses.fields(self)}  # type: ignore[arg-type]
        unknown = sorted(set(changes) - names)
        if unknown:
            raise ExomesaError(
                f"unknown {type(self).__name__} setting(s) {unknown}; valid: {sorted(f.name for f in settings_fields(self))}."
            )
        return dataclasses.replace(self, **changes)  # type: ignore[type-var]


@dataclass(frozen=True)
class MesaConfig(_DictMixin):
    """Everything needed to rebuild a :class:`~exomesa.mesa.model.MESAModel` (stored in checkpoints)."""

    # input sizes of the tabular groups (preprocessed columns, incl. missing indicators); 0 = group absent;
    # filled in by the classifier from its fitted preprocessor
    tabular_dims: dict[str, int] = setting(
        help="input width of each tabular group", cli=False, factory=lambda: {"planet": 14, "stellar": 6}
    )
    global_bins: int = setting(2001, "length of the global (full-phase) view", cli=False)
    local_bins: int = setting(201, "length of the local (transit-zoom) view", cli=False)
    global_patch: int = setting(100, "bins per global-view token (2001 -> 21 tokens)", cli=False)
    local_patch: int = setting(20, "bins per local-view token (201 -> 11 tokens)", cli=False)
    d_model: int = setting(32, "Transformer width (token size)", range="positive")
    n_heads: int = setting(2, "attention heads", range="positive")
    n_layers: int = setting(1, "Transformer encoder layers", range="positive")
    ff_dim: int = setting(64, "Transformer feed-forward width", range="positive")
    tab_hidden: int = setting(32, "width of each tabular group MLP", range="positive")
    phys_dim: int = setting(64, "width of the fused physics representation", range="positive")
    embed_dim: int = setting(32, "size of the shared contrastive space", range="positive")
    head_hidden: int = setting(64, "classifier hidden width", range="positive")
    n_classes: int = setting(3, "CONFIRMED, CANDIDATE, FALSE POSITIVE", cli=False)
    dropout: float = setting(
        0.1, "dropout on tokens, MLPs and classifier (attention dropout is always 0)", range="fraction"
    )
    init_temperature: float = setting(
        0.07, "InfoNCE temperature; logit scale = 1 / temperature", range="positive"
    )
    learnable_temperature: bool = setting(
        False, "learn log(1 / temperature) (scale <= 100)", parse=_parse_bool
    )
    towers: str = setting(
        "both", "towers feeding the classifier: both, lightcurve (AstroNet-like) or physics", choices=TOWERS
    )
    num_embedding: str = setting(
        "none",
        "per-feature numeric embedding of the physics tower (Gorishniy et al. 2022)",
        choices=("none", "periodic", "ple"),
    )
    num_embedding_dim: int = setting(8, "embedding size per numeric feature", range="positive")
    num_embedding_bins: int = setting(
        16, "periodic frequencies / piecewise-linear quantile bins", range="positive"
    )
    periodic_sigma: float = setting(
        0.5, "std of the initial periodic frequencies (inputs are normal scores)", range="positive"
    )
    lc_encoder: str = setting(
        "astronet",
        "light-curve tower: AstroNet-like conv columns or a patch Transformer",
        choices=LC_ENCODERS,
    )
    missing_view: str = setting(
        "auto",
        "candidates without a real light curve: mask (a learned 'no view' vector), render (a transit model "
        "from the catalog) or auto (mask when the training data hold real views, else render)",
        choices=MISSING_VIEW_MODES,
    )
    aux_heads: bool = setting(
        True,
        "unimodal heads: each tower also classifies on its own (weight train.aux_weight), so the fused "
        "classifier cannot ignore the light curve",
        parse=_parse_bool,
    )
    phys_encoder: str = setting(
        "ft",
        "physics tower: one MLP per feature group, or an FT-Transformer (Gorishniy et al. 2021: a token per "
        "feature + [CLS])",
        choices=("mlp", "ft"),
    )
    ft_layers: int = setting(2, "Transformer blocks of the ft physics tower", range="positive")

    # checkpoints written before these fields existed meant the MLP tower without numeric embeddings
    _LEGACY_FILL = {
        "phys_encoder": "mlp",
        "num_embedding": "none",
        "lc_encoder": "patch",
        "missing_view": "render",
        "aux_heads": False,
    }

    def __post_init__(self) -> None:
        _validate(self)


@dataclass(frozen=True)
class TrainConfig(_DictMixin):
    """Optimisation settings, the validation split, the device and the deep ensemble (model sizes live in
    :class:`MesaConfig`)."""

    epochs: int = setting(50, "maximum epochs (early stopping may end sooner)", range="positive")
    batch_size: int = setting(64, "training batch size", range="positive")
    learning_rate: float = setting(4e-4, "AdamW peak learning rate", range="positive")
    weight_decay: float = setting(0.05, "AdamW decoupled weight decay", range="non-negative")
    warmup_epochs: float = setting(
        1.0, "linear learning-rate warm-up before the cosine decay (epochs)", range="non-negative"
    )
    min_lr_ratio: float = setting(0.01, "cosine floor as a fraction of learning_rate", range="fraction")
    grad_clip: float = setting(1.0, "max global gradient norm (0 disables clipping)", range="non-negative")
    ema_decay: float = setting(
        0.0,
        "exponential moving average of the weights per step (0: off); validation and the result use it",
        range="fraction",
    )
    patience: int = setting(
        10, "early-stopping patience in epochs (0: train all epochs)", range="non-negative"
    )
    monitor: str = setting("val_classification", "early-stopping metric", choices=tuple(MONITORS))
    contrastive_weight: float = setting(
        0.1, "weight of the InfoNCE term (needs both towers)", range="non-negative"
    )
    classification_weight: float = setting(1.0, "weight of the classification term", range="non-negative")
    aux_weight: float = setting(
        0.3,
        "weight of the unimodal heads' classification terms (needs model.aux_heads and both towers)",
        range="non-negative",
    )
    balance_views: bool = setting(
        True,
        "mask the real views of training rows at random, per class, so that every class has the same share "
        "of rows with a view: whether a candidate has a light curve then says nothing about its class",
        parse=_parse_bool,
    )
    loss: str = setting("focal", "classification loss: focal, or ce (cross-entropy)", choices=("focal", "ce"))
    focal_gamma: float = setting(2.0, "focal exponent", range="non-negative")
    class_weights: str | tuple[float, ...] | None = setting(
        None,
        "per-class loss weights: none (measured best accuracy, same macro-F1), balanced, or w0,w1,w2",
        parse=_parse_class_weights,
    )
    # Light-curve augmentation (time shift, noise, scaling) of training batches. "auto": on when at least
    # one training view is real, off when every view is rendered from the catalog (a rendered view is a
    # deterministic function of catalog columns; augmenting it costs time for no measured gain).
    augment: bool | str = setting(
        "auto",
        "augment training views: auto (only when some views are real), true or false",
        parse=_parse_augment,
    )
    eval_batch_size: int = setting(1024, "batch size of validation and prediction passes", range="positive")
    seed: int = setting(
        42,
        "random seed of the validation split, initialisation, shuffling, augmentation and dropout",
        range="non-negative",
    )
    val_split: float = setting(
        0.15, "validation fraction carved from the training data, grouped by star", range="fraction"
    )
    device: str = setting("auto", DEVICE_HELP, parse=_parse_device)
    ensemble: int = setting(
        2,
        "deep-ensemble members (seeds seed, seed+1, ...) in one checkpoint; 1: a single model",
        range="positive",
    )
    ensemble_workers: int = setting(
        0,
        "processes training ensemble members side by side (0: one per CPU core, at most one per member; "
        "1: in-process)",
        range="non-negative",
    )
    # torch intra-op threads while training (restored after); None: unchanged. Small batches are dominated by
    # per-op overhead: one thread is as fast as two on an idle machine and several times faster on a loaded one
    num_threads: int | None = setting(
        1, "torch threads while training (none: unchanged)", range="positive", parse=_parse_optional_int
    )
    freeze_backbone: bool = setting(False, "train only the classifier head (a fit argument)", cli=False)

    def __post_init__(self) -> None:
        _validate(self)
        check_device("device", self.device)


# ------------------------------------------------------------------------------------ flat setting names
def settings_fields(cfg: Any) -> list[dataclasses.Field]:
    """The user settings of a config class or object (fields with ``cli`` metadata), in order."""
    return [f for f in dataclasses.fields(cfg) if f.metadata.get("cli", True)]


#: Older flat names of the estimator's parameters → today's field names.
_RENAMED = {"temperature": "init_temperature", "class_weight": "class_weights", "inference_batch_size": "eval_batch_size"}  # fmt: skip
_MODEL_NAMES = {f.name for f in dataclasses.fields(MesaConfig)}
_TRAIN_NAMES = {f.name for f in dataclasses.fields(TrainConfig)}
assert not _MODEL_NAMES & _TRAIN_NAMES, "a flat name must route to exactly one config"


def is_setting_name(key: str) -> bool:
    """Whether ``key`` is a field of either config (or an older flat name of one)."""
    name = _RENAMED.get(key, key)
    return name in _MODEL_NAMES or name in _TRAIN_NAMES


def split_settings(
    flat: Mapping[str, Any], source: str = "settings"
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Route flat names (``{"d_model": 16, "epochs": 3}``; older names such as ``temperature`` accepted) to
    ``(model_overrides, train_overrides)``. Raises ExomesaError naming ``source`` and any unknown name."""
    model: dict[str, Any] = {}
    train: dict[str, Any] = {}
    unknown = []
    for key, value in flat.items():
        name = _RENAMED.get(key, key)
        if name in _MODEL_NAMES:
            model[name] = value
        elif name in _TRAIN_NAMES:
            train[name] = tuple(value) if name == "class_weights" and isinstance(value, list) else value
        else:
            unknown.append(key)
    if unknown:
        valid = sorted(f.name for f in settings_fields(MesaConfig) + settings_fields(TrainConfig))
        raise ExomesaError(f"{source}: unknown setting(s) {sorted(unknown)}; valid: {valid}.")
    return model, train


#: keys of the estimator's parameters that are not settings of either config
_ESTIMATOR_KEYS = ("features", "preset")


def legacy_settings(params: Mapping[str, Any], source: str = "settings") -> dict[str, Any]:
    """Estimator keyword arguments (``features``, ``preset``, ``model``, ``train``) from the flat parameter dict
    earlier versions stored in checkpoints and ``mesa_config.json``. A named preset won over the flat values
    there, so the preset's own fields are dropped from the overrides (the file keeps its meaning)."""
    flat = {k: v for k, v in params.items() if k not in _ESTIMATOR_KEYS}
    model, train = split_settings(flat, source)
    out: dict[str, Any] = {k: params[k] for k in _ESTIMATOR_KEYS if k in params}
    if params.get("preset") is not None:
        fixed = get_preset(params["preset"]).overrides
        model = {k: v for k, v in model.items() if k not in fixed}
        train = {k: v for k, v in train.items() if k not in fixed}
    return {**out, "model": model, "train": train}


# --------------------------------------------------------------------------------------------- presets
@dataclass(frozen=True)
class Preset:
    """A named pair of settings."""

    name: str
    description: str
    model: MesaConfig
    train: TrainConfig
    overrides: Mapping[str, Any] = field(default_factory=dict)  # what it changes from its base (flat names)

    def derive(self, name: str, description: str, **overrides: Any) -> Preset:
        """A new preset: this one with ``overrides`` (field names of either config) applied."""
        model, train = split_settings(overrides, f"preset {name!r}")
        return Preset(
            name,
            description,
            self.model.replace(**model),
            self.train.replace(**train),
            {**self.overrides, **overrides},
        )


_DEFAULT = Preset("default", "the current design (FT-Transformer physics tower, AstroNet light-curve columns, "
                  "real views with a masked branch where none exists, unimodal heads, batch 64, ensemble of 2)",
                  MesaConfig(), TrainConfig())  # fmt: skip

#: Named presets (``--preset``; ``MesaClassifier(preset=...)``).
PRESETS: dict[str, Preset] = {
    "default": _DEFAULT,
    "paper": _DEFAULT.derive(
        "paper",
        "the original design: MLP towers, d_model 32, 2 heads, 1 layer, batch 16, lr 1e-4, one model",
        d_model=32,
        n_heads=2,
        n_layers=1,
        ff_dim=64,
        tab_hidden=32,
        num_embedding="none",
        phys_encoder="mlp",
        lc_encoder="patch",
        missing_view="render",
        aux_heads=False,
        aux_weight=0.0,
        batch_size=16,
        learning_rate=1e-4,
        ensemble=1,
    ),
}

#: Older names still accepted: ``--preset seed`` and checkpoints written with it.
PRESET_ALIASES: dict[str, str] = {"seed": "paper"}


def get_preset(name: str | None) -> Preset:
    """The preset called ``name`` (None: ``default``; aliases accepted). Raises ExomesaError if unknown."""
    key = PRESET_ALIASES.get(name, name) if name is not None else "default"
    if key not in PRESETS:
        raise ExomesaError(f"unknown preset {name!r}; choose one of {sorted(PRESETS)}.")
    return PRESETS[key]
