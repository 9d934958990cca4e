"""Google Analytics 4: the BigQuery export (``events_YYYYMMDD`` tables) to a JourneySet.

Export the daily tables as Parquet (or newline-delimited JSON) with their nested
schema, e.g. ``bq extract --destination_format PARQUET
'project:analytics_123.events_*' 'gs://bucket/events_*.parquet'``, and read them all
with ``ga4.read("events_*.parquet")``.

**Touches.** A touchpoint is a session start (``session_start`` event) with the
traffic source of that session, GA4's own definition; with
``touches="campaign_events"`` it is every event carrying campaign parameters (a UTM
tag or click id on the event, in ``collected_traffic_source`` or on the landing URL).
The source, medium and campaign of a touch come from, in order:
``collected_traffic_source`` (``manual_source``, ``manual_medium``,
``manual_campaign_name``), the ``source``/``medium``/``campaign`` event parameters,
then the UTM tags of ``page_location``; a ``gclid`` without a source means
``google / cpc``; ``page_referrer`` feeds the referral rules. With
``session_source="last_click"``, GA4's processed
``session_traffic_source_last_click.manual_campaign`` comes first where present (it
carries the last non-direct campaign into later direct sessions, so the same campaign
can be counted on several sessions). A session start without any of them is
``direct``. ``traffic_source`` is the first-user source, the same on every event of
a user, so it is not used for touches.

**Conversions** are events chosen by name (``purchase`` by default; e.g.
``generate_lead``, ``sign_up``). Their value is in one currency: ``value="local"``
reads ``ecommerce.purchase_revenue`` else the ``value`` event parameter, ``value="usd"``
``event_value_in_usd``, the default ``"revenue"`` whichever the export has (an error
when some conversions have only one kind and others only the other); else 0
(``value="count"`` counts each conversion as 1).

**People.** The journey is ``user_pseudo_id`` (a text id: never parsed as a number);
``user_id``, where set, stitches a person's devices together.

Schema read (columns beyond these are ignored):

=======================================  ===========================  ========
column                                   type                         required
=======================================  ===========================  ========
``event_timestamp``                      INTEGER (microseconds, UTC)  yes
``event_name``                           STRING                       yes
``user_pseudo_id``                       STRING                       yes
``user_id``                              STRING                       no
``event_params``                         REPEATED RECORD (key, value  no
                                         string/int/float/double;
                                         a flattened export's plain
                                         text or number value too)
``collected_traffic_source``             RECORD                       no
``session_traffic_source_last_click``    RECORD                       no
``ecommerce.purchase_revenue``           FLOAT                        no
``event_value_in_usd``                   FLOAT                        no
=======================================  ===========================  ========
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from touchcredit.connectors import files
from touchcredit.connectors.ga4_once import daily_tables, ga4_value, once_per_transaction
from touchcredit.connectors.ga4_schema import check_batch, is_ga4_export
from touchcredit.connectors.report import (
    Cleaning,
    ConnectorReport,
    Table,
    combine,
    finish,
    merge_counts,
)
from touchcredit.core import backends
from touchcredit.core.arrays import ObjectArray
from touchcredit.core.mapping import ColumnMap
from touchcredit.core.store import JourneySet
from touchcredit.hygiene.labels import map_distinct

__all__ = ["COLUMNS", "PARAMS", "read"]

#: Top-level columns read from the export (others are never loaded).
COLUMNS = (
    "event_timestamp",
    "event_name",
    "user_pseudo_id",
    "user_id",
    "event_params",
    "collected_traffic_source",
    "session_traffic_source_last_click",
    "ecommerce",
    "event_value_in_usd",
)
#: Event parameters read from ``event_params``.
PARAMS = ("page_location", "page_referrer", "source", "medium", "campaign", "gclid", "value")
_TEXT = ("user_pseudo_id", "user_id", "event_name")
_OUT = ("row", "time", "pseudo", "user", "source", "medium", "campaign", "url", "referrer")
_NOT_SET = ("", "(not set)", "(not provided)")


def _pc() -> Any:
    return backends.pyarrow_compute()


def _field(col: Any, *path: str) -> Any:
    """A nested struct field (None when the schema lacks it); parent nulls propagate."""
    pa, pc = backends.pyarrow(), _pc()
    for name in path:
        if col is None or not pa.types.is_struct(col.type):
            return None
        if col.type.get_field_index(name) < 0:
            return None
        col = pc.struct_field(col, name)
    return col


def _objects(arr: Any, n: int) -> ObjectArray:
    """An Arrow array (or None) as an object array of str/None; '(not set)' is None."""
    if arr is None:
        return np.full(n, None, dtype=object)
    out = files.texts(arr)
    if out.size:
        out[np.isin(out, _NOT_SET)] = None
    return out


def _params(col: Any, n: int) -> dict[str, ObjectArray]:
    """Wanted ``event_params`` keys as text columns (None where absent), no row loops."""
    pa, pc = backends.pyarrow(), _pc()
    out = {k: np.full(n, None, dtype=object) for k in PARAMS}
    if col is None or n == 0:
        return out
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    flat = pc.list_flatten(col)
    parent = np.asarray(pc.list_parent_indices(col).to_numpy(zero_copy_only=False))
    which = pc.index_in(_field(flat, "key"), value_set=pa.array(PARAMS))
    which_np = np.asarray(which.fill_null(-1).to_numpy(zero_copy_only=False))
    value = _field(flat, "value")
    hit = np.flatnonzero(which_np >= 0)
    if hit.size == 0:
        return out
    sub = value.take(pa.array(hit))
    text = None
    if not pa.types.is_struct(sub.type):  # a flattened export: the value itself
        text = sub.cast(pa.string())
    for name in ("string_value", "int_value", "double_value", "float_value"):
        part = _field(sub, name)
        if part is None:
            continue
        part = part.cast(pa.string())
        text = part if text is None else pc.coalesce(text, part)
    values = files.texts(text) if text is not None else np.full(hit.size, None, dtype=object)
    rows, keys = parent[hit], which_np[hit]
    for k, name in enumerate(PARAMS):
        mine = keys == k
        out[name][rows[mine]] = values[mine]
    for name in PARAMS:
        col_k = out[name]
        col_k[np.isin(col_k, _NOT_SET)] = None
    return out


def _first(*columns: ObjectArray | None) -> ObjectArray:
    """Per row, the first column that holds a value."""
    present = [c for c in columns if c is not None]
    out = present[0].copy()
    for c in present[1:]:
        gap = out == None  # noqa: E711  (elementwise)
        out[gap] = c[gap]
    return out


def _value(
    batch: Any, params: dict[str, ObjectArray], n: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each conversion's value in the local currency (``purchase_revenue``, else the
    ``value`` parameter) and in USD (``event_value_in_usd``); NaN where absent."""
    pa = backends.pyarrow()
    local, usd = np.full(n, np.nan), np.full(n, np.nan)
    ecom = (
        _field(batch.column("ecommerce"), "purchase_revenue")
        if "ecommerce" in batch.column_names
        else None
    )
    param = pa.array(params["value"], type=pa.string())
    for col, name in ((ecom, "ecommerce.purchase_revenue"), (param, "event_params value")):
        if col is not None:
            got = files.numbers(col, table="events", column=name)
            gap = np.isnan(local)
            local[gap] = got[gap]
    if "event_value_in_usd" in batch.column_names:
        col = batch.column("event_value_in_usd")
        usd = files.numbers(col, table="events", column="event_value_in_usd")
    return local, usd


def _timestamps(col: Any) -> npt.NDArray[Any]:
    """``event_timestamp`` as epoch numbers (NaN where null), read later by the time rule.

    GA4 writes microseconds; the cleaning path reads the numbers by the magnitude rule
    of :mod:`touchcredit.core.time.epochs` (or ``Cleaning(unit=...)``), so seconds or
    milliseconds are not read as microseconds of 1970 and negative values are rejected.
    """
    pa = backends.pyarrow()
    if pa.types.is_integer(col.type) and not col.null_count:
        return np.asarray(col.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.int64)
    if pa.types.is_integer(col.type) or pa.types.is_floating(col.type):
        return np.asarray(col.cast(pa.float64()).to_numpy(zero_copy_only=False))
    if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
        raise files.SchemaError(
            "events", mistyped={"event_timestamp": f"expected INTEGER microseconds, got {col.type}"}
        )
    got = files.numbers(col, table="events", column="event_timestamp")
    if np.any(np.isfinite(got) & (np.abs(got) > 2**53)):
        raise files.SchemaError("events", mistyped={"event_timestamp": "out of range"})
    return got


def _has_campaign(cols: dict[str, ObjectArray], gclid: ObjectArray) -> npt.NDArray[np.bool_]:
    """Rows carrying campaign parameters: a tag, a click id, or UTM tags on the URL."""
    tagged = np.zeros(gclid.size, dtype=bool)
    for name in ("source", "medium", "campaign"):
        tagged |= cols[name] != None  # noqa: E711
    tagged |= gclid != None  # noqa: E711
    url = cols["url"]
    has_url = url != None  # noqa: E711
    if has_url.any():
        on_url = map_distinct(url[has_url], _tags_on_url, bool)  # no fixed-width copy
        tagged[np.flatnonzero(has_url)[on_url]] = True
    return tagged


def _tags_on_url(url: str) -> bool:
    low = url.lower()
    return "utm_" in low or "clid=" in low


def _labels(batch: Any, params: dict[str, ObjectArray], last_click: bool) -> dict[str, ObjectArray]:
    """Source, medium, campaign, URL, referrer and click id of every row of ``batch``."""
    m = batch.num_rows
    cts = (
        batch.column("collected_traffic_source")
        if "collected_traffic_source" in batch.column_names
        else None
    )
    out: dict[str, ObjectArray] = {}
    last = None
    if last_click and "session_traffic_source_last_click" in batch.column_names:
        last = _field(batch.column("session_traffic_source_last_click"), "manual_campaign")
    for role, manual, on_last in (
        ("source", "manual_source", "source"),
        ("medium", "manual_medium", "medium"),
        ("campaign", "manual_campaign_name", "campaign_name"),
    ):
        chain = [_objects(_field(last, on_last), m)] if last is not None else []
        chain += [_objects(_field(cts, manual), m), params[role]]
        out[role] = _first(*chain)
    gclid = _first(_objects(_field(cts, "gclid"), m), params["gclid"])
    google = (out["source"] == None) & (gclid != None)  # noqa: E711  auto-tagged Google Ads
    out["source"][google] = "google"
    out["medium"][google & (out["medium"] == None)] = "cpc"  # noqa: E711
    out["url"] = params["page_location"]
    out["referrer"] = params["page_referrer"]
    out["gclid"] = gclid
    return out


def _batch(
    batch: Any, offset: int, conversions: Sequence[str], campaign_events: bool, last_click: bool
) -> tuple[dict[str, Any], dict[str, Any], int]:
    """Candidate touches and conversions of one batch of events (rows are global)."""
    check_batch(batch)
    names = files.texts(batch.column("event_name"))
    is_conv = np.isin(names, list(conversions))
    sel = np.arange(batch.num_rows)
    if not campaign_events:  # only session starts and conversions need their parameters
        sel = np.flatnonzero((names == "session_start") | is_conv)
        batch = batch.take(sel)
        names, is_conv = names[sel], is_conv[sel]
    m = batch.num_rows
    params = _params(
        batch.column("event_params") if "event_params" in batch.column_names else None, m
    )
    labels = _labels(batch, params, last_click)
    is_touch = (
        _has_campaign(labels, labels["gclid"]) if campaign_events else names == "session_start"
    )
    time = _timestamps(batch.column("event_timestamp"))
    pseudo = files.texts(batch.column("user_pseudo_id"))
    user = _objects(batch.column("user_id") if "user_id" in batch.column_names else None, m)
    rows = sel.astype(np.int64) + offset
    t = np.flatnonzero(is_touch)
    touch = {"row": rows[t], "time": time[t], "pseudo": pseudo[t], "user": user[t]}
    touch.update({k: labels[k][t] for k in ("source", "medium", "campaign", "url", "referrer")})
    c = np.flatnonzero(is_conv)
    conv = {"row": rows[c], "time": time[c], "pseudo": pseudo[c]}
    conv["local"], conv["usd"] = np.full(c.size, np.nan), np.full(c.size, np.nan)
    ecom = batch.column("ecommerce") if "ecommerce" in batch.column_names else None
    conv["transaction"] = _objects(_field(ecom, "transaction_id"), m)[c]
    if c.size:
        conv["local"], conv["usd"] = _value(batch.take(c), {"value": params["value"][c]}, c.size)
    used = int(np.count_nonzero(is_touch | is_conv))
    return touch, conv, used


def _concat(parts: Iterable[dict[str, Any]], keys: Sequence[str]) -> dict[str, Any]:
    parts = list(parts)
    return {k: np.concatenate([p[k] for p in parts]) for k in keys}


def read(
    events: files.Source,
    *,
    conversions: Sequence[str] = ("purchase",),
    touches: Literal["sessions", "campaign_events"] = "sessions",
    session_source: Literal["collected", "last_click"] = "collected",
    value: Literal["revenue", "local", "usd", "count"] = "revenue",
    stitch_user_id: bool = True,
    cleaning: Cleaning | None = None,
    currency: str | None = None,
    batch_rows: int = 1 << 20,
) -> tuple[JourneySet, ConnectorReport]:
    """Read a GA4 BigQuery export (Parquet or newline-delimited JSON) into journeys.

    Parameters
    ----------
    events : path, glob, list of paths, or data frame
        The ``events_*`` tables, e.g. ``"exports/events_*.parquet"``.
    conversions : sequence of str
        Event names that are conversions (``"purchase"``, ``"generate_lead"``...).
    touches : {"sessions", "campaign_events"}
        Session starts with their traffic source (GA4's definition), or every event
        carrying campaign parameters.
    session_source : {"collected", "last_click"}
        Source of a session: the parameters collected on the event, or GA4's
        processed ``session_traffic_source_last_click`` first (see the module).
    value : {"revenue", "local", "usd", "count"}
        Conversion value, never two currencies mixed: ``"local"`` reads
        ``ecommerce.purchase_revenue``, else the ``value`` parameter (the property's
        currency); ``"usd"`` reads ``event_value_in_usd`` (currency USD); a conversion
        with only the other kind is rejected, naming its row. ``"revenue"`` reads
        whichever the export has, and is an error naming a row of each when some
        conversions have only a local value and others only a USD value. ``"count"``:
        1 per conversion. A conversion without any value counts 0.
    stitch_user_id : bool
        Join a person's devices through ``user_id``.
    cleaning : Cleaning, optional
        Dedup window, catalog, error mode.
    currency : str, optional
        Currency of the values (e.g. ``"USD"``).
    batch_rows : int
        Events processed at a time (bounds the memory of the nested columns).

    Returns
    -------
    (JourneySet, ConnectorReport)
        Rejected rows and ``journeys.touch_row``/``conversion_row`` index the events
        (over all files, in sorted order).

    Raises
    ------
    touchcredit.connectors.files.SchemaError
        When a required column is missing or a column has the wrong type.

    Examples
    --------
    >>> import pyarrow as pa
    >>> us = 1_700_000_000_000_000
    >>> params = [[{"key": "page_location",
    ...             "value": {"string_value": "https://x.io/?utm_source=google&utm_medium=cpc"}}],
    ...           [], [{"key": "value", "value": {"double_value": 40.0}}]]
    >>> events = pa.table({
    ...     "event_timestamp": [us, us + 10, us + 3_600_000_000],
    ...     "event_name": ["session_start", "page_view", "purchase"],
    ...     "user_pseudo_id": ["123.456", "123.456", "123.456"],
    ...     "event_params": params,
    ... })
    >>> js, report = read(events)
    >>> js.channel.labels().tolist(), js.total_value
    (['paid search'], 40.0)
    >>> dict(report.not_used)
    {'events that are neither session_start nor a conversion event': 1}
    """
    if touches not in ("sessions", "campaign_events"):
        raise ValueError(f"touches must be 'sessions' or 'campaign_events', got {touches!r}")
    if value not in ("revenue", "local", "usd", "count"):
        raise ValueError(f"value must be 'revenue', 'local', 'usd' or 'count', got {value!r}")
    if isinstance(conversions, str):
        conversions = (conversions,)
    campaign_events = touches == "campaign_events"
    is_ga4_export(events)
    t_parts, c_parts, offset, used, has_user = [], [], 0, 0, False
    events, skipped = daily_tables(events)  # a day as events_ and events_intraday_: once
    for batch in files.iter_batches(
        events, table="events", columns=COLUMNS, text=_TEXT, batch_rows=batch_rows
    ):
        t, c, u = _batch(
            batch, offset, conversions, campaign_events, session_source == "last_click"
        )
        t_parts.append(t)
        c_parts.append(c)
        offset += batch.num_rows
        used += u
        has_user |= "user_id" in batch.column_names
    t_all = _concat(t_parts, ("row", *_OUT[1:]))
    c_all = _concat(c_parts, ("row", "time", "pseudo", "local", "usd", "transaction"))
    c_all["value"], currency, off = ga4_value(
        value, c_all["local"], c_all["usd"], c_all["row"], currency
    )
    c_all = {k: v[~np.isnan(c_all["value"])] for k, v in c_all.items()}  # rejected in `off`
    keep, merged, clash = once_per_transaction(
        c_all["transaction"], c_all["time"], c_all["value"], c_all["row"]
    )
    c_all = {k: v[keep] for k, v in c_all.items()}
    skipped["purchase events repeating a transaction_id with the same value"] = merged
    cols = {"user_pseudo_id": t_all["pseudo"], "user_id": t_all["user"]}
    cols["event_timestamp"] = t_all["time"]
    cols.update({k: t_all[k] for k in ("source", "medium", "campaign", "url", "referrer")})
    touch = Table("events", cols, t_all["row"])
    conv_cols = {"user_pseudo_id": c_all["pseudo"], "event_timestamp": c_all["time"]}
    if value != "count":
        conv_cols["value"] = c_all["value"]
    what = "campaign parameters" if campaign_events else "session_start"
    unused = (
        f"events without {what} that are not conversion events"
        if campaign_events
        else f"events that are neither {what} nor a conversion event"
    )
    columns = ColumnMap(
        journey="user_pseudo_id",
        timestamp="event_timestamp",
        channel=None,  # channel groups of the source, medium and referrer
        identifiers={"user_id": "id"} if stitch_user_id and has_user else None,
        **{k: k for k in ("source", "medium", "campaign", "url", "referrer")},
        conversion_journey="user_pseudo_id",
        conversion_time="event_timestamp",
        conversion_value="value" if value != "count" else None,
    )
    return finish(
        touch,
        Table("events", conv_cols, c_all["row"]),
        columns=columns,
        cleaning=cleaning,
        source="ga4",
        tables={"events": offset},
        not_used=merge_counts({unused: offset - used}, skipped),
        rejected_conversions=combine(clash, off),
        target="revenue" if value != "count" else "conversions",
        currency=currency,
    )
