"""Generate touchcredit's bundled example data (fixed seed, numpy only).

A fictional B2B software company over calendar year 2024: ~3,000 people touch its
marketing (UTM-tagged ad clicks with messy source spellings, organic visits,
newsletters, webinars, trade-show badge scans, cold calls...), some become leads,
move through the funnel (MQL, SQL, opportunity, customer) and open deals that are
won or lost; monthly spend per paid source. Written as gzip-compressed CSV to
src/touchcredit/data/example/ (re-run to regenerate; the output is deterministic). Also
writes the example exports of scripts/example_exports.py (GA4 Parquet, HubSpot and
Salesforce CSVs) to src/touchcredit/data/example/exports/.

Usage: python scripts/make_example_data.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
from pathlib import Path

import numpy as np

SEED = 20240101
N_PEOPLE = 3000
START = np.datetime64("2024-01-01T00:00", "s")
END = np.datetime64("2025-01-01T00:00", "s")
DAY = 86400

# canonical source, channel, method, touch type, relative frequency, lead pull,
# deal pull, raw spellings as they arrive (utm_source / referrer / CRM text),
# raw utm_medium spellings (None: no URL, an offline touch), monthly spend (USD)
SOURCES = [
    ("LinkedIn Ads", "paid social", "inbound", "ad click", 10, 0.10, 1.4,
     ["LinkedIn", "linkedin", "lnkd.in", "linkedin.com"], ["paid_social", "Paid Social"], 9000),
    ("Facebook Ads", "paid social", "inbound", "ad click", 8, 0.05, 0.6,
     ["facebook", "Facebook", "fb", "m.facebook.com"], ["paid_social", "paidsocial"], 5000),
    ("Google Ads", "paid search", "inbound", "ad click", 12, 0.12, 1.0,
     ["google", "Google", "adwords"], ["cpc", "CPC", "ppc"], 12000),
    ("Google search", "organic search", "inbound", "organic visit", 16, 0.06, 1.0,
     ["google", "www.google.com", "Google"], ["organic"], 0),
    ("Newsletter", "email", "inbound", "email click", 12, 0.05, 1.1,
     ["newsletter", "Newsletter", "mailchimp"], ["email", "Email", "e-mail"], 1500),
    ("Blog", "content", "inbound", "content download", 9, 0.07, 0.9,
     ["blog", "Blog", "ebook"], ["content", "referral"], 2500),
    ("Webinar", "events", "event", "webinar attended", 5, 0.18, 1.3,
     ["webinar", "Webinar", "zoom"], ["webinar", "event"], 3000),
    ("Trade show", "events", "event", "badge scan", 3, 0.30, 1.6,
     ["Trade show badge scan", "tradeshow", "SaaStr booth"], None, 14000),
    ("Customer referral", "referral", "partner", "referral", 3, 0.35, 2.0,
     ["referral", "Referral", "customer referral"], ["referral"], 0),
    ("G2", "marketplace", "partner", "listing visit", 4, 0.10, 1.2,
     ["g2", "G2", "g2.com", "G2 Crowd"], ["referral", "marketplace"], 2000),
    ("Cold call", "outbound", "outbound", "cold call", 5, 0.06, 0.8,
     ["cold call", "Cold Call", "SDR call"], None, 6000),
    ("Cold email", "outbound", "outbound", "cold email", 6, 0.03, 0.7,
     ["outreach", "cold-email", "Outreach.io"], ["email", "outbound"], 2500),
    ("Direct", "direct", "inbound", "direct visit", 10, 0.04, 1.0,
     ["(direct)"], [""], 0),
]  # fmt: skip

PAGES = ["/", "/pricing", "/demo", "/blog/attribution-101", "/product", "/case-studies"]
QUARTER_CAMPAIGNS = ["q1_brand", "q2_demo_push", "q3_webinar_series", "q4_budget_close"]
INDUSTRIES = ["software", "retail", "manufacturing", "finance", "healthcare", "education"]
SIZES = ["1-10", "11-50", "51-200", "201-1000", "1000+"]


def iso(t: np.ndarray) -> np.ndarray:
    """ISO-8601 text (UTC, seconds) of datetime64 values; '' for NaT."""
    text = np.datetime_as_string(t.astype("datetime64[s]"), unit="s").astype(object)
    text[np.isnat(t)] = ""
    return text


def make(seed: int = SEED) -> dict[str, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    names = np.array([s[0] for s in SOURCES], dtype=object)
    freq = np.array([s[4] for s in SOURCES], dtype=float)
    pull = np.array([s[5] for s in SOURCES])
    deal_pull = np.array([s[6] for s in SOURCES])
    k = len(SOURCES)

    # ---- touches: each person has 1..14 touches over a few weeks/months
    n_touch = np.minimum(rng.geometric(0.22, N_PEOPLE), 14)
    person = np.repeat(np.arange(N_PEOPLE), n_touch)
    n = person.size
    start = START + (rng.random(N_PEOPLE) * 330 * DAY).astype("timedelta64[s]")
    gaps = rng.exponential(6 * DAY, n).astype(np.int64)
    offsets = np.concatenate([[0], np.cumsum(n_touch)])
    first = offsets[:-1]
    gaps[first] = 0
    csum = np.cumsum(gaps)
    within = csum - np.repeat(csum[first], n_touch)
    ts = np.repeat(start, n_touch) + within.astype("timedelta64[s]")
    # first touches lean towards awareness sources, later ones towards intent sources
    pos = np.arange(n) - np.repeat(first, n_touch)
    early = (pos == 0)[:, None]
    bias = np.where(early, [2, 2, 1, 2, 0.5, 1.5, 0.5, 1, 0.5, 1, 1.5, 1.5, 0.2],
                    [0.7, 0.6, 1.2, 0.8, 1.5, 1, 1.3, 1, 1, 1, 0.7, 0.6, 1.5])  # fmt: skip
    p = freq[None, :] * bias
    p /= p.sum(axis=1, keepdims=True)
    src = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    src = np.minimum(src, k - 1)
    keep = ts < END
    keep[first] = True  # every person keeps their first touch (start < END)

    # ---- leads: the more (and the stronger) the touches, the likelier a lead
    lead_p = 1 - np.exp(np.add.reduceat(np.log1p(-pull[src] * 0.9), first))
    is_lead = rng.random(N_PEOPLE) < lead_p * 0.95
    # trigger touch: a random touch in the second half of the journey
    trig = first + np.floor(n_touch * (0.5 + 0.5 * rng.random(N_PEOPLE))).astype(int)
    trig = np.minimum(trig, offsets[1:] - 1)
    is_lead &= keep[trig]
    created = ts[trig] + rng.integers(120, 2 * DAY, N_PEOPLE).astype("timedelta64[s]")
    nxt = np.minimum(trig + 1, n - 1)
    has_next = trig + 1 < offsets[1:]
    created = np.where(has_next & (ts[nxt] <= created), ts[nxt] - np.timedelta64(60, "s"), created)
    is_lead &= created < END

    def later(base: np.ndarray, days: tuple[int, int], prob: float, ok: np.ndarray) -> np.ndarray:
        step = rng.integers(days[0] * DAY, days[1] * DAY, base.size).astype("timedelta64[s]")
        out = base + step
        reach = ok & (rng.random(base.size) < prob) & (out < END)
        return np.where(reach, out, np.datetime64("NaT"))

    mql = later(created, (0, 10), 0.7, is_lead)
    sql = later(mql, (2, 20), 0.55, ~np.isnat(mql))
    opp = later(sql, (1, 14), 0.6, ~np.isnat(sql))
    has_deal = ~np.isnat(opp)
    strength = np.add.reduceat(deal_pull[src], first) / n_touch
    won = has_deal & (rng.random(N_PEOPLE) < np.clip(0.32 * strength, 0.05, 0.8))
    closed = opp + rng.integers(15 * DAY, 90 * DAY, N_PEOPLE).astype("timedelta64[s]")
    open_deal = has_deal & (closed >= END)
    won &= ~open_deal
    customer = np.where(won, closed, np.datetime64("NaT"))
    closed = np.where(has_deal & ~open_deal, closed, np.datetime64("NaT"))
    size = rng.integers(0, len(SIZES), N_PEOPLE)
    amount = np.round(rng.lognormal(np.log(6000) + 0.45 * size, 0.5), -2)

    # ---- touch text: messy spellings, UTM-tagged URLs, offline touches without URL
    raw_src = np.empty(n, dtype=object)
    raw_med = np.empty(n, dtype=object)
    url = np.empty(n, dtype=object)
    month = ts.astype("datetime64[M]").astype(int) % 12
    campaign = np.full(n, "", dtype=object)
    page = np.array(PAGES, dtype=object)[rng.integers(0, len(PAGES), n)]
    for j, (_, channel, _, _, _, _, _, spell, medium, _) in enumerate(SOURCES):
        at = np.flatnonzero(src == j)  # a loop over the 13 sources, not over rows
        raw_src[at] = np.array(spell, dtype=object)[rng.integers(0, len(spell), at.size)]
        if channel in ("paid social", "paid search"):
            campaign[at] = np.array(QUARTER_CAMPAIGNS, dtype=object)[month[at] // 3]
        elif channel == "email":
            campaign[at] = np.char.add("newsletter_2024_", np.char.zfill(
                (month[at] + 1).astype(str), 2)).astype(object)  # fmt: skip
        elif channel == "outbound":
            campaign[at] = np.where(month[at] < 6, "sdr_outbound_h1", "sdr_outbound_h2")
        elif channel == "events":
            campaign[at] = "webinar_series" if spell[0] == "webinar" else "saastr_2024"
        if medium is None:
            raw_med[at] = ""
            url[at] = ""
            continue
        raw_med[at] = np.array(medium, dtype=object)[rng.integers(0, len(medium), at.size)]
        if channel in ("direct", "organic search"):
            url[at] = "https://www.example.com" + page[at]
            continue
        q = ("?utm_source=" + raw_src[at].astype(str) + "&utm_medium=" + raw_med[at].astype(str)
             + "&utm_campaign=" + campaign[at].astype(str))  # fmt: skip
        url[at] = ("https://www.example.com" + page[at].astype(str) + q).astype(object)

    pid = np.char.add("P", np.char.zfill(np.arange(N_PEOPLE).astype(str), 5)).astype(object)
    t_idx = np.flatnonzero(keep)
    touches = {
        "person_id": pid[person[t_idx]],
        "timestamp": iso(ts[t_idx]),
        "touch_type": np.array([s[3] for s in SOURCES], dtype=object)[src[t_idx]],
        "url": url[t_idx],
        "source_raw": raw_src[t_idx],
        "medium_raw": raw_med[t_idx],
        "campaign": campaign[t_idx],
        "source": names[src[t_idx]],
        "channel": np.array([s[1] for s in SOURCES], dtype=object)[src[t_idx]],
        "method": np.array([s[2] for s in SOURCES], dtype=object)[src[t_idx]],
    }
    li = np.flatnonzero(is_lead)
    lid = np.char.add("L", np.char.zfill(np.arange(li.size).astype(str), 5)).astype(object)
    leads = {
        "lead_id": lid,
        "person_id": pid[li],
        "created_at": iso(created[li]),
        "mql_at": iso(mql[li]),
        "sql_at": iso(sql[li]),
        "opportunity_at": iso(opp[li]),
        "customer_at": iso(customer[li]),
        "source": names[src[trig[li]]],
        "channel": np.array([s[1] for s in SOURCES], dtype=object)[src[trig[li]]],
        "industry": np.array(INDUSTRIES, dtype=object)[rng.integers(0, 6, li.size)],
        "company_size": np.array(SIZES, dtype=object)[size[li]],
    }
    di = np.flatnonzero(has_deal[li])
    deals = {
        "deal_id": np.char.add("D", np.char.zfill(np.arange(di.size).astype(str), 5)).astype(
            object
        ),
        "lead_id": lid[di],
        "amount": amount[li][di],
        "currency": np.full(di.size, "USD", dtype=object),
        "created_at": iso(opp[li][di]),
        "closed_at": iso(closed[li][di]),
        "won": np.where(won[li][di], "true", "false").astype(object),
    }
    months = np.arange("2024-01", "2025-01", dtype="datetime64[M]")
    paid = [s for s in SOURCES if s[9] > 0]
    grid_m = np.repeat(months, len(paid))
    base = np.tile(np.array([s[9] for s in paid], dtype=float), months.size)
    season = 1 + 0.25 * np.sin(np.arange(grid_m.size) // len(paid) / 12 * 2 * np.pi)
    spend = {
        "month": grid_m.astype(str).astype(object),
        "source": np.tile(np.array([s[0] for s in paid], dtype=object), months.size),
        "channel": np.tile(np.array([s[1] for s in paid], dtype=object), months.size),
        "amount": np.round(base * season * rng.uniform(0.8, 1.2, grid_m.size), 2),
        "currency": np.full(grid_m.size, "USD", dtype=object),
    }
    return {"touches": touches, "leads": leads, "deals": deals, "spend": spend}


def write(tables: dict[str, dict[str, np.ndarray]], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, cols in tables.items():
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows(zip(*(c.tolist() for c in cols.values()), strict=True))
        # mtime=0: byte-identical output on every run
        with (
            open(out / f"{name}.csv.gz", "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
        ):
            gz.write(buf.getvalue().encode("utf-8"))


def main() -> None:
    default = Path(__file__).resolve().parents[1] / "src" / "touchcredit" / "data" / "example"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=default)
    args = ap.parse_args()
    tables = make()
    write(tables, args.out)
    for name, cols in tables.items():
        print(f"{name}: {len(next(iter(cols.values())))} rows")
    from example_exports import write_all  # the GA4/HubSpot/Salesforce example exports

    write_all(args.out / "exports")
    from crm_export import write_crm  # the CRM events, leads, deals and spend sheets

    write_crm(args.out, args.out / "exports" / "crm")
    print(f"exports: {args.out / 'exports'}")


if __name__ == "__main__":
    main()
