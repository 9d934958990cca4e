"""Whether a model is fitted, judged from its learned attributes (scikit-learn's rule).

``fit`` stores what a data-driven model learns in attributes whose names end in ``_``
(``shares_``, ``transition_matrix_``); a model holding one is fitted. A model that does
not learn from data (``learns_from_data = False``) is always fitted. There is no flag to
set: :func:`is_fitted` answers, :func:`check_is_fitted` raises for ``weights``.
"""

from __future__ import annotations

__all__ = ["NotFittedError", "check_is_fitted", "is_fitted", "learned_attributes"]


class NotFittedError(RuntimeError):
    """A data-driven model was asked for weights before :meth:`~AttributionModel.fit`."""


def learned_attributes(model: object) -> list[str]:
    """Names of the learned attributes of ``model``: instance attributes ending in ``_``.

    The scikit-learn convention: ``fit`` sets ``transition_matrix_``, ``shares_``, ...;
    the constructor never does. Names starting with ``__`` do not count.

    Examples
    --------
    >>> class M:
    ...     def __init__(self):
    ...         self.order = 1
    >>> m = M()
    >>> learned_attributes(m)
    []
    >>> m.shares_ = {"seo": 1.0}
    >>> learned_attributes(m)
    ['shares_']
    """
    names = list(getattr(model, "__dict__", {}))
    for klass in type(model).__mro__:
        for slot in klass.__dict__.get("__slots__", ()):
            if hasattr(model, slot):
                names.append(slot)
    return sorted({n for n in names if n.endswith("_") and not n.startswith("__")})


def check_is_fitted(model: object) -> None:
    """Raise :class:`NotFittedError` when a data-driven ``model`` has not been fitted.

    A model that does not learn from data (``learns_from_data = False``) is always
    fitted. A data-driven model is fitted once it holds a learned attribute (an
    instance attribute whose name ends in ``_``, set by ``fit``), as in scikit-learn;
    no private flag is involved, so your own model is judged the same way.

    Parameters
    ----------
    model : AttributionModel

    Raises
    ------
    NotFittedError
        Naming the model and what to do.

    Examples
    --------
    >>> from touchcredit.models import LinearModel, MarkovModel
    >>> check_is_fitted(LinearModel())
    >>> check_is_fitted(MarkovModel())
    Traceback (most recent call last):
    ...
    touchcredit.models.fitted.NotFittedError: MarkovModel is not fitted; call fit(journeys) \
first (it has no learned attribute, a name ending in '_')
    """
    if not is_fitted(model):
        raise NotFittedError(
            f"{type(model).__name__} is not fitted; call fit(journeys) first (it has no "
            "learned attribute, a name ending in '_')"
        )


def is_fitted(model: object) -> bool:
    """Whether ``model`` can weigh journeys: it does not learn, or ``fit`` has run.

    Examples
    --------
    >>> from touchcredit.models import LinearModel, MarkovModel
    >>> is_fitted(LinearModel()), is_fitted(MarkovModel())
    (True, False)
    """
    return not getattr(model, "learns_from_data", False) or bool(learned_attributes(model))
