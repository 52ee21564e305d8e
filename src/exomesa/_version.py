"""The installed exomesa version (a leaf module: package modules import ``__version__`` from here, so that
reading it never imports the estimators the root package exposes)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("exomesa")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"
