"""Realistic small exports of each schema, with hand-computable answers.

``python tests/connectors/exports.py DIR`` writes them to DIR; the tests call the
functions directly. Each function documents the linear-model answer it was built for.

GA4 (``ga4_rows``): three people.

- A (``1234567890.1234567891``): session from google/cpc (collected_traffic_source),
  a day later a session from a newsletter link (UTM tags on page_location), then a
  purchase of 100 (``ecommerce.purchase_revenue``) -> paid search 50, email 50.
- B (``1234567890.1234567892``: the same float64 as A, a different person): a direct
  session, then a purchase of 50 (``purchase_revenue``, and 50 ``event_value_in_usd``)
  -> direct 50.
- C: two devices (``c-1``, ``c-2``) joined by ``user_id`` ``u-9``; a session with a
  ``gclid`` only (google/cpc) and an organic bing session, then a purchase of 30 on
  the second device (``value`` event parameter) -> paid search 15, organic search 15.
- A session start without ``user_pseudo_id`` (rejected: no identifier) and page views
  (not used).

Linear credit by channel: paid search 65, email 50, direct 50, organic search 15.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

DAY = 86_400_000_000
T0 = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z in microseconds
A, B = "1234567890.1234567891", "1234567890.1234567892"

GA4_LINEAR = {"paid search": 65.0, "email": 50.0, "direct": 50.0, "organic search": 15.0}


def _p(key: str, *, s: str | None = None, i: int | None = None, d: float | None = None) -> Any:
    value = {"string_value": s, "int_value": i, "float_value": None, "double_value": d}
    return {"key": key, "value": value}


def _event(t: int, name: str, pseudo: str | None, params: list[Any], **more: Any) -> Any:
    row = {
        "event_date": "20240101",
        "event_timestamp": t,
        "event_name": name,
        "user_pseudo_id": pseudo,
        "user_id": None,
        "event_params": params,
        "collected_traffic_source": None,
        "traffic_source": {"source": "(direct)", "medium": "(none)", "name": "(direct)"},
        "ecommerce": None,
        "event_value_in_usd": None,
    }
    row.update(more)
    return row


def ga4_rows() -> list[dict[str, Any]]:
    """The GA4 events of the module docstring, in event-log order."""
    home = "https://shop.example/"
    news = "https://shop.example/?utm_source=newsletter&utm_medium=email&utm_campaign=jan"
    cts = {"manual_source": "google", "manual_medium": "cpc", "manual_campaign_name": "brand",
           "gclid": None}  # fmt: skip
    return [
        _event(
            T0,
            "session_start",
            A,
            [_p("page_location", s=home), _p("ga_session_id", i=1)],
            collected_traffic_source=cts,
        ),
        _event(T0 + 1, "page_view", A, [_p("page_location", s=home)]),
        _event(T0 + 2, "session_start", B, [_p("page_location", s=home)]),
        _event(
            T0 + 3,
            "session_start",
            "c-1",
            [_p("gclid", s="Cj0KCQ"), _p("page_location", s=home)],
            user_id="u-9",
        ),
        _event(T0 + 4, "session_start", None, [_p("page_location", s=home)]),
        _event(T0 + DAY, "session_start", A, [_p("page_location", s=news)]),
        _event(
            T0 + DAY + 5,
            "session_start",
            "c-2",
            [_p("source", s="bing"), _p("medium", s="organic")],
            user_id="u-9",
        ),
        _event(T0 + 2 * DAY, "purchase", A, [], ecommerce={"purchase_revenue": 100.0}),
        _event(
            T0 + 2 * DAY,
            "purchase",
            B,
            [],
            ecommerce={"purchase_revenue": 50.0},
            event_value_in_usd=50.0,
        ),
        _event(T0 + 2 * DAY, "purchase", "c-2", [_p("value", d=30.0)], user_id="u-9"),
        _event(T0 + 2 * DAY + 1, "page_view", "c-2", [_p("page_location", s=home)]),
    ]


def ga4_table(rows: list[dict[str, Any]] | None = None) -> Any:
    """The GA4 rows as an Arrow table with the export's nested schema."""
    import pyarrow as pa

    value = pa.struct([("string_value", pa.string()), ("int_value", pa.int64()),
                       ("float_value", pa.float64()), ("double_value", pa.float64())])  # fmt: skip
    schema = pa.schema([
        ("event_date", pa.string()),
        ("event_timestamp", pa.int64()),
        ("event_name", pa.string()),
        ("user_pseudo_id", pa.string()),
        ("user_id", pa.string()),
        ("event_params", pa.list_(pa.struct([("key", pa.string()), ("value", value)]))),
        ("collected_traffic_source", pa.struct([(f, pa.string()) for f in (
            "manual_source", "manual_medium", "manual_campaign_name", "gclid")])),
        ("traffic_source", pa.struct([(f, pa.string()) for f in ("source", "medium", "name")])),
        ("ecommerce", pa.struct([("purchase_revenue", pa.float64())])),
        ("event_value_in_usd", pa.float64()),
    ])  # fmt: skip
    return pa.Table.from_pylist(ga4_rows() if rows is None else rows, schema=schema)


def write_ga4(directory: Path) -> dict[str, Path]:
    """The GA4 export as two daily Parquet files and as newline-delimited JSON."""
    import pyarrow.parquet as pq

    table = ga4_table()
    day1 = table.slice(0, 5)
    day2 = table.slice(5)
    out = {
        "day1": directory / "events_20240101.parquet",
        "day2": directory / "events_20240102.parquet",
        "json": directory / "events.ndjson",
    }
    pq.write_table(day1, out["day1"])
    pq.write_table(day2, out["day2"])
    with out["json"].open("w") as f:
        for row in ga4_rows():  # BigQuery's JSON export writes INT64 as strings
            row = dict(row, event_timestamp=str(row["event_timestamp"]))
            f.write(json.dumps(row) + "\n")
    return out


#: crm: touches keyed by customer id (``007`` and ``7`` are two people) and email;
#: deals keyed by customer id. Linear: ann 900 -> paid search 450, webinar 450;
#: 007's 100 -> email (merged with 7 it would be email 50, paid social 50).
CRM_TOUCHES = (
    "customer,email,ts,url,channel\n"
    "ann,ann@x.io,2024-03-01T10:00:00,https://x.io/?utm_source=google&utm_medium=cpc,\n"
    ",ANN@x.io ,2024-03-03T10:00:00,,webinar\n"
    "007,,2024-03-02T10:00:00,https://x.io/?utm_source=newsletter&utm_medium=email,\n"
    "7,,2024-03-02T11:00:00,,Paid_Social\n"
    ",,2024-03-02T12:00:00,,email\n"
)
CRM_DEALS = "customer,closed,amount\nann,2024-03-05,900\n007,2024-03-04,100\nzed,2024-03-04,x\n"
CRM_LINEAR = {"paid search": 450.0, "webinar": 450.0, "email": 100.0}


def write_crm(directory: Path) -> dict[str, Path]:
    """The crm touch and deal CSVs."""
    out = {"touches": directory / "touches.csv", "deals": directory / "deals.csv"}
    out["touches"].write_text(CRM_TOUCHES)
    out["deals"].write_text(CRM_DEALS)
    return out


#: HubSpot: Ann is contacts 101 and 103 (one email, two cases); her won deal of 600
#: splits over paid search (original source), email (latest source) and organic
#: social (contact 103) -> 200 each; 007's won deal of 90 -> direct. Bob's latest
#: source repeats his original one (one touch); his deal is not won (not used); a
#: contact without id or email is rejected, and so is a won deal without a contact.
HUBSPOT_CONTACTS = (
    "Record ID,Email,Create Date,Original Source,Original Source Drill-Down 1,"
    "Original Source Drill-Down 2,Latest Source,Latest Source Drill-Down 1,"
    "Latest Source Drill-Down 2,Latest Source Timestamp,Lifecycle Stage,Became a Lead Date\n"
    "101,ann@x.io,2024-03-01 10:00,Paid Search,google,brand,Email Marketing,"
    "March newsletter,,2024-03-05 09:00,customer,2024-03-01 10:00\n"
    "102,bob@x.io,2024-03-02 09:00,Organic Search,bing,,Organic Search,bing,,"
    "2024-03-02 09:00,lead,2024-03-02 09:00\n"
    "103,ANN@x.io,2024-03-03 09:00,Social Media,LinkedIn,,,,,,lead,\n"
    "007,zed@x.io,2024-03-03 09:00,Direct Traffic,,,,,,,lead,\n"
    "7,,2024-03-03 10:00,OFFLINE,IMPORT,,,,,,lead,\n"
    ",,2024-03-04 10:00,Referrals,news.example,,,,,,,\n"
)
HUBSPOT_DEALS = (
    "Record ID,Deal Name,Amount,Close Date,Deal Stage,Associated Contact IDs\n"
    "9001,Ann,600,2024-03-10,Closed Won,101;102\n"
    "9002,Bob,100,2024-03-11,Appointment Scheduled,102\n"
    "9003,Zed,90,2024-03-12,closedwon,007\n"
    "9004,Lost,50,2024-03-12,Closed Won,\n"
)
HUBSPOT_LINEAR = {"paid search": 200.0, "email": 200.0, "organic social": 200.0, "direct": 90.0}

#: Salesforce: contact 003A responded to the webinar (as lead 00Q1), the ad campaign
#: (as lead 00Q2, joined to 003A on member 00v3) and the expo; 003B to the ad campaign.
#: Won 006A (900, primary role 003A) -> 300 per campaign; won 006B (300, 003B) -> ad
#: campaign. Not responded and lost rows are not used; a response to an unknown
#: campaign and a won opportunity without a contact role are rejected.
SF_CAMPAIGNS = (
    "Id,Name,Type,Channel__c\n"
    "701A,Spring webinar,Webinar,webinar\n"
    "701B,Google Ads brand,Advertisement,paid search\n"
    "701C,Expo 2024,Trade Show,events\n"
)
SF_MEMBERS = (
    "Id,CampaignId,LeadId,ContactId,HasResponded,FirstRespondedDate,CreatedDate\n"
    "00v1,701A,00Q1,003A,true,2024-02-01,2024-01-25\n"
    "00v2,701B,00Q2,,true,2024-02-05,2024-02-05\n"
    "00v3,701C,00Q2,003A,true,,2024-02-10\n"
    "00v4,701C,,003B,false,,2024-02-11\n"
    "00v5,701X,,003B,true,2024-02-12,2024-02-12\n"
    "00v6,701B,,003B,true,2024-02-13,2024-02-13\n"
)
SF_OPPORTUNITIES = (
    "Id,Name,Amount,CloseDate,StageName,IsWon,CreatedDate\n"
    "006A,Deal A,900,2024-03-01,Closed Won,true,2024-02-15\n"
    "006B,Deal B,300,2024-03-02,Closed Won,true,2024-02-15\n"
    "006C,Deal C,50,2024-03-03,Closed Lost,false,2024-02-15\n"
    "006D,Deal D,70,2024-03-04,Closed Won,true,2024-02-15\n"
)
SF_ROLES = (
    "Id,OpportunityId,ContactId,IsPrimary\n1,006A,003B,false\n2,006A,003A,true\n3,006B,003B,false\n"
)
SF_LINEAR_BY_CAMPAIGN = {"Spring webinar": 300.0, "Google Ads brand": 600.0, "Expo 2024": 300.0}


def write_hubspot(directory: Path) -> dict[str, Path]:
    """The HubSpot contacts and deals exports."""
    out = {"contacts": directory / "contacts.csv", "deals": directory / "deals.csv"}
    out["contacts"].write_text(HUBSPOT_CONTACTS)
    out["deals"].write_text(HUBSPOT_DEALS)
    return out


def write_salesforce(directory: Path) -> dict[str, Path]:
    """The four Salesforce object exports."""
    out = {
        "campaign_members": directory / "CampaignMember.csv",
        "campaigns": directory / "Campaign.csv",
        "opportunities": directory / "Opportunity.csv",
        "contact_roles": directory / "OpportunityContactRole.csv",
    }
    texts = {"campaign_members": SF_MEMBERS, "campaigns": SF_CAMPAIGNS,
             "opportunities": SF_OPPORTUNITIES, "contact_roles": SF_ROLES}  # fmt: skip
    for key, text in texts.items():
        out[key].write_text(text)
    return out


if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    target.mkdir(parents=True, exist_ok=True)
    for fn in (write_ga4, write_crm, write_hubspot, write_salesforce):
        for path in fn(target).values():
            print(path)
