"""Attribution on Apache Spark DataFrames, one vectorized numpy call per partition.

Touches (and the conversions, when given) are unioned into one tagged row stream,
repartitioned by journey so that every journey lands whole in one partition, and
handed to Python through Arrow (``mapInArrow``). Each partition is read in full,
turned into a :class:`~touchcredit.JourneySet` and weighed by the model in one call,
exactly as the in-memory :func:`touchcredit.attribute` does; the per-touch credits
come back as Arrow record batches. Data-driven models (Markov, Shapley) are fitted
first from their sufficient statistics: each partition counts (``model.count``), the
small count objects are merged on the driver and solved there (``model.fit_counts``).

Modules: :mod:`~touchcredit.io.spark.driver` (the public runners),
:mod:`~touchcredit.io.spark.stream` (the tagged row stream and its layout),
:mod:`~touchcredit.io.spark.validation` (input checks),
:mod:`~touchcredit.io.spark.executor` (the ``mapInArrow`` side) and
:mod:`~touchcredit.io.spark.codec` (the JSON count codec, no pickle).

Nothing here is imported by ``import touchcredit``; pyspark and pyarrow are imported
when a function runs (install the ``spark`` extra).
"""

from touchcredit.io.spark.driver import attribute, fit
from touchcredit.io.spark.result import SparkAttribution, totals

__all__ = ["SparkAttribution", "attribute", "fit", "totals"]
