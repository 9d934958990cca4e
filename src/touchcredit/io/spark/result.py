"""The result of a Spark run (:class:`SparkAttribution`) and credit totals by label."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import attrs

from touchcredit.io.spark.stream import col
from touchcredit.io.spark.validation import require
from touchcredit.models.base import AttributionModel

if TYPE_CHECKING:
    from pyspark.sql import DataFrame

__all__ = ["SparkAttribution", "totals"]


@attrs.frozen(eq=False)
class SparkAttribution:
    """Result of :func:`touchcredit.spark.attribute`: per-touch credits, unattributed conversions.

    Both frames are lazy views of one computation (:attr:`frame`). Reading both
    recomputes it unless you :meth:`persist` first.

    Attributes
    ----------
    frame : pyspark.sql.DataFrame
        The combined output stream. Column ``__tc_kind`` marks the rows: 0 = a touch
        with its credit, 1 = a conversion that no touch could be credited for.
    credits : pyspark.sql.DataFrame
        Every input touch row (all its columns) plus ``credit_value`` (its share of
        the conversion values) and ``credit_conversions`` (its share of the count).
    unattributed : pyspark.sql.DataFrame
        Every conversion row with no eligible touch (all its columns) plus
        ``unattributed_value``; empty when no conversions were given.
    model : AttributionModel
        The model used (fitted, for data-driven models).
    dimensions : dict
        Column name of each label dimension given (``{"channel": "utm_medium"}``).
    notes : tuple of str
        What the reader should know about the totals (for Markov: whose channel
        totals they are, and how they were reached; see the ``totals`` argument of
        :func:`touchcredit.spark.attribute`).

    Examples
    --------
    >>> res = attribute(touches_df, "linear", conversions=leads_df)  # doctest: +SKIP
    >>> res.totals("channel").show()  # doctest: +SKIP
    """

    frame: DataFrame
    credits: DataFrame
    unattributed: DataFrame
    model: AttributionModel
    dimensions: dict[str, str]
    notes: tuple[str, ...] = ()

    def totals(self, by: str | Sequence[str] = "channel") -> DataFrame:
        """Credit per label of one or more dimensions (names or column names).

        Parameters
        ----------
        by : str or sequence of str
            ``"source"``, ``"channel"``, ``"campaign"``, ``"method"`` (mapped to the
            column given for them) or any column of :attr:`credits`.

        Returns
        -------
        pyspark.sql.DataFrame
            See :func:`totals`.

        Examples
        --------
        >>> res.totals(["channel", "campaign"]).toPandas()  # doctest: +SKIP
        """
        names = [by] if isinstance(by, str) else list(by)
        return totals(self.credits, [self.dimensions.get(b, b) for b in names])

    def unattributed_total(self) -> tuple[float, int]:
        """Value and number of the unattributed conversions (runs a small Spark job).

        Examples
        --------
        >>> res.unattributed_total()  # doctest: +SKIP
        (1250.0, 3)
        """
        from pyspark.sql import functions as F

        row = self.unattributed.agg(
            F.sum("unattributed_value").alias("v"), F.count(F.lit(1)).alias("n")
        ).collect()[0]
        return float(row["v"] or 0.0), int(row["n"])

    def persist(self) -> SparkAttribution:
        """Persist the combined frame (memory and disk) so both views reuse it.

        Examples
        --------
        >>> res = attribute(touches_df, "linear").persist()  # doctest: +SKIP
        """
        from pyspark import StorageLevel

        self.frame.persist(StorageLevel.MEMORY_AND_DISK)
        return self


def totals(
    credits: DataFrame,
    by: str | Sequence[str] = "channel",
    *,
    value_col: str = "credit_value",
    conversions_col: str = "credit_conversions",
) -> DataFrame:
    """Sum the per-touch credits by one or more columns (a small Spark aggregate).

    Parameters
    ----------
    credits : pyspark.sql.DataFrame
        :attr:`SparkAttribution.credits` (or any frame with the credit columns).
    by : str or sequence of str
        Column(s) to group by; null labels ("not recorded") form their own group.
    value_col, conversions_col : str
        Names of the credit columns.

    Returns
    -------
    pyspark.sql.DataFrame
        One row per label: the ``by`` columns, ``value_col`` and ``conversions_col``
        sums, sorted by label (nulls first). Unattributed value is not in it: see
        :meth:`SparkAttribution.unattributed_total`.

    Raises
    ------
    ValueError
        When a column is missing.

    Examples
    --------
    >>> totals(res.credits, "utm_medium").show()  # doctest: +SKIP
    """
    from pyspark.sql import functions as F

    names = [by] if isinstance(by, str) else list(by)
    for name in [*names, value_col, conversions_col]:
        require(credits, name, "credits")
    return (
        credits.groupBy(*[col(b) for b in names])
        .agg(
            F.sum(col(value_col)).alias(value_col),
            F.sum(col(conversions_col)).alias(conversions_col),
        )
        .orderBy(*[col(b).asc_nulls_first() for b in names])
    )
