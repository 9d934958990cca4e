"""The model conformance check: every rule a model must keep, each checked on its own.

Each rule is a function that raises ``AssertionError`` naming the model, the rule and
what was found; :func:`check_model` runs them all on seeded random journey sets.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.attribution.results import attribute
from touchcredit.core.dimension import Dimension
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel, NotFittedError
from touchcredit.testing.journeys import random_journeys, shuffled

__all__ = ["check_model"]

FloatArray = npt.NDArray[np.float64]


class _Broken(AssertionError):
    """A rule the model broke (an AssertionError whose message names the rule)."""

    def __init__(self, model: object, rule: str, detail: str) -> None:
        super().__init__(f"{model!r} breaks the rule {rule!r}: {detail}")


def check_model(model: AttributionModel, *, seeds: int = 5, rtol: float = 1e-9) -> None:
    """Check that ``model`` keeps the attribution contract; raise AssertionError if not.

    On ``seeds`` seeded random journey sets (see :func:`random_journeys`) it checks:

    - ``clone()`` keeps every parameter (the constructor stores its arguments
      unchanged, as scikit-learn requires);
    - a data-driven model is not fitted before ``fit`` (``weights`` raises
      :class:`~touchcredit.models.NotFittedError`), ``fit`` returns ``self`` and
      the fitted model counts as fitted (so :func:`~touchcredit.attribute` does not
      refit it);
    - one weight per pair; weights finite and >= 0, summing to 1 per conversion;
    - credit + unattributed = total conversion value (relative ``rtol``);
    - a model fitted on one journey set weighs another;
    - ``exclude_channels`` is honoured: an excluded channel gets no credit except
      where a conversion has no other touch;
    - the credit of every touch does not depend on the input row order;
    - the inputs (journeys and the model's parameters) are not mutated, and the same
      input gives the same output.

    Parameters
    ----------
    model : AttributionModel
        An instance of the model class to check.
    seeds : int
        Number of random journey sets.
    rtol : float
        Relative tolerance of the value accounting.

    Raises
    ------
    AssertionError
        Naming the model, the rule it broke and what was found.

    Examples
    --------
    >>> from touchcredit.models import get
    >>> check_model(get("linear"))
    """
    params = _params(model)
    check_clone_round_trip(model)
    check_fit_contract(model, random_journeys(0))
    for seed in range(seeds):
        for unique in (False, True):
            js = random_journeys(seed, unique_times=unique)
            where = f"random_journeys({seed}, unique_times={unique})"
            _check_on(model, js, where, rtol)
            if unique:
                check_row_order(model, js, seed)
        check_fit_then_weigh_other(model, random_journeys(seed), random_journeys(seed + 100))
        check_exclusions(model, random_journeys(seed))
    if repr(_params(model)) != repr(params):
        raise _Broken(model, "inputs are not mutated", "check_model changed its parameters")


def _params(model: AttributionModel) -> dict[str, Any]:
    try:
        return model.get_params()
    except AttributeError as exc:
        raise _Broken(
            model,
            "parameters round-trip through clone",
            f"a constructor argument is not stored under its own name ({exc})",
        ) from None


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):  # arrays and the like
        return repr(a) == repr(b)


def check_clone_round_trip(model: AttributionModel) -> None:
    """``model.clone()`` has exactly ``model``'s parameters (nothing changed in __init__)."""
    rule = "parameters round-trip through clone"
    params = _params(model)
    try:
        again = _params(model.clone())
    except (TypeError, ValueError) as exc:
        raise _Broken(model, rule, f"clone() failed: {exc}") from None
    changed = [k for k, v in params.items() if not _same(v, again.get(k))]
    if changed:
        detail = ", ".join(f"{k}={params[k]!r} came back as {again.get(k)!r}" for k in changed)
        raise _Broken(model, rule, f"{detail}; the constructor must store its arguments unchanged")


def check_fit_contract(model: AttributionModel, js: JourneySet) -> None:
    """Not fitted before fit (data-driven), fit returns self, fitted after.

    Fitted after fit means :func:`~touchcredit.attribute` uses the model as it is
    instead of fitting a clone.
    """
    fresh = model.clone()
    if fresh.learns_from_data:
        if fresh.is_fitted:
            raise _Broken(
                model,
                "not fitted before fit",
                "a fresh clone says is_fitted=True (is a "
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
    if not fresh.is_fitted:
        raise _Broken(
            model,
            "fitted after fit",
            "is_fitted is False after fit: fit must set a learned attribute (a name ending in '_')",
        )


def _check_weights(model: AttributionModel, js: JourneySet, where: str) -> FloatArray:
    pairs = model.pairs(js)
    w = np.asarray(model.weights(js))
    rule = "one weight per pair, >= 0, summing to 1"
    if w.shape != (pairs.size,):
        raise _Broken(model, rule, f"{w.shape} weights for {pairs.size} pairs on {where}")
    if not (np.isfinite(w).all() and (w >= 0).all()):
        raise _Broken(model, rule, f"weights not finite and >= 0 on {where}")
    nonempty = pairs.length > 0
    if w.size:
        sums = np.add.reduceat(w, pairs.offsets[:-1][nonempty])
        if not np.allclose(sums, 1.0, rtol=0, atol=1e-9):
            raise _Broken(model, rule, f"weights do not sum to 1 per conversion on {where}")
    return w


def _fitted(model: AttributionModel, js: JourneySet) -> AttributionModel:
    m = model.clone()
    return m.fit(js) if m.learns_from_data else m


def _check_on(model: AttributionModel, js: JourneySet, where: str, rtol: float) -> None:
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
