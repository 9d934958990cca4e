"""Benchmark buying groups: what crediting every contact on a deal costs.

Run: ``python benchmarks/bench_groups.py`` (``--people``, ``--contacts-per-deal``).

A CRM-shaped table: ``--people`` contacts with about eight touches each (text contact
ids, microsecond times, sources), companies of ten people, one deal per five people
(half of them won), each listing ``--contacts-per-deal`` people of its company (a
person can be on several deals). The same table is cleaned three ways:

* ``contact``: each deal credited to its first contact (one journey per person);
* ``deal``: each deal's journey is the touches of every contact on it
  (``clean(groups=Membership(...))``); a person on two deals is in both;
* the group expansion alone (:func:`touchcredit.hygiene.groups.group_journeys`).

Printed: wall time of each, the touches and journeys built, and the memory of the
JourneySet per (touch, group) pair it holds (its arrays' bytes / touches), with the
peak RSS increase of the ``deal`` run over the ``contact`` run.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import touchcredit as tc
from _proc import reset_peak, status_kb
from touchcredit.hygiene.groups import Membership, group_journeys


def make(people: int, per_deal: int, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    n_touch = rng.poisson(8, people) + 1
    person = np.repeat(np.arange(people), n_touch)
    ids = np.array([f"003{i:07d}" for i in range(people)], dtype=object)
    sources = np.array(["google", "linkedin", "newsletter", "webinar", "g2", "direct"], object)
    t0 = 1_704_067_200_000_000  # 2024-01-01 in microseconds
    touches = {
        "contact": ids[person],
        "ts": t0 + rng.integers(0, 300 * 86_400_000_000, person.size),
        "source": sources[rng.integers(0, sources.size, person.size)],
    }
    n_deals = people // 5
    company = rng.integers(0, max(people // 10, 1), n_deals)
    members = (company[:, None] * 10 + rng.integers(0, 10, (n_deals, per_deal))) % people
    deal_ids = np.array([f"006{i:07d}" for i in range(n_deals)], dtype=object)
    deals = {
        "deal": deal_ids,
        "first": ids[members[:, 0]],
        "closed": t0 + rng.integers(200, 330, n_deals) * 86_400_000_000,
        "amount": rng.integers(10, 500, n_deals) * 100.0,
    }
    won = rng.random(n_deals) < 0.5
    deals = {k: v[won] for k, v in deals.items()}
    membership = Membership(
        group=np.repeat(deal_ids, per_deal),
        member=ids[members.reshape(-1)],
        identifier="contact",
        role=np.tile(
            np.array(["Decision Maker", "Influencer", None] * per_deal, object)[:per_deal], n_deals
        ),
    )
    return {"touches": touches, "deals": deals, "membership": membership}


def _nbytes(js: Any) -> int:
    arrays = [js.offsets, js.timestamp, js.touch_row, js.conversion_journey]
    arrays += [js.dimension(d).codes for d in ("source", "channel", "campaign", "method")]
    arrays += [d.codes for d in js.touch_labels.values()]
    return sum(int(a.nbytes) for a in arrays)


def _clean(data: dict[str, Any], *, groups: bool) -> tuple[Any, float, int]:
    deals = dict(data["deals"])
    if not groups:  # the first contact's id, under the touches' identifier name
        deals["contact"] = deals.pop("first")
    gc.collect()
    base = status_kb("VmRSS")
    reset_peak()
    start = time.perf_counter()
    js, _ = tc.clean(
        data["touches"],
        journey="contact",
        timestamp="ts",
        source="source",
        unit="us",
        conversions=deals,
        conversion_journey="deal" if groups else "contact",
        conversion_time="closed",
        conversion_value="amount",
        groups=data["membership"] if groups else None,
    )
    took = time.perf_counter() - start
    return js, took, (status_kb("VmHWM") - base) * 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--contacts-per-deal", type=int, default=3)
    args = ap.parse_args()
    data = make(args.people, args.contacts_per_deal)
    rows = data["touches"]["contact"].size
    print(
        f"{args.people:,} people, {rows:,} touch rows, {data['deals']['deal'].size:,} won deals, "
        f"{args.contacts_per_deal} contacts per deal"
    )
    for groups in (False, True):
        js, took, peak = _clean(data, groups=groups)
        label = "deal   " if groups else "contact"
        print(
            f"{label}: {took:6.2f} s, {js.n_journeys:,} journeys, {js.n_touches:,} touches "
            f"({js.n_touches / rows:.2f} per row), {_nbytes(js) / js.n_touches:.1f} B per touch "
            f"in the set, peak RSS +{peak / 1e6:,.0f} MB"
        )
    person = np.arange(args.people, dtype=np.int64)
    member_person = np.array([int(m[3:]) for m in data["membership"].member.tolist()])
    start = time.perf_counter()
    g = group_journeys(
        np.repeat(person, 8), member_person, data["membership"], [], conversion_field="deal"
    )
    took = time.perf_counter() - start
    print(f"expansion alone ({8 * args.people:,} touches): {took:.2f} s, {g.touch.size:,} out")


if __name__ == "__main__":
    main()
