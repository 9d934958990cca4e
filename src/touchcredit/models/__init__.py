"""Attribution models: the :class:`AttributionModel` contract, the registry and the models.

Pick a model by name with :func:`get` (``get("w_shaped")``), list them with
:func:`available`, or subclass :class:`AttributionModel` to add your own. Every model
class ends in ``Model``; the names used before (``TimeDecay``, ``Linear``,
``PositionBased``, ...) still import, with a :class:`DeprecationWarning`.
"""

import warnings
from typing import Any

from touchcredit.models.base import (
    AttributionModel,
    NotFittedError,
    available,
    check_is_fitted,
    get,
    is_fitted,
    isolated_registry,
    parameter_fields,
    register,
)
from touchcredit.models.counting import CountingModel
from touchcredit.models.eligibility import EligiblePairs
from touchcredit.models.hazard import AdditiveHazardModel, UnboundedLikelihoodWarning
from touchcredit.models.logistic import LogisticModel
from touchcredit.models.markov import MarkovModel
from touchcredit.models.markov_counts import MarkovCounts
from touchcredit.models.positional import (
    FirstTouchModel,
    FullPathModel,
    InverseJShapedModel,
    JShapedModel,
    LastNonDirectModel,
    LastTouchModel,
    LinearModel,
    PositionalModel,
    UShapedModel,
    WShapedModel,
)
from touchcredit.models.probabilistic import ProbabilisticModel
from touchcredit.models.resample import ResampleTerms, resample_terms, supports_resampling
from touchcredit.models.selection import OrderChoice, choose_order
from touchcredit.models.shapley import ShapleyCounts, ShapleyModel
from touchcredit.models.time_decay import TimeDecayModel

__all__ = [
    "AdditiveHazardModel",
    "AttributionModel",
    "CountingModel",
    "EligiblePairs",
    "FirstTouchModel",
    "FullPathModel",
    "InverseJShapedModel",
    "JShapedModel",
    "LastNonDirectModel",
    "LastTouchModel",
    "LinearModel",
    "LogisticModel",
    "MarkovCounts",
    "MarkovModel",
    "NotFittedError",
    "OrderChoice",
    "PositionalModel",
    "ProbabilisticModel",
    "ResampleTerms",
    "ShapleyCounts",
    "ShapleyModel",
    "TimeDecayModel",
    "UShapedModel",
    "UnboundedLikelihoodWarning",
    "WShapedModel",
    "available",
    "check_is_fitted",
    "choose_order",
    "get",
    "is_fitted",
    "isolated_registry",
    "parameter_fields",
    "register",
    "resample_terms",
    "supports_resampling",
]

#: Class names before 0.1 (deprecated): old name -> the class now.
DEPRECATED_NAMES: dict[str, type[AttributionModel]] = {
    "FirstTouch": FirstTouchModel,
    "FullPath": FullPathModel,
    "InverseJShaped": InverseJShapedModel,
    "JShaped": JShapedModel,
    "LastNonDirect": LastNonDirectModel,
    "LastTouch": LastTouchModel,
    "Linear": LinearModel,
    "PositionBased": UShapedModel,
    "TimeDecay": TimeDecayModel,
    "WShaped": WShapedModel,
}


def deprecated_name(module: str, name: str) -> type[AttributionModel]:
    """The class an old model class name stands for, with a DeprecationWarning.

    Raises
    ------
    AttributeError
        When ``name`` is not an old model class name.
    """
    try:
        cls = DEPRECATED_NAMES[name]
    except KeyError:
        raise AttributeError(f"module {module!r} has no attribute {name!r}") from None
    warnings.warn(
        f"{module}.{name} is deprecated; use {cls.__name__} (the same class)",
        DeprecationWarning,
        stacklevel=3,
    )
    return cls


def __getattr__(name: str) -> Any:
    return deprecated_name(__name__, name)
