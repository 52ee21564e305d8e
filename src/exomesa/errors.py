"""The one exception type for problems a user can fix.

Every message names the file, column or row at fault and says what to do. The CLI prints it as a single
``error: ...`` line and exits with status 2; library callers can catch :class:`ExomesaError`.
"""

from __future__ import annotations

__all__ = ["ExomesaError"]


class ExomesaError(Exception):
    """A user-facing error: bad input, a missing file, an incompatible checkpoint, a leaky feature, ..."""
