"""The shapes ``Attribution.calibrate`` reads experiments from, and the errors on bad ones.

Every shape (dict of columns, dict of single values, list of records, pandas, polars,
pyarrow) gives the same numbers; a missing bound is a bound not given; text is not a
number; near misses of the known columns stop with a "did you mean".
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.attribution.calibration import Calibration

from .test_calibration import data

pd = pytest.importorskip("pandas")
pl = pytest.importorskip("polars")
pa = pytest.importorskip("pyarrow")

# linear credit on data(): a 6, b 3, c 1; total 12
AS_DICT = {"channel": ["a", "b"], "incremental": [3.0, 1.5], "lower": [2.0, None]}
AS_RECORDS = [
    {"channel": "a", "incremental": 3.0, "lower": 2.0},
    {"channel": "b", "incremental": 1.5},  # no lower: not given
]


def calibrate(experiments: Any, **options: Any) -> Calibration:
    return tc.attribute(data(), "linear").calibrate(experiments, **options)


def same(x: Calibration, y: Calibration) -> None:
    for name in ("calibrated", "lower", "upper", "tested", "factor"):
        np.testing.assert_array_equal(getattr(x, name), getattr(y, name), err_msg=name)
    assert (x.baseline, x.channels) == (y.baseline, y.channels)
    np.testing.assert_array_equal(
        [x.pooled_factor, x.pooled_lower, x.pooled_upper],
        [y.pooled_factor, y.pooled_lower, y.pooled_upper],
    )


@pytest.mark.parametrize(
    "experiments",
    [
        pytest.param(AS_RECORDS, id="records"),
        pytest.param(tuple(AS_RECORDS), id="tuple-of-records"),
        pytest.param(pd.DataFrame(AS_DICT), id="pandas-NaN"),
        pytest.param(
            pd.DataFrame(AS_DICT).astype({"incremental": "Float64", "lower": "Float64"}),
            id="pandas-NA",
        ),
        pytest.param(pl.DataFrame(AS_DICT), id="polars-null"),
        pytest.param(pl.LazyFrame(AS_DICT), id="polars-lazy"),
        pytest.param(pa.table(AS_DICT), id="pyarrow"),
        pytest.param(
            {
                "channel": np.array(["a", "b"]),
                "incremental": np.array([3, 1.5]),
                "lower": [2, float("nan")],
            },
            id="numpy",
        ),
    ],
)
def test_every_shape_gives_the_same_calibration(experiments: Any) -> None:
    want = calibrate(AS_DICT, untested="pooled")
    # pooled over a, b: 4.5 / 9 = 0.5; lower (2 + 1.5) / 9; upper not given
    assert want.to_dict() == pytest.approx({"a": 3.0, "b": 1.5, "c": 0.5})
    assert want.pooled_lower == pytest.approx(3.5 / 9) and math.isnan(want.pooled_upper)
    same(calibrate(experiments, untested="pooled"), want)


def test_a_missing_bound_in_a_pandas_frame_is_not_given() -> None:
    # the audit's case: None in a float column becomes NaN in pandas
    frame = pd.DataFrame(
        {
            "channel": ["a", "b"],
            "incremental": [0.9, 1.0],
            "lower": [0.6, None],
            "upper": [1.2, None],
        }
    )
    cal = calibrate(frame)
    assert (cal.lower[:2].tolist()[0], cal.upper[0]) == (0.6, 1.2)
    assert math.isnan(cal.lower[1]) and math.isnan(cal.upper[1])


def test_one_experiment_as_single_values() -> None:
    one = calibrate({"channel": "b", "incremental": 1, "upper": 2.0})
    same(one, calibrate({"channel": ["b"], "incremental": [1.0], "upper": [2.0]}))
    assert one.to_dict() == pytest.approx({"a": 6.0, "b": 1.0, "c": 1.0})


def test_numbers_of_every_kind_are_numbers() -> None:
    cal = calibrate({"channel": ["a", "b"], "incremental": [np.int64(3), Decimal("1.5")]})
    assert cal.calibrated[:2].tolist() == [3.0, 1.5]


def test_no_experiments_keep_the_credit() -> None:
    assert calibrate([]).to_dict() == pytest.approx({"a": 6.0, "b": 3.0, "c": 1.0})
    empty = calibrate({"channel": [], "incremental": []}, untested="pooled")
    assert math.isnan(empty.pooled_factor) and empty.baseline == pytest.approx(2.0)


def test_other_columns_are_ignored_as_in_every_frame_input() -> None:
    extra = {**AS_DICT, "notes": ["geo holdout", "lift study"], "channel_group": ["x", "y"]}
    same(calibrate(extra), calibrate(AS_DICT))
    same(calibrate(pd.DataFrame(extra)), calibrate(AS_DICT))


@pytest.mark.parametrize(
    ("column", "meant"),
    [
        ("low", "lower"),
        ("high", "upper"),
        ("lower_bound", "lower"),
        ("upper_bound", "upper"),
        ("ci_low", "lower"),
        ("CI high", "upper"),
        ("Lower", "lower"),
        ("uper", "upper"),
        ("lcl", "lower"),
    ],
)
def test_a_near_miss_of_a_bound_is_refused(column: str, meant: str) -> None:
    rows = {"channel": ["a"], "incremental": [3.0], column: [2.0]}
    message = rf"experiments: unknown column\(s\) '{column}'; did you mean '{column}' -> '{meant}'"
    with pytest.raises(ValueError, match=message):
        calibrate(rows)
    with pytest.raises(ValueError, match=message):
        calibrate(pl.DataFrame(rows))
    with pytest.raises(ValueError, match=message):
        calibrate([{"channel": "a", "incremental": 3.0, column: 2.0}])


def test_a_near_miss_of_a_present_column_is_just_another_column() -> None:
    # "lower" is there: "ci_low" next to it is not a misspelling of it
    rows = {"channel": ["a"], "incremental": [3.0], "lower": [2.0], "ci_low": [1.0]}
    assert calibrate(rows).lower[0] == 2.0


@pytest.mark.parametrize(
    ("experiments", "error", "message"),
    [
        (
            {"channel": ["a", "b"], "incremental": [1.0]},
            ValueError,
            r"one value per experiment, but 'channel' has 2, 'incremental' has 1 values",
        ),
        (
            {"channel": "a", "incremental": [1.0]},
            TypeError,
            r"'channel' is a single value but 'incremental' a list",
        ),
        (
            [{"channel": "a", "incremental": 1.0}, {"channel": "b"}],
            ValueError,
            r"record 2 has no 'incremental' \(every record needs 'channel', 'incremental'",
        ),
        (
            [{"channel": "a", "incremental": 1.0}, ("b", 1.0)],
            TypeError,
            r"must hold records .*; item 2 is a tuple",
        ),
        (
            [{"channel": "a", "value": 1.0}],
            ValueError,
            r"missing column\(s\) 'incremental'.*found 'channel', 'value'",
        ),
        (
            {"Channel": ["a"], "Incremental conversions": [1.0]},
            ValueError,
            r"missing column\(s\) 'channel', 'incremental'.*did you mean 'Channel' -> "
            r"'channel', 'Incremental conversions' -> 'incremental'\?",
        ),
        (
            {"channel": ["a"], "incremental": ["1"]},
            ValueError,
            r"'incremental' must be a number, got text '1' \(row 1\)",
        ),
        (
            {"channel": ["a", "b"], "incremental": [3.0, 1.0], "upper": [4.0, "2"]},
            ValueError,
            r"'upper' must be a number, got text '2' \(row 2\)",
        ),
        (
            {"channel": ["a"], "incremental": [True]},
            ValueError,
            r"'incremental' must be a number, got True \(row 1\)",
        ),
        (
            {"channel": ["a", "b"], "incremental": [1.0, float("nan")]},
            ValueError,
            r"'incremental' is empty \(row 2\)",
        ),
        (
            {"channel": ["a", None], "incremental": [1.0, 1.0]},
            ValueError,
            r"'channel' is empty \(row 2\)",
        ),
        (
            {"channel": ["a"], "incremental": [float("inf")]},
            ValueError,
            r"'incremental' must be finite and >= 0, got inf \(row 1\)",
        ),
        (
            {"channel": ["a"], "incremental": [1.0], "lower": [-1.0]},
            ValueError,
            r"'lower' must be finite and >= 0, got -1.0 \(row 1\)",
        ),
    ],
)
def test_bad_shapes_and_values_are_named(experiments: Any, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        calibrate(experiments)


def test_frames_name_the_row_of_a_bad_value() -> None:
    frame = pd.DataFrame({"channel": ["a", "b"], "incremental": [1.0, np.nan]})
    with pytest.raises(ValueError, match=r"'incremental' is empty \(row 2\)"):
        calibrate(frame)
    text = pd.DataFrame({"channel": ["a", "b"], "incremental": ["1", "2"]})
    with pytest.raises(ValueError, match=r"got text '1' \(row 1\)"):
        calibrate(text)
    with pytest.raises(TypeError, match="experiments: expected a pandas DataFrame"):
        calibrate(42)


def test_to_dict_has_the_not_recorded_channel_only_when_the_journeys_have_it() -> None:
    assert None not in calibrate(AS_DICT).to_dict()
    js = tc.JourneySet.from_arrays(
        journey_id=[1, 1, 2],
        timestamp=[0, 1, 0],
        channel=["a", None, "a"],
        conversion_journey_id=[1, 2],
        conversion_time=[1, 0],
        unit="s",
    )
    cal = tc.attribute(js, "linear").calibrate({"channel": ["a"], "incremental": [1.0]})
    # linear: a 1.5, not recorded 0.5; a measured 1 -> baseline 2 - 1.5 = 0.5
    assert cal.to_dict() == pytest.approx({"a": 1.0, None: 0.5})
    assert cal.baseline == pytest.approx(0.5)
