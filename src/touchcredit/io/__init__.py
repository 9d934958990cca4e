"""Data in and out of the process: DataFrames, files, out-of-core Parquet, Spark.

Optional dependencies (pyarrow, pandas, polars, pyspark) are imported where used, never
at ``import touchcredit``.
"""
