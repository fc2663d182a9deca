"""Whether a model's rows on Spark are DuckDB's: the same columns, and the same rows as a multiset.

Neither engine's row order is compared (Spark has none to keep); values are compared after the
normalising that a change of engine alone would need: integers of any width are integers, decimals
and doubles are compared at 12 significant digits (a double summed in another order differs in its
last bits), timestamps are naive on both sides (TIMESTAMP_NTZ), lists and structs are tuples.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import duckdb

from .. import runner

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

SIGNIFICANT = 12


def normal(value: object) -> object:
    if value is None or isinstance(value, (bool, str, int, dt.date, dt.time, dt.timedelta)):
        return value.replace(tzinfo=None) if isinstance(value, dt.datetime) else value
    if isinstance(value, (float, decimal.Decimal)):
        value = float(value)
        if math.isnan(value) or math.isinf(value):
            return value if not math.isnan(value) else "NaN"
        return float(f"{value:.{SIGNIFICANT}g}")
    if isinstance(value, dict):
        return tuple((k, normal(v)) for k, v in value.items())
    if isinstance(value, (list, tuple)):  # a pyspark Row is a tuple
        return tuple(normal(v) for v in value)
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    raise TypeError(f"cannot compare a {type(value).__name__}")


INTEGERS = {"tinyint", "smallint", "integer", "int", "bigint", "hugeint", "utinyint", "usmallint", "uinteger",
            "ubigint", "uhugeint"}


def family(type_name: str) -> str:
    """A column type as the kind of value it holds: integers of any width alike (DuckDB sums to
    HUGEINT, Spark to BIGINT), but a double is not a decimal and a zoned timestamp is not a local one."""
    t = type_name.lower().strip()
    if t.endswith("[]"):
        return f"list<{family(t[:-2])}>"
    if t.startswith("array<"):
        return f"list<{family(t[6:-1])}>"
    if t.startswith("struct") or t.startswith("{"):
        return "struct"
    if t in INTEGERS:
        return "integer"
    if t in {"double", "float", "real"}:
        return "double"
    if t.startswith("decimal"):
        return "decimal"
    if t in {"varchar", "string"} or t.startswith("varchar"):
        return "text"
    if t in {"timestamp", "timestamp_ntz", "timestamp without time zone"}:
        return "timestamp"
    if t in {"timestamp with time zone", "timestamptz", "timestamp_ltz"}:
        return "timestamp with zone"
    return t


@dataclass
class Comparison:
    name: str
    columns_duckdb: list[str]
    columns_spark: list[str]
    rows_duckdb: int
    rows_spark: int
    only_duckdb: list[tuple] = field(default_factory=list)  # a few of each, to show
    only_spark: list[tuple] = field(default_factory=list)
    differing: int = 0  # rows of either side without their match on the other
    types: list[tuple[str, str, str]] = field(default_factory=list)  # column, DuckDB's, Spark's: other kinds

    @property
    def identical(self) -> bool:
        return self.columns_duckdb == self.columns_spark and not self.types and self.differing == 0

    def summary(self) -> str:
        if self.identical:
            return f"identical ({self.rows_duckdb} rows)"
        if self.columns_duckdb != self.columns_spark:
            return f"columns differ: duckdb {self.columns_duckdb} / spark {self.columns_spark}"
        if self.types:
            return "types differ: " + ", ".join(f"{c} {d} / {s}" for c, d, s in self.types)
        return (f"{self.differing} rows differ of {self.rows_duckdb} (duckdb) / {self.rows_spark} (spark); "
                f"e.g. duckdb {self.only_duckdb[:1]} spark {self.only_spark[:1]}")


def read_as_built(con: duckdb.DuckDBPyConnection, as_of: dt.date, default_profile: str | None = None) -> None:
    """Give a connection to a built warehouse what its views read (a view is computed where it is
    read): the build's variables, with run_days null as in a full build, and the runner's macros."""
    variables = {**runner.run_variables(as_of, default_profile), "run_days": None}
    for name, value in variables.items():
        con.execute(f"set variable {name} = ?" if value is not None else f"set variable {name} = null::date[]",
                    [value] if value is not None else [])
    for statement in runner.RUN_DAYS_MACROS:
        con.execute(statement)


def compare(con: duckdb.DuckDBPyConnection, spark: SparkSession, name: str, show: int = 3) -> Comparison:
    """The model `name` as built in the DuckDB connection and as the Spark session's view."""
    result = con.execute(f"select * from {name}")
    columns_duckdb = [d[0] for d in result.description]
    types_duckdb = [str(d[1]) for d in result.description]
    duck = Counter(tuple(normal(v) for v in row) for row in result.fetchall())
    frame = spark.table(name)
    types_spark = [f.dataType.simpleString() for f in frame.schema.fields]
    spark_rows = Counter(tuple(normal(v) for v in row) for row in frame.collect())
    only_duckdb, only_spark = duck - spark_rows, spark_rows - duck
    types = [(c, d, s) for c, d, s in zip(columns_duckdb, types_duckdb, types_spark) if family(d) != family(s)]
    return Comparison(name, columns_duckdb, list(frame.columns), sum(duck.values()), sum(spark_rows.values()),
                      sorted(only_duckdb.elements(), key=repr)[:show], sorted(only_spark.elements(), key=repr)[:show],
                      sum(only_duckdb.values()) + sum(only_spark.values()), types)


@dataclass
class TableDifference:
    name: str
    rows_a: int
    rows_b: int
    only_a: int  # rows of a without their match in b, as a multiset
    only_b: int
    columns: str = ""  # how the columns differ, if they do

    @property
    def identical(self) -> bool:
        return not self.columns and self.only_a == 0 and self.only_b == 0

    def summary(self) -> str:
        return self.columns or f"{self.only_a} rows only in a, {self.only_b} only in b (of {self.rows_a} / {self.rows_b})"


def normalised(column: str, type_name: str) -> str:
    """A column as compared: a double or decimal at SIGNIFICANT digits (a sum in another order differs
    in its last bits), everything else as it is."""
    quoted = '"' + column.replace('"', '""') + '"'
    if family(type_name) in {"double", "decimal"}:
        return f"printf('%.{SIGNIFICANT}g', {quoted}::double)"
    return quoted


def compare_snapshots(a: str, b: str, names: list[str] | None = None) -> dict[str, TableDifference]:
    """Every table and view of snapshot `a` against the same name in snapshot `b`, in DuckDB: the
    same columns in the same order, of the same kinds of type, and the same rows as a multiset
    (`except all` both ways)."""
    from core.sql import lit

    with duckdb.connect() as con:
        con.execute(f"attach {lit(a)} as a (read_only)")
        con.execute(f"attach {lit(b)} as b (read_only)")
        shapes: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for db, table, columns in con.execute(
                "select database_name, table_name, list((column_name, data_type) order by column_index) "
                "from duckdb_columns() where database_name in ('a', 'b') group by all").fetchall():
            shapes[db, table] = columns
        names = names or sorted({t for _, t in shapes} - {"published_partitions"})
        found = {}
        for name in names:
            ca, cb = shapes.get(("a", name)), shapes.get(("b", name))
            count = f"select count(*) from {{}}.{name}"
            if ca is None or cb is None:
                found[name] = TableDifference(name, 0, 0, 0, 0, f"missing in {'a' if ca is None else 'b'}")
                continue
            rows_a, rows_b = (con.execute(count.format(db)).fetchall()[0][0] for db in ("a", "b"))
            kinds_a, kinds_b = [(c, family(t)) for c, t in ca], [(c, family(t)) for c, t in cb]
            if kinds_a != kinds_b:
                differ = [f"{x} / {y}" for x, y in zip(kinds_a, kinds_b) if x != y] or [f"{len(ca)} / {len(cb)} columns"]
                found[name] = TableDifference(name, rows_a, rows_b, 0, 0, "columns differ: " + ", ".join(differ[:5]))
                continue
            select = ", ".join(normalised(c, t) for c, t in ca)
            only = "select count(*) from (select {s} from {x}.{n} except all select {s} from {y}.{n})"
            found[name] = TableDifference(
                name, rows_a, rows_b,
                con.execute(only.format(s=select, x="a", y="b", n=name)).fetchall()[0][0],
                con.execute(only.format(s=select, x="b", y="a", n=name)).fetchall()[0][0])
        return found
