"""The rules of the model contract, each a function checking one rule.

Each rule raises ``AssertionError`` naming the model, the rule and what was found;
:func:`touchcredit.testing.check_model` runs them all on seeded random journey sets and
:func:`touchcredit.testing.model_checks` hands them out one by one.
"""

from __future__ import annotations

import copy
from typing import Any

import attrs
import numpy as np

from touchcredit.attribution.checks import check_weights
from touchcredit.attribution.results import attribute
from touchcredit.core.arrays import FloatArray
from touchcredit.core.dimension import Dimension
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel, NotFittedError, parameter_fields
from touchcredit.models.fitted import is_fitted
from touchcredit.testing.journeys import shuffled

__all__ = [
    "check_clone_round_trip",
    "check_declared_parameters",
    "check_exclusions",
    "check_fit_contract",
    "check_fit_then_weigh_other",
    "check_parameters_unchanged",
    "check_row_order",
    "check_weights_and_accounting",
]


class _Broken(AssertionError):
    """A rule the model broke (an AssertionError whose message names the rule)."""

    def __init__(self, model: object, rule: str, detail: str) -> None:
        super().__init__(f"{model!r} breaks the rule {rule!r}: {detail}")


def _params(model: AttributionModel) -> dict[str, Any]:
    try:
        return model.get_params()
    except (AttributeError, TypeError) as exc:
        raise _Broken(model, "parameters are declared", str(exc)) from None


def check_declared_parameters(model: AttributionModel) -> None:
    """The model is an attrs class whose parameters (``lookback``, ``exclude_channels``,
    ``exclude_sources`` and its own) are ``__init__`` arguments, frozen after it."""
    rule = "parameters are declared and frozen"
    if not attrs.has(type(model)):
        raise _Broken(model, rule, "not an attrs class")
    params = _params(model)
    missing = [n for n in ("lookback", "exclude_channels", "exclude_sources") if n not in params]
    if missing:
        raise _Broken(
            model, rule, f"{', '.join(missing)} not accepted by __init__ (keep the base's fields)"
        )
    for field in parameter_fields(type(model)):
        try:
            setattr(model, field.name, getattr(model, field.name))
        except attrs.exceptions.FrozenInstanceError:
            continue
        raise _Broken(
            model, rule, f"setting {field.alias!r} after construction was accepted (not frozen)"
        )


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):  # arrays and the like
        return repr(a) == repr(b)


def check_clone_round_trip(model: AttributionModel) -> None:
    """``model.clone()`` has exactly ``model``'s parameters (no converter changes a value
    it already converted)."""
    rule = "parameters round-trip through clone"
    params = _params(model)
    try:
        again = _params(model.clone())
    except (TypeError, ValueError) as exc:
        raise _Broken(model, rule, f"clone() failed: {exc}") from None
    changed = [k for k, v in params.items() if not _same(v, again.get(k))]
    if changed:
        detail = ", ".join(f"{k}={params[k]!r} came back as {again.get(k)!r}" for k in changed)
        raise _Broken(
            model, rule, f"{detail}; a converter must give back a value it already converted"
        )


def check_fit_contract(model: AttributionModel, js: JourneySet) -> None:
    """Not fitted before fit (data-driven), fit returns self, fitted after.

    Fitted after fit means :func:`~touchcredit.attribute` uses the model as it is
    instead of fitting a clone.
    """
    fresh = model.clone()
    if fresh.learns_from_data:
        if is_fitted(fresh):
            raise _Broken(
                model,
                "not fitted before fit",
                "a fresh clone is fitted (is_fitted(model) is True: is a "
                "learned attribute, a name ending in '_', set in __init__?)",
            )
        try:
            fresh.weights(js)
        except NotFittedError:
            pass
        except Exception as exc:
            raise _Broken(
                model,
                "not fitted before fit",
                f"weights() before fit raised {type(exc).__name__}: {exc} instead of "
                "NotFittedError (call touchcredit.models.check_is_fitted(self) first)",
            ) from None
        else:
            raise _Broken(model, "not fitted before fit", "weights() before fit did not raise")
    out = fresh.fit(js)
    if out is not fresh:
        raise _Broken(model, "fit returns self", f"fit returned {out!r}")
    if not is_fitted(fresh):
        raise _Broken(
            model,
            "fitted after fit",
            "is_fitted(model) is False after fit: fit must set a learned attribute (a name "
            "ending in '_', with self._set_learned)",
        )


def _check_weights(model: AttributionModel, js: JourneySet, where: str) -> FloatArray:
    """The library's own weight validation (:func:`~touchcredit.attribution.checks.check_weights`,
    the one every path runs), reported as the broken rule."""
    pairs = model.pairs(js)
    w = np.asarray(model.weights(js))
    try:
        check_weights(model, js, pairs, w)
    except ValueError as exc:
        raise _Broken(
            model, "one weight per pair, >= 0, summing to 1", f"{exc} (on {where})"
        ) from None
    return w


def _fitted(model: AttributionModel, js: JourneySet) -> AttributionModel:
    m = model.clone()
    return m.fit(js) if m.learns_from_data else m


def check_weights_and_accounting(
    model: AttributionModel, js: JourneySet, where: str, rtol: float = 1e-9
) -> None:
    """Weights, value accounting, determinism and no mutation on one journey set."""
    before = _snapshot(js)
    m = _fitted(model, js)
    _check_weights(m, js, where)
    att = attribute(js, m, fit=False)
    total = js.total_value
    got = float(att.touch_credit.sum()) + att.unattributed.value
    if abs(got - total) > rtol * max(abs(total), 1.0) or (att.touch_credit < 0).any():
        raise _Broken(
            model, "credit + unattributed = total", f"{got!r} for a total {total!r} on {where}"
        )
    again = attribute(js, m, fit=False)
    if not np.array_equal(again.touch_credit, att.touch_credit):
        raise _Broken(model, "same input, same output", f"two runs differ on {where}")
    _check_unchanged(model, js, before, where)


def check_parameters_unchanged(model: AttributionModel, js: JourneySet) -> None:
    """``fit`` and ``weights`` leave every parameter as it was (deep-copied snapshot)."""
    before = copy.deepcopy(_params(model))
    m = model.clone()
    clone_before = copy.deepcopy(_params(m))
    m = m.fit(js) if m.learns_from_data else m
    m.weights(js)
    m.conversion_weights(js)
    for owner, snapshot in ((model, before), (m, clone_before)):
        after = _params(owner)
        changed = [k for k, v in snapshot.items() if not _same(v, after.get(k))]
        if changed:
            detail = ", ".join(f"{k}={snapshot[k]!r} became {after.get(k)!r}" for k in changed)
            raise _Broken(model, "inputs are not mutated", f"parameters changed: {detail}")


def check_fit_then_weigh_other(
    model: AttributionModel, first: JourneySet, other: JourneySet
) -> None:
    """A model fitted on ``first`` weighs ``other`` (unseen labels included)."""
    before = _snapshot(first)
    m = _fitted(model, first)
    _check_unchanged(model, first, before, "the journeys it was fitted on")
    try:
        _check_weights(m, other, "journeys other than those it was fitted on")
    except AssertionError:
        raise
    except Exception as exc:
        raise _Broken(
            model, "fit on one journey set, weigh another", f"{type(exc).__name__}: {exc}"
        ) from None


def check_exclusions(model: AttributionModel, js: JourneySet) -> None:
    """An excluded channel gets credit only where a conversion has no other touch."""
    rule = "exclude_channels is honoured"
    if "exclude_channels" not in _params(model) or not js.channel.categories:
        return
    counts = np.bincount(js.channel.codes[js.channel.codes >= 0])
    label = js.channel.categories[int(np.argmax(counts))]
    m = model.clone(exclude_channels=(label,))
    if tuple(m.exclude_channels) != (label,):
        raise _Broken(
            model,
            rule,
            f"clone(exclude_channels=({label!r},)) has exclude_channels="
            f"{m.exclude_channels!r} (pass it on to AttributionModel.__init__)",
        )
    m = m.fit(js) if m.learns_from_data else m
    w = np.asarray(m.weights(js))
    runs: Pairs = js.pairs(m.lookback)
    pairs = m.pairs(js)
    if w.shape != (pairs.size,):
        hint = (
            "it weighs journeys.pairs(lookback), not self.pairs(journeys), which leaves out "
            "the excluded touches"
            if w.size == runs.size
            else "one weight per pair of self.pairs(journeys) expected"
        )
        raise _Broken(model, rule, f"{w.size} weights for {pairs.size} pairs: {hint}")
    att = attribute(js, m, fit=False)
    excluded = js.channel.codes[att.pairs.touch] == js.channel.code(label)
    credited = excluded & (att.weights > 0)
    others = np.bincount(att.pairs.conversion, weights=~excluded, minlength=js.n_conversions)
    if (others[att.pairs.conversion][credited] > 0).any():
        raise _Broken(model, rule, f"{label!r} touches got credit beside other touches")


def check_row_order(model: AttributionModel, js: JourneySet, seed: int) -> None:
    """Touch credit does not depend on the input row order (``js`` with unique times)."""
    m = _fitted(model, js)
    credit = attribute(js, m, fit=False).touch_credit
    other, new_index = shuffled(js, seed + 1000)
    m2 = _fitted(model, other)
    got = attribute(other, m2, fit=False).touch_credit[new_index]
    if not np.allclose(got, credit, rtol=1e-9, atol=1e-9):
        raise _Broken(
            model,
            "credit does not depend on the input row order",
            f"rows of random_journeys({seed}, unique_times=True) shuffled change the credit",
        )


def _snapshot(js: JourneySet) -> dict[str, Any]:
    """A copy of every field of ``js`` (iterating attrs.fields: new fields are covered)."""
    out: dict[str, Any] = {}
    for field in attrs.fields(JourneySet):
        if not field.init:
            continue
        value = getattr(js, field.name)
        if isinstance(value, Dimension):
            out[field.name] = (value.codes.copy(), value.categories)
        elif isinstance(value, np.ndarray):
            out[field.name] = value.copy()
        else:
            out[field.name] = value
    return out


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, tuple):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, np.ndarray):
        a, b = (x.view(np.int64) if x.dtype.kind == "M" else x for x in (a, b))
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f"))
    return bool(a == b)


def _check_unchanged(
    model: AttributionModel, js: JourneySet, before: dict[str, Any], where: str
) -> None:
    after = _snapshot(js)
    changed = [name for name, value in before.items() if not _equal(value, after[name])]
    if changed:
        raise _Broken(
            model, "inputs are not mutated", f"the journeys' {changed[0]!r} changed on {where}"
        )
