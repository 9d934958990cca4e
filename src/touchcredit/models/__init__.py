"""Attribution models: the :class:`AttributionModel` contract, the registry and the models.

Pick a model by name with :func:`get` (``get("w_shaped")``), list them with
:func:`available`, or subclass :class:`AttributionModel` to add your own.
"""

from touchcredit.models.base import (
    AttributionModel,
    NotFittedError,
    available,
    check_is_fitted,
    get,
    isolated_registry,
    register,
)
from touchcredit.models.counting import CountingModel
from touchcredit.models.eligibility import EligiblePairs
from touchcredit.models.markov import MarkovModel
from touchcredit.models.markov_counts import MarkovCounts
from touchcredit.models.positional import (
    FirstTouch,
    FullPath,
    InverseJShaped,
    JShaped,
    LastNonDirect,
    LastTouch,
    Linear,
    PositionalModel,
    PositionBased,
    WShaped,
)
from touchcredit.models.resample import ResampleTerms, resample_terms, supports_resampling
from touchcredit.models.selection import OrderChoice, choose_order
from touchcredit.models.shapley import ShapleyCounts, ShapleyModel
from touchcredit.models.time_decay import TimeDecay

__all__ = [
    "AttributionModel",
    "CountingModel",
    "EligiblePairs",
    "FirstTouch",
    "FullPath",
    "InverseJShaped",
    "JShaped",
    "LastNonDirect",
    "LastTouch",
    "Linear",
    "MarkovCounts",
    "MarkovModel",
    "NotFittedError",
    "OrderChoice",
    "PositionBased",
    "PositionalModel",
    "ResampleTerms",
    "ShapleyCounts",
    "ShapleyModel",
    "TimeDecay",
    "WShaped",
    "available",
    "check_is_fitted",
    "choose_order",
    "get",
    "isolated_registry",
    "register",
    "resample_terms",
    "supports_resampling",
]
