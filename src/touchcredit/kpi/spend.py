"""SpendTable: what was spent, on which source/channel/campaign, in which month."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray
from touchcredit.core.columns import as_values
from touchcredit.core.dimension import Dimension
from touchcredit.core.domain import Spend
from touchcredit.core.factorize import factorize_labels
from touchcredit.core.frame_input import column_names, labels_of, plain_values, read_columns
from touchcredit.core.mapping import require_columns

__all__ = ["SpendTable"]


@attrs.frozen(eq=False)
class SpendTable:
    """Spend lines as columns: amount, booked month, source/channel/campaign codes.

    Examples
    --------
    >>> t = SpendTable.from_arrays([100, 50], ["2024-01", "2024-02-10"], source=["a", "b"])
    >>> t.month.astype(str).tolist(), t.total
    (['2024-01', '2024-02'], 150.0)
    """

    amount: FloatArray
    month: npt.NDArray[np.datetime64]
    source: Dimension
    channel: Dimension
    campaign: Dimension
    currency: str | None = None

    @property
    def total(self) -> float:
        """Total spend."""
        return float(self.amount.sum())

    @classmethod
    def from_arrays(
        cls,
        amount: Any,
        period: Any,
        *,
        source: Any = None,
        channel: Any = None,
        campaign: Any = None,
        currency: str | None = "USD",
    ) -> SpendTable:
        """Build from parallel arrays; ``period`` holds months (``"2024-03"``) or dates.

        Parameters
        ----------
        amount : array-like of float
            Spend per line (finite, >= 0).
        period : array-like
            Month of every line: ``"2024-03"``, a date, or ``datetime64``.
        source, channel, campaign : array-like of str or None, optional
            What each line was spent on.
        currency : str or None
            ISO 4217 code of all the amounts.

        Returns
        -------
        SpendTable

        Raises
        ------
        ValueError
            On a negative/non-finite amount or an unparseable month, naming the row.

        Examples
        --------
        >>> SpendTable.from_arrays([5.0], ["2024-07"], channel=["email"]).channel.categories
        ('email',)
        """
        amt = as_values(amount, field="amount", n=len(amount))
        n = amt.shape[0]
        try:
            months = np.asarray(period, dtype="datetime64[D]").astype("datetime64[M]")
        except (ValueError, TypeError) as exc:
            raise ValueError(f"'period' must hold months like '2024-03' or dates ({exc})") from None
        if months.shape != (n,):
            raise ValueError(f"'period' has {months.shape[0]} rows, expected {n}")
        if np.isnat(months).any():
            raise ValueError(
                f"'period' is missing in row {int(np.flatnonzero(np.isnat(months))[0]) + 1}"
            )
        dims = [Dimension(*factorize_labels(v, field=f, n=n)) for f, v in
                (("source", source), ("channel", channel), ("campaign", campaign))]  # fmt: skip
        return cls(amt, months, dims[0], dims[1], dims[2], currency=currency)

    @classmethod
    def from_objects(cls, spends: Iterable[Spend]) -> SpendTable:
        """Build from :class:`~touchcredit.Spend` values (one currency).

        Parameters
        ----------
        spends : iterable of Spend
            The spend lines, all in one currency.

        Returns
        -------
        SpendTable

        Raises
        ------
        ValueError
            When the lines are in more than one currency.

        Examples
        --------
        >>> SpendTable.from_objects([Spend(10, "2024-01", source="a")]).total
        10.0
        """
        items = list(spends)
        currencies = sorted({s.currency for s in items})
        if len(currencies) > 1:
            raise ValueError(
                f"spend is in more than one currency ({', '.join(currencies)}); convert first"
            )
        return cls.from_arrays(
            [s.amount for s in items],
            np.array([s.period for s in items], dtype="datetime64[D]"),
            source=[s.source for s in items],
            channel=[s.channel for s in items],
            campaign=[s.campaign for s in items],
            currency=currencies[0] if currencies else None,
        )

    @classmethod
    def from_frame(
        cls,
        frame: Any,
        *,
        amount: str = "amount",
        period: str = "period",
        source: str | None = None,
        channel: str | None = None,
        campaign: str | None = None,
        currency: str | None = "USD",
    ) -> SpendTable:
        """Build from a frame narwhals supports (pandas, polars, pyarrow, DuckDB, ...).

        The keywords name the columns of :meth:`from_arrays`' arguments (a label
        column of None is not recorded); ``currency`` is the ISO 4217 code of all the
        amounts.

        Raises
        ------
        touchcredit.core.mapping.MissingColumnError
            (a ValueError) naming every missing column and listing the columns found.

        Examples
        --------
        >>> import polars as pl
        >>> df = pl.DataFrame({"cost": [100.0, 50.0], "month": ["2024-01", "2024-02"],
        ...                    "channel": ["email", "paid search"]})
        >>> t = SpendTable.from_frame(df, amount="cost", period="month", channel="channel")
        >>> t.total, t.channel.categories
        (150.0, ('email', 'paid search'))
        """
        wanted = {"amount": amount, "period": period, "source": source, "channel": channel}
        wanted["campaign"] = campaign
        named = {role: col for role, col in wanted.items() if col is not None}
        require_columns("spend", named, column_names(frame, table="spend"))
        cols = read_columns(frame, named, table="spend")
        return cls.from_arrays(
            plain_values(cols["amount"]),
            plain_values(cols["period"]),
            source=labels_of(cols.get("source")),
            channel=labels_of(cols.get("channel")),
            campaign=labels_of(cols.get("campaign")),
            currency=currency,
        )
