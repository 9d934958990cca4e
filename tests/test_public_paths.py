"""Import paths that earlier releases pinned keep working after the move to areas."""

from __future__ import annotations

import importlib

import pytest

import touchcredit as tc

PINNED = [
    ("touchcredit", "JourneySet"),
    ("touchcredit", "attribute"),
    ("touchcredit", "compare"),
    ("touchcredit", "clean"),
    ("touchcredit.models", "get"),
    ("touchcredit.models", "available"),
    ("touchcredit.models", "MarkovModel"),
    ("touchcredit.models", "ShapleyModel"),
    ("touchcredit.models", "choose_order"),
    ("touchcredit.models", "check_is_fitted"),
    ("touchcredit.models", "register"),
    ("touchcredit.models", "CountingModel"),
    ("touchcredit.utm", "parse"),
    ("touchcredit.sources", "normalize"),
    ("touchcredit.metrics", "economics"),
    ("touchcredit.metrics", "monthly_report"),
    ("touchcredit.spark", "attribute"),
    ("touchcredit.chunked", "attribute_parquet"),
    ("touchcredit.testing", "check_model"),
]


@pytest.mark.parametrize(("module", "name"), PINNED)
def test_pinned_path_imports(module: str, name: str) -> None:
    assert callable(getattr(importlib.import_module(module), name))


@pytest.mark.parametrize(
    ("alias", "home"),
    [
        ("touchcredit.utm", "touchcredit.hygiene.utm"),
        ("touchcredit.metrics", "touchcredit.kpi.metrics"),
        ("touchcredit.spark", "touchcredit.io.spark"),
        ("touchcredit.chunked", "touchcredit.io.chunked"),
    ],
)
def test_alias_modules_reexport_the_whole_public_api(alias: str, home: str) -> None:
    a, h = importlib.import_module(alias), importlib.import_module(home)
    assert sorted(a.__all__) == sorted(h.__all__)
    for name in h.__all__:
        assert getattr(a, name) is getattr(h, name), name


def test_sources_alias_is_catalog_plus_channels() -> None:
    from touchcredit import sources
    from touchcredit.hygiene import catalog, channels

    assert sorted(sources.__all__) == sorted({*catalog.__all__, *channels.__all__})
    assert sources.normalize is catalog.normalize
    assert sources.channel_groups is channels.channel_groups


def test_minor_units_method_is_still_on_attribution() -> None:
    assert callable(tc.Attribution.to_minor_units)
