"""The models on Apache Spark (#26): the same DuckDB SQL files, transpiled with sqlglot when a build
starts, over Parquet copies of the tables the models read that are not models.

Nothing here is imported by the DuckDB path: pyspark and sqlglot are the optional extra `spark`,
which `make demo` does not install. See docs/spark.md.
"""
