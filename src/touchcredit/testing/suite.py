"""The model conformance suite: every rule of the contract, together or one by one.

:func:`check_model` runs every rule on seeded random journey sets and raises the first
break; :func:`model_checks` gives each rule as a separate callable, for a test
parametrized over them (as scikit-learn's ``parametrize_with_checks``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel
from touchcredit.testing.checks import (
    check_clone_round_trip,
    check_declared_parameters,
    check_exclusions,
    check_fit_contract,
    check_fit_then_weigh_other,
    check_parameters_unchanged,
    check_row_order,
    check_weights_and_accounting,
)
from touchcredit.testing.journeys import random_journeys

__all__ = ["ModelCheck", "check_model", "model_checks"]


@attrs.frozen
class ModelCheck:
    """One rule of the contract, bound to a model: call it to check (raises on a break).

    ``name`` is the rule's function name (``check_clone_round_trip``, ...), so a test
    parametrized over :func:`model_checks` reports each rule on its own, as
    scikit-learn's ``parametrize_with_checks`` does.
    """

    name: str
    run: Callable[[], None]

    def __call__(self) -> None:
        self.run()


def model_checks(
    model: AttributionModel, *, seeds: int = 5, rtol: float = 1e-9
) -> list[ModelCheck]:
    """Every rule of the contract for ``model``, each a separate :class:`ModelCheck`.

    Parametrize a test over them to see each rule pass or fail on its own::

        @pytest.mark.parametrize("check", model_checks(MyModel()), ids=lambda c: c.name)
        def test_my_model(check):
            check()

    Parameters
    ----------
    model : AttributionModel
        An instance of the model class to check.
    seeds : int
        Number of random journey sets per rule.
    rtol : float
        Relative tolerance of the value accounting.

    Examples
    --------
    >>> from touchcredit.models import get
    >>> [c.name for c in model_checks(get("linear"))][:3]
    ['check_declared_parameters', 'check_clone_round_trip', 'check_fit_contract']
    >>> for check in model_checks(get("linear"), seeds=1):
    ...     check()
    """
    sets = [random_journeys(seed) for seed in range(seeds)]
    unique = [random_journeys(seed, unique_times=True) for seed in range(seeds)]

    def on_each(rule: Callable[..., None], *args: Any) -> Callable[[], None]:
        def run() -> None:
            for seed in range(seeds):
                rule(model, *(arg(seed) for arg in args))

        return run

    def accounting() -> None:
        for js, where in _named(sets, unique):
            check_weights_and_accounting(model, js, where, rtol)

    return [
        ModelCheck("check_declared_parameters", lambda: check_declared_parameters(model)),
        ModelCheck("check_clone_round_trip", lambda: check_clone_round_trip(model)),
        ModelCheck("check_fit_contract", lambda: check_fit_contract(model, random_journeys(0))),
        ModelCheck("check_weights_and_accounting", accounting),
        ModelCheck(
            "check_parameters_unchanged",
            on_each(check_parameters_unchanged, lambda seed: sets[seed]),
        ),
        ModelCheck(
            "check_fit_then_weigh_other",
            on_each(
                check_fit_then_weigh_other,
                lambda seed: sets[seed],
                lambda seed: random_journeys(seed + 100),
            ),
        ),
        ModelCheck("check_exclusions", on_each(check_exclusions, lambda seed: sets[seed])),
        ModelCheck(
            "check_row_order",
            on_each(check_row_order, lambda seed: unique[seed], lambda seed: seed),
        ),
    ]


def _named(sets: list[JourneySet], unique: list[JourneySet]) -> list[tuple[JourneySet, str]]:
    out = []
    for seed, (js, js_unique) in enumerate(zip(sets, unique, strict=True)):
        out.append((js, f"random_journeys({seed}, unique_times=False)"))
        out.append((js_unique, f"random_journeys({seed}, unique_times=True)"))
    return out


def check_model(model: AttributionModel, *, seeds: int = 5, rtol: float = 1e-9) -> None:
    """Check that ``model`` keeps the attribution contract; raise AssertionError if not.

    Runs every rule of :func:`model_checks` in turn, on ``seeds`` seeded random journey
    sets (see :func:`random_journeys`):

    - its parameters are declared, frozen attrs fields, the shared ``lookback`` and
      ``exclude_*`` among them (:func:`check_declared_parameters`);
    - ``clone()`` keeps every parameter (a converter gives back what it is given);
    - a data-driven model is not fitted before ``fit`` (``weights`` raises
      :class:`~touchcredit.models.NotFittedError`), ``fit`` returns ``self`` and
      the fitted model counts as fitted (so :func:`~touchcredit.attribute` does not
      refit it);
    - one weight per pair; weights finite and >= 0, summing to 1 per conversion;
    - credit + unattributed = total conversion value (relative ``rtol``);
    - ``fit`` and ``weights`` change no parameter (compared with a deep copy, so a
      list or dict parameter mutated in place is seen);
    - a model fitted on one journey set weighs another;
    - ``exclude_channels`` is honoured: an excluded channel gets no credit except
      where a conversion has no other touch;
    - the credit of every touch does not depend on the input row order;
    - the journeys are not mutated, and the same input gives the same output.

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
    for check in model_checks(model, seeds=seeds, rtol=rtol):
        check()
