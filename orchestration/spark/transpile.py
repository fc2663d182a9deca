"""A model's DuckDB SQL as Spark SQL, with sqlglot.

The model files stay the one source of truth: what the runner gives DuckDB beside them is given to
Spark in the SQL itself. Each getvariable(name) becomes the literal of the run's value
(runner.run_variables), and each call of a macro (models/macros/*.sql, runner.RUN_DAYS_MACROS)
is replaced by the macro's body with the arguments put in, before sqlglot writes Spark's dialect.
Where Spark's form of a construct, as sqlglot writes it, means something else than DuckDB's, the
tree is corrected here (SPARK_FIXES), never in a copy of the model; where a model names columns by
what its inputs have (union by name, a star with exclude), Spark's analyzer is asked for them
(resolve_columns). A DuckDB idiom with no faithful Spark form is rewritten in the model itself, in a
form both engines read alike (docs/spark.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from models import macro_sql

from .. import runner


@dataclass(frozen=True)
class Macro:
    params: tuple[str, ...]
    body: exp.Expression


def macro_definitions(text: str | None = None) -> dict[str, Macro]:
    """Every macro the models may call, by name: the shared ones and the runner's temporary ones."""
    text = text if text is not None else "\n".join([macro_sql(), *(s + ";" for s in runner.RUN_DAYS_MACROS)])
    found = {}
    for statement in sqlglot.parse(text, read="duckdb"):
        if isinstance(statement, exp.Create) and statement.kind == "MACRO":
            udf = statement.this
            found[udf.this.name.lower()] = Macro(tuple(p.name.lower() for p in udf.expressions), statement.expression)
    return found


def literal(value: object) -> exp.Expression:
    """A run variable's value as a SQL literal of the type DuckDB gives the variable."""
    if value is None:  # run_days: null is every day, the only value a full build gives
        return sqlglot.parse_one("cast(null as date[])", read="duckdb")
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), exp.DataType.build("timestamp"))
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), exp.DataType.build("date"))
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, float):  # a bare 0.5 is a decimal to both engines; the variable is a double
        return exp.cast(exp.Literal.number(repr(value)), exp.DataType.build("double"))
    if isinstance(value, str):
        return exp.Literal.string(value)
    raise TypeError(f"no literal for {value!r}")


def substitute_variables(tree: exp.Expression, variables: dict[str, object]) -> exp.Expression:
    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Anonymous) and node.name.lower() == "getvariable":
            name = node.expressions[0].name
            if name not in variables:
                raise KeyError(f"getvariable('{name}'): no such run variable")
            return literal(variables[name])
        return node

    return tree.transform(swap)


def expand_macros(tree: exp.Expression, macros: dict[str, Macro]) -> exp.Expression:
    """Every macro call replaced by the macro's body over its arguments (a macro may call another)."""
    def swap(node: exp.Expression) -> exp.Expression:
        if not (isinstance(node, exp.Anonymous) and node.name.lower() in macros):
            return node
        macro = macros[node.name.lower()]
        if len(node.expressions) != len(macro.params):
            raise ValueError(f"{node.name} takes {len(macro.params)} arguments, given {len(node.expressions)}")
        args = dict(zip(macro.params, node.expressions))
        body = macro.body.copy()
        # the parameters are found first and then replaced, so that an argument naming a column
        # that happens to be called like a parameter is not replaced again
        for param in [c for c in body.find_all(exp.Column) if not c.table and c.name.lower() in args]:
            param.replace(exp.Paren(this=args[param.name.lower()].copy()))
        return exp.Paren(this=body)

    for _ in range(10):  # a macro's body may call a macro: expand until none is left
        tree = tree.transform(swap)
        if not any(isinstance(n, exp.Anonymous) and n.name.lower() in macros for n in tree.find_all(exp.Anonymous)):
            return tree
    raise ValueError("macros call each other without end")


def spark_call(name: str, *args: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this=name, expressions=list(args))


def drop_cte_materialization(node: exp.Expression) -> exp.Expression:
    """`as not materialized`: a hint to DuckDB's planner (runner.set_parameters), which Spark's
    parser refuses; Spark inlines a CTE read once and plans each read of it anyway."""
    if isinstance(node, exp.CTE) and node.args.get("materialized") is not None:
        node.set("materialized", None)
    return node


def is_interval(node: exp.Expression) -> bool:
    return isinstance(node, (exp.Interval, exp.ToDays)) or (
        isinstance(node, exp.Anonymous) and node.name.lower() in {"to_months", "to_microseconds"}
    ) or (isinstance(node, exp.Paren) and is_interval(node.this))


def interval_functions(node: exp.Expression) -> exp.Expression:
    """DuckDB's to_days, to_months and to_microseconds, which sqlglot leaves as they are, as Spark's
    interval constructors. A microsecond count multiplies a one-microsecond interval: exact, where
    make_dt_interval's seconds are a decimal."""
    if isinstance(node, exp.ToDays):
        return spark_call("MAKE_DT_INTERVAL", node.this)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_months":
        return spark_call("MAKE_YM_INTERVAL", exp.Literal.number(0), *node.expressions)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "to_microseconds":
        return exp.Mul(this=exp.Paren(this=node.expressions[0]),
                       expression=exp.Interval(this=exp.Literal.string("0.000001"), unit=exp.Var(this="SECOND")))
    return node


def moment_plus_interval(node: exp.Expression) -> exp.Expression:
    """A date plus or minus an interval is a timestamp to DuckDB, a date (or a zoned timestamp) to
    Spark: the date is made a timestamp first, which leaves a timestamp as it is. Needs the intervals
    still DuckDB's (before interval_functions)."""
    if isinstance(node, (exp.Add, exp.Sub)) and is_interval(node.expression) and not is_interval(node.this):
        node.set("this", exp.cast(node.this, exp.DataType.build("timestamp")))
    return node


def truncated_timestamp(node: exp.Expression) -> exp.Expression:
    """date_trunc gives a timestamp without zone in DuckDB, a zoned one in Spark: cast back (exact, as
    the session zone is UTC: session.CONF)."""
    if isinstance(node, exp.TimestampTrunc) and not isinstance(node.parent, exp.Cast):
        return exp.cast(node.copy(), exp.DataType.build("timestamp"))
    return node


def list_element(node: exp.Expression) -> exp.Expression:
    """list[i] is null past the end in DuckDB; Spark's arr[i] fails there in ANSI mode. try_element_at
    counts from 1 as DuckDB does (sqlglot's tree counts from 0)."""
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1 and not isinstance(node.expressions[0], exp.Slice):
        index = node.expressions[0]
        one_based = (exp.Literal.number(int(index.this) + 1) if isinstance(index, exp.Literal) and not index.is_string
                     else exp.Add(this=index, expression=exp.Literal.number(1)))
        return spark_call("TRY_ELEMENT_AT", node.this, one_based)
    return node


def round_even(node: exp.Expression) -> exp.Expression:
    """DuckDB's round_even (the rounding its cast of a double to an integer does) is Spark's bround."""
    if isinstance(node, exp.Anonymous) and node.name.lower() == "round_even":
        return spark_call("BROUND", *node.expressions)
    return node


def round_digits(node: exp.Expression) -> exp.Expression:
    """round(x, d) of a double is round(x * 10^d) / 10^d in DuckDB, half away from zero on the
    product's binary value; Spark rounds the double's shortest decimal form, which differs where the
    product falls just short of a half (round(1.005, 2): 1.0 in DuckDB, 1.01 in Spark). Without digits
    both round the double half away from zero alike. The models round doubles only; a decimal rounded
    this way would become a double, which the differential test would show."""
    if isinstance(node, exp.Round) and isinstance(node.args.get("decimals"), exp.Literal):
        digits = int(node.args["decimals"].this)
        if digits > 0:
            scale = exp.Literal.number(f"1e{digits}")
            return exp.Div(this=exp.Round(this=exp.Mul(this=exp.Paren(this=node.this), expression=scale)),
                           expression=scale.copy())
    return node


def json_key_path(node: exp.Expression) -> exp.Expression:
    """A JSON path built at run time for a key, '$."' || key || '"', which sqlglot passes through as
    it is: Spark's get_json_object does not read a quoted key ($."k": null), but reads $['k']. (A
    literal path sqlglot writes in Spark's form itself.)"""
    if not isinstance(node, exp.JSONExtractScalar) or not isinstance(node.expression, exp.DPipe):
        return node
    parts, todo = [], [node.expression]
    while todo:  # the concatenation's operands, left to right
        part = todo.pop()
        if isinstance(part, exp.DPipe):
            todo += [part.expression, part.this]
        else:
            parts.append(part)
    first, last = parts[0], parts[-1]
    if (len(parts) > 2 and isinstance(first, exp.Literal) and first.is_string and first.this.startswith('$."')
            and isinstance(last, exp.Literal) and last.is_string and last.this.endswith('"')):
        parts[0] = exp.Literal.string("$['" + first.this[3:])
        parts[-1] = exp.Literal.string(last.this[:-1] + "']")
        path = parts[0]
        for part in parts[1:]:
            path = exp.DPipe(this=path, expression=part, safe=True)
        node.set("expression", path)
    return node


# Rewrites of the DuckDB tree where Spark's form of a construct, as sqlglot writes it, fails or
# gives another value, in the order they run.
SPARK_FIXES: list[Callable[[exp.Expression], exp.Expression]] = [
    drop_cte_materialization, moment_plus_interval, interval_functions, truncated_timestamp, list_element, round_even,
    round_digits, json_key_path,
]


ColumnsOf = Callable[[str], list[str]]  # a Spark query's column names, as its analyzer resolves them


def has_star_modifier(node: exp.Expression) -> bool:
    return isinstance(node, exp.Star) and any(node.args.get(k) for k in ("except_", "replace", "rename"))


def using_joins(select: exp.Expression) -> bool:
    return isinstance(select, exp.Select) and any(j.args.get("using") for j in select.args.get("joins") or [])


def star_item(node: exp.Expression) -> exp.Expression | None:
    """The select-list item of a star (`*` or `t.*`) that must be written out: one with exclude,
    replace or rename, or one over a join with USING, whose columns Spark orders otherwise (the
    USING columns first; DuckDB keeps each table's own order)."""
    if not isinstance(node, exp.Star):
        return None
    item = node.parent if isinstance(node.parent, exp.Column) else node
    if not isinstance(item.parent, exp.Select) or item.arg_key != "expressions":
        return None
    return item if has_star_modifier(node) or using_joins(item.parent) else None


def needs_columns(tree: exp.Expression) -> bool:
    """Whether the SQL's columns depend on what its inputs have, in a way Spark resolves otherwise or
    not at all: a union by name, a star with exclude, replace or rename, a star over a USING join."""
    return any((isinstance(n, exp.Union) and n.args.get("by_name")) or star_item(n) is not None for n in tree.walk())


def resolve_columns(tree: exp.Expression, columns_of: ColumnsOf) -> exp.Expression:
    """Each union by name and each star star_item finds, written out as plain columns, the columns of
    their inputs asked of Spark (columns_of): a query of the part in question, under the CTEs before
    the one holding it. Inner parts first, so that each query asked is plain Spark."""
    with_ = tree.args.get("with_")
    ctes = list(with_.expressions) if with_ else []

    def probe(query: exp.Expression, at: exp.Expression) -> list[str]:
        """The columns of `query`, read where `at` stands in the tree."""
        holder, node = len(ctes), at
        while node is not None:
            if any(node is c for c in ctes):
                holder = next(i for i, c in enumerate(ctes) if c is node)
                break
            node = node.parent
        query = query.copy()
        if holder:
            query.set("with_", exp.With(expressions=[c.copy() for c in ctes[:holder]],
                                        recursive=with_.args.get("recursive")))
        return columns_of(query.sql(dialect="spark"))

    for node in reversed(list(tree.walk())):  # descendants before their ancestors
        if (item := star_item(node)) is not None:
            write_out_star(item, probe)
        elif isinstance(node, exp.Union) and node.args.get("by_name"):
            union_by_position(node, probe)
    return tree


def write_out_star(item: exp.Expression, probe: Callable[[exp.Expression, exp.Expression], list[str]]) -> None:
    """`t.*` or `*`, with its exclude, replace or rename, as the list of columns DuckDB gives it: a
    table's own columns in their order; over joins, each table's in turn, a USING column once, where
    its first table has it (named bare: the joined value, as DuckDB's star gives it)."""
    star = item.this if isinstance(item, exp.Column) else item
    table = item.args.get("table") if isinstance(item, exp.Column) else None
    select = item.parent
    joins = select.args.get("joins") or []
    sources = [select.args["from_"].this, *(j.this for j in joins)]

    def own_columns(source: exp.Expression) -> list[str]:
        return probe(exp.select("*").from_(source.copy()), select)

    columns: list[exp.Expression] = []
    if table is not None:
        source = next(s for s in sources if s.alias_or_name.lower() == table.name.lower())
        columns = [exp.column(c, table=table.name) for c in own_columns(source)]
    else:
        using = [{u.name.lower() for u in j.args.get("using") or []} for j in joins]
        every_using = set().union(*using)
        for index, source in enumerate(sources):
            for name in own_columns(source):
                if index and name.lower() in using[index - 1]:
                    continue
                columns.append(exp.column(name) if name.lower() in every_using
                               else exp.column(name, table=source.alias_or_name))
    excluded = {c.name.lower() for c in star.args.get("except_") or []}
    replaced = {a.alias.lower(): a.this for a in star.args.get("replace") or []}
    renamed = {a.this.name.lower(): a.alias for a in star.args.get("rename") or []}
    written = []
    for column in columns:
        key = column.name.lower()
        if key in excluded:
            continue
        if key in replaced:
            written.append(exp.alias_(replaced[key].copy(), column.name))
        elif key in renamed:
            written.append(exp.alias_(column, renamed[key]))
        else:
            written.append(column)
    at = next(i for i, e in enumerate(select.expressions) if e is item)
    select.set("expressions", select.expressions[:at] + written + select.expressions[at + 1:])


def union_by_position(union: exp.Union, probe: Callable[[exp.Expression, exp.Expression], list[str]]) -> None:
    """`a union all by name b` as a union of the two sides' columns in DuckDB's order (a's, then
    those only b has), a side that lacks one giving null."""
    left, right = probe(union.this, union), probe(union.expression, union)
    names = left + [c for c in right if c.lower() not in {n.lower() for n in left}]

    def side(query: exp.Expression, has: list[str]) -> exp.Select:
        present = {c.lower() for c in has}
        return exp.select(*(exp.column(n) if n.lower() in present else exp.alias_(exp.null(), n) for n in names)
                          ).from_(exp.Subquery(this=query, alias=exp.TableAlias(this=exp.to_identifier("by_name"))))

    union.set("this", side(union.this, left))
    union.set("expression", side(union.expression, right))
    union.set("by_name", None)


def to_spark(sql: str, variables: dict[str, object], macros: dict[str, Macro] | None = None,
             columns_of: ColumnsOf | None = None, pretty: bool = False) -> str:
    """The Spark SQL of one model's SELECT. columns_of is needed by a model that names columns by
    what its inputs have (needs_columns), and is asked about the models it reads."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    tree = substitute_variables(expand_macros(tree, macro_definitions() if macros is None else macros), variables)
    for fix in SPARK_FIXES:
        tree = tree.transform(fix)
    if needs_columns(tree):
        if columns_of is None:
            raise ValueError("a union by name or a star with exclude/replace/rename needs its inputs' columns")
        tree = resolve_columns(tree, columns_of)
    return tree.sql(dialect="spark", pretty=pretty)
