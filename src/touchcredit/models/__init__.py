"""Attribution models: the :class:`AttributionModel` contract, the registry and the models.

Pick a model by name with :func:`get` (``get("w_shaped")``), list them with
:func:`available`, or subclass :class:`AttributionModel` to add your own.
"""

from touchcredit.models.base import (
    AttributionModel,
    NotFittedError,
    available,
    get,
    register,
)

__all__ = [
    "AttributionModel",
    "NotFittedError",
    "available",
    "get",
    "register",
]
