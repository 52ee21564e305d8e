"""The jobs the command line runs, as library functions: prepare a split, train MESA or a baseline, and the
whole pipeline. Each stage package does the science; this module only chains them and writes the files.

    from exomesa.pipeline import prepare_data, train_mesa, run_pipeline
    prepare_data("dr25", "data/")                                    # train_data.csv, test_data.csv, manifest
    train_mesa("data/train_data.csv", "output/", epochs=50)          # mesa_model.pth + history + config
    run_pipeline("runs/demo")                                        # prepare → train → evaluate → report
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from exomesa.defaults import (
    CONFIG_FILE,
    HISTORY_FILE,
    LGBM_PARAMS,
    MESA_PARAMS,
    MODEL_FILE,
    PREDICTIONS_FILE,
    REPORT_FILE,
    RESULTS_FILE,
    SPLIT_SEED,
    TEST_SIZE,
    baseline_file,
)
from exomesa.errors import ExomesaError

__all__ = ["prepare_data", "read_config", "choose_features", "train_mesa", "train_baseline", "run_pipeline"]

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------------- data
def prepare_data(
    source: str | Path = "dr25",
    out: str | Path = "data",
    *,
    test_size: float = TEST_SIZE,
    seed: int = SPLIT_SEED,
    force: bool = False,
) -> dict[str, Any]:
    """Split a KOI table into ``train_data.csv`` / ``test_data.csv`` (seed layout + the key columns, the
    ``full`` feature and light-curve columns), stratified by disposition and grouped by star, and write
    ``manifest.json``; returns the manifest."""
    from exomesa.data import CLASSES, LABEL, load_catalog, split_catalog, to_seed_layout
    from exomesa.features import PRESETS, required_columns
    from exomesa.lightcurves.render import RENDER_COLUMNS
    from exomesa.utils import check_writable, write_json

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ExomesaError(f"--out {out} is a file; give a folder for train_data.csv and test_data.csv.")
    targets = [out / "train_data.csv", out / "test_data.csv", out / "manifest.json"]
    check_writable(targets, force, what="prepared data")
    df = load_catalog(source)
    try:
        train, test = split_catalog(df, test_size=test_size, seed=seed)
    except ExomesaError as exc:
        raise ExomesaError(f"{source}: {exc}") from exc
    wanted = required_columns(PRESETS["full"]) + [*RENDER_COLUMNS, "koi_time0bk"]
    wanted += required_columns(PRESETS["toi"]) + ["koi_time0", "tic_id", "toi", "toi_sectors", "n_sectors"]
    extra = [c for c in dict.fromkeys(wanted) if c in df.columns and c != "kepoi_name"]
    try:
        out.mkdir(parents=True, exist_ok=True)
        to_seed_layout(train, extra).to_csv(targets[0], index=False)
        to_seed_layout(test, extra).to_csv(targets[1], index=False)
    except OSError as exc:
        raise ExomesaError(
            f"cannot write the prepared data to {out} ({exc.strerror or exc}); choose a writable --out folder."
        ) from exc
    counts = {
        name: {c: int((part[LABEL] == c).sum()) for c in CLASSES} | {"total": len(part)}
        for name, part in (("train", train), ("test", test))
    }
    from exomesa.data.toi import data_provenance

    manifest = {
        "source": str(source),
        "provenance": data_provenance(source, df),
        "seed": seed,
        "test_size": test_size,
        "grouped_by": "star_id",
        "stratified_by": LABEL,
        "n_stars": {"train": int(train.star_id.nunique()), "test": int(test.star_id.nunique())},
        "counts": counts,
        "columns": list(to_seed_layout(train.head(1), extra).columns),
    }
    write_json(targets[2], manifest)
    for name, c in counts.items():
        logger.info("%-5s %5d KOIs  %s", name, c["total"], ", ".join(f"{k}: {c[k]}" for k in CLASSES))
    logger.info("wrote %s, %s and %s", *targets)
    return manifest


# ------------------------------------------------------------------------------------------------- MESA
def read_config(path: str | Path) -> dict[str, Any]:
    """MesaClassifier parameters from a JSON file (a plain object, or an earlier run's mesa_config.json)."""
    path = Path(path)
    if not path.is_file():
        raise ExomesaError(f"config file {path} does not exist.")
    try:
        params = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ExomesaError(f"config file {path} is not valid JSON ({exc}).") from exc
    if isinstance(params, dict) and isinstance(params.get("params"), dict):
        params = params["params"]  # a mesa_config.json written by an earlier run
    if not isinstance(params, dict):
        raise ExomesaError(f"config file {path} must hold a JSON object of MesaClassifier parameters.")
    unknown = sorted(set(params) - set(MESA_PARAMS))
    if unknown:
        raise ExomesaError(
            f"config file {path}: unknown parameter(s) {unknown}; valid: {sorted(MESA_PARAMS)}."
        )
    return params


def choose_features(df: Any, requested: str) -> str:
    """``"auto"``: ``toi`` for TESS TOI tables; otherwise the richest preset whose columns the table has
    (``full`` > ``archive`` > ``seed``), with a warning when it is not ``full``."""
    from exomesa.features import required_columns, resolve_feature_set, richest_preset

    if requested != "auto":
        return requested
    if "mission" in df.columns and (df["mission"] == "TESS").all():
        if all(c in df.columns for c in required_columns(resolve_feature_set("toi"))):
            return "toi"
        return (
            "shared"
            if all(c in df.columns for c in required_columns(resolve_feature_set("shared")))
            else "seed"
        )
    try:
        chosen = richest_preset(df.columns)
    except ExomesaError:
        chosen = "seed"
    if chosen != "full":
        missing = [c for c in required_columns(resolve_feature_set("full")) if c not in df.columns]
        logger.warning(
            "the training table lacks %d column(s) of the 'full' feature set (e.g. %s); using the '%s' features",
            len(missing),
            ", ".join(missing[:3]),
            chosen,
        )
    return chosen


def train_mesa(
    data_path: str | Path | None = None,
    output_dir: str | Path = "output",
    *,
    features: str = "auto",
    config: str | Path | None = None,
    lightcurves: str | Path | None = None,
    pretrained_path: str | Path | None = None,
    freeze_backbone: bool = False,
    force: bool = False,
    **params: Any,
) -> Any:
    """Train MESA and write ``mesa_model.pth``, ``mesa_training_history.json`` and ``mesa_config.json``.

    Parameters come from :data:`~exomesa.defaults.MESA_PARAMS`, then ``config`` (JSON), then ``params``
    (explicit ones; ``None`` values are ignored). ``data_path`` None: the DR25 training split. Returns the
    fitted :class:`~exomesa.mesa.MesaClassifier`.
    """
    from exomesa.evaluation.runner import load_labelled_table, load_views
    from exomesa.mesa import MesaClassifier
    from exomesa.utils import check_writable, write_json

    out_dir = Path(output_dir)
    paths = {
        "model": out_dir / MODEL_FILE,
        "history": out_dir / HISTORY_FILE,
        "config": out_dir / CONFIG_FILE,
    }
    check_writable(paths["model"], force, "trained model")
    if freeze_backbone and pretrained_path is None:
        raise ExomesaError("--freeze_backbone needs --pretrained_path (the model whose backbone is frozen).")
    merged = read_config(config) if config else {}
    merged.update({k: v for k, v in params.items() if v is not None})
    unknown = sorted(set(merged) - set(MESA_PARAMS))
    if unknown:
        raise ExomesaError(f"unknown MESA parameter(s) {unknown}; valid: {sorted(MESA_PARAMS)}.")
    df, data_desc = load_labelled_table(data_path, 0)
    if (
        features == "auto"
        and "features" not in merged
        and pretrained_path
        and Path(pretrained_path).is_file()
    ):
        # fine-tuning (e.g. a Kepler model on TOIs) reads the pretrained model's feature set; a file that
        # is not a checkpoint is reported by fit() with its own message
        import torch

        try:
            ckpt = torch.load(pretrained_path, map_location="cpu", weights_only=True)
        except Exception:  # noqa: BLE001 - torch raises many types for foreign files
            ckpt = None
        if isinstance(ckpt, dict) and isinstance(ckpt.get("feature_set"), dict):
            merged["features"] = ckpt["feature_set"]
            logger.info("features: the pretrained model's (%s)", pretrained_path)
    if features != "auto" or "features" not in merged:
        merged["features"] = choose_features(df, features)
    logger.info("training data: %s (%d KOIs), features: %s", data_desc, len(df), merged["features"])
    views = load_views(lightcurves)
    if views is not None:
        logger.info("light curves: %s (%d views; the rest are rendered)", lightcurves, len(views))

    clf = MesaClassifier(**merged)
    t0 = time.perf_counter()
    clf.fit(df, views=views, pretrained=pretrained_path, freeze_backbone=freeze_backbone)
    seconds = time.perf_counter() - t0
    clf.save(paths["model"])
    write_json(paths["history"], clf.history_)
    best = clf.history_[-1]["best_epoch"] if clf.history_ else None
    write_json(
        paths["config"],
        {
            "params": clf.get_params(),
            "model_config": clf.model_.cfg.to_dict(),
            "train_config": clf.train_config_,
            "feature_set": clf.feature_set_,
            "data": data_desc,
            "n_train_kois": len(df),
            "lightcurves": str(lightcurves) if lightcurves else None,
            "pretrained_path": str(pretrained_path) if pretrained_path else None,
            "freeze_backbone": bool(freeze_backbone),
            "n_parameters": clf.n_parameters_,
            "temperature": clf.temperature_,
            "best_epoch": best,
            "epochs_run": len(clf.history_),
            "train_seconds": round(seconds, 2),
            "outputs": {k: str(v) for k, v in paths.items()},
        },
    )
    logger.info("trained in %.1f s (%d epochs, best epoch %s)", seconds, len(clf.history_), best)
    for path in paths.values():
        logger.info("wrote %s", path)
    return clf


# --------------------------------------------------------------------------------------------- baseline
def train_baseline(
    method: str = "tsfresh",
    data_path: str | Path | None = None,
    output_dir: str | Path = "output",
    *,
    lightcurves: str | Path | None = None,
    force: bool = False,
    **params: Any,
) -> Path:
    """Fit the ``method`` baseline (``tabular`` | ``tsfresh``) and save ``baseline_<method>.json``.

    ``params`` go to the baseline's constructor. Returns the path of the saved model.
    """
    from exomesa.baselines import make_baseline
    from exomesa.evaluation.runner import load_labelled_table, load_views
    from exomesa.utils import check_writable

    model_path = Path(output_dir) / baseline_file(method)
    check_writable(model_path, force, what="baseline model")
    df, desc = load_labelled_table(data_path, 0)
    if params.get("features", "auto") == "auto":  # TESS TOI tables: the toi preset; else the LightGBM default
        is_toi = "mission" in df.columns and bool((df["mission"] == "TESS").all())
        params["features"] = choose_features(df, "auto") if is_toi else LGBM_PARAMS["features"]
    views = load_views(lightcurves)
    if views is not None and method == "tabular":
        logger.warning("--lightcurves is ignored by the tabular baseline (it reads no light curves)")
    model = make_baseline(method, **params)
    logger.info("training the %s baseline on %s (%d KOIs)", method, desc, len(df))
    t0 = time.perf_counter()
    model.fit(df, views=views)
    logger.info("trained in %.1f s; most informative features:", time.perf_counter() - t0)
    for name, share in model.feature_importance(top=5):
        logger.info("  %-45s %5.1f%% of the split gain", name, 100 * share)
    model.save(model_path)
    logger.info("wrote %s", model_path)
    return model_path


# --------------------------------------------------------------------------------------------- pipeline
def run_pipeline(
    out: str | Path = "runs/demo",
    *,
    source: str | Path = "dr25",
    features: str = "auto",
    epochs: int = MESA_PARAMS["epochs"],
    seed: int = SPLIT_SEED,
    device: str = "auto",
    lightcurves: str | Path | None = None,
    visualize: bool = True,
    force: bool = False,
    input: str | Path | None = None,  # noqa: A002 - the CLI's --input
) -> dict[str, Any]:
    """The whole job: prepare the split, train MESA, evaluate it on the held-out stars, write the report.

    Writes ``out/data/``, ``out/output/`` and ``out/test_results/``; returns the test results dict.

    ``input``: a user's KOI table (e.g. the archive's ``cumulative.csv``). ``features`` ``"auto"`` then
    means the richest preset the table has the columns of; after the evaluation the table is scored into
    ``out/predictions.csv`` (sidecar ``out/predictions.model.json``), whose ``in_training`` column marks the
    rows that were training rows (their scores are no predictions). ``input`` None: ``"auto"`` is chosen
    from the training table by :func:`choose_features` (``full`` for DR25, ``toi`` for TESS TOIs).
    """
    from exomesa.evaluation.runner import evaluate_model

    out = Path(out)
    data, model_dir, results = out / "data", out / "output", out / "test_results"
    start = time.perf_counter()
    steps = 3 if input is None else 4
    user_predictions = out / PREDICTIONS_FILE
    if input is not None:
        from exomesa.data import load_catalog
        from exomesa.evaluation.scoring import sidecar_path
        from exomesa.features import richest_preset
        from exomesa.utils import check_writable

        check_writable([user_predictions, sidecar_path(user_predictions)], force, "predictions file")
        user = load_catalog(input, require_label=False)
        if features == "auto":
            features = richest_preset(user.columns, source=str(input))
            logger.info("features: %s (the richest preset whose columns %s has)", features, input)
        else:
            from exomesa.features import check_columns, resolve_feature_set

            check_columns(resolve_feature_set(features), user, str(input))
    logger.info("[1/%d] prepare data into %s", steps, data)
    prepare_data(source, data, seed=seed, force=force)
    logger.info("[2/%d] train MESA into %s", steps, model_dir)
    train_mesa(
        data / "train_data.csv", model_dir, features=features, lightcurves=lightcurves, force=force,
        epochs=epochs, seed=seed, device=device,
    )  # fmt: skip
    logger.info("[3/%d] evaluate on %s", steps, data / "test_data.csv")
    test_results = evaluate_model(
        model_dir / MODEL_FILE, data / "test_data.csv", results, lightcurves=lightcurves,
        visualize=visualize, force=force, device=device,
    )  # fmt: skip
    if input is not None:
        from exomesa.evaluation.scoring import predict_table

        logger.info("[4/4] score %s into %s", input, user_predictions)
        predict_table(model_dir / MODEL_FILE, input, user_predictions, lightcurves=lightcurves, force=force)
    logger.info(
        "done in %.0f s. Outputs:\n  data        %s\n  model       %s\n  metrics     %s\n  report      %s",
        time.perf_counter() - start, data, model_dir / MODEL_FILE, results / RESULTS_FILE, results / REPORT_FILE,
    )  # fmt: skip
    return test_results
