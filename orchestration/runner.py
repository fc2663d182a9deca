"""The SQL model runner: the label catalogue (table `labels`), rule tables from
models/rules/*.csv, then every models/<layer>/*.sql.

A model file `models/<layer>/<name>.sql` holds one SELECT; it becomes the table `<name>`.
Dependencies are read from the model names a file mentions after FROM or JOIN, so files run in
an order where each one's inputs exist. Parameters reach SQL as DuckDB variables
(`getvariable('as_of')`), so the files stay plain SQL. One build is one transaction.

What several models compute alike (how a detail text writes a moment or a number) is a DuckDB macro
in models/macros/*.sql, `create or replace macro` statements that set_parameters runs before any
model; they are part of every model's fingerprint (Upstream), so a changed macro rebuilds what a
changed model would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from core import i18n
from core.progress import steps
from core.settings import Settings, load_settings
from core.sql import date_list, date_lit
from models import MODELS_DIR, RULES_DIR, macro_sql

from .load import recover
from .migrate import recwatch_version

LAYERS = ("staging", "intermediate", "marts")
REFERENCE = re.compile(r"\b(?:from|join)\s+([a-z_][a-z0-9_]*)", re.IGNORECASE)
COMMENT = re.compile(r"--[^\n]*")
# `-- materialized: view` in a model's opening comment makes it a view: for models that are cheap
# to compute and expensive to store (staging copies, the union of every check), as in dbt.
MATERIALIZED = re.compile(r"^--\s*materialized:\s*(table|view)\s*$", re.MULTILINE)
# `-- partitioned by day: <day of an output row>` makes a model incremental: a build recomputes only
# the days its companion `<name>.days.sql` lists (the days rows loaded since the last build, or the
# move of as_of, may have changed), in the variable run_days (null: every day); see build_partitioned.
PARTITIONED = re.compile(r"^--\s*partitioned by day:\s*(.+?)\s*$", re.MULTILINE)
DAYS_SUFFIX = ".days.sql"
# A model's companion `<name>.after.sql` is a step run once the model is built (the scorecard's
# freezing of periods past their grace window): declared beside the model, not known to the runner.
AFTER_SUFFIX = ".after.sql"
FINAL_ORDER = re.compile(r"\border\s+by\s+([^()]+?)\s*;?\s*$", re.IGNORECASE)
DIRECTIVE = re.compile(r"^--\s*(materialized|partitioned by day):")


@dataclass(frozen=True)
class Model:
    name: str
    layer: str
    path: Path
    sql: str
    deps: frozenset[str]
    days_sql: str | None = None  # a partitioned model's companion query: the days to recompute
    after_sql: str | None = None  # its companion step, run after each build of it

    @property
    def description(self) -> str:
        """The model file's opening comment: what one row is."""
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            if not DIRECTIVE.match(line):
                lines.append(line.removeprefix("--").strip())
        return " ".join(lines)

    @property
    def materialized(self) -> str:
        found = MATERIALIZED.search(self.sql)
        return found.group(1) if found else "table"

    @property
    def partition(self) -> str | None:
        """The day of a row of the model, as an expression over its columns."""
        found = PARTITIONED.search(self.sql)
        return found.group(1) if found else None

    @property
    def order_by(self) -> str | None:
        """The final ORDER BY's keys, if the model's rows have an order."""
        found = FINAL_ORDER.search(COMMENT.sub("", self.sql))
        return found.group(1) if found else None

    def rewritten(self, days: list[dt.date]) -> str | None:
        """The rows (a condition) a build that recomputes `days` writes again so that the table is left
        in the order a full build gives (reruns stay byte-identical): with no order, the days' rows;
        with an order led by the day, every row from the first of the days on, sorted again, while the
        rows before it stay where they are; None when the order is not led by the day (the whole
        table is sorted again). Rows without a day (sorted last) are recomputed by every build."""
        day = self.partition
        if not self.order_by:
            return f"{day} is null or list_contains({date_list(days)}, {day})"
        if self.order_by.split(",")[0].strip() == day:
            return f"{day} is null" + (f" or {day} >= {date_lit(min(days))}" if days else "")
        return None

    @property
    def reads_reference_tables(self) -> bool:
        return any(r.startswith("rules_") or r == "labels" for r in references(self.sql))


def references(sql: str) -> set[str]:
    """Table names a SQL text reads after FROM or JOIN (comments ignored)."""
    return {r.lower() for r in REFERENCE.findall(COMMENT.sub("", sql))}


def read_tables(models: list[Model] | None = None) -> set[str]:
    """Every name a model reads after FROM or JOIN that no model builds (its CTEs among them): the
    inputs a build needs from elsewhere (the raw store's tables, for a Spark build)."""
    models = models or discover()
    return set().union(*(references(m.sql) for m in models)) - {m.name for m in models}


def discover(models_dir: Path = MODELS_DIR) -> list[Model]:
    """Every model, in an order that builds each after the models it reads."""
    files = {p.stem: (layer, p) for layer in LAYERS for p in sorted((models_dir / layer).glob("*.sql"))
             if "." not in p.stem}
    found = {}
    for name, (layer, path) in files.items():
        sql = path.read_text(encoding="utf-8")
        days = path.with_name(name + DAYS_SUFFIX)
        days_sql = days.read_text(encoding="utf-8") if days.exists() else None
        if PARTITIONED.search(sql) and days_sql is None:
            raise ValueError(f"{path} is partitioned by day but has no {days.name}")
        # a days query reading the days another model recomputed is built after that model
        reads = references(sql) | {r.removeprefix("recomputed_") for r in references(days_sql or "")}
        after = path.with_name(name + AFTER_SUFFIX)
        after_sql = after.read_text(encoding="utf-8") if after.exists() else None
        found[name] = Model(name, layer, path, sql, frozenset(reads & files.keys() - {name}), days_sql, after_sql)
    order = TopologicalSorter({m.name: m.deps for m in found.values()}).static_order()
    return [found[n] for n in order]


def macros(macros_dir: Path | None = None) -> str:
    """The statements of every macro file, in name order. The macros are stored in the warehouse,
    not temporary, so that the views calling them read the same from any connection."""
    return macro_sql(macros_dir)


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
    """The rule table `name` from its CSV files; a change to the rows it had is recorded in
    rule_table_changes (an upgrade's or an office's edit can move every unfrozen score)."""
    paths = [str(p) for p in table.files]
    before = con.execute("select count(*) from duckdb_tables() where database_name = current_database() "
                         "and schema_name = 'main' and table_name = ?", [name]).fetchall()[0][0]
    if before:
        con.execute(f"create or replace temp table rules_before as select to_json(t)::varchar as r from {name} t")
    if not table.per_profile:
        con.execute(f"create or replace table {name} as "
                    f"select * from read_csv(?, header = true, all_varchar = true)", [paths[0]])
    else:
        con.execute(f"""create or replace table {name} as
            select regexp_extract(replace(filename, '\\', '/'), '([^/]+)/[^/]+$', 1) as profile_id,
                   * exclude (filename)
            from read_csv(?, header = true, all_varchar = true, filename = true, union_by_name = true)
            order by profile_id""", [paths])
    if before:
        con.execute(f"""insert into rule_table_changes
            select current_localtimestamp()::timestamp(0), ?, ?, added, removed
            from (select (select count(*) from (select to_json(t)::varchar from {name} t except all from rules_before)) as added,
                         (select count(*) from (from rules_before except all select to_json(t)::varchar from {name} t)) as removed)
            where added + removed > 0""", [recwatch_version(), name])
        con.execute("drop table rules_before")


# How a partitioned model keeps the rows of the days its build recomputes (run_days, null: every
# day), by the moment that puts a row on its day. The range as well as the list: DuckDB then skips
# the row groups before the first day by their min/max statistics, which a day computed from the
# column does not let it do. from_first_run_day is the range alone, for inputs joined to those rows
# that can only come after the first day (a recording that overlaps an act ends after it starts).
RUN_DAYS_MACROS = [
    """create or replace temp macro in_run_days(moment) as getvariable('run_days') is null
        or (moment >= list_min(getvariable('run_days'))
            and list_contains(getvariable('run_days'), cast(moment as date)))""",
    """create or replace temp macro from_first_run_day(moment) as getvariable('run_days') is null
        or moment >= list_min(getvariable('run_days'))""",
]

# Tables that keep state across builds: models read them, only the step after a build writes them.
STATE_DDL = [
    # a partitioned model's last build: what it saw (as_of, the last load batch), what the build
    # before it saw, and the days it recomputed (null: every day)
    """create table if not exists model_partitions (
        model varchar primary key, fingerprint varchar, as_of date, batch_id integer,
        previous_as_of date, previous_batch_id integer, days date[])""",
    # each rule table a build found changed (rows added, rows removed), and by which release
    """create table if not exists rule_table_changes (
        changed_at timestamp, recwatch_version varchar, table_name varchar, rows_added bigint, rows_removed bigint)""",
    """create table if not exists appraisal_frozen_scores (
        unit_id varchar, period_type varchar, period varchar, frozen_as_of date, score double,
        judged bigint, violations bigint, rank bigint,
        primary key (unit_id, period_type, period))""",
]


def run_variables(as_of: dt.date, default_profile: str | None = None,
                  settings: Settings | None = None) -> dict[str, object]:
    """The run's parameters by name, as the models read them with getvariable(name); the Spark build
    gives them as literals (orchestration.spark), so both engines read the same values."""
    settings = settings or load_settings()
    return {
        "as_of": as_of,
        # Models compare with this constant in filters rather than with a column of a cross-joined
        # parameter row: only a constant lets DuckDB estimate the rows that pass, and without the
        # estimate it builds hash tables on the millions of recordings instead of the few units.
        "as_of_end_at": dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()),
        "default_profile": default_profile or settings.default_profile,
        "freeze_grace_days": settings.freeze_grace_days,
        "spot_check_per_unit": settings.spot_check_per_unit,
        "spot_check_seed": settings.spot_check_seed,
        "review_rectify_days": settings.review_rectify_days,
        "review_warn_days": settings.review_warn_days,
        "review_weight": float(settings.review_weight),
    }


def set_parameters(con: duckdb.DuckDBPyConnection, as_of: dt.date, default_profile: str | None = None,
                   settings: Settings | None = None) -> None:
    """The run's parameters as DuckDB variables, which int_run_parameters reads."""
    for name, value in run_variables(as_of, default_profile, settings).items():
        con.execute(f"set variable {name} = ?", [value])
    # DuckDB copies a subplan that a query repeats (the same scan of the device log read twice) to
    # read it again; at a province's scale that copy is hundreds of millions of rows spilled to
    # disk, where scanning twice costs seconds. Models say `not materialized` for the same reason.
    # A join keeps the sides the model gives it (the rows it keeps on the left, probed in the order
    # they were read): flipped to build on a side of a few rows, a left join emits them in whatever
    # order its threads finish, and byte-identical reruns (contract §3) would take sorting millions
    # of recordings, which at a province's scale spilled and ran out of memory.
    con.execute("set disabled_optimizers = 'common_subplan,build_side_probe_side'")
    for stmt in RUN_DAYS_MACROS:
        con.execute(stmt)
    if shared := macros():
        con.execute(shared)
    if con.execute("select count(*) from duckdb_columns() where database_name = current_database() "
                   "and schema_name = 'main' and table_name = 'model_partitions'").fetchall()[0][0] not in (0, 7):
        con.execute("drop table model_partitions")  # an older layout: the next build of each is whole
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


def build_model(con: duckdb.DuckDBPyConnection, model: Model, days: Iterable[dt.date] = (),
                models: dict[str, Model] | None = None) -> int | None:
    """Build one model; a partitioned one only for its changed days and `days` (see build_partitioned).
    `models` (every model by name) spares rediscovering them to trace a partitioned model's inputs.
    Returns a table's rows; None for a view, which counting would compute (the union of every
    check is millions of rows)."""
    existing = con.execute("select table_type from information_schema.tables where table_schema = 'main' "
                           "and table_catalog = current_database() and table_name = ?", [model.name]).fetchall()
    kind = {"BASE TABLE": "table", "VIEW": "view"}.get(existing[0][0]) if existing else None
    if kind and kind != model.materialized:  # create or replace cannot turn a table into a view
        con.execute(f"drop {kind} {model.name}")
        kind = None
    if model.partition:
        build_partitioned(con, model, Upstream.of(model, models), is_new=kind is None, days=days, models=models)
    else:
        con.execute(f"create or replace {model.materialized} {model.name} as {model.sql}")
    if model.after_sql:
        con.execute(model.after_sql)
    return count(con, model.name) if model.materialized == "table" else None


@dataclass(frozen=True)
class Upstream:
    """What a model reads, all the way down: the raw sources, and a fingerprint of every SQL text
    and rule table on the way and of the macros (any model may call them), so that a changed rule,
    model or macro rebuilds a partitioned model whole."""

    sources: frozenset[str]
    fingerprint: str

    @classmethod
    def of(cls, model: Model, models: dict[str, Model] | None = None, rules_dir: Path | None = None) -> "Upstream":
        models = models or {m.name: m for m in discover()}
        seen = upstream_models(model.name, models)
        texts = [text for name in seen for text in (models[name].sql, models[name].days_sql or "")]
        sources = {r[4:] for name in seen for r in references(models[name].sql) if r.startswith("raw_")}
        digest = hashlib.sha256("\0".join([*sorted(texts), macros()]).encode())
        for table in rule_tables(rules_dir).values():
            for path in table.files:
                digest.update(path.read_bytes())
        return cls(frozenset(sources), digest.hexdigest())


def upstream_models(name: str, models: dict[str, Model]) -> set[str]:
    """The model and every model it reads, all the way down."""
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo += models[current].deps
    return seen


def loaded_since(con: duckdb.DuckDBPyConnection, sources: Iterable[str], batch_id: int) -> bool:
    """Whether any of the sources has rows loaded by a batch after `batch_id`."""
    return any(con.execute(f"select exists (select 1 from raw_{s} where _batch_id > ?)", [batch_id]).fetchall()[0][0]
               for s in sorted(sources))


def days_query_views(con: duckdb.DuckDBPyConnection, days_sql: str) -> None:
    """The views a days query reads: `changed_<source>`, the rows of raw_<source> loaded since batch
    `since_batch` and the earlier versions those rows replaced, for it to say which days they fall
    on; and `recomputed_<model>`, the days a partitioned model recomputed in its last build."""
    reads = references(days_sql)
    for name in sorted(r.removeprefix("recomputed_") for r in reads if r.startswith("recomputed_")):
        con.execute(f"""create or replace temp view recomputed_{name} as
            select unnest(days) as day from model_partitions where model = '{name}'""")
    for source in sorted(r.removeprefix("changed_") for r in reads if r.startswith("changed_")):
        con.execute(f"""create or replace temp view changed_{source} as
            select * from raw_{source} where _batch_id > getvariable('since_batch')
            union all
            select raw.* from raw_{source} as raw
            semi join load_replacements as x
                on x.replaced_file_id = raw._file_id and x.replaced_row_number = raw._row_number
                and x.source = '{source}' and x.batch_id > getvariable('since_batch')""")


def days_inputs(model: Model, models: dict[str, Model]) -> tuple[set[str], set[str]]:
    """The sources whose changes a model's days query maps to days (itself, or through the partitioned
    models whose recomputed days it reads), and those models."""
    sources, upstream = set(), set()
    for ref in references(model.days_sql or ""):
        if ref.startswith("changed_"):
            sources.add(ref.removeprefix("changed_"))
        elif ref.startswith("recomputed_"):
            upstream.add(ref.removeprefix("recomputed_"))
            sources |= days_inputs(models[ref.removeprefix("recomputed_")], models)[0]
    return sources, upstream


def build_partitioned(con: duckdb.DuckDBPyConnection, model: Model, upstream: Upstream, is_new: bool,
                      days: Iterable[dt.date] = (), models: dict[str, Model] | None = None) -> None:
    """Recompute the days the model's days query lists, and `days`, or every day.

    The days query (`<name>.days.sql`) reads `changed_<source>` for the sources whose new rows it
    maps to days (a source that reaches only rows without a day, `where false`), `recomputed_<model>`
    for the days a partitioned model it reads recomputed in this run (on the same days of its own),
    the model's own rows as last built, and the variables
    `last_as_of_end_at` and `as_of_days` (the days as_of moved over) for rows whose outcome the
    passing of time changes. Anything else (a new as_of in the past, new rows of a source the days
    query does not map, such a model rebuilt whole or from another state, a changed rule table,
    model or setting) rebuilds every day.
    """
    models = models or {m.name: m for m in discover()}
    day_expr = model.partition
    state = con.execute("select fingerprint, as_of, batch_id from model_partitions where model = ?",
                        [model.name]).fetchall()
    as_of, batch_id = con.execute(
        "select getvariable('as_of'), (select coalesce(max(batch_id), 0) from load_batches)").fetchall()[0]
    fingerprint = hashlib.sha256(f"{upstream.fingerprint}:{settings_key(con)}".encode()).hexdigest()
    incremental = bool(state) and not is_new and state[0][0] == fingerprint and state[0][1] <= as_of
    since, last_as_of = (state[0][2], state[0][1]) if state else (None, None)
    if incremental:
        mapped, partitioned = days_inputs(model, models)
        incremental = not loaded_since(con, upstream.sources - mapped, since)
        # an upstream model's recomputed days stand for this model's only if both moved from the same state
        incremental = incremental and all(con.execute(
            "select exists (select 1 from model_partitions where model = ? and days is not null and as_of = ? "
            "and batch_id = ? and previous_as_of = ? and previous_batch_id = ?)",
            [name, as_of, batch_id, last_as_of, since]).fetchall()[0][0] for name in sorted(partitioned))
    if not incremental:
        con.execute("set variable run_days = null::date[]")  # every day
        con.execute(f"create or replace {model.materialized} {model.name} as {model.sql}")
    else:
        con.execute("set variable since_batch = ?", [since])
        con.execute("set variable last_as_of_end_at = ?", [dt.datetime.combine(last_as_of + dt.timedelta(days=1), dt.time())])
        con.execute("set variable as_of_days = ?::date[]",
                    [[last_as_of + dt.timedelta(days=n) for n in range(1, (as_of - last_as_of).days + 1)]])
        days_query_views(con, model.days_sql)
        recompute = sorted({r[0] for r in con.execute(model.days_sql).fetchall() if r[0] is not None} | set(days))
        con.execute("set variable run_days = ?::date[]", [recompute])
        # a view computes its days where it is read: recording them is its whole build. Rows
        # without a day (from inputs that are not partitioned) are recomputed by every build.
        if model.materialized == "table" and (recompute or con.execute(
                f"select exists (select 1 from {model.name} where {day_expr} is null)").fetchall()[0][0]):
            rewritten = model.rewritten(recompute)
            if rewritten is None:
                con.execute(f"delete from {model.name} "
                            f"where {day_expr} is null or list_contains(getvariable('run_days'), {day_expr})")
                con.execute(f"insert into {model.name} {model.sql}")
                con.execute(f"create or replace table {model.name} as select * from {model.name} "
                            f"order by {model.order_by}")
            elif not model.order_by:
                con.execute(f"delete from {model.name} where {rewritten}")
                con.execute(f"insert into {model.name} {model.sql}")
            else:
                # the kept rows after the first recomputed day are set aside and written again with
                # the recomputed ones, in order, after the rows before it: a day in the middle (a
                # record's deadline passing) sorts the rows from that day on, not the whole table
                con.execute(f"create or replace temp table kept_after as select * from {model.name} "
                            f"where ({rewritten}) and not list_contains(getvariable('run_days'), {day_expr}) "
                            f"and {day_expr} is not null")
                con.execute(f"delete from {model.name} where {rewritten}")
                con.execute(f"insert into {model.name} select * from (from kept_after union all "
                            f"select * from ({model.sql})) order by {model.order_by}")
                con.execute("drop table kept_after")
    con.execute("insert or replace into model_partitions values (?, ?, ?, ?, ?, ?, getvariable('run_days'))",
                [model.name, fingerprint, as_of, batch_id, last_as_of, since])


def days_recomputed(con: duckdb.DuckDBPyConnection) -> int | None:
    """How many days the last partitioned build recomputed; None when it rebuilt every day."""
    return con.execute("select len(getvariable('run_days'))").fetchall()[0][0]


# Variables of the build itself, not settings: as_of, and what build_partitioned sets for a days query
BUILD_VARIABLES = ("as_of", "as_of_end_at", "run_days", "since_batch", "last_as_of_end_at", "as_of_days")


def settings_key(con: duckdb.DuckDBPyConnection) -> str:
    """The run parameters set_parameters gave, other than as_of and the days a partitioned build
    lists (which build_partitioned itself accounts for)."""
    return repr(con.execute("select name, value::varchar from duckdb_variables() "
                            f"where name not in {BUILD_VARIABLES} order by name").fetchall())


def count(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"select count(*) from {table}").fetchall()[0][0]


def build(con: duckdb.DuckDBPyConnection, as_of: dt.date, default_profile: str | None = None,
          settings: Settings | None = None, progress: bool = False,
          models: Iterable[str] | None = None) -> list[tuple[str, int | None]]:
    """Rebuild the reference tables and every model in one transaction; returns (model, rows), rows
    None for a view.

    `models` names targets: then only they and the models they read, all the way down (through
    days queries too), are built, in the same order, transaction and parameters. The other models
    are left as they were: a partitioned one's state is its own, so its next build still recomputes
    all it missed, and a step after a model (the scorecard's freezing) runs only with that model."""
    recover(con)  # a batch a killed load left half-written is undone before anything is judged on it
    set_parameters(con, as_of, default_profile, settings)
    con.execute("begin transaction")
    try:
        build_reference_tables(con)
        every = discover()
        by_name = {m.name: m for m in every}
        if models is not None:
            unknown = sorted(set(models) - by_name.keys())
            if unknown:
                raise ValueError(f"no model named {', '.join(unknown)}")
            needed = set().union(*(upstream_models(name, by_name) for name in models))
        chosen = every if models is None else [m for m in every if m.name in needed]
        built = []
        for model in steps(chosen, "judge", "model", lambda m: m.name, progress):
            built.append((model.name, build_model(con, model, models=by_name)))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return built
