"""``touchcredit models``: every registered model with its parameters and defaults."""

from __future__ import annotations

import pytest

from touchcredit import cli, models


def test_each_model_with_its_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["models"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines if not line.startswith(" ")]
    assert names == models.available()
    params = {n: lines[2 * i + 1].split("parameters: ")[1] for i, n in enumerate(names)}
    assert params["time_decay"].endswith("half_life=7d")
    assert params["markov"].endswith("order=1, collapse=true, value_credit=chain")
    assert params["position"].startswith("lookback=none, exclude_channels=[], ")
