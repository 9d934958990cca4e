"""Money in one currency: a connector's amounts are in one currency, converted, or refused.

A JourneySet holds one currency. An export whose rows carry their own currency code
(Salesforce ``CurrencyIsoCode``) is read when every conversion has the same code; when
the codes differ, the amounts are converted with the rates the user gives (``rates``:
units of the target currency per unit of each other currency), and otherwise refused
with an error naming both currencies and a row of each. 1000 USD and 500 JPY never
become 1500 USD.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["one_currency"]


def _float(v: Any) -> float | None:
    try:
        return None if v is None else float(v)
    except (TypeError, ValueError):
        return None


def one_currency(
    codes: npt.NDArray[np.object_],
    values: npt.NDArray[Any],
    *,
    currency: str | None,
    rates: Mapping[str, float] | None,
    table: str,
    column: str,
) -> tuple[npt.NDArray[Any], str | None, dict[str, float]]:
    """The values in one currency, that currency, and the rates applied.

    Parameters
    ----------
    codes : object ndarray
        ISO 4217 code of each value (None where the row has none: the only code of the
        others, or ``currency``).
    values : ndarray
        Amounts (numbers, or text the cleaning path reads later; text that is not a
        number is left for it to reject).
    currency : str, optional
        The currency the caller wants (None: the one the rows hold).
    rates : mapping of str to float, optional
        Units of ``currency`` per unit of each other currency.
    table, column : str
        Names for the messages.

    Raises
    ------
    ValueError
        When the rows hold two currencies and no rate converts them, or one currency
        that is not ``currency`` without a rate, naming both and a row of each.

    Examples
    --------
    >>> codes = np.array(["USD", "JPY"], dtype=object)
    >>> one_currency(codes, np.array([1000.0, 500.0]), currency="USD", rates={"JPY": 0.0067},
    ...              table="opportunities", column="CurrencyIsoCode")
    (array([1000.  ,    3.35]), 'USD', {'JPY': 0.0067})
    >>> one_currency(codes, np.array([1000.0, 500.0]), currency=None, rates=None,
    ...              table="opportunities", column="CurrencyIsoCode")
    Traceback (most recent call last):
    ...
    ValueError: opportunities: 'CurrencyIsoCode' holds USD (row 1) and JPY (row 2); amounts \
in two currencies are never added: pass currency='USD' and rates={'JPY': ...} (USD per JPY) \
to convert, or export one currency
    """
    clean = [None if c is None else str(c).strip().upper() or None for c in codes.tolist()]
    first: dict[str, int] = {}
    for i, c in enumerate(clean):
        if c is not None:
            first.setdefault(c, i)
    found = list(first)
    if len(found) <= 1 and (currency is None or found in ([], [currency.upper()])):
        return values, currency or (found[0] if found else None), {}
    target = (currency or "").upper()
    given = {str(k).upper(): float(v) for k, v in (rates or {}).items()}
    missing = [c for c in found if c != target and c not in given]
    if not target or missing:
        keep, other = (found[0], found[1]) if not target else (target, missing[0])

        def at(c: str) -> str:
            return f"{c} (row {first[c] + 1})" if c in first else f"{c} (currency=)"

        raise ValueError(
            f"{table}: {column!r} holds {at(keep)} and {at(other)}; amounts in two "
            f"currencies are never added: pass currency={keep!r} and rates={{{other!r}: ...}} "
            f"({keep} per {other}) to convert, or export one currency"
        )
    out = values.astype(object, copy=True) if values.dtype.kind != "f" else values.copy()
    used: dict[str, float] = {}
    for i, c in enumerate(clean):
        if c is None or c == target:
            continue
        amount = _float(values[i])
        if amount is not None:
            out[i] = amount * given[c]
            used[c] = given[c]
    return out, target, used
