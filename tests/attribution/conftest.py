"""The small JourneySet most attribution tests share, with its hand-checkable layout."""

from __future__ import annotations

import pytest

from touchcredit import JourneySet

DAY = 86_400


@pytest.fixture
def js() -> JourneySet:
    # journey a: seo(d1) email(d2) direct(d3) -> 100 at d4; touch seo(d9) after it
    # journey b: ads(d1), converts 50 at d20 (outside a 7-day lookback)
    # journey c: conversion of 30 with no touch at all
    return JourneySet.from_arrays(
        journey_id=["a", "a", "a", "a", "b", "x"],
        timestamp=[DAY, 2 * DAY, 3 * DAY, 9 * DAY, DAY, DAY],
        channel=["seo", "email", "direct", "seo", "ads", None],
        source=["google", "news", None, "google", "fb", "fb"],
        conversion_journey_id=["a", "b", "c"],
        conversion_time=[4 * DAY, 20 * DAY, 4 * DAY],
        conversion_value=[100.0, 50.0, 30.0],
        unit="s",
    )
