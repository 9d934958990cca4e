"""Any model's parameters from the command line (--param) and pipeline files
([attribution.params.<model>]), read by the model's declared fields."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import numpy as np
import pytest

from touchcredit import cli, models
from touchcredit.cli.common import UsageError
from touchcredit.cli.params import model_with, parameters, parse_assignment, parse_value
from touchcredit.models import AttributionModel, register
from touchcredit.models.parameters import integer


def _files(tmp_path: Path) -> tuple[str, str]:
    touches = tmp_path / "touches.csv"
    touches.write_text(
        "journey_id,timestamp,channel\n"
        "007,2024-01-01T10:00:00,seo\n007,2024-01-02T10:00:00,email\n007,2024-01-03,ads\n"
    )
    conversions = tmp_path / "conversions.csv"
    conversions.write_text("journey_id,conversion_time,conversion_value\n007,2024-01-04,100\n")
    return str(touches), str(conversions)


def _credit(out: str) -> dict[str, float]:
    rows = [line.split() for line in out.splitlines()[2:] if line.strip()]
    return {r[0]: float(r[1]) for r in rows}


def test_param_first_and_last_give_60_20_20(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touches, conversions = _files(tmp_path)
    code = cli.main(["attribute", touches, "--conversions", conversions, "--model", "position",
                     "--param", "first=0.6", "--param", "last=0.2"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert _credit(out) == {"seo": 60.0, "email": 20.0, "ads": 20.0}


@pytest.mark.parametrize(
    ("text", "value"),
    [("0.6", 0.6), ("2", 2), ("true", True), ("14d", "14d"), ("direct", "direct"),
     ('["direct", "email"]', ["direct", "email"]), ('"a b"', "a b")],
)  # fmt: skip
def test_values_are_toml_values_or_text(text: str, value: object) -> None:
    assert parse_value(text) == value
    assert parse_assignment(f"x={text}") == ("x", value)


def test_every_kind_of_parameter_reaches_the_model() -> None:
    m = model_with("time_decay", [parse_assignment("half_life=36h"),
                                  parse_assignment('exclude_channels=["direct","email"]'),
                                  parse_assignment("lookback=30d")], "--param")  # fmt: skip
    assert m.half_life == dt.timedelta(hours=36) and m.lookback == dt.timedelta(days=30)
    assert m.exclude_channels == ("direct", "email")
    markov = model_with("markov", [parse_assignment("order=2"), parse_assignment("collapse=no")],
                        "--param")  # fmt: skip
    assert (markov.order, markov.collapse) == (2, False)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--param", "first"], "--param 'first': expected NAME=VALUE"),
        (["--param", "frist=0.6"], "--param frist: model 'position' has no parameter 'frist' "
                                   "(did you mean 'first'?)"),
        (["--param", "first=1.5"], "--param: model 'position': 'first' must be a share between"),
        (["--param", "first=0.7", "--param", "last=0.7"], "shares must add to at most 1"),
        (["--half-life", "7d"], "--half-life: model 'position' has no parameter 'half_life'"),
    ],
)  # fmt: skip
def test_errors_name_the_flag_and_the_parameter(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    touches, conversions = _files(tmp_path)
    code = cli.main(["attribute", touches, "--conversions", conversions, "--model", "position",
                     *argv])  # fmt: skip
    assert code == 2 and message in capsys.readouterr().err


def test_a_user_model_is_configured_without_code_of_its_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def to_nth(value: object) -> int:
        return integer(value, field="nth", low=1)

    @register(name="_test_nth_touch")
    @attrs.define(frozen=True, kw_only=True)
    class NthTouch(AttributionModel):
        nth: int = attrs.field(default=1, converter=to_nth)

        def weights(self, journeys):  # type: ignore[no-untyped-def]
            p = self.pairs(journeys)
            target = np.minimum(p.length, self.nth) - 1
            return (p.position == target[p.conversion]).astype(float)

    touches, conversions = _files(tmp_path)
    code = cli.main(["attribute", touches, "--conversions", conversions,
                     "--model", "_test_nth_touch", "--param", "nth=2"])  # fmt: skip
    assert code == 0 and _credit(capsys.readouterr().out)["email"] == 100.0
    assert parameters(NthTouch)["nth"] == 1
    assert cli.main(["models"]) == 0
    listing = capsys.readouterr().out
    assert "_test_nth_touch" in listing and "nth=1" in listing


def test_models_lists_parameters_with_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["models"]) == 0
    out = capsys.readouterr().out
    assert "half_life=7d" in out and "first=0.4, last=0.4" in out and "order=1" in out
    assert 'exclude_channels=["direct"]' in out  # last_non_direct's default


def test_pipeline_params_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    touches, conversions = _files(tmp_path)
    spec = tmp_path / "p.toml"
    base = f"""
[input]
connector = "crm"
touches = "{touches}"
conversions = "{conversions}"
[attribution]
models = ["position", "time_decay"]
by = "channel"
half_life = "3d"
[attribution.params.position]
first = 0.6
last = 0.2
[outputs]
directory = "out"
credit = "credit.csv"
"""
    spec.write_text(base)
    assert cli.main(["run", str(spec)]) == 0, capsys.readouterr().err
    credit = (tmp_path / "out" / "credit.csv").read_text()
    assert "position,channel,seo,0.6," in credit and "position,channel,ads,0.2," in credit
    spec.write_text(base.replace("first = 0.6", "frist = 0.6"))
    assert cli.main(["run", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "[attribution.params.position] frist: model 'position' has no parameter 'frist'" in err
    spec.write_text(base.replace("[attribution.params.position]", "[attribution.params.markov]"))
    assert cli.main(["run", str(spec)]) == 2
    assert "'markov' is not among [attribution] models" in capsys.readouterr().err


def test_pipeline_models_get_the_parameters_given() -> None:
    from touchcredit.cli.pipeline import _models

    spec = {"attribution": {"models": ["position", "time_decay", "linear"], "half_life": "3d",
                            "lookback": "30d",
                            "params": {"position": {"first": 0.6, "last": 0.2}}}}  # fmt: skip
    got, _ = _models(spec, "p.toml")
    assert got == [
        models.get("position", first=0.6, last=0.2, lookback="30d"),
        models.get("time_decay", half_life="3d", lookback="30d"),
        models.get("linear", lookback="30d"),
    ]
    with pytest.raises(UsageError, match=r"p.toml \[attribution\] lookback: model 'linear'"):
        _models({"attribution": {"models": ["linear"], "lookback": "soon"}}, "p.toml")
