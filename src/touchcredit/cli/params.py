"""Any model's parameters from the command line and from pipeline files.

A model's parameters are its declared attrs fields, each with a converter that reads
numbers, durations (``"14d"``), booleans and lists (:mod:`touchcredit.models.parameters`).
So one generic path serves every model, a user's model from an entry point included:
``--param NAME=VALUE`` (repeatable) and a pipeline ``[attribution.params.<model>]`` table
give values; :func:`model_with` checks the names against the model's fields and hands
each value to its converter, naming the flag or the table in any error.

A ``--param`` value is read as a TOML value when it is one (``0.6``, ``2``, ``true``,
``["direct", "email"]``, ``"quoted text"``) and as text otherwise (``14d``, ``direct``),
so it arrives as the same value a pipeline file gives.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from typing import Any

from touchcredit.cli.common import UsageError

__all__ = ["model_with", "parameters", "parse_assignment", "parse_value"]


def parse_value(text: str) -> Any:
    """A ``--param`` value: the TOML value it spells, else the text itself.

    Examples
    --------
    >>> parse_value("0.6"), parse_value("2"), parse_value("true"), parse_value("14d")
    (0.6, 2, True, '14d')
    >>> parse_value('["direct", "email"]')
    ['direct', 'email']
    """
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def parse_assignment(text: str, flag: str = "--param") -> tuple[str, Any]:
    """``NAME=VALUE`` as ``(name, value)``; the error names the flag.

    Examples
    --------
    >>> parse_assignment("half_life=14d")
    ('half_life', '14d')
    >>> parse_assignment("first")
    Traceback (most recent call last):
    ...
    touchcredit.cli.common.UsageError: --param 'first': expected NAME=VALUE, e.g. --param first=0.6
    """
    name, sep, value = text.partition("=")
    name = name.strip()
    if not sep or not name.isidentifier():
        raise UsageError(f"{flag} {text!r}: expected NAME=VALUE, e.g. {flag} first=0.6")
    return name, parse_value(value.strip())


def parameters(model_class: type) -> dict[str, Any]:
    """Every declared parameter of ``model_class`` with its default (``...`` when none).

    Examples
    --------
    >>> from touchcredit.models import UShapedModel
    >>> parameters(UShapedModel)["first"]
    0.4
    """
    from touchcredit.models.parameters import default_of, parameter_fields, parameter_name

    return {parameter_name(f): default_of(f) for f in parameter_fields(model_class)}


def model_with(
    name: str,
    params: Iterable[tuple[str, Any]] | Mapping[str, Any],
    where: str,
    *,
    keyed: bool = True,
) -> Any:
    """The registered model ``name`` with ``params`` read by its fields' converters.

    Parameters
    ----------
    name : str
        A registry name (``touchcredit models`` lists them).
    params : mapping or iterable of (name, value)
        Parameter values as typed (text, numbers, lists); a later value of the same
        name wins.
    where : str
        What gave the values (``"--param"``, ``"p.toml [attribution.params.position]"``),
        prefixed to every error.
    keyed : bool
        Follow ``where`` with the parameter's name in an unknown-parameter error (not
        for a flag that is itself the name, such as ``--half-life``).

    Raises
    ------
    touchcredit.cli.common.UsageError
        For an unknown model or parameter (listing the model's parameters, with the
        closest one) or a value its converter refuses.

    Examples
    --------
    >>> model_with("position", [("first", 0.6), ("last", 0.2)], "--param")
    UShapedModel(first=0.6, last=0.2)
    >>> model_with("position", {"frist": 0.6}, "--param")
    Traceback (most recent call last):
    ...
    touchcredit.cli.common.UsageError: --param frist: model 'position' has no parameter 'frist' \
(did you mean 'first'?); its parameters: lookback, exclude_channels, exclude_sources, first, last
    """
    from touchcredit import models

    try:
        model_class = type(models.get(name))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    known = list(parameters(model_class))
    given = dict(params.items() if isinstance(params, Mapping) else params)
    for key in given:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise UsageError(
                f"{where}{f' {key}' if keyed else ''}: model {name!r} has no parameter "
                f"{key!r}{hint}; its parameters: {', '.join(known)}"
            )
    try:
        return models.get(name, **given)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{where}: model {name!r}: {exc}") from None
