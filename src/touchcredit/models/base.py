"""The attribution model contract and the registry of models by name.

A model is a small strategy object in the scikit-learn manner: its constructor
arguments are its parameters, stored unchanged and shown in its repr; ``fit`` learns
from data (data-driven models only) and returns ``self``; learned state carries a
trailing underscore. ``weights`` returns one float64 per (conversion, touch) pair of
:meth:`AttributionModel.pairs`, each conversion's weights summing to 1.

Which pairs a model weighs is not the model's choice: :meth:`AttributionModel.pairs`
applies the lookback window and the exclude filters for every model
(:mod:`touchcredit.models.eligibility`). Whether a model is fitted is judged from its
learned attributes (:func:`check_is_fitted`), not from a flag it must remember to set.

Subclasses register themselves by name::

    class MyModel(AttributionModel, name="my_model"):
        ...

The registry is keyed by class: a second class under a taken name is an error unless
registered with ``replace=True``. Third-party packages can expose models through the
``touchcredit.models`` entry-point group (loaded on first use of :func:`get` /
:func:`available`).
"""

from __future__ import annotations

import abc
import contextlib
import datetime as dt
import inspect
import threading
from collections.abc import Iterable, Iterator
from importlib import metadata
from typing import Any, ClassVar, Self

import numpy as np
import numpy.typing as npt

from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.core.time import to_duration
from touchcredit.models.counting import qualified_name
from touchcredit.models.eligibility import eligible_pairs

__all__ = [
    "AttributionModel",
    "NotFittedError",
    "available",
    "check_is_fitted",
    "get",
    "isolated_registry",
    "register",
]

ENTRY_POINT_GROUP = "touchcredit.models"

_REGISTRY: dict[str, type[AttributionModel]] = {}
_LOCK = threading.Lock()
_ENTRY_POINTS_LOADED = False


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


def check_is_fitted(model: AttributionModel) -> None:
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
    >>> from touchcredit.models import MarkovModel, Linear
    >>> check_is_fitted(Linear())
    >>> check_is_fitted(MarkovModel())
    Traceback (most recent call last):
    ...
    touchcredit.models.base.NotFittedError: MarkovModel is not fitted; call fit(journeys) \
first (it has no learned attribute, a name ending in '_')
    """
    if model.learns_from_data and not learned_attributes(model):
        raise NotFittedError(
            f"{type(model).__name__} is not fitted; call fit(journeys) first (it has no "
            "learned attribute, a name ending in '_')"
        )


class AttributionModel(abc.ABC):
    """Base class of every attribution model.

    Subclass it, give it a registry name, and implement :meth:`weights` (and
    :meth:`fit` when the model learns from data). The base class provides the
    parameter machinery (``get_params``, repr, equality), the eligible pairs
    (with the ``lookback`` window) and the registry.

    Parameters
    ----------
    lookback : datetime.timedelta, optional
        Only touches at most this long before a conversion are eligible.
    exclude_channels, exclude_sources : iterable of str, optional
        Touches with these channels/sources are not eligible, unless a conversion
        has no other eligible touch, in which case the filter is ignored for that
        conversion (so ``last_touch(exclude_channels=["direct"])`` is the classic
        last non-direct click, falling back to the last touch).

    Examples
    --------
    A model that gives all the credit to the second touch (the first when alone):

    >>> import numpy as np
    >>> from touchcredit.models import AttributionModel
    >>> class SecondTouch(AttributionModel):  # add name="..." to register it
    ...     def weights(self, journeys):
    ...         p = self.pairs(journeys)
    ...         target = np.minimum(p.length, 2) - 1
    ...         return (p.position == target[p.conversion]).astype(float)
    >>> SecondTouch()
    SecondTouch()
    >>> SecondTouch(lookback=None).get_params()
    {'lookback': None, 'exclude_channels': (), 'exclude_sources': ()}
    """

    #: Registry name of the model (set by ``class X(AttributionModel, name=...)``).
    name: ClassVar[str] = ""
    #: Whether the model learns from data in ``fit`` (Markov, Shapley, ...).
    learns_from_data: ClassVar[bool] = False
    #: The attrs classes of the model's counts, when it follows
    #: :class:`~touchcredit.models.CountingModel` (Spark decodes only these).
    count_types: ClassVar[tuple[type, ...]] = ()

    def __init__(
        self,
        *,
        lookback: dt.timedelta | None = None,
        exclude_channels: Iterable[str] = (),
        exclude_sources: Iterable[str] = (),
    ) -> None:
        self.lookback = lookback
        self.exclude_channels = _str_tuple(exclude_channels, "exclude_channels")
        self.exclude_sources = _str_tuple(exclude_sources, "exclude_sources")
        self._validate_lookback()

    def __init_subclass__(cls, name: str | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "pairs" in cls.__dict__:
            raise TypeError(
                f"{cls.__module__}.{cls.__qualname__} overrides pairs(): the pairs a model "
                "weighs (lookback window and exclude filters) are decided by "
                "AttributionModel for every model; implement weights() only"
            )
        if name is not None:
            register(cls, name=name)

    # ----------------------------------------------------------- parameters
    def _validate_lookback(self) -> None:
        if self.lookback is not None:
            td = to_duration(self.lookback, field="lookback")
            if td < np.timedelta64(0, "us"):
                raise ValueError(f"'lookback' must be >= 0, got {self.lookback!r}")

    @classmethod
    def _init_parameters(cls) -> list[inspect.Parameter]:
        """Named constructor parameters, following ``**kwargs`` up the MRO (sklearn rule)."""
        out: list[inspect.Parameter] = []
        seen: set[str] = set()
        for klass in cls.__mro__:
            init = klass.__dict__.get("__init__")
            if init is None or klass is object:
                continue
            more = False
            for p in inspect.signature(init).parameters.values():
                if p.kind is p.VAR_KEYWORD:
                    more = True
                elif p.name != "self" and p.kind is not p.VAR_POSITIONAL and p.name not in seen:
                    seen.add(p.name)
                    out.append(p)
            if not more:
                break
        return out

    @classmethod
    def _param_names(cls) -> list[str]:
        return [p.name for p in cls._init_parameters()]

    def get_params(self) -> dict[str, Any]:
        """The model's parameters, as given to its constructor."""
        return {name: getattr(self, name) for name in self._param_names()}

    def _default_params(self) -> dict[str, Any]:
        return {p.name: p.default for p in self._init_parameters() if p.default is not p.empty}

    def __repr__(self) -> str:
        defaults = self._default_params()
        shown = []
        for k, v in self.get_params().items():
            d = defaults.get(k, inspect.Parameter.empty)
            try:
                same = d is not inspect.Parameter.empty and bool(v == d)
            except (TypeError, ValueError):
                same = False
            if not same:
                shown.append(f"{k}={v!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, AttributionModel)
        return self.get_params() == other.get_params()

    def __hash__(self) -> int:
        return hash((type(self), repr(self)))

    def clone(self, **changes: Any) -> Self:
        """A new, unfitted model with the same parameters, except ``changes``."""
        params = self.get_params()
        unknown = set(changes) - set(params)
        if unknown:
            raise TypeError(
                f"{type(self).__name__} has no parameter(s) {', '.join(sorted(unknown))}; "
                f"its parameters are {', '.join(params)}"
            )
        params.update(changes)
        return type(self)(**params)

    # --------------------------------------------------------------- protocol
    @property
    def is_fitted(self) -> bool:
        """True for models that do not learn, else whether ``fit`` has run.

        Judged by :func:`check_is_fitted` from the learned attributes (``*_``).
        """
        try:
            check_is_fitted(self)
        except NotFittedError:
            return False
        return True

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


def _str_tuple(values: Iterable[str], field: str) -> tuple[str, ...]:
    if isinstance(values, str):
        return (values,)
    out = tuple(values)
    for v in out:
        if not isinstance(v, str):
            raise TypeError(f"{field!r} must hold strings, got {type(v).__name__} {v!r}")
    return out


def register(
    cls: type[AttributionModel], *, name: str, replace: bool = False
) -> type[AttributionModel]:
    """Register ``cls`` under ``name`` (done for you by ``class X(..., name=...)``).

    The registry is keyed by class. Registering the same class again is a no-op; a
    new version of it (same module and qualified name, as after re-running a notebook
    cell or reloading its module) replaces it; any other class under a taken name is
    an error unless ``replace=True``.

    Parameters
    ----------
    cls : type
        A subclass of :class:`AttributionModel`.
    name : str
        The registry name (an identifier).
    replace : bool
        Let ``cls`` take ``name`` from another class.

    Returns
    -------
    type
        ``cls``, so that ``register`` can be used as a decorator.

    Raises
    ------
    ValueError
        When ``name`` is not an identifier, or another class holds ``name`` (naming
        both classes).

    Examples
    --------
    >>> from touchcredit.models import Linear
    >>> with isolated_registry():
    ...     class Linear(Linear):  # a user class that happens to share the name
    ...         pass
    ...     register(Linear, name="linear")
    Traceback (most recent call last):
    ...
    ValueError: model name 'linear' is already registered by \
touchcredit.models.positional.Linear; cannot register ...Linear under it (pass \
replace=True to replace it, or choose another name)
    """
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
    TimeDecay(half_life=datetime.timedelta(days=3))
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
