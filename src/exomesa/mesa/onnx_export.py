"""Export a physics-only MESA (every bundled model) to ONNX, for scoring without torch.

``exomesa predict`` with no ``--model_path`` scores a table with a bundled model. Importing torch alone takes
several seconds on a small CPU machine (3.5-4.8 s measured on 2 cores), longer than the whole command should;
onnxruntime imports in under 1 s. So every physics-only bundled checkpoint ships with an ONNX twin built from the same weights
(:func:`export_physics_onnx`, called by ``scripts/build_bundled_models.py``) and scored by
:class:`exomesa.mesa.onnx_scorer.OnnxMesaScorer`. The ``.pth`` stays the reference artifact: the twin holds
the network of every ensemble member and, as ONNX metadata, what scoring needs besides (feature set,
preprocessor quantiles, classes, calibration temperature, training KOI names, versions). The build checks
that the two give the same probabilities (max difference recorded in the manifest).

Graph: inputs ``planet`` / ``stellar`` / ``diagnostics`` / ``ephemeris`` / ``gaia`` (the groups the model has,
in its feature set's order), each float32 ``[N, 2 * n_group]`` (the preprocessor's normal scores and missing
flags); output ``member_logits`` float32 ``[K, N, 3]``. The scorer computes every group in numpy, the
``ephemeris`` matches included. Needs the ``onnx`` package (build time only: ``pip install 'exomesa[dev]'``).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from exomesa._version import __version__
from exomesa.errors import ExomesaError
from exomesa.utils import import_optional

__all__ = ["ONNX_FORMAT", "ONNX_METADATA_KEY", "export_physics_onnx"]

logger = logging.getLogger(__name__)

ONNX_FORMAT = "exomesa-onnx-physics"  # metadata "format" value the scorer checks
ONNX_METADATA_KEY = "exomesa"  # custom metadata key holding the JSON record
_OPSET = 17


def _wrapper(members: list, groups: list[str]):
    import torch

    class _MemberLogits(torch.nn.Module):
        """Group arrays (positional, in ``groups`` order) -> ``[K, N, 3]`` member logits."""

        def __init__(self) -> None:
            super().__init__()
            self.members = torch.nn.ModuleList(members)

        def forward(self, *arrays: torch.Tensor) -> torch.Tensor:
            batch = dict(zip(groups, arrays, strict=True))
            return torch.stack([m(batch)["logits"] for m in self.members])

    return _MemberLogits().eval()


def export_physics_onnx(clf: Any, path: str | Path, extra: dict[str, Any] | None = None) -> Path:
    """Write the ONNX twin of a fitted physics-only :class:`~exomesa.mesa.MesaClassifier` to ``path``.

    ``extra`` (JSON-able) joins the metadata record (the build script passes the ``bundled`` record).

    Raises:
        ExomesaError: the model reads light curves (``towers`` is not ``"physics"``) or is not fitted.
    """
    import torch

    onnx = import_optional("onnx", "exporting a model to ONNX")
    clf._check_fitted()
    if clf.model_.cfg.towers != "physics":
        raise ExomesaError(
            f"only a physics-only MESA (towers='physics') can be exported to ONNX; this one has "
            f"towers={clf.model_.cfg.towers!r}."
        )
    path = Path(path)
    groups = list(clf.feature_set_)
    dims = clf.preprocessor_.output_dims
    members = [m.cpu().eval() for m in clf._members()]
    module = _wrapper(members, groups)
    example = tuple(torch.zeros(2, dims[g]) for g in groups)
    dynamic = {g: {0: "n"} for g in groups}
    dynamic["member_logits"] = {1: "n"}
    with torch.no_grad():
        torch.onnx.export(
            module,
            example,
            str(path),
            dynamo=False,
            input_names=groups,
            output_names=["member_logits"],
            dynamic_axes=dynamic,
            opset_version=_OPSET,
        )
    record = {
        "format": ONNX_FORMAT,
        "format_version": 1,
        "exomesa_version": __version__,
        "groups": groups,
        "feature_set": clf.feature_set_,
        "preprocessor": clf.preprocessor_.state_dict(),
        "classes": [str(c) for c in clf.classes_],
        "temperature": float(clf.temperature_),
        "n_members": len(members),
        "training_kepoi_names": [str(n) for n in (clf.reference_ or {}).get("candidate_id", [])],
        **(extra or {}),
    }
    proto = onnx.load(str(path))
    entry = proto.metadata_props.add()
    entry.key = ONNX_METADATA_KEY
    entry.value = json.dumps(record, default=lambda o: o.tolist() if isinstance(o, np.ndarray) else str(o))
    onnx.save(proto, str(path))
    logger.info("wrote %s (%.0f KB, %d member(s))", path, path.stat().st_size / 1024, len(members))
    return path
