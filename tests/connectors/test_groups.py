"""Buying groups through the Salesforce and HubSpot connectors: hand-computed answers.

Every export here is a CSV as the CRM writes it (a byte-order mark, text ids with
leading zeros, date-only dates). Each expected number is worked out in a comment.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow")

from touchcredit.attribution import attribute
from touchcredit.connectors import hubspot, salesforce

BOM = "\ufeff"


def _credit(js: Any, by: str = "campaign", model: str = "linear") -> dict[Any, float]:
    table = attribute(js, model).by(by).to_dict()
    return {k: round(v, 9) for k, v in table.items() if v}


def _write(directory: Path, **texts: str) -> dict[str, Path]:
    out = {}
    for name, text in texts.items():
        out[name] = directory / f"{name}.csv"
        out[name].write_text(BOM + text, encoding="utf-8")
    return out


def _per_deal_conserved(js: Any, model: str = "linear") -> None:
    """Credit of each deal's pairs adds up to that deal's amount."""
    att = attribute(js, model)
    per_conversion = np.bincount(
        att.pairs.conversion, weights=att.pair_credit, minlength=js.n_conversions
    )
    has_pairs = np.bincount(att.pairs.conversion, minlength=js.n_conversions) > 0
    np.testing.assert_allclose(per_conversion[has_pairs], js.conversion_value[has_pairs])
    assert att.attributed + att.unattributed.value == pytest.approx(js.total_value)


#: Salesforce, one account (001) with three people. 0031 (Decision Maker on 0061)
#: went to the webinar on 1 Feb; 0032 (Influencer on 0061) clicked the search ad on
#: 5 Feb; 0033 has no contact role but works at the account and visited the expo on
#: 8 Feb. 0034 is at another account and has a role on 0062 only.
SF = {
    "members": (
        "Id,CampaignId,LeadId,ContactId,HasResponded,FirstRespondedDate,CreatedDate\n"
        "00v1,701A,,0031,true,2024-02-01,2024-02-01\n"
        "00v2,701B,,0032,true,2024-02-05,2024-02-05\n"
        "00v3,701C,,0033,true,2024-02-08,2024-02-08\n"
        "00v4,701B,,0034,true,2024-02-09,2024-02-09\n"
    ),
    "campaigns": (
        "Id,Name,Type\n701A,Spring webinar,Webinar\n701B,Search ad,Advertisement\n"
        "701C,Expo,Trade Show\n"
    ),
    "opportunities": (
        "Id,AccountId,Amount,CloseDate,IsWon,CreatedDate\n"
        "0061,001,1200,2024-03-01,true,2024-02-06\n"
        "0062,002,300,2024-03-02,false,2024-02-10\n"
    ),
    "roles": (
        "Id,OpportunityId,ContactId,IsPrimary,Role\n"
        "1,0061,0031,true,Decision Maker\n"
        "2,0061,0032,false,Influencer\n"
        "3,0062,0034,true,Economic Buyer\n"
    ),
    "contacts": "Id,AccountId\n0031,001\n0032,001\n0033,001\n0034,002\n",
}


def _sf(tmp_path: Path, **overrides: str) -> dict[str, Path]:
    return _write(tmp_path, **{**SF, **overrides})


def _sf_read(paths: dict[str, Path], **kwargs: Any) -> Any:
    return salesforce.read(
        paths["members"], paths["campaigns"], paths["opportunities"], paths["roles"], **kwargs
    )


def test_two_contact_roles_split_linear_credit_between_both_campaigns(tmp_path: Path) -> None:
    paths = _sf(tmp_path)
    js, report = _sf_read(paths)  # group="deal" is the default
    # 0061 (1,200) is won on 1 March; its journey is 0031's webinar and 0032's ad:
    # 600 each. 0062 is lost: not a conversion. 0033 is on no deal: their own journey.
    assert _credit(js) == {"Spring webinar": 600.0, "Search ad": 600.0}
    assert _credit(js, "role") == {"Decision Maker": 600.0, "Influencer": 600.0}
    assert _credit(js, "contact") == {"0031": 600.0, "0032": 600.0}  # leading zeros kept
    assert report.group_members == {"0061": 2, "0062": 1}
    assert report.group_engaged == {"0061": 2, "0062": 1}
    _per_deal_conserved(js)


def test_the_primary_contact_alone_is_the_old_reading(tmp_path: Path) -> None:
    js, _ = _sf_read(_sf(tmp_path), group="contact")
    assert _credit(js) == {"Spring webinar": 1200.0}  # 0031 is the primary role
    assert _credit(js, "role") == {None: 1200.0}  # one person's journey records no role


def test_the_account_group_adds_a_contact_without_a_role(tmp_path: Path) -> None:
    paths = _sf(tmp_path)
    js, report = _sf_read(paths, group="account", contacts=paths["contacts"])
    # 0061's account 001 also holds 0033, whose expo visit (8 Feb) is before the close:
    # three touches, 400 each; 0033 has no role on the deal.
    assert _credit(js) == {"Spring webinar": 400.0, "Search ad": 400.0, "Expo": 400.0}
    assert _credit(js, "role") == {"Decision Maker": 400.0, "Influencer": 400.0, None: 400.0}
    assert report.group_members == {"0061": 3, "0062": 1}
    assert report.tables["contacts"] == 4
    _per_deal_conserved(js)


def test_the_account_group_needs_the_contact_export(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="needs the Contact export"):
        _sf_read(_sf(tmp_path), group="account")


def test_created_credits_open_and_lost_opportunities_at_creation(tmp_path: Path) -> None:
    js, report = _sf_read(_sf(tmp_path), conversions="created")
    # 0061 (1,200) was created on 6 Feb: only 0031's webinar and 0032's ad precede it
    # (600 each). 0062 (lost, 300) was created on 10 Feb: 0034's ad of 9 Feb -> 300.
    assert _credit(js) == {"Spring webinar": 600.0, "Search ad": 900.0}
    assert js.total_value == 1500.0 and report.not_used == {}
    assert js.conversion_time.astype("datetime64[D]").astype(str).tolist() == [
        "2024-02-06",
        "2024-02-10",
    ]
    _per_deal_conserved(js)


def test_a_contact_on_two_deals_credits_both(tmp_path: Path) -> None:
    opps = (
        "Id,AccountId,Amount,CloseDate,IsWon,CreatedDate\n"
        "0061,001,1200,2024-03-01,true,2024-02-06\n"
        "0062,002,300,2024-03-02,true,2024-02-10\n"
    )
    roles = SF["roles"] + "4,0062,0031,false,Champion\n"
    js, _ = _sf_read(_sf(tmp_path, opportunities=opps, roles=roles))
    # 0061: webinar + ad, 600 each. 0062 (300): 0034's ad and 0031's webinar, 150 each.
    assert _credit(js) == {"Spring webinar": 750.0, "Search ad": 750.0}
    assert _credit(js, "role") == {
        "Decision Maker": 600.0,
        "Influencer": 600.0,
        "Economic Buyer": 150.0,
        "Champion": 150.0,
    }
    assert js.n_touches == 5  # 0031's webinar is in both journeys; 0033's alone
    _per_deal_conserved(js)


def test_an_opportunity_without_any_member_is_still_rejected(tmp_path: Path) -> None:
    opps = SF["opportunities"] + "0063,003,70,2024-03-04,true,2024-02-15\n"
    js, report = _sf_read(_sf(tmp_path, opportunities=opps))
    assert report.conversions_rejected.reasons == ("opportunities row 3: won, but no contact role",)
    assert js.total_value == 1200.0


def test_unknown_group_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="group must be"):
        _sf_read(_sf(tmp_path), group="team")


#: HubSpot: deal 9001 lists contacts 101 and 102 (Ann and Bob).
def test_hubspot_deal_group_credits_every_associated_contact(
    tmp_path: Path, exports: ModuleType
) -> None:
    paths = exports.write_hubspot(tmp_path)
    js, _ = hubspot.read(paths["contacts"], paths["deals"])
    # 9001 (600) closes 10 March. Ann (101 and 103, one email): paid search (1 Mar),
    # organic social (3 Mar), email (5 Mar); Bob (102): organic search (2 Mar).
    # Four touches, 150 each. 9003 (90): 007's direct visit.
    assert _credit(js, "channel") == {
        "paid search": 150.0,
        "email": 150.0,
        "organic social": 150.0,
        "organic search": 150.0,
        "direct": 90.0,
    }
    _per_deal_conserved(js)


@pytest.mark.parametrize("separator", [";", ",", " ; ", ", "])
def test_hubspot_association_separators(tmp_path: Path, separator: str) -> None:
    contacts = (
        "Record ID,Email,Create Date,Original Source,Original Source Drill-Down 1\n"
        "0101,ann@x.io,2024-03-01,Paid Search,google\n"
        "0102,bob@x.io,2024-03-02,Email Marketing,March newsletter\n"
    )
    deals = (
        "Record ID,Amount,Close Date,Deal Stage,Associated Contact IDs\n"
        f'77,500,2024-03-09,Closed Won,"0101{separator}0102"\n'
    )
    paths = _write(tmp_path, contacts=contacts, deals=deals)
    js, _ = hubspot.read(paths["contacts"], paths["deals"])
    assert _credit(js, "channel") == {"paid search": 250.0, "email": 250.0}


def test_hubspot_company_group_and_created_deals(tmp_path: Path) -> None:
    contacts = (
        "Record ID,Email,Create Date,Original Source,Original Source Drill-Down 1,"
        "Associated Company ID\n"
        "0101,ann@x.io,2024-03-01,Paid Search,google,5001\n"
        "0102,bob@x.io,2024-03-02,Email Marketing,March newsletter,5001\n"
        "0103,cy@x.io,2024-03-03,Organic Search,bing,5002\n"
    )
    deals = (
        "Record ID,Amount,Create Date,Close Date,Deal Stage,Associated Contact IDs,"
        "Associated Company IDs\n"
        "77,600,2024-03-04,2024-03-09,Closed Won,0101,5001\n"
        "78,90,2024-03-02,2024-03-20,Closed Lost,0103,5002\n"
    )
    paths = _write(tmp_path, contacts=contacts, deals=deals)
    js, _ = hubspot.read(paths["contacts"], paths["deals"], group="company")
    # 77's company 5001 holds Ann and Bob: 300 each. 78 is lost.
    assert _credit(js, "channel") == {"paid search": 300.0, "email": 300.0}
    js, _ = hubspot.read(paths["contacts"], paths["deals"], group="deal")
    assert _credit(js, "channel") == {"paid search": 600.0}
    js, _ = hubspot.read(paths["contacts"], paths["deals"], conversions="created")
    # created: 77 (600) on 4 March, Ann's touch precedes it; 78 (90) on 2 March,
    # Cy's touch (3 March) comes after: unattributed.
    att = attribute(js, "linear")
    assert _credit(js, "channel") == {"paid search": 600.0}
    assert att.unattributed.value == 90.0
    js, _ = hubspot.read(paths["contacts"], paths["deals"], conversions="deals")  # alias
    assert js.total_value == 600.0


_DAYS = st.integers(min_value=1, max_value=25)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    touches=st.lists(
        st.tuples(st.integers(0, 4), st.integers(0, 2), _DAYS), min_size=1, max_size=12
    ),
    deals=st.lists(st.tuples(st.integers(0, 4), st.integers(1, 28), st.booleans()), max_size=5),
)
def test_deal_group_equals_contact_when_every_deal_has_one_contact(
    tmp_path_factory: pytest.TempPathFactory,
    touches: list[tuple[int, int, int]],
    deals: list[tuple[int, int, bool]],
) -> None:
    members = ["Id,CampaignId,LeadId,ContactId,HasResponded,FirstRespondedDate,CreatedDate"]
    for i, (person, campaign, day) in enumerate(touches):
        members.append(f"00v{i},70{campaign},,00{person},true,,2024-02-{day:02d}")
    opps, roles = ["Id,Amount,CloseDate,IsWon"], ["Id,OpportunityId,ContactId,IsPrimary"]
    for i, (person, day, won) in enumerate(deals):
        opps.append(f"006{i},{100 * (i + 1)},2024-02-{day:02d},{str(won).lower()}")
        roles.append(f"{i},006{i},00{person},true")
    campaigns = (
        "Id,Name,Type\n700,Webinar A,Webinar\n701,Ad B,Advertisement\n702,Expo C,Trade Show\n"
    )
    paths = _write(
        tmp_path_factory.mktemp("sf"),
        members="\n".join(members) + "\n",
        campaigns=campaigns,
        opportunities="\n".join(opps) + "\n",
        roles="\n".join(roles) + "\n",
    )
    by_deal, _ = _sf_read(paths, group="deal")
    by_contact, _ = _sf_read(paths, group="contact")
    for model in ("first_touch", "last_touch", "linear", "position", "time_decay"):
        a, b = _credit(by_deal, model=model), _credit(by_contact, model=model)
        assert a.keys() == b.keys(), model
        for key in a:
            assert a[key] == pytest.approx(b[key], rel=1e-12, abs=1e-9), (model, key)
        ua, ub = attribute(by_deal, model).unattributed, attribute(by_contact, model).unattributed
        assert ua.value == pytest.approx(ub.value)


def _run(*argv: str) -> int:
    from touchcredit.cli import main

    return main(list(argv))


#: A CRM export: web events keyed by a cookie with the visitor's email once known, a
#: deal sheet (one row per deal, its primary contact) and a deal-contact sheet listing
#: every contact on each deal with a role. Deal D-01 (1,000, won on 10 March) lists Ann
#: (Champion) and Bob (Economic Buyer): Ann came through Google Ads (1 March), Bob
#: through a LinkedIn ad (4 March) -> linear 500 each. D-02 (400) is lost.
CRM = {
    "events": (
        "event_timestamp,cookie,user_email,traffic_source,traffic_medium\n"
        "1709287200000000,c1,ann@acme.com,google,cpc\n"
        "1709546400000000,c2,BOB@acme.com,linkedin,paid_social\n"
        "1709632800000000,c3,cy@globex.com,newsletter,email\n"
    ),
    "deals": (
        "Deal ID,Contact Email,Amount,Close Date,Deal Stage\n"
        "D-01,ann@acme.com,1000,2024-03-10,Closed Won\n"
        "D-02,cy@globex.com,400,2024-03-12,Closed Lost\n"
    ),
    "deal_contacts": (
        "Deal ID,Contact Email,Role\n"
        "D-01,Ann@Acme.com,Champion\n"
        "D-01,bob@acme.com,Economic Buyer\n"
        "D-02,cy@globex.com,\n"
    ),
}

CRM_PIPELINE = """
[input]
connector = "crm"
touches = "events.csv"
currency = "USD"

[columns]
journey = "cookie"
timestamp = "event_timestamp"
source = "traffic_source"
medium = "traffic_medium"
identifiers = ["user_email"]

[deals]
path = "deals.csv"
won = ["Closed Won"]
contacts = "deal_contacts.csv"

[deals.columns]
lead_id = "Contact Email"
deal_id = "Deal ID"
amount = "Amount"
closed_at = "Close Date"
stage = "Deal Stage"

[deals.contact_columns]
deal_id = "Deal ID"
contact = "Contact Email"
role = "Role"

[attribution]
models = ["linear"]
by = ["channel", "role"]

[outputs]
credit = "credit.csv"
"""


def test_a_crm_deal_contact_table_through_the_pipeline(tmp_path: Path) -> None:
    import csv

    _write(tmp_path, **CRM)
    (tmp_path / "crm.toml").write_text(CRM_PIPELINE)
    out = tmp_path / "out"
    assert _run("run", str(tmp_path / "crm.toml"), "--out-dir", str(out)) == 0
    rows = list(csv.DictReader((out / "credit.csv").open()))
    credit = {(r["dimension"], r["label"]): float(r["value"]) for r in rows if float(r["value"])}
    assert credit == {
        ("channel", "paid search"): 500.0,
        ("channel", "paid social"): 500.0,
        ("role", "Champion"): 500.0,
        ("role", "Economic Buyer"): 500.0,
    }


def test_deal_contacts_without_a_deal_id_column_is_named(tmp_path: Path) -> None:
    _write(tmp_path, **CRM)
    (tmp_path / "crm.toml").write_text(
        CRM_PIPELINE.replace('deal_id = "Deal ID"\namount', "amount")
    )
    assert _run("run", str(tmp_path / "crm.toml"), "--out-dir", str(tmp_path / "out")) == 2


def test_salesforce_group_and_conversions_from_a_pipeline(tmp_path: Path) -> None:
    import csv

    paths = _sf(tmp_path)
    text = f"""
[input]
connector = "salesforce"
campaign_members = "{paths["members"].name}"
campaigns = "{paths["campaigns"].name}"
opportunities = "{paths["opportunities"].name}"
contact_roles = "{paths["roles"].name}"
contacts = "{paths["contacts"].name}"
group = "account"
conversions = "won"

[attribution]
models = ["linear"]
by = ["campaign", "role"]

[outputs]
credit = "credit.csv"
"""
    (tmp_path / "sf.toml").write_text(text)
    out = tmp_path / "out"
    assert _run("run", str(tmp_path / "sf.toml"), "--out-dir", str(out)) == 0
    rows = list(csv.DictReader((out / "credit.csv").open()))
    by_role = {
        r["label"]: float(r["value"])
        for r in rows
        if r["dimension"] == "role" and float(r["value"])
    }
    assert by_role == {"Decision Maker": 400.0, "Influencer": 400.0, "(not recorded)": 400.0}


def test_groups_are_blind_to_row_order(tmp_path: Path) -> None:
    """Shuffled export rows (and a contact listed twice with two roles) give the same
    credit by campaign, role and contact, bit for bit."""
    roles = SF["roles"] + "9,0061,0031,false,Champion\n"
    (tmp_path / "a").mkdir()
    base = _sf(tmp_path / "a", roles=roles)
    js, _ = _sf_read(base, group="account", contacts=base["contacts"])
    rng = np.random.default_rng(3)
    for k in range(3):
        shuffled = {}
        for name, text in {**SF, "roles": roles}.items():
            head, *rows = text.splitlines()
            rows = [rows[i] for i in rng.permutation(len(rows))]
            shuffled[name] = "\n".join([head, *rows]) + "\n"
        folder = tmp_path / f"s{k}"
        folder.mkdir()
        paths = _write(folder, **shuffled)
        other, _ = _sf_read(paths, group="account", contacts=paths["contacts"])
        for by in ("campaign", "role", "contact"):
            for model in ("linear", "position", "markov"):
                a = attribute(js, model).by(by).to_dict()
                b = attribute(other, model).by(by).to_dict()
                assert a == b, (by, model)
    # the contact listed twice keeps 'Champion' (text order before 'Decision Maker')
    assert "Champion" in attribute(js, "linear").by("role").to_dict()
