"""The bundled CRM export: the example year as a web-analytics event CSV and CRM sheets.

Written by ``python scripts/make_example_data.py`` (or ``python scripts/crm_export.py``)
to ``src/touchcredit/data/example/exports/crm/``, from the example tables of
``src/touchcredit/data/example/`` (deterministic), shaped like exports nobody here wrote:

- ``events.csv.gz``: one row per touch, ``event_timestamp`` in epoch microseconds,
  ``user_pseudo_id``, ``user_email`` (from the touch that created the lead on),
  ``page_location`` (with UTM tags where the visit had them), ``traffic_source`` and
  ``traffic_medium`` (the raw spellings);
- ``leads.csv``: UTF-8 with a BOM; ``Email`` (every 9th in upper case), ``Create Date``,
  ``Lead Source`` (every other lead's source in lower case), ``MQL Date``, ``SQL Date``,
  ``Industry``;
- ``deals.csv``: ``Deal ID``, ``Contact Email`` (lower case), ``Amount``, ``Close Date``,
  ``Deal Stage`` (``Closed Won`` / ``Closed Lost``), no creation date;
- ``spend.csv``: ``Month``, ``Platform`` (every third in lower case), ``Cost``.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import numpy as np


def _read(folder: Path, name: str) -> dict[str, list[str]]:
    text = gzip.decompress((folder / f"{name}.csv.gz").read_bytes()).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    return {col: [r[j] for r in rows[1:]] for j, col in enumerate(rows[0])}


def _minute(ts: str) -> str:
    return ts.replace("T", " ")[:16] if ts else ""


def _email(person: str) -> str:
    return f"{person.lower()}@corp{int(person[1:]) % 97}.com"


def _write(path: Path, header: list[str], rows: list[list[object]], *, bom: bool = False) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    data = ("\ufeff" if bom else "") + buf.getvalue()
    if path.suffix == ".gz":
        with (
            open(path, "wb") as raw,
            gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz,
        ):
            gz.write(data.encode("utf-8"))
    else:
        path.write_text(data, encoding="utf-8")


def write_crm(example: Path, out: Path) -> None:
    """The four CRM export files of the example tables in ``example``, into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    touches, leads = _read(example, "touches"), _read(example, "leads")
    deals, spend = _read(example, "deals"), _read(example, "spend")
    created = dict(zip(leads["person_id"], leads["created_at"], strict=True))
    # the email arrives with the form fill: the person's last touch at or before the lead's
    # creation (else the first touch after it), and stays on every later touch
    since: dict[str, str] = {}
    for person, ts in sorted(zip(touches["person_id"], touches["timestamp"], strict=True)):
        lead_at = created.get(person)
        if lead_at and (ts <= lead_at or person not in since):
            since[person] = ts
    events = []
    for i, person in enumerate(touches["person_id"]):
        ts = touches["timestamp"][i]
        us = int(np.datetime64(ts, "us").astype(np.int64))
        email = _email(person) if person in since and ts >= since[person] else ""
        pseudo = f"{1_000_000_000 + int(person[1:]) * 7919}.{1_700_000_000 + int(person[1:])}"
        events.append([us, pseudo, email, touches["url"][i], touches["source_raw"][i],
                       touches["medium_raw"][i]])  # fmt: skip
    _write(out / "events.csv.gz",
           ["event_timestamp", "user_pseudo_id", "user_email", "page_location",
            "traffic_source", "traffic_medium"], events)  # fmt: skip
    rows = []
    for i, person in enumerate(leads["person_id"]):
        email = _email(person)
        source = leads["source"][i]
        rows.append([
            email.upper() if i % 9 == 4 else email,
            _minute(leads["created_at"][i]),
            source.lower() if i % 2 else source,
            _minute(leads["mql_at"][i]),
            _minute(leads["sql_at"][i]),
            leads["industry"][i],
        ])  # fmt: skip
    _write(out / "leads.csv",
           ["Email", "Create Date", "Lead Source", "MQL Date", "SQL Date", "Industry"], rows,
           bom=True)  # fmt: skip
    person_of = dict(zip(leads["lead_id"], leads["person_id"], strict=True))
    rows = [
        [deals["deal_id"][i], _email(person_of[lead]), f"{float(deals['amount'][i]):.2f}",
         _minute(deals["closed_at"][i]),
         "Closed Won" if deals["won"][i] == "true" else "Closed Lost"]
        for i, lead in enumerate(deals["lead_id"])
    ]  # fmt: skip
    _write(out / "deals.csv",
           ["Deal ID", "Contact Email", "Amount", "Close Date", "Deal Stage"], rows)  # fmt: skip
    rows = [[spend["month"][i], spend["source"][i].lower() if i % 3 == 1 else spend["source"][i],
             spend["amount"][i]] for i in range(len(spend["month"]))]  # fmt: skip
    _write(out / "spend.csv", ["Month", "Platform", "Cost"], rows)


if __name__ == "__main__":
    here = Path(__file__).resolve().parents[1] / "src" / "touchcredit" / "data" / "example"
    write_crm(here, here / "exports" / "crm")
    print(f"written: {here / 'exports' / 'crm'}")
