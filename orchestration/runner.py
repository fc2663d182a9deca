"""The SQL model runner: the label catalogue (table `labels`), rule tables from
models/rules/*.csv, then every models/<layer>/*.sql.

A model file `models/<layer>/<name>.sql` holds one SELECT; it becomes the table `<name>`.
Dependencies are read from the model names a file mentions after FROM or JOIN, so files run in
an order where each one's inputs exist. Parameters reach SQL as DuckDB variables
(`getvariable('as_of')`), so the files stay plain SQL. One build is one transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from models import MODELS_DIR, RULES_DIR

from . import i18n
from .settings import Settings, load_settings

LAYERS = ("staging", "intermediate", "marts")
REFERENCE = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)
COMMENT = re.compile(r"--[^\n]*")
# `-- materialized: view` in a model's opening comment makes it a view: for models that are cheap
# to compute and expensive to store (staging copies, the union of every check), as in dbt.
MATERIALIZED = re.compile(r"^--\s*materialized:\s*(table|view)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    path: Path
    sql: str
    deps: frozenset[str]

    @property
    def description(self) -> str:
        """The model file's opening comment: what one row is."""
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            if not MATERIALIZED.match(line):
                lines.append(line.removeprefix("--").strip())
        return " ".join(lines)

    @property
    def materialized(self) -> str:
        found = MATERIALIZED.search(self.sql)
        return found.group(1) if found else "table"

    @property
    def reads_reference_tables(self) -> bool:
        return any(r.startswith("rules_") or r == "labels" for r in references(self.sql))


def references(sql: str) -> set[str]:
    """Table names a SQL text reads after FROM or JOIN (comments ignored)."""
    return {r.lower() for r in REFERENCE.findall(COMMENT.sub("", sql))}


def discover(models_dir: Path = MODELS_DIR) -> list[Model]:
    """Every model, in an order that builds each after the models it reads."""
    files = {p.stem: (layer, p) for layer in LAYERS for p in sorted((models_dir / layer).glob("*.sql"))}
    found = {}
    for name, (layer, path) in files.items():
        sql = path.read_text(encoding="utf-8")
        found[name] = Model(name, layer, path, sql, frozenset(references(sql) & files.keys() - {name}))
    order = TopologicalSorter({m.name: m.deps for m in found.values()}).static_order()
    return [found[n] for n in order]


@dataclass(frozen=True)
class RuleTable:
    files: tuple[Path, ...]
    per_profile: bool  # one file per profile folder, profile_id taken from the folder's name


def rule_tables(rules_dir: Path | None = None) -> dict[str, RuleTable]:
    """Table name → its CSV files. Shared tables are models/rules/<name>.csv; a jurisdiction's own
    rules are models/rules/<profile_id>/<name>.csv, one folder per profile, so adding a profile is
    adding a folder and a row in profiles.csv."""
    rules_dir = rules_dir or RULES_DIR
    tables = {f"rules_{p.stem}": RuleTable((p,), False) for p in sorted(rules_dir.glob("*.csv"))}
    for stem in sorted({p.stem for p in rules_dir.glob("*/*.csv")}):
        tables[f"rules_{stem}"] = RuleTable(tuple(sorted(rules_dir.glob(f"*/{stem}.csv"))), True)
    return tables


def load_rule_table(con: duckdb.DuckDBPyConnection, name: str, table: RuleTable) -> None:
    paths = [str(p) for p in table.files]
    if not table.per_profile:
        con.execute(f"create or replace table {name} as "
                    f"select * from read_csv(?, header = true, all_varchar = true)", [paths[0]])
        return
    con.execute(f"""create or replace table {name} as
        select regexp_extract(replace(filename, '\\', '/'), '([^/]+)/[^/]+$', 1) as profile_id,
               * exclude (filename)
        from read_csv(?, header = true, all_varchar = true, filename = true, union_by_name = true)
        order by profile_id""", [paths])


# Tables that keep state across builds: models read them, only the step after a build writes them.
STATE_DDL = [
    """create table if not exists appraisal_frozen_scores (
        unit_id varchar, period_type varchar, period varchar, frozen_as_of date, score double,
        judged bigint, violations bigint, rank bigint,
        primary key (unit_id, period_type, period))""",
]
# Once the scorecard is built, periods past their grace window are frozen at its figures.
FREEZE = """
    insert into appraisal_frozen_scores
    select unit_id, period_type, period, getvariable('as_of'), score, judged, violations, rank
    from mart_unit_period_scorecard
    where is_frozen
        and (unit_id, period_type, period) not in (select (unit_id, period_type, period) from appraisal_frozen_scores)
"""


def set_parameters(con: duckdb.DuckDBPyConnection, as_of: dt.date, default_profile: str | None = None,
                   settings: Settings | None = None) -> None:
    """The run's parameters as DuckDB variables, which int_run_parameters reads."""
    settings = settings or load_settings()
    variables = {
        "as_of": as_of,
        "default_profile": default_profile or settings.default_profile,
        "freeze_grace_days": settings.freeze_grace_days,
        "spot_check_per_unit": settings.spot_check_per_unit,
        "spot_check_seed": settings.spot_check_seed,
    }
    for name, value in variables.items():
        con.execute(f"set variable {name} = ?", [value])
    for stmt in STATE_DDL:
        con.execute(stmt)


def build_reference_tables(con: duckdb.DuckDBPyConnection, rules_dir: Path | None = None) -> list[tuple[str, int]]:
    """The label catalogue and the rule tables, which models join to."""
    con.execute("create or replace table labels (kind varchar, code varchar, ord integer, label_zh varchar, "
                "label_en varchar)")
    labels = i18n.label_rows()
    con.executemany("insert into labels values (?, ?, ?, ?, ?)", labels)
    built = [("labels", len(labels))]
    for name, table in rule_tables(rules_dir).items():
        load_rule_table(con, name, table)
        built.append((name, count(con, name)))
    return built


def build_model(con: duckdb.DuckDBPyConnection, model: Model) -> int:
    existing = con.execute("select table_type from information_schema.tables where table_schema = 'main' "
                           "and table_catalog = current_database() and table_name = ?", [model.name]).fetchall()
    kind = {"BASE TABLE": "table", "VIEW": "view"}.get(existing[0][0]) if existing else None
    if kind and kind != model.materialized:  # create or replace cannot turn a table into a view
        con.execute(f"drop {kind} {model.name}")
    con.execute(f"create or replace {model.materialized} {model.name} as {model.sql}")
    if model.name == "mart_unit_period_scorecard":
        con.execute(FREEZE)
    return count(con, model.name)


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


def build(con: duckdb.DuckDBPyConnection, as_of: dt.date, default_profile: str | None = None,
          settings: Settings | None = None) -> list[tuple[str, int]]:
    """Rebuild the reference tables and every model in one transaction; returns (model, rows)."""
    set_parameters(con, as_of, default_profile, settings)
    con.execute("begin transaction")
    try:
        build_reference_tables(con)
        built = [(model.name, build_model(con, model)) for model in discover()]
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return built
