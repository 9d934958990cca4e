"""The removal-effect solver: work bounds and resource guards (issue 14, items 7 and 8)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from touchcredit.models import MarkovModel, absorption
from touchcredit.testing import journeys_from_paths


def _paths(n_channels: int, n_journeys: int, seed: int = 0) -> list[tuple[list[str], int]]:
    rng = np.random.default_rng(seed)
    names = [f"c{k}" for k in range(n_channels)]
    return [
        ([names[i] for i in rng.integers(0, n_channels, int(rng.integers(1, 7)))],
         int(rng.random() < 0.3))
        for _ in range(n_journeys)
    ]  # fmt: skip


def test_bot_journey_does_not_slow_the_order_2_iteration(monkeypatch: pytest.MonkeyPatch) -> None:
    # before: one non-converting journey alternating two channels made the Jacobi
    # steps converge at its escape probability (10k touches: 76 s; 1M: never)
    pytest.importorskip("scipy")
    paths = _paths(14, 3000)
    bot = (["c0", "c1"] * 10_000, 0)
    plain = journeys_from_paths(paths)
    with_bot = journeys_from_paths([*paths, bot])
    exact = MarkovModel(order=2).fit(with_bot)  # dense: the reference numbers
    assert exact.solution_.method == "dense"
    monkeypatch.setattr(absorption, "DENSE_LIMIT", 0)
    monkeypatch.setattr(absorption, "ITERATION_COST", 0.0)  # iterate whenever it fits
    monkeypatch.setattr(absorption, "MEMORY_LIMIT", 10**12)
    base = MarkovModel(order=2).fit(plain).solution_
    got = MarkovModel(order=2).fit(with_bot)
    sol = got.solution_
    assert sol.method == "iterated" and base.method == "iterated"
    # the work: about the steps of the chain without the bot, not ~ 1 / escape probability
    assert sol.steps <= 2 * base.steps + 64, (sol.steps, base.steps)
    assert 2 <= sol.trap <= 16
    for k, v in exact.removal_effects_.items():
        assert got.removal_effects_[k] == pytest.approx(v, rel=1e-9, abs=1e-13)
    assert got.conversion_probability_ == pytest.approx(exact.conversion_probability_, rel=1e-12)


def test_too_large_a_chain_is_refused_before_allocating(monkeypatch: pytest.MonkeyPatch) -> None:
    # before: 200k channels ran into a raw MemoryError after 7.6 GB
    monkeypatch.setattr(absorption, "MEMORY_LIMIT", 1_000_000)
    js = journeys_from_paths(_paths(400, 2000))
    with pytest.raises(
        ValueError,
        match=r"400 states and 400 channels: .*need 3\.8 MB .*MEMORY_LIMIT, is 1\.0 MB.*merge rare",
    ):
        MarkovModel().fit(js)


def test_iteration_without_scipy_names_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(absorption, "DENSE_LIMIT", 0)
    monkeypatch.setattr(absorption, "ITERATION_COST", 0.0)  # iterate whenever it fits
    monkeypatch.setitem(sys.modules, "scipy", None)  # import scipy now fails
    js = journeys_from_paths(_paths(70, 3000))
    with pytest.raises(ValueError, match="70 channels by iteration need scipy.*limit is 64"):
        MarkovModel(order=2).fit(js)


def test_many_channels_choose_the_dense_method() -> None:
    # before: order 1 over 5,000 channels (60k transitions) iterated 5,001 reduced chains
    # (564 s); the dense inverse does it in seconds to tens of seconds
    assert absorption._plan(5000, 5000, 60_000) == "dense"
    assert absorption._plan(4000, 4000, 60_924) == "dense"
    # a long order-2 chain over few channels still iterates (5,001 states, 60 channels)
    assert absorption._plan(5001, 60, 120_000) == "iterated"


def test_too_much_work_is_refused_at_once_naming_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(absorption, "DENSE_LIMIT", 100)
    monkeypatch.setattr(absorption, "WORK_LIMIT", 1e6)
    js = journeys_from_paths(_paths(400, 2000))
    with pytest.raises(
        ValueError,
        match=r"400 states and 400 channels: .*about 1\.3e\+08 operations \(dense\).*"
        r"WORK_LIMIT = 1\.0e\+06.*merge rare",
    ):
        MarkovModel().fit(js)
    # at the default limit, order 1 over 8,000 channels is refused before solving
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"8,000 states and 8,000 channels.*WORK_LIMIT"):
        absorption._plan(8000, 8000, 60_000)


def test_value_and_count_chains_share_one_inverse() -> None:
    rng = np.random.default_rng(3)
    paths = _paths(30, 800)
    n_conv = sum(n for _, n in paths)
    js = journeys_from_paths(paths, conversion_value=rng.uniform(1, 100, n_conv).tolist())
    counts = MarkovModel().count(js)
    count, value = absorption.removal_effects_pair(counts)
    alone = absorption.removal_effects(counts), absorption.removal_effects(counts, by_value=True)
    for got, ref in zip((count, value), alone, strict=True):
        np.testing.assert_allclose(got.removal, ref.removal, rtol=1e-12, atol=1e-15)
        assert got.p_conv == pytest.approx(ref.p_conv, rel=1e-12)
    assert not np.allclose(count.removal, value.removal)
