"""Converters and validators for declared model parameters.

A model's parameters are attrs fields; each field's *converter* turns what a person
types -- in Python, on the command line (``--param half_life=14d``) or in a pipeline
TOML table -- into the one value the model keeps, and raises an error naming the
parameter when it cannot. The command line and the pipeline therefore need no
per-model code: they hand each value to the field's converter
(:func:`touchcredit.models.parameter_values`).

Every converter here accepts the native Python value and its text form (``"0.6"``,
``"14d"``, ``"true"``), so a value read from the command line converts like the
value typed in Python.

Examples
--------
>>> share("0.25", field="first")
0.25
>>> labels("direct", field="exclude_channels")
('direct',)
>>> duration("1d 12h", field="half_life")
datetime.timedelta(days=1, seconds=43200)
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np

from touchcredit.core.time import to_duration

__all__ = [
    "boolean",
    "choice",
    "default_of",
    "duration",
    "integer",
    "labels",
    "optional_duration",
    "parameter_fields",
    "parameter_name",
    "same_value",
    "share",
    "shares",
]

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def duration(value: Any, *, field: str) -> dt.timedelta:
    """A duration as ``datetime.timedelta`` from a timedelta, timedelta64 or text.

    Text is read by :func:`touchcredit.core.time.durations.to_duration` (``"14d"``,
    ``"36h"``); a bare number is refused, it has no unit.

    Examples
    --------
    >>> duration(np.timedelta64(2, "h"), field="lookback")
    datetime.timedelta(seconds=7200)
    """
    us = int(to_duration(value, field=field).view(np.int64))
    return dt.timedelta(microseconds=us)


def optional_duration(value: Any, *, field: str) -> dt.timedelta | None:
    """:func:`duration`, or None for None (and for the text ``"none"``).

    Examples
    --------
    >>> optional_duration("none", field="lookback") is None
    True
    """
    if value is None or (isinstance(value, str) and value.strip().casefold() == "none"):
        return None
    return duration(value, field=field)


def labels(value: Any, *, field: str) -> tuple[str, ...]:
    """A tuple of label strings; one string is one label.

    Raises
    ------
    TypeError
        When an element is not a string (naming the parameter).

    Examples
    --------
    >>> labels(["direct", "email"], field="exclude_channels")
    ('direct', 'email')
    """
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise TypeError(f"{field!r} must be a list of strings, got {type(value).__name__}")
    out = tuple(value)
    for v in out:
        if not isinstance(v, str):
            raise TypeError(f"{field!r} must hold strings, got {type(v).__name__} {v!r}")
    return out


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool):
        raise TypeError(f"{field!r} must be a number, got {value!r}")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{field!r} must be a number, got {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{field!r} must be a finite number, got {value!r}")
    return v


def share(value: Any, *, field: str) -> float:
    """A share between 0 and 1 (a number or its text).

    Raises
    ------
    ValueError
        Outside [0, 1].

    Examples
    --------
    >>> share(1.5, field="last")
    Traceback (most recent call last):
    ...
    ValueError: 'last' must be a share between 0 and 1, got 1.5
    """
    v = _number(value, field)
    if not 0.0 <= v <= 1.0:
        raise ValueError(f"{field!r} must be a share between 0 and 1, got {value!r}")
    return v


def shares(value: Any, *, field: str, keys: Iterable[str]) -> dict[str, float]:
    """A ``{name: share}`` dict whose names are among ``keys`` (a fresh copy).

    Examples
    --------
    >>> shares({"a": "0.5"}, field="milestones", keys=("a", "b"))
    {'a': 0.5}
    """
    allowed = tuple(keys)
    if not isinstance(value, Mapping):
        raise TypeError(f"{field!r} must be a mapping of name to share, got {value!r}")
    out: dict[str, float] = {}
    for key, v in value.items():
        if key not in allowed:
            raise ValueError(f"{field!r} keys must be among {', '.join(allowed)}; got {key!r}")
        out[key] = share(v, field=f"{field}[{key!r}]")
    return out


def integer(value: Any, *, field: str, low: int | None = None, high: int | None = None) -> int:
    """An integer (or its text) within ``[low, high]``.

    Examples
    --------
    >>> integer("3", field="order", low=1)
    3
    >>> integer(0, field="order", low=1)
    Traceback (most recent call last):
    ...
    ValueError: 'order' must be an integer >= 1, got 0
    """
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            raise ValueError(f"{field!r} must be an integer, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{field!r} must be an integer, got {value!r}")
    v = int(value)
    if low is not None and v < low:
        raise ValueError(f"{field!r} must be an integer >= {low}, got {value!r}")
    if high is not None and v > high:
        raise ValueError(f"{field!r} must be an integer <= {high}, got {value!r}")
    return v


def boolean(value: Any, *, field: str) -> bool:
    """A boolean, or its text (``true``/``false``, ``yes``/``no``, ``on``/``off``, 1/0).

    Examples
    --------
    >>> boolean("no", field="collapse")
    False
    """
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, str) and value.strip().casefold() in _TRUE | _FALSE:
        return value.strip().casefold() in _TRUE
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ValueError(f"{field!r} must be true or false, got {value!r}")


def choice(value: Any, *, field: str, options: Iterable[str]) -> str:
    """One of ``options`` (exact text).

    Examples
    --------
    >>> choice("share", field="value_credit", options=("chain", "share"))
    'share'
    """
    allowed = tuple(options)
    if value not in allowed:
        if len(allowed) == 2:
            raise ValueError(f"{field!r} must be {allowed[0]!r} or {allowed[1]!r}, got {value!r}")
        raise ValueError(f"{field!r} must be one of {', '.join(allowed)}; got {value!r}")
    return str(value)


def parameter_fields(cls: type) -> tuple[attrs.Attribute[Any], ...]:
    """The declared parameters of a model class: its attrs fields set by ``__init__``.

    Raises
    ------
    TypeError
        When ``cls`` is not an attrs class.

    Examples
    --------
    >>> from touchcredit.models import TimeDecayModel
    >>> [f.alias for f in parameter_fields(TimeDecayModel)]
    ['lookback', 'exclude_channels', 'exclude_sources', 'half_life']
    """
    if not attrs.has(cls):
        raise TypeError(
            f"{cls.__name__} is not an attrs class; declare its parameters with "
            "@attrs.define(frozen=True, kw_only=True)"
        )
    return tuple(f for f in attrs.fields(cls) if f.init)


def parameter_name(f: attrs.Attribute[Any]) -> str:
    """The ``__init__`` argument name of a field."""
    return f.alias or f.name


def default_of(f: attrs.Attribute[Any]) -> Any:
    """A field's default after conversion (what the model holds when not given)."""
    default: Any = f.default
    if default is attrs.NOTHING:
        return attrs.NOTHING
    if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
        if default.takes_self:
            return attrs.NOTHING
        default = default.factory()
    conv = f.converter
    if conv is not None and callable(conv):
        try:
            return conv(default)
        except Exception:  # a converter needing other fields: show the value
            return attrs.NOTHING
    return default


def same_value(a: Any, b: Any) -> bool:
    """Whether ``a`` equals the default ``b`` (same type; NOTHING is never equal)."""
    if b is attrs.NOTHING:
        return False
    try:
        return type(a) is type(b) and bool(a == b)
    except (TypeError, ValueError):
        return False
