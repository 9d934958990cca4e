"""The keys a pipeline file's tables may hold, and the TOML types of their values.

Every table of a pipeline file is checked here before anything runs: a key the table does
not know is an error naming the table and the key, with the closest known key when one is
close (``currencey`` → ``currency``); a value of the wrong TOML type is an error naming
``[table] key`` and the type expected. The expected types come from one place per table:
the connector's ``read`` signature for ``[input]``, the fields of
:class:`touchcredit.connectors.Cleaning` and :class:`touchcredit.ColumnMap` for
``[cleaning]`` and ``[columns]``, and the declarations of :mod:`touchcredit.cli.pipeline`
for the others. Where an annotation names something TOML cannot spell (a catalog, a frame),
the value is left to the receiver's own check.
"""

from __future__ import annotations

import collections.abc
import difflib
import inspect
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from touchcredit.cli.common import UsageError

__all__ = ["check_table", "check_value", "describe", "field_hints", "signature_hints"]

_NAMES = {str: "text", bool: "true or false", int: "an integer", float: "a number"}


def describe(hint: Any) -> str:
    """The TOML type ``hint`` asks for, in words.

    Examples
    --------
    >>> from typing import Literal, Sequence
    >>> describe(str | Sequence[str])
    'text or a list of text'
    >>> describe(Literal["report", "raise"])
    "one of 'report', 'raise'"
    """
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(hint))
    if origin in (typing.Union, types.UnionType):
        parts = [describe(a) for a in typing.get_args(hint) if a is not type(None)]
        return " or ".join(dict.fromkeys(parts))
    if origin is not None and _is_sequence(origin):
        (item, *_) = typing.get_args(hint) or (Any,)
        return "a list" if item is Any else f"a list of {describe(item)}"
    if (origin is not None and _is_mapping(origin)) or hint in (dict, Mapping):
        return "a table"
    if hint in _NAMES:
        return _NAMES[hint]
    return getattr(hint, "__name__", str(hint))


def _is_sequence(origin: Any) -> bool:
    return origin in (list, tuple, collections.abc.Sequence, collections.abc.Iterable)


def _is_mapping(origin: Any) -> bool:
    return origin in (dict, collections.abc.Mapping)


def check_value(value: Any, hint: Any) -> bool:
    """Whether a TOML ``value`` fits ``hint`` (unknown or non-TOML types are let through).

    A text is not a list of text here: ``models = "linear"`` is refused where a list is
    expected, rather than read letter by letter.

    Examples
    --------
    >>> from typing import Sequence
    >>> check_value(["a"], Sequence[str]), check_value("a", Sequence[str])
    (True, False)
    >>> check_value(True, int), check_value(3, float)
    (False, True)
    """
    if hint is Any or hint is object:
        return True
    origin = typing.get_origin(hint)
    if origin is typing.Literal:
        return any(type(value) is type(a) and value == a for a in typing.get_args(hint))
    if origin in (typing.Union, types.UnionType):
        return any(check_value(value, a) for a in typing.get_args(hint))
    if origin is not None and _is_sequence(origin):
        (item, *_) = typing.get_args(hint) or (Any,)
        return isinstance(value, list) and all(check_value(v, item) for v in value)
    if (origin is not None and _is_mapping(origin)) or hint in (dict, Mapping):
        return isinstance(value, dict)
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    # TOML has no null; a class TOML cannot spell (timedelta, tzinfo, a catalog): its
    # receiver judges the value
    return hint is not type(None)


def _toml_type(value: Any) -> str:
    kinds = ((bool, "true/false"), (int, "an integer"), (float, "a number"), (str, "text"))
    for kind, name in (*kinds, (list, "a list"), (dict, "a table")):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _evaluate(annotation: Any, namespace: Mapping[str, Any]) -> Any:
    """An annotation written as text (``from __future__ import annotations``) as a type."""
    if not isinstance(annotation, str):
        return annotation
    holder = types.SimpleNamespace(__annotations__={"value": annotation})
    try:
        return typing.get_type_hints(holder, globalns=dict(namespace))["value"]
    except Exception:  # a name imported only for type checkers: let the receiver judge
        return Any


def signature_hints(fn: Callable[..., Any], skip: Iterable[str] = ()) -> dict[str, Any]:
    """The keyword parameters of ``fn`` with their evaluated annotations (Any when unknown)."""
    namespace = vars(sys.modules[fn.__module__])
    params = inspect.signature(fn).parameters
    return {
        name: _evaluate(p.annotation, namespace) if p.annotation is not p.empty else Any
        for name, p in params.items()
        if name not in skip and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    }


def field_hints(cls: type) -> dict[str, Any]:
    """The init fields of an attrs class with their evaluated annotations.

    A field with a converter takes more than its annotation says (the annotation is the
    converted form): its receiver judges it, as for :data:`typing.Any`.
    """
    import attrs

    namespace = vars(sys.modules[cls.__module__])
    fields = [f for f in attrs.fields(cls) if f.init]
    return {
        f.alias or f.name: Any if f.converter is not None else _evaluate(f.type, namespace)
        for f in fields
    }


def check_table(table: Any, hints: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check one TOML table against its keys and their types; return it as a dict.

    Parameters
    ----------
    table : Any
        The table's value as TOML read it (must be a table).
    hints : mapping of str to type
        Every key the table may hold, with the type of its value.
    where : str
        The file and table, e.g. ``"p.toml [spend]"``, prefixed to every message.

    Raises
    ------
    touchcredit.cli.common.UsageError
        On an unknown key (with the closest known one) or a value of the wrong type.

    Examples
    --------
    >>> check_table({"currencey": "EUR"}, {"path": str, "currency": str}, "p.toml [spend]")
    Traceback (most recent call last):
    ...
    touchcredit.cli.common.UsageError: p.toml [spend]: unknown key(s) 'currencey' (did you mean ...
    >>> check_table({"path": 3}, {"path": str}, "p.toml [spend]")
    Traceback (most recent call last):
    ...
    touchcredit.cli.common.UsageError: p.toml [spend] path: expected text, got 3 (an integer)
    """
    if not isinstance(table, dict):
        raise UsageError(
            f"{where}: expected a table ([name] followed by key = value lines), "
            f"got {table!r} ({_toml_type(table)})"
        )
    unknown = [k for k in table if k not in hints]
    if unknown:
        close = [m for k in unknown for m in difflib.get_close_matches(k, list(hints), n=1)]
        hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
        raise UsageError(
            f"{where}: unknown key(s) {', '.join(map(repr, unknown))}{hint}; "
            f"expected: {', '.join(hints)}"
        )
    for key, value in table.items():
        if not check_value(value, hints[key]):
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            raise UsageError(
                f"{where} {key}: expected {describe(hints[key])}, got {shown} ({_toml_type(value)})"
            )
    return dict(table)
