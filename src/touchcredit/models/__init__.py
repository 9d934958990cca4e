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
from touchcredit.models.markov import MarkovCounts, MarkovModel
from touchcredit.models.shapley import ShapleyCounts, ShapleyModel

__all__ = [
    "AttributionModel",
    "MarkovCounts",
    "MarkovModel",
    "NotFittedError",
    "ShapleyCounts",
    "ShapleyModel",
    "available",
    "get",
    "register",
]
