"""Fitting from counts: the protocol a data-driven model follows to be fitted at scale.

A model that can learn from *sufficient statistics* -- counts that add up across any
split of the journeys -- is fitted in chunks (:func:`touchcredit.chunked.attribute_parquet`)
and on Spark (:func:`touchcredit.spark.fit`) without ever holding all journeys at once:
each part is counted with ``count(journeys)``, the counts are summed with ``+``, and
``fit_counts(total)`` learns from the sum. ``fit(journeys)`` must then equal
``fit_counts(count(journeys))``.

On Spark the counts travel from the executors to the driver as JSON, never pickle; the
decoder builds only the classes the model declares in ``count_types`` (attrs classes
whose fields are numpy arrays of booleans or numbers, plain scalars, strings, None,
tuples of these, or other declared count classes).
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, Self, runtime_checkable

import attrs

from touchcredit.core.store import JourneySet

__all__ = [
    "CountingModel",
    "Counts",
    "count_classes",
    "missing_counting_methods",
    "qualified_name",
]


class Counts(Protocol):
    """Sufficient statistics of a data-driven model: additive with ``+``.

    ``count(a) + count(b)`` must be the counts of the journeys of ``a`` and ``b``
    together, whatever order they are added in.
    """

    def __add__(self, other: Any, /) -> Any: ...


@runtime_checkable
class CountingModel(Protocol):
    """A data-driven model that learns from additive counts.

    Follow it (no subclassing needed: it is a structural protocol, checked with
    ``isinstance(model, CountingModel)``) and :mod:`touchcredit.chunked` and
    :mod:`touchcredit.spark` can fit your model on data that does not fit in memory.

    Attributes
    ----------
    count_types : tuple of type
        Every attrs class that occurs in the counts (nested ones included). Spark
        decodes only these classes (see the module notes); defaults to ``()`` on
        :class:`~touchcredit.models.AttributionModel`.

    Examples
    --------
    >>> from touchcredit.models import LinearModel, MarkovModel
    >>> isinstance(MarkovModel(), CountingModel), isinstance(LinearModel(), CountingModel)
    (True, False)
    >>> [c.__name__ for c in MarkovModel.count_types]
    ['MarkovCounts', 'ShapleyCounts']
    """

    count_types: ClassVar[tuple[type, ...]]

    def count(self, journeys: JourneySet) -> Any:
        """The counts of ``journeys`` (additive with ``+``)."""

    def fit_counts(self, counts: Any) -> Self:
        """Learn from counts (a sum of :meth:`count` results); returns ``self``."""


def missing_counting_methods(model: object) -> list[str]:
    """Names of the :class:`CountingModel` methods that ``model`` lacks.

    Examples
    --------
    >>> from touchcredit.models import LinearModel, ShapleyModel
    >>> missing_counting_methods(LinearModel()), missing_counting_methods(ShapleyModel())
    (['count', 'fit_counts'], [])
    """
    return [name for name in ("count", "fit_counts") if not callable(getattr(model, name, None))]


def count_classes(model: CountingModel) -> dict[str, type]:
    """The count classes ``model`` declares, by module-qualified name (the codec's allow-list).

    Raises
    ------
    TypeError
        When ``count_types`` holds something that is not an attrs class.

    Examples
    --------
    >>> from touchcredit.models import ShapleyModel
    >>> list(count_classes(ShapleyModel()))
    ['touchcredit.models._credit.ShapleyCounts']
    """
    out: dict[str, type] = {}
    for cls in type(model).count_types:
        if not (isinstance(cls, type) and attrs.has(cls)):
            raise TypeError(
                f"{type(model).__name__}.count_types must hold attrs classes, got {cls!r}"
            )
        out[qualified_name(cls)] = cls
    return out


def qualified_name(cls: type) -> str:
    """``module.QualifiedName`` of a class (how count classes are named in JSON)."""
    return f"{cls.__module__}.{cls.__qualname__}"
