"""Medium and source / medium touch labels from the cleaning path."""

from __future__ import annotations

import touchcredit as tc
from touchcredit.hygiene.clean import clean


def test_google_cpc_and_google_organic_stay_apart() -> None:
    table = {
        "person": ["a", "a", "b", "c"],
        "ts": ["2024-03-01", "2024-03-02", "2024-03-01", "2024-03-01"],
        "source": ["google", "Google", "newsletter", None],
        "medium": ["CPC", "organic", "email", None],
    }
    conv = {"person": ["a", "b"], "at": ["2024-03-05", "2024-03-05"], "amount": [100.0, 40.0]}
    js, _ = clean(table, journey="person", timestamp="ts", source="source", medium="medium",
                  channel=None, conversions=conv, conversion_time="at",
                  conversion_value="amount")  # fmt: skip
    # a paid click on Google is a Google Ads touch (the catalog's paid counterpart), the
    # organic one stays Google
    assert sorted(js.source.labels().tolist(), key=lambda v: (v is None, str(v))) == [
        "Google", "Google Ads", "newsletter", None]  # fmt: skip
    pairs = tc.attribute(js, "linear").by("source / medium").to_dict()
    assert pairs == {"Google Ads / cpc": 50.0, "Google / organic": 50.0,
                     "(direct) / (none)": 0.0, "newsletter / email": 40.0}  # fmt: skip
    assert tc.attribute(js, "first_touch").by("medium").to_dict() == {
        "cpc": 100.0, "email": 40.0, "organic": 0.0, None: 0.0,
    }  # fmt: skip
