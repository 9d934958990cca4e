"""Testing helpers for attribution models, for this package and for yours.

:func:`check_model` runs a model on seeded random journey sets (plain numpy, no
hypothesis needed) and raises ``AssertionError`` naming the first rule it broke;
:func:`model_checks` gives the rules one by one, for a parametrized test.
:func:`random_journeys`, :func:`random_paths` and :func:`journeys_from_paths` build
journey sets for your own tests; :func:`isolated_registry` keeps models registered by
a test from leaking into the next one.
"""

from touchcredit.models.base import isolated_registry
from touchcredit.testing.journeys import journeys_from_paths, random_journeys, random_paths
from touchcredit.testing.suite import ModelCheck, check_model, model_checks

__all__ = [
    "ModelCheck",
    "check_model",
    "isolated_registry",
    "journeys_from_paths",
    "model_checks",
    "random_journeys",
    "random_paths",
]
