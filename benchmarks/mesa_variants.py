"""The model search's MESA variants and ablations, run through ``exomesa benchmark``.

    python benchmarks/mesa_variants.py --methods mesa_full,mesa_ft_b64 --folds 0,1 --out_dir /tmp/variants
    python benchmarks/mesa_variants.py --methods mesa_no_lc,mesa_no_phys,mesa_no_infonce --folds 0,1

Each variant is MESA on the ``full`` features with the settings it was measured with (benchmarks/README.md),
pinned so that it keeps its meaning when MESA's default changes. ``_PAPER``: the original design (the
``paper`` preset: MLP towers, batch 16, one model), the default during the search; ``_B64``: its batch-64
recipe (4x cheaper per epoch, same accuracy on folds 0-1), which the ablations use so that they measure a
part of the model, not the cost of training it. The script registers them with
:func:`exomesa.benchmark.methods.register_method` and runs ``exomesa benchmark`` with the options given.
"""

from __future__ import annotations

import sys
from typing import Any

from exomesa.benchmark.methods import MethodSpec, mesa_method, register_method

__all__ = ["MESA_VARIANTS", "register_variants", "main"]

#: name → (label, description, settings by field name, plus ``features`` / ``preset``) on the ``full`` features
_PAPER: dict[str, Any] = {"phys_encoder": "mlp", "batch_size": 16, "learning_rate": 1e-4, "ensemble": 1}
_B64: dict[str, Any] = {"phys_encoder": "mlp", "batch_size": 64, "learning_rate": 4e-4}
MESA_VARIANTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "mesa_periodic": (
        "MESA periodic embeddings",
        "physics tower with PLR periodic embeddings",
        {**_PAPER, "num_embedding": "periodic"},
    ),
    "mesa_ple": (
        "MESA PLE embeddings",
        "physics tower with piecewise-linear quantile embeddings",
        {**_PAPER, "num_embedding": "ple"},
    ),
    "mesa_batch64": ("MESA batch 64", "batch 64, learning rate 4e-4", {**_B64, "ensemble": 1}),
    "mesa_ensemble3": ("MESA ensemble of 3", "deep ensemble, 3 seeds, batch 16", {**_PAPER, "ensemble": 3}),
    "mesa_ensemble3_b64": (
        "MESA ensemble of 3, batch 64",
        "deep ensemble, 3 seeds, batch 64, learning rate 4e-4",
        {**_B64, "ensemble": 3},
    ),
    "mesa_ensemble5_b64": (
        "MESA ensemble of 5, batch 64",
        "deep ensemble, 5 seeds, batch 64, learning rate 4e-4",
        {**_B64, "ensemble": 5},
    ),
    "mesa_ema_b64": (
        "MESA batch 64 + weight EMA",
        "one batch-64 model with an exponential moving average of the weights (decay 0.995 per step)",
        {**_B64, "ema_decay": 0.995, "ensemble": 1},
    ),
    "mesa_ensemble3_b64_ema": (
        "MESA ensemble of 3, batch 64, weight EMA",
        "deep ensemble, 3 seeds, batch 64, learning rate 4e-4, weight EMA 0.995",
        {**_B64, "ensemble": 3, "ema_decay": 0.995},
    ),
    "mesa_ft_b64": (
        "MESA FT-Transformer physics tower, batch 64",
        "physics tower as an FT-Transformer (feature tokens + [CLS], 2 blocks), batch 64",
        {**_B64, "phys_encoder": "ft", "ensemble": 1},
    ),
    "mesa_ft_ens3_b64": (
        "MESA FT-Transformer, ensemble of 3, batch 64",
        "FT-Transformer physics tower (2 blocks), deep ensemble of 3 seeds, batch 64, learning rate 4e-4",
        {**_B64, "phys_encoder": "ft", "ensemble": 3},
    ),
    "mesa_ft1_ens3_b64": (
        "MESA FT-Transformer (1 block), ensemble of 3, batch 64",
        "FT-Transformer physics tower (1 block), deep ensemble of 3 seeds, batch 64, learning rate 4e-4",
        {**_B64, "phys_encoder": "ft", "ft_layers": 1, "ensemble": 3},
    ),
    "mesa_no_lc": (
        "MESA without light-curve tower",
        "ablation of one batch-64 model: towers='physics'",
        {**_B64, "towers": "physics", "ensemble": 1},
    ),
    "mesa_no_phys": (
        "MESA without physics tower",
        "ablation of one batch-64 model: towers='lightcurve'",
        {**_B64, "towers": "lightcurve", "ensemble": 1},
    ),
    "mesa_no_infonce": (
        "MESA without InfoNCE",
        "ablation of one batch-64 model: contrastive_weight=0",
        {**_B64, "contrastive_weight": 0.0, "ensemble": 1},
    ),
    "mesa_gaia_b64": (
        "MESA batch 64 (full + Gaia DR2)",
        "one batch-64 model on the full_gaia preset (compare with mesa_batch64)",
        {**_B64, "features": "full_gaia", "ensemble": 1},
    ),
    "mesa_paper_preset": (
        "MESA paper preset",
        "the original design's architecture and training preset (full features)",
        {"preset": "paper"},
    ),
}


def register_variants() -> None:
    """Add every variant to the benchmark's registry (run by name; not in its default methods)."""
    for name, (label, description, overrides) in MESA_VARIANTS.items():
        settings = dict(overrides)
        features = settings.pop("features", "full")
        run = mesa_method(features, settings.pop("preset", None), **settings)
        register_method(MethodSpec(name, label, description, run))


# at import: a spawned benchmark worker re-imports this script and must find the same methods
register_variants()


def main(argv: list[str] | None = None) -> int:
    """``exomesa benchmark`` with the variants registered (same options)."""
    from exomesa.cli import main as exomesa_main

    return exomesa_main(["benchmark", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
