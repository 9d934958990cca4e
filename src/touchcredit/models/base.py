"""The attribution model contract and the registry of models by name.

A model is a small strategy value in the attrs and scikit-learn manner: its parameters
are declared attrs fields, converted and validated once, frozen afterwards and shown in
its repr; ``fit`` learns from data (data-driven models only) and returns ``self``;
learned state carries a trailing underscore. ``weights`` returns one float64 per
(conversion, touch) pair of :meth:`AttributionModel.pairs`, each conversion's weights
summing to 1.

Which pairs a model weighs is not the model's choice: :meth:`AttributionModel.pairs`
applies the lookback window and the exclude filters for every model
(:mod:`touchcredit.models.eligibility`). Whether a model is fitted is judged from its
learned attributes (:func:`check_is_fitted`), not from a flag it must remember to set.

Models register themselves by name, ``@register`` above the attrs decorator (attrs
builds a new class for a slotted class, and the registry must hold that one)::

    @register(name="my_model")
    @attrs.define(frozen=True, kw_only=True)
    class MyModel(AttributionModel):
        ...

The registry is keyed by class: a second class under a taken name is an error unless
registered with ``replace=True``. Third-party packages can expose models through the
``touchcredit.models`` entry-point group (loaded on first use of :func:`get` /
:func:`available`).
"""

from __future__ import annotations

import abc
import contextlib
import copy
import datetime as dt
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from importlib import metadata
from typing import Any, ClassVar, Self, TypeVar, overload

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.models.counting import qualified_name
from touchcredit.models.eligibility import eligible_pairs
from touchcredit.models.fitted import (
    NotFittedError,
    check_is_fitted,
    is_fitted,
    learned_attributes,
)
from touchcredit.models.parameters import (
    default_of,
    labels,
    optional_duration,
    parameter_fields,
    parameter_name,
    same_value,
)

__all__ = [
    "AttributionModel",
    "NotFittedError",
    "available",
    "check_is_fitted",
    "get",
    "is_fitted",
    "isolated_registry",
    "parameter_fields",
    "register",
]

M = TypeVar("M", bound="type[AttributionModel]")

ENTRY_POINT_GROUP = "touchcredit.models"

_REGISTRY: dict[str, type[AttributionModel]] = {}
_LOCK = threading.Lock()
_ENTRY_POINTS_LOADED = False


def _lookback(value: Any) -> dt.timedelta | None:
    return optional_duration(value, field="lookback")


def _exclude_channels(value: Any) -> tuple[str, ...]:
    return labels(value, field="exclude_channels")


def _exclude_sources(value: Any) -> tuple[str, ...]:
    return labels(value, field="exclude_sources")


@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class AttributionModel(abc.ABC):
    """Base class of every attribution model: declared, frozen parameters.

    A model is an attrs class. Its parameters are declared fields (with a converter
    or validator where input is checked), frozen after construction: setting one
    raises :class:`attrs.exceptions.FrozenInstanceError`; :meth:`clone` (or
    :func:`attrs.evolve`) makes a changed copy. Equality and the hash come from the
    parameters, so a model stays put in a set or as a dict key.

    What a data-driven model learns in :meth:`fit` is not a parameter: it is stored
    with :meth:`_set_learned` in attributes whose names end in ``_`` (scikit-learn's
    convention), outside the frozen fields. The model's value (repr, equality, hash)
    is its parameters alone; :meth:`clone` returns an unfitted copy.

    Subclass it as an attrs class (``@attrs.define(frozen=True, kw_only=True)``),
    register it by name with :func:`register` placed *above* the attrs decorator, and
    implement :meth:`weights` (and :meth:`fit` when the model learns from data).

    Parameters
    ----------
    lookback : datetime.timedelta or str, optional
        Only touches at most this long before a conversion are eligible (text such
        as ``"30d"`` is read as a duration).
    exclude_channels, exclude_sources : iterable of str, optional
        Touches with these channels/sources are not eligible, unless a conversion
        has no other eligible touch, in which case the filter is ignored for that
        conversion (so ``last_touch(exclude_channels=["direct"])`` is the classic
        last non-direct click, falling back to the last touch).

    Examples
    --------
    A model that gives all the credit to the second touch (the first when alone):

    >>> import attrs
    >>> import numpy as np
    >>> from touchcredit.models import AttributionModel
    >>> @attrs.define(frozen=True, kw_only=True, repr=False)  # repr=False: the short repr
    ... class SecondTouch(AttributionModel):  # add @register(name="...") to register it
    ...     def weights(self, journeys):
    ...         p = self.pairs(journeys)
    ...         target = np.minimum(p.length, 2) - 1
    ...         return (p.position == target[p.conversion]).astype(float)
    >>> SecondTouch()
    SecondTouch()
    >>> SecondTouch(lookback="30d").get_params()
    {'lookback': datetime.timedelta(days=30), 'exclude_channels': (), 'exclude_sources': ()}
    >>> SecondTouch().lookback = None
    Traceback (most recent call last):
    ...
    attr.exceptions.FrozenInstanceError: can't set attribute
    """

    #: Registry name of the model (set by :func:`register`).
    name: ClassVar[str] = ""
    #: Whether the model learns from data in ``fit`` (Markov, Shapley, ...).
    learns_from_data: ClassVar[bool] = False
    #: The attrs classes of the model's counts, when it follows
    #: :class:`~touchcredit.models.CountingModel` (Spark decodes only these).
    count_types: ClassVar[tuple[type, ...]] = ()

    lookback: dt.timedelta | None = attrs.field(default=None, converter=_lookback)
    exclude_channels: tuple[str, ...] = attrs.field(default=(), converter=_exclude_channels)
    exclude_sources: tuple[str, ...] = attrs.field(default=(), converter=_exclude_sources)

    @lookback.validator
    def _check_lookback(self, attribute: attrs.Attribute[Any], value: dt.timedelta | None) -> None:
        if value is not None and value < dt.timedelta(0):
            raise ValueError(f"'lookback' must be >= 0, got {value!r}")

    def __init_subclass__(cls, name: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "pairs" in cls.__dict__:
            raise TypeError(
                f"{cls.__module__}.{cls.__qualname__} overrides pairs(): the pairs a model "
                "weighs (lookback window and exclude filters) are decided by "
                "AttributionModel for every model; implement weights() only"
            )
        if "__init__" in cls.__dict__ and "__attrs_attrs__" not in cls.__dict__:
            raise TypeError(
                f"{cls.__qualname__} defines __init__: declare its parameters as attrs "
                "fields instead (@attrs.define(frozen=True, kw_only=True) and "
                "name: type = attrs.field(default=..., converter=...)), so that they are "
                "validated once, frozen, cloned and reachable from the command line"
            )
        if name is None and cls.__dict__.get("name") and "__attrs_attrs__" in cls.__dict__:
            # attrs rebuilt a registered class (slots): the new class takes its place
            name = cls.__dict__["name"]
        if name is not None:
            register(cls, name=name)

    # ----------------------------------------------------------- parameters
    def get_params(self) -> dict[str, Any]:
        """The model's parameters (its ``__init__`` arguments), by name.

        Examples
        --------
        >>> from touchcredit.models import get
        >>> get("position").get_params()["first"]
        0.4
        """
        return {parameter_name(f): getattr(self, f.name) for f in parameter_fields(type(self))}

    def __repr__(self) -> str:
        """The class and the parameters that differ from their defaults."""
        shown = []
        for f in parameter_fields(type(self)):
            if not f.repr:
                continue
            value = getattr(self, f.name)
            if not same_value(value, default_of(f)):
                shown.append(f"{parameter_name(f)}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def clone(self, **changes: Any) -> Self:
        """A new, unfitted model with the same parameters, except ``changes``.

        :func:`attrs.evolve` with the unchanged parameters deep-copied, so a clone
        shares no mutable parameter (a dict of shares, a list) with ``self``.

        Raises
        ------
        TypeError
            Naming an unknown parameter and listing the model's parameters.

        Examples
        --------
        >>> from touchcredit.models import get
        >>> m = get("time_decay")
        >>> m.clone(half_life="3d")
        TimeDecayModel(half_life=datetime.timedelta(days=3))
        """
        names = [parameter_name(f) for f in parameter_fields(type(self))]
        unknown = set(changes) - set(names)
        if unknown:
            raise TypeError(
                f"{type(self).__name__} has no parameter(s) {', '.join(sorted(unknown))}; "
                f"its parameters are {', '.join(names)}"
            )
        kept = {n: copy.deepcopy(v) for n, v in self.get_params().items() if n not in changes}
        return attrs.evolve(self, **kept, **changes)

    def __reduce__(self) -> tuple[Any, ...]:
        # parameters through __init__ (validated again), learned state as it is; also
        # right for slotted subclasses, whose attrs __getstate__ knows only the fields
        learned = {n: getattr(self, n) for n in learned_attributes(self)}
        return (_rebuild, (type(self), self.get_params(), learned))

    def _set_learned(self, **state: Any) -> None:
        """Store what ``fit`` learned (names ending in ``_``) beside the frozen parameters.

        Raises
        ------
        ValueError
            For a name that does not end in ``_`` or that is a parameter.
        """
        params = {f.name for f in attrs.fields(type(self))}
        for key, value in state.items():
            if not key.endswith("_") or key.startswith("_") or key in params:
                raise ValueError(
                    f"learned state must be named like 'shares_' (a trailing underscore, "
                    f"not a parameter), got {key!r}"
                )
            object.__setattr__(self, key, value)

    # --------------------------------------------------------------- protocol
    @property
    def is_fitted(self) -> bool:
        """Deprecated: use :func:`touchcredit.models.is_fitted` (``is_fitted(model)``)."""
        warnings.warn(
            "model.is_fitted is deprecated; use touchcredit.models.is_fitted(model) (or "
            "check_is_fitted(model), which raises NotFittedError)",
            DeprecationWarning,
            stacklevel=2,
        )
        return is_fitted(self)

    def fit(self, journeys: JourneySet) -> Self:
        """Learn from ``journeys`` (data-driven models); returns ``self``."""
        return self

    def pairs(self, journeys: JourneySet) -> Pairs:
        """The (conversion, touch) pairs this model weighs on ``journeys``.

        The touches within ``lookback`` of each conversion, minus those the exclude
        filters exclude (see :func:`~touchcredit.models.eligibility.eligible_pairs`),
        for every model alike: subclasses cannot override this.
        """
        return eligible_pairs(self, journeys)

    @abc.abstractmethod
    def weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
        """Weight of every pair of ``self.pairs(journeys)``.

        Weights are >= 0 and sum to 1 over the pairs of every conversion that has at
        least one pair. Excluded touches are not among the pairs, so a model never
        needs to know about the exclude filters.
        """

    def conversion_weights(self, journeys: JourneySet) -> npt.NDArray[np.float64]:
        """Weight of every pair for counting conversions (the ``conversions`` column).

        The same as :meth:`weights` unless a model credits conversion counts and value
        differently: the data-driven models fit these weights so that the conversions
        credited per touch add up to their channel credit in conversions, as
        :meth:`weights` does for value. Same rules as :meth:`weights`.
        """
        return self.weights(journeys)


def _rebuild(
    cls: type[AttributionModel], params: dict[str, Any], learned: dict[str, Any]
) -> AttributionModel:
    model = cls(**params)
    for key, value in learned.items():
        object.__setattr__(model, key, value)
    return model


@overload
def register(cls: M, *, name: str, replace: bool = False) -> M: ...
@overload
def register(cls: None = None, *, name: str, replace: bool = False) -> Callable[[M], M]: ...
def register(cls: M | None = None, *, name: str, replace: bool = False) -> M | Callable[[M], M]:
    """Register a model class under ``name``; used as ``@register(name=...)``.

    Place it above the attrs decorator, so that the registry holds the class attrs
    built. The registry is keyed by class. Registering the same class again is a
    no-op; a new version of it (same module and qualified name, as after re-running a
    notebook cell or reloading its module) replaces it; any other class under a taken
    name is an error unless ``replace=True``.

    Parameters
    ----------
    cls : type, optional
        A subclass of :class:`AttributionModel`; without it, a decorator.
    name : str
        The registry name (an identifier).
    replace : bool
        Let ``cls`` take ``name`` from another class.

    Returns
    -------
    type or decorator
        ``cls``, or a decorator that registers and returns its class.

    Raises
    ------
    ValueError
        When ``name`` is not an identifier, or another class holds ``name`` (naming
        both classes).

    Examples
    --------
    >>> from touchcredit.models import LinearModel
    >>> with isolated_registry():
    ...     @register(name="linear")
    ...     @attrs.define(frozen=True, kw_only=True)
    ...     class LinearModel(LinearModel):  # a user class that happens to share the name
    ...         pass
    Traceback (most recent call last):
    ...
    ValueError: model name 'linear' is already registered by \
touchcredit.models.positional.LinearModel; cannot register ...LinearModel under it (pass \
replace=True to replace it, or choose another name)
    """
    if cls is None:

        def decorate(klass: M) -> M:
            return register(klass, name=name, replace=replace)

        return decorate
    if not name.isidentifier():
        raise ValueError(f"model name must be an identifier, got {name!r}")
    with _LOCK:
        existing = _REGISTRY.get(name)
        # the same class, or a new version of it (a reloaded module), may re-register
        taken = existing is not None and qualified_name(existing) != qualified_name(cls)
        if taken and not replace:
            assert existing is not None
            raise ValueError(
                f"model name {name!r} is already registered by {qualified_name(existing)}; "
                f"cannot register {qualified_name(cls)} under it (pass replace=True to "
                "replace it, or choose another name)"
            )
        _REGISTRY[name] = cls
        cls.name = name
    return cls


@contextlib.contextmanager
def isolated_registry() -> Iterator[None]:
    """Undo every registration made inside the ``with`` block (for tests).

    Models registered inside the block are forgotten on exit and replaced ones come
    back, so a test that defines a model class with ``name=...`` leaves the global
    registry as it found it.

    Examples
    --------
    >>> with isolated_registry():
    ...     class Tmp(AttributionModel, name="tmp_model"):
    ...         def weights(self, journeys):
    ...             return self.pairs(journeys).position * 0.0
    ...     "tmp_model" in available()
    True
    >>> "tmp_model" in available()
    False
    """
    _load_entry_points()
    with _LOCK:
        saved = dict(_REGISTRY)
        names = {cls: cls.name for cls in saved.values()}
    try:
        yield
    finally:
        with _LOCK:
            _REGISTRY.clear()
            _REGISTRY.update(saved)
            for cls, name in names.items():
                cls.name = name


def _load_entry_points() -> None:
    global _ENTRY_POINTS_LOADED
    if _ENTRY_POINTS_LOADED:
        return
    _ENTRY_POINTS_LOADED = True
    for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
        obj = ep.load()  # registering happens on class creation
        if isinstance(obj, type) and issubclass(obj, AttributionModel) and obj.name == "":
            register(obj, name=ep.name)


def available() -> list[str]:
    """Names of every registered model, sorted.

    Examples
    --------
    >>> "linear" in available()
    True
    """
    _load_entry_points()
    return sorted(_REGISTRY)


def get(name: str, **params: Any) -> AttributionModel:
    """A new model by registry name, with the given parameters.

    Examples
    --------
    >>> get("time_decay", half_life=dt.timedelta(days=3))
    TimeDecayModel(half_life=datetime.timedelta(days=3))
    """
    _load_entry_points()
    try:
        cls = _REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; available: {', '.join(available())}") from None
    return cls(**params)


def models_from(spec: Iterable[AttributionModel | str]) -> list[AttributionModel]:
    """Models from a mix of instances and registry names."""
    return [get(m) if isinstance(m, str) else m for m in spec]
