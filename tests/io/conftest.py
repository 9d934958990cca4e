"""Data shared by the out-of-core (chunked and Spark) tests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

DAY = 86_400
T0 = np.datetime64("2026-01-05T00:00:00", "us")


@pytest.fixture(scope="session")
def unreachable_markov() -> dict[str, Any]:
    """Journeys whose Markov channel totals no per-conversion split reaches: one-touch
    journeys convert at 0.9, longer ones at 0.1, so the chain's removal effects cannot be
    met conversion by conversion. Touches sorted by journey, text ids with leading zeros,
    unrecorded channels, microsecond times; ``c*`` keys are the conversions."""
    rng = np.random.default_rng(23)
    n = 400
    lengths = rng.integers(1, 4, n)
    jid = np.repeat(np.arange(n), lengths)
    channel = np.array(["alpha", "beta", "gamma", "mi"], dtype=object)[
        rng.choice(4, jid.size, p=[0.45, 0.3, 0.15, 0.1])
    ]
    channel[rng.random(jid.size) < 0.03] = None
    conv = np.flatnonzero(rng.random(n) < np.where(lengths == 1, 0.9, 0.1))
    ids = np.array([f"{i:06d}" for i in range(n)], dtype=object)
    return {
        "row": np.arange(jid.size),
        "journey_id": ids[jid],
        "timestamp": T0 + rng.integers(0, 30 * DAY * 10**6, jid.size).astype("timedelta64[us]"),
        "channel": channel,
        "cjid": ids[conv],
        "ctime": np.full(conv.size, T0 + np.timedelta64(40 * DAY, "s")),
        "value": np.round(rng.gamma(2.0, 40.0, conv.size), 2),
        "source": np.array(["s1", "s2"], dtype=object)[rng.integers(0, 2, jid.size)],
    }
