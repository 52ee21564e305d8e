"""The one exception type for problems a user can fix.

Every message names the file, column or row at fault and says what to do. The CLI prints it as a single
``error: ...`` line and exits with status 2; library callers can catch :class:`ExomesaError`.
"""

from __future__ import annotations

__all__ = ["ExomesaError", "InvalidSettingError"]


class ExomesaError(Exception):
    """A user-facing error: bad input, a missing file, an incompatible checkpoint, a leaky feature, ..."""


class InvalidSettingError(ExomesaError, ValueError):
    """A setting (an estimator parameter, a config field) outside its allowed values. It is a ``ValueError``
    too, as scikit-learn expects of a bad parameter at ``fit``."""
