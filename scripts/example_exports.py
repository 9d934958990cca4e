"""The bundled example exports (fixed seed): a small GA4 export, HubSpot and Salesforce CSVs.

Written by ``python scripts/make_example_data.py`` to
``src/touchcredit/data/example/exports/``: ``ga4/events_2024MMDD.parquet`` (one file per
week, nested BigQuery schema), ``hubspot/contacts.csv`` and ``deals.csv``,
``salesforce/{CampaignMember,Campaign,Opportunity,OpportunityContactRole}.csv`` and
``spend.csv``. A fictional shop and B2B seller over the first quarter of 2024.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np

SEED = 20240102
T0 = np.datetime64("2024-01-01T00:00:00", "us")
DAY_US = 86_400_000_000
#: GA4 traffic: (weight, how it arrives). kind: utm (tags on the landing URL), collected
#: (collected_traffic_source), gclid (auto-tagged Google Ads), referrer, direct.
GA4_SOURCES = [
    (14, "gclid", ("google", "cpc", "brand")),
    (10, "utm", ("facebook", "paid_social", "winter_sale")),
    (8, "utm", ("newsletter", "email", "january")),
    (6, "collected", ("linkedin", "paid_social", "abm")),
    (12, "referrer", ("https://www.google.com/", None, None)),
    (4, "referrer", ("https://news.example.org/review", None, None)),
    (14, "direct", (None, None, None)),
]
#: Contact roles on an opportunity besides its decision maker (one left unrecorded).
ROLES = ["Economic Buyer", "Influencer", "Technical Buyer", ""]
SPEND = [
    ("google", "paid search", 4000),
    ("facebook", "paid social", 2500),
    ("linkedin", "paid social", 1500),
]


def _param(key: str, s: str | None = None, i: int | None = None) -> dict[str, Any]:
    value = {"string_value": s, "int_value": i, "float_value": None, "double_value": None}
    return {"key": key, "value": value}


def _session(rng: Any, user: str, uid: str | None, t: int, sid: int) -> list[dict[str, Any]]:
    """One session's events: session_start with its traffic source, then page views."""
    w = np.array([s[0] for s in GA4_SOURCES], dtype=float)
    _, kind, (a, b, c) = GA4_SOURCES[int(rng.choice(len(w), p=w / w.sum()))]
    url = "https://shop.example/"
    params = [_param("ga_session_id", i=sid)]
    collected = None
    if kind == "utm":
        url += f"?utm_source={a}&utm_medium={b}&utm_campaign={c}"
    elif kind == "gclid":
        params.append(_param("gclid", s=f"Cj0K{sid}"))
        url += f"?gclid=Cj0K{sid}"
    elif kind == "collected":
        collected = {
            "manual_source": a,
            "manual_medium": b,
            "manual_campaign_name": c,
            "gclid": None,
        }
    elif kind == "referrer":
        params.append(_param("page_referrer", s=a))
    base = {
        "user_pseudo_id": user,
        "user_id": uid,
        "collected_traffic_source": None,
        "ecommerce": None,
        "event_value_in_usd": None,
    }
    events = [
        dict(
            base,
            event_timestamp=t,
            event_name="session_start",
            event_params=[_param("page_location", s=url), *params],
            collected_traffic_source=collected,
        )
    ]
    for k in range(int(rng.integers(1, 5))):
        events.append(
            dict(
                base,
                event_timestamp=t + (k + 1) * 20_000_000,
                event_name="page_view",
                event_params=[
                    _param("page_location", s="https://shop.example/p"),
                    _param("ga_session_id", i=sid),
                ],
            )
        )
    return events


def ga4_events(rng: Any, n_users: int = 240) -> list[dict[str, Any]]:
    """Sessions of ``n_users`` visitors over 12 weeks; ~10% buy, some log in on 2 devices."""
    events: list[dict[str, Any]] = []
    sid = 1000
    for u in range(n_users):
        devices = [f"{rng.integers(10**9, 2 * 10**9)}.{1704067200 + u}"]
        uid = f"cust-{u:04d}" if rng.random() < 0.15 else None
        if uid:
            devices.append(f"{rng.integers(10**9, 2 * 10**9)}.{1704067200 + u + n_users}")
        t = int(rng.integers(0, 60 * DAY_US))
        for _ in range(int(rng.integers(1, 5))):
            sid += 1
            device = devices[int(rng.integers(0, len(devices)))]
            events += _session(rng, device, uid, t, sid)
            t += int(rng.integers(DAY_US // 4, 6 * DAY_US))
        if rng.random() < 0.12:
            revenue = float(np.round(rng.gamma(2.0, 45.0), 2))
            events.append(
                {
                    "event_timestamp": t,
                    "event_name": "purchase",
                    "user_pseudo_id": devices[-1],
                    "user_id": uid,
                    "event_params": [],
                    "collected_traffic_source": None,
                    "ecommerce": {"purchase_revenue": revenue},
                    "event_value_in_usd": revenue,
                }
            )
    # consent-mode pings: no user_pseudo_id (rejected by the connector, and counted)
    events += [dict(events[0], user_pseudo_id=None, user_id=None, event_timestamp=5 * DAY_US)]
    t0 = int(T0.astype(np.int64))
    for e in events:
        e["event_timestamp"] += t0
    return sorted(events, key=lambda e: e["event_timestamp"])


def write_ga4(events: list[dict[str, Any]], out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    value = pa.struct(
        [
            ("string_value", pa.string()),
            ("int_value", pa.int64()),
            ("float_value", pa.float64()),
            ("double_value", pa.float64()),
        ]
    )
    schema = pa.schema(
        [
            ("event_timestamp", pa.int64()),
            ("event_name", pa.string()),
            ("user_pseudo_id", pa.string()),
            ("user_id", pa.string()),
            ("event_params", pa.list_(pa.struct([("key", pa.string()), ("value", value)]))),
            (
                "collected_traffic_source",
                pa.struct(
                    [
                        (f, pa.string())
                        for f in ("manual_source", "manual_medium", "manual_campaign_name", "gclid")
                    ]
                ),
            ),
            ("ecommerce", pa.struct([("purchase_revenue", pa.float64())])),
            ("event_value_in_usd", pa.float64()),
        ]
    )
    out.mkdir(parents=True, exist_ok=True)
    week = 7 * DAY_US
    t0 = int(T0.astype(np.int64))
    for k in range(13):
        part = [e for e in events if (e["event_timestamp"] - t0) // week == k]
        if part:
            day = (T0 + np.timedelta64(k * 7, "D")).astype("datetime64[D]").astype(str)
            name = f"events_{day.replace('-', '')}.parquet"
            pq.write_table(pa.Table.from_pylist(part, schema=schema), out / name)


def _csv(path: Path, header: list[str], rows: list[list[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def _day(rng: Any, lo: int = 0, hi: int = 80) -> np.datetime64:
    return T0.astype("datetime64[m]") + np.timedelta64(int(rng.integers(lo * 1440, hi * 1440)), "m")


def write_hubspot(rng: Any, out: Path, n: int = 150) -> None:
    """Contacts with original and latest sources; deals, about half of them won."""
    sources = [
        ("Paid Search", "google", "brand"),
        ("Organic Search", "google", None),
        ("Social Media", "LinkedIn", None),
        ("Paid Social", "Facebook", "winter_sale"),
        ("Email Marketing", "January newsletter", None),
        ("Referrals", "news.example.org", None),
        ("Direct Traffic", None, None),
        ("Offline Sources", "IMPORT", "trade show"),
    ]
    contacts, deals = [], []
    # buying groups, from a stream of their own (the draws above and below stay as they
    # were): three contacts per company; some deals list colleagues as well
    groups = np.random.default_rng(SEED + 24)
    for i in range(n):
        created = _day(rng, 0, 60)
        o = sources[int(rng.integers(0, len(sources)))]
        latest = sources[int(rng.integers(0, len(sources)))] if rng.random() < 0.4 else o
        later = (
            created + np.timedelta64(int(rng.integers(1, 20)), "D") if latest is not o else created
        )
        email = f"contact{i}@example.com" if rng.random() < 0.97 else ""
        contacts.append(
            [
                f"{5000 + i}",
                email,
                str(created).replace("T", " "),
                o[0],
                o[1] or "",
                o[2] or "",
                latest[0],
                latest[1] or "",
                latest[2] or "",
                str(later).replace("T", " "),
                "lead",
                f"{7000 + i // 3}",
            ]
        )
        if rng.random() < 0.3:
            won = rng.random() < 0.6
            close = later + np.timedelta64(int(rng.integers(2, 25)), "D")
            deals.append(
                [
                    f"{9000 + i}",
                    f"Deal {i}",
                    f"{rng.integers(5, 80) * 100}",
                    str(close.astype("datetime64[D]")),
                    "Closed Won" if won else "Closed Lost",
                    ";".join(f"{5000 + j}" for j in _colleagues(groups, i, n, 3)),
                    f"{7000 + i // 3}",
                ]
            )
    _csv(
        out / "contacts.csv",
        [
            "Record ID",
            "Email",
            "Create Date",
            "Original Source",
            "Original Source Drill-Down 1",
            "Original Source Drill-Down 2",
            "Latest Source",
            "Latest Source Drill-Down 1",
            "Latest Source Drill-Down 2",
            "Latest Source Timestamp",
            "Lifecycle Stage",
            "Associated Company ID",
        ],
        contacts,
    )
    _csv(
        out / "deals.csv",
        [
            "Record ID",
            "Deal Name",
            "Amount",
            "Close Date",
            "Deal Stage",
            "Associated Contact IDs",
            "Associated Company IDs",
        ],
        deals,
    )


def _colleagues(rng: Any, i: int, n: int, size: int) -> list[int]:
    """Contact ``i`` and, on about half the deals, one or two others of its company."""
    company = range(i - i % size, min(i - i % size + size, n))
    others = [j for j in company if j != i]
    k = int(rng.integers(0, len(others) + 1)) if others and rng.random() < 0.5 else 0
    return [i, *sorted(rng.choice(others, size=k, replace=False).tolist())] if k else [i]


def write_salesforce(rng: Any, out: Path, n_contacts: int = 120) -> None:
    """Campaigns, their members' responses, opportunities and contact roles."""
    campaigns = [
        ("701A", "Q1 webinar", "Webinar", "webinar"),
        ("701B", "Google Ads brand", "Advertisement", "paid search"),
        ("701C", "Expo Berlin", "Trade Show", "events"),
        ("701D", "January newsletter", "Email", "email"),
        ("701E", "LinkedIn ABM", "Advertisement", "paid social"),
    ]
    members, opps, roles = [], [], []
    groups = np.random.default_rng(SEED + 24)  # buying groups: a stream of their own
    for i in range(n_contacts):
        contact = f"003{i:05d}"
        for _ in range(int(rng.integers(1, 4))):
            c = campaigns[int(rng.integers(0, len(campaigns)))]
            created = _day(rng, 0, 50).astype("datetime64[D]")
            responded = rng.random() < 0.75
            first = str(created + np.timedelta64(int(rng.integers(0, 5)), "D")) if responded else ""
            members.append(
                [
                    f"00v{len(members):05d}",
                    c[0],
                    "",
                    contact,
                    "true" if responded else "false",
                    first,
                    str(created),
                ]
            )
        if rng.random() < 0.35:
            opp = f"006{i:05d}"
            won = rng.random() < 0.55
            opps.append(
                [
                    opp,
                    f"Opportunity {i}",
                    f"{rng.integers(10, 120) * 100}",
                    str(_day(rng, 55, 85).astype("datetime64[D]")),
                    "Closed Won" if won else "Closed Lost",
                    "true" if won else "false",
                    f"001{i // 4:05d}",
                ]
            )
            for j in _colleagues(groups, i, n_contacts, 4):  # four contacts per account
                role = "Decision Maker" if j == i else ROLES[int(groups.integers(0, len(ROLES)))]
                roles.append(
                    [f"00K{len(roles):05d}", opp, f"003{j:05d}", str(j == i).lower(), role]
                )
    _csv(out / "Campaign.csv", ["Id", "Name", "Type", "Channel__c"], [list(c) for c in campaigns])
    _csv(
        out / "CampaignMember.csv",
        [
            "Id",
            "CampaignId",
            "LeadId",
            "ContactId",
            "HasResponded",
            "FirstRespondedDate",
            "CreatedDate",
        ],
        members,
    )
    _csv(
        out / "Opportunity.csv",
        ["Id", "Name", "Amount", "CloseDate", "StageName", "IsWon", "AccountId"],
        opps,
    )
    _csv(
        out / "OpportunityContactRole.csv",
        ["Id", "OpportunityId", "ContactId", "IsPrimary", "Role"],
        roles,
    )
    people = [[f"003{i:05d}", f"001{i // 4:05d}"] for i in range(n_contacts)]
    _csv(out / "Contact.csv", ["Id", "AccountId"], people)


def write_all(out: Path, seed: int = SEED) -> None:
    """Every example export under ``out`` (deterministic)."""
    rng = np.random.default_rng(seed)
    write_ga4(ga4_events(rng), out / "ga4")
    write_hubspot(rng, out / "hubspot")
    write_salesforce(rng, out / "salesforce")
    rows = [
        [f"2024-{m:02d}", src, ch, amount + 100 * m] for m in (1, 2, 3) for src, ch, amount in SPEND
    ]
    _csv(out / "spend.csv", ["month", "source", "channel", "amount"], rows)
