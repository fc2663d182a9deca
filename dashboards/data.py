"""Data access for the dashboard: the published read-only snapshot only, never the warehouse.

Every query is aggregated or paged SQL with user input passed as parameters, never formatted into
the SQL text; results are small pandas frames. Filters are checked here (a bad one is refused with
access.BadParameter), and within a request every query is bounded by the unit the requester may see
(access.current): a unit filter outside it is refused (access.OutOfScope), and the SQL scope holds
only that unit's subtree whatever the filters say. The snapshot is replaced atomically by rename after
each run, so the cached connection is reopened whenever the file's identity (inode, mtime) changes.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterator

import duckdb
import pandas as pd

from core.i18n import CODES, LANGS

from . import access

_LOCK = threading.Lock()
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_CONNECTIONS: dict[str, tuple[tuple[int, int], duckdb.DuckDBPyConnection]] = {}


def _opened(snapshot: Path | str) -> tuple[tuple[str, int, int], duckdb.DuckDBPyConnection]:
    """(identity of the file now at the path, a read-only connection to it)."""
    key = str(Path(snapshot).resolve())
    stat = Path(key).stat()
    ident = (stat.st_ino, stat.st_mtime_ns)
    with _LOCK:
        cached = _CONNECTIONS.get(key)
        if cached is not None and cached[0] == ident:
            return (key, *ident), cached[1]
        if cached is not None:
            # DuckDB caches an open database per path: close the old one first, or reopening the
            # path would hand back the replaced file's contents
            try:
                cached[1].close()
            except duckdb.Error:  # pragma: no cover - a cursor may still be using it
                pass
        con = duckdb.connect(key, read_only=True)
        _CONNECTIONS[key] = (ident, con)
        return (key, *ident), con


_IN_SCOPE = re.compile(r"\b(?:\w+\.)?unit_id in \(select unit_id from scope\)")


def _bind(sql: str, params: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """The statement and the parameters it uses. With neither a unit nor a profile chosen every unit
    (and the requester may see every unit) is in scope, and the scope test is dropped: on the large facts it costs more than the rest of the
    query (M retention by status: 150 → 50 ms)."""
    params = params or {}
    if all(k in params and params[k] is None for k in ("unit", "profile", "root")):
        sql = _IN_SCOPE.sub("true", sql)
    # DuckDB refuses named parameters the statement does not use, and the shared filters carry several
    used = set(_PARAM.findall(sql))
    return sql, {k: v for k, v in params.items() if k in used}


# A published snapshot never changes in place (a new one is renamed over it), so a result stays
# true for as long as the file's identity does: the language switch, a return to a page or the
# labels every page asks for are answered without querying again.
_RESULTS: OrderedDict[tuple, pd.DataFrame] = OrderedDict()
RESULT_CACHE_SIZE = 256


def _query_timeout() -> float | None:
    """The server's query time limit (settings.dashboard_query_timeout); none outside a request."""
    import flask

    return flask.current_app.config.get("RECWATCH_QUERY_TIMEOUT") if flask.has_app_context() else None


def query(snapshot: Path | str, sql: str, params: dict[str, Any] | None = None) -> pd.DataFrame:
    """Run one parameterised query on the snapshot (a cursor per query, so threads don't share one);
    the caller gets its own copy of the result."""
    ident, con = _opened(snapshot)
    sql, used = _bind(sql, params)
    key = (ident, sql, tuple(sorted(used.items())))
    with _LOCK:
        if key in _RESULTS:
            _RESULTS.move_to_end(key)
            return _RESULTS[key].copy()
    cur, limit = con.cursor(), _query_timeout()
    # a query past the limit is interrupted, so a request cannot hold one of the server's threads for ever
    timer = threading.Timer(limit, cur.interrupt) if limit else None
    try:
        if timer:
            timer.start()
        frame = cur.execute(sql, used).df()
    except duckdb.InterruptException:
        raise access.TooSlow(limit) from None
    finally:
        if timer:
            timer.cancel()
        cur.close()
    with _LOCK:
        _RESULTS[key] = frame
        while len(_RESULTS) > RESULT_CACHE_SIZE:
            _RESULTS.popitem(last=False)
    return frame.copy()


# --- filters ---------------------------------------------------------------------------------

PERIOD_TYPES = ("month", "quarter", "year")


def lang_of(filters) -> str:
    """The language the filters ask for, Chinese unless they say English: what a page is labelled in
    even when its filters are refused."""
    return "en" if isinstance(filters, dict) and filters.get("lang") == "en" else "zh"


def normalise(filters: dict | None) -> dict:
    """The filters checked, with their defaults; within a request, the unit defaults to (and must lie
    within) the one the requester may see. A bad value is refused, never guessed at."""
    if filters is not None and not isinstance(filters, dict):
        raise access.BadParameter("filters", filters)
    f = dict(filters or {})
    f.setdefault("period_type", "year")
    f.setdefault("period", None)
    f.setdefault("unit_id", None)
    f.setdefault("profile_id", None)
    f.setdefault("lang", "zh")
    for key in ("unit_id", "profile_id"):
        if f[key] is not None and not isinstance(f[key], str):
            raise access.BadParameter(key, f[key])
    # the unit first: a request for another unit is refused as that, whatever else is wrong with it
    f["unit_id"] = _bounded(f["unit_id"] or None)
    if f["period_type"] not in PERIOD_TYPES:
        raise access.BadParameter("period_type", f["period_type"])
    if f["lang"] not in LANGS:
        raise access.BadParameter("lang", f["lang"])
    if f["period"] and not (isinstance(f["period"], str) and _PERIOD_FORMAT[f["period_type"]].fullmatch(f["period"])):
        raise access.BadParameter("period", f["period"])
    f["period"] = f["period"] or None
    f["profile_id"] = f["profile_id"] or None
    return f


def _bounded(unit_id: str | None) -> str | None:
    """The unit filter within the requester's scope: the scope's root when none is picked; a unit
    outside it, or one that does not exist, is refused. Outside a request (the CLI, tests calling
    this layer) every unit is in scope."""
    if access.current() is None:
        return unit_id
    root = bound()
    if unit_id is None:
        return root
    if not access.within(unit_id, root, unit_parents(current_snapshot())):
        raise access.OutOfScope(unit_id)
    return unit_id


def bound() -> str | None:
    """The unit whose subtree the current request may see (None: every unit)."""
    current = access.current()
    return current.unit if current is not None else None


def period_bounds(period_type: str, period: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of a period: '2025', '2025Q3' or '2025-07'."""
    if period_type == "year":
        y = int(period)
        return dt.datetime(y, 1, 1), dt.datetime(y + 1, 1, 1)
    if period_type == "quarter":
        y, q = int(period[:4]), int(period[-1])
        start = dt.datetime(y, 3 * q - 2, 1)
        return start, (dt.datetime(y + 1, 1, 1) if q == 4 else dt.datetime(y, 3 * q + 1, 1))
    y, m = int(period[:4]), int(period[5:7])
    return dt.datetime(y, m, 1), (dt.datetime(y + 1, 1, 1) if m == 12 else dt.datetime(y, m + 1, 1))


def previous_period(period_type: str, period: str) -> str:
    if period_type == "year":
        return str(int(period) - 1)
    if period_type == "quarter":
        y, q = int(period[:4]), int(period[-1])
        return f"{y - 1}Q4" if q == 1 else f"{y}Q{q - 1}"
    y, m = int(period[:4]), int(period[5:7])
    return f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}"


# ASCII digits (\d takes any script's), years 1000-2999: a period's bounds and the one before it
# are dates Python can make
_YEAR = "[12][0-9]{3}"
_PERIOD_FORMAT = {"year": re.compile(_YEAR), "quarter": re.compile(_YEAR + "Q[1-4]"),
                  "month": re.compile(_YEAR + "-(0[1-9]|1[0-2])")}

# the selected unit and every unit below it in the tree (all units when none is selected), narrowed
# to one jurisdiction profile when one is selected, and always within the subtree the requester may
# see ($root, from the request's access, never from the filters: normalise refuses a unit outside
# it, and this bounds the SQL even so); parameters $unit, $profile and $root (see _scope)
SCOPE = """
with recursive tree(unit_id) as (
    select unit_id from int_units where cast($unit as varchar) is null or unit_id = cast($unit as varchar)
    union
    select u.unit_id from int_units u join tree t on u.parent_unit_id = t.unit_id
),
bound(unit_id) as (
    select unit_id from int_units where cast($root as varchar) is null or unit_id = cast($root as varchar)
    union
    select u.unit_id from int_units u join bound b on u.parent_unit_id = b.unit_id
),
scope as (
    select unit_id from tree join int_units using (unit_id)
    where (cast($profile as varchar) is null or int_units.profile_id = cast($profile as varchar))
      and unit_id in (select unit_id from bound)
)
"""


def _scope(f: dict) -> dict:
    return {"unit": f["unit_id"], "profile": f["profile_id"], "root": bound()}


def periods(snapshot: Path, period_type: str) -> list[str]:
    frame = query(snapshot, "select distinct period from mart_unit_period_scorecard where period_type = $pt "
                            "order by period desc", {"pt": period_type})
    return frame["period"].tolist()


def resolve(snapshot: Path, filters: dict | None) -> dict:
    """Filters with the period defaulted to the latest one of its type in the snapshot."""
    f = normalise(filters)
    if not f["period"]:
        available = periods(snapshot, f["period_type"])
        f["period"] = available[0] if available else str(dt.date.today().year)
    return f


def units(snapshot: Path) -> pd.DataFrame:
    """The unit tree in depth-first order, with each unit's depth."""
    return query(snapshot, """
        with recursive tree(unit_id, unit_name, parent_unit_id, depth, path) as (
            select unit_id, unit_name, parent_unit_id, 0, unit_id from int_units
            where parent_unit_id is null or parent_unit_id = ''
               or parent_unit_id not in (select unit_id from int_units)
            union all
            select u.unit_id, u.unit_name, u.parent_unit_id, t.depth + 1, t.path || '/' || u.unit_id
            from int_units u join tree t on u.parent_unit_id = t.unit_id
        )
        select unit_id, unit_name, parent_unit_id, depth from tree order by path""")


def unit_parents(snapshot: Path) -> dict[str, str | None]:
    """unit id -> parent unit id (None for a root): the tree access.within walks."""
    tree = units(snapshot)
    return {u: (p if p in set(tree["unit_id"]) else None) for u, p in zip(tree["unit_id"], tree["parent_unit_id"])}


def units_in_scope(snapshot: Path) -> pd.DataFrame:
    """The unit tree below the unit the requester may see (the whole tree for every unit), depths
    counted from it: the units the filter offers."""
    tree, root = units(snapshot), bound()
    if root is None:
        return tree
    start = tree.index[tree["unit_id"] == root]
    if not len(start):
        return tree.iloc[0:0]
    # depth-first: the subtree is the rows from its root until the depth climbs back to the root's
    i, depth = int(start[0]), int(tree["depth"].iloc[int(start[0])])
    end = next((j for j in range(i + 1, len(tree)) if int(tree["depth"].iloc[j]) <= depth), len(tree))
    return tree.iloc[i:end].assign(depth=lambda d: d["depth"] - depth).reset_index(drop=True)


def profiles(snapshot: Path, lang: str) -> pd.DataFrame:
    """The jurisdiction profiles the units the requester may see use, labelled by their regulation."""
    return query(snapshot, SCOPE + """
        select distinct u.profile_id,
               case when $lang = 'zh' then coalesce(p.short_zh, u.profile_id) else u.profile_id end as label
        from int_units u left join rules_profiles p using (profile_id)
        where u.unit_id in (select unit_id from scope) order by u.profile_id""",
        {"lang": lang, "unit": None, "profile": None, "root": bound()})


def run_parameters(snapshot: Path) -> dict:
    frame = query(snapshot, "select as_of, as_of_end_at from int_run_parameters")
    return frame.iloc[0].to_dict() if len(frame) else {"as_of": None, "as_of_end_at": None}


def families(snapshot: Path, lang: str) -> pd.DataFrame:
    """Rule families that have rules, labelled, in the order every reader lists them."""
    return query(snapshot, """
        select family, family_name_zh as label_zh, family_name_en as label_en, min(rule_id) as first_rule
        from dim_rules group by all order by min(family_sort_order)""").assign(
        label=lambda d: d["label_zh"] if lang == "zh" else d["label_en"])


# --- overview --------------------------------------------------------------------------------

def family_rates(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Per rule family: judged, compliant and rate (violation-level rules) in the period and the
    previous one, over the units in scope; plus an 'all' row."""
    f = resolve(snapshot, filters)
    prev = previous_period(f["period_type"], f["period"])
    return query(snapshot, SCOPE + """
        , r as (
            select family, period, sum(judged) as judged, sum(compliant) as compliant
            from mart_unit_rule_period_rates
            where level = 'violation' and period_type = $pt and period in ($p, $prev)
              and unit_id in (select unit_id from scope)
            group by grouping sets ((family, period), (period))
        )
        select coalesce(family, 'all') as family,
               sum(judged) filter (where period = $p) as judged,
               sum(compliant) filter (where period = $p) as compliant,
               sum(compliant) filter (where period = $p) / sum(judged) filter (where period = $p) as rate,
               sum(judged) filter (where period = $prev) as previous_judged,
               sum(compliant) filter (where period = $prev) / sum(judged) filter (where period = $prev)
                   as previous_rate
        from r group by coalesce(family, 'all')
        order by coalesce(family, 'all') = 'all' desc, coalesce(family, 'all')""",
        {**_scope(f), "pt": f["period_type"], "p": f["period"], "prev": prev})


def score_trend(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Monthly score of each unit in scope, over the year of the chosen period."""
    f = resolve(snapshot, filters)
    return query(snapshot, SCOPE + """
        select s.unit_id, s.unit_name, s.period, s.score
        from mart_unit_period_scorecard s
        where s.period_type = 'month' and left(s.period, 4) = $year and s.unit_id in (select unit_id from scope)
        order by s.unit_id, s.period""", {**_scope(f), "year": f["period"][:4]})


def violations_by_rule(snapshot: Path, filters: dict, lang: str = "zh") -> pd.DataFrame:
    f = resolve(snapshot, filters)
    start, end = period_bounds(f["period_type"], f["period"])
    # counted by rule before the rule's names are joined on: grouping a province's year by the names
    # too took 164 ms instead of 33
    return query(snapshot, SCOPE + """,
        counted as (
            select v.rule_id, count(*) as violations
            from fct_violations v
            where v.occurred_at >= $start and v.occurred_at < $end and v.unit_id in (select unit_id from scope)
            group by v.rule_id
        )
        select counted.rule_id, r.family, case when $lang = 'zh' then r.name_zh else r.name_en end as rule_name,
               counted.violations
        from counted left join rules_rules r using (rule_id)
        order by violations desc, rule_id""",
        {**_scope(f), "start": start, "end": end, "lang": lang})


WARNING_LIMIT = 200

# What a warning says, written for the rows shown (the mart holds 100,000s at a city's scale)
WARNING_DETAIL = {
    "zh": """case w.kind
        when 'upload' then '录像' || w.media_id || ' 应于 ' || strftime(w.due_at, '%-m月%-d日 %H:%M') || ' 前入库'
        when 'archive' then '案件' || w.case_id || ' 应于 ' || strftime(w.due_at, '%-m月%-d日') || ' 前归档'
        when 'start_approval' then '紧急先行启动的案件' || w.case_id || ' 应于 '
            || strftime(w.due_at, '%-m月%-d日 %H:%M') || ' 前补办启动审批'
        when 'disposal_review' then '录像' || w.media_id || ' 保存期至 ' || strftime(w.due_at, '%Y年%-m月%-d日')
            || '，处置前须复核'
        end""",
    "en": """case w.kind
        when 'upload' then 'recording ' || w.media_id || ' is due in the store by ' || strftime(w.due_at, '%Y-%m-%d %H:%M')
        when 'archive' then 'case ' || w.case_id || ' is due for archiving by ' || strftime(w.due_at, '%Y-%m-%d')
        when 'start_approval' then 'emergency-started case ' || w.case_id || ' needs its start approved by '
            || strftime(w.due_at, '%Y-%m-%d %H:%M')
        when 'disposal_review' then 'recording ' || w.media_id || ' is kept until ' || strftime(w.due_at, '%Y-%m-%d')
            || '; review before disposal'
        end""",
}


def warnings(snapshot: Path, filters: dict, lang: str = "zh", limit: int = WARNING_LIMIT) -> tuple[pd.DataFrame, dict]:
    """Open deadlines of the units in scope (red first, nearest due first), and the red/yellow counts.
    Warnings are as of the snapshot's as-of date, not of the chosen period."""
    f = normalise(filters)
    params = _scope(f)
    counts = query(snapshot, SCOPE + """
        select count(*) filter (where level = 'red') as red, count(*) filter (where level = 'yellow') as yellow
        from mart_warnings where unit_id in (select unit_id from scope)""", params).iloc[0]
    # the rows shown are picked by their sort keys alone and fetched back by rowid: carrying every
    # column of a province's 2.5 M open warnings through the sort took twice as long (162 -> 79 ms)
    rows = query(snapshot, SCOPE + """,
        shown as materialized (
            select w.rowid as shown_row
            from mart_warnings w
            where w.unit_id in (select unit_id from scope)
            order by w.level = 'red' desc, w.due_at, w.warning_id
            limit $limit
        )
        select w.level, w.kind, u.unit_name, w.due_at, w.hours_left,
               """ + WARNING_DETAIL["zh" if lang == "zh" else "en"] + """ as detail, w.warning_id
        from mart_warnings w semi join shown on w.rowid = shown.shown_row
        join int_units u using (unit_id)
        order by w.level = 'red' desc, w.due_at, w.warning_id""", {**params, "limit": int(limit)})
    return rows, {"red": int(counts["red"]), "yellow": int(counts["yellow"])}


# --- units -----------------------------------------------------------------------------------

RATE_COLUMNS = ("upload_rate", "av_coverage_rate", "retention_rate", "archiving_rate", "documents_rate",
                "devices_rate", "access_rate", "integrity_rate", "start_rate", "labelling_rate", "evidence_rate")


def scorecard(snapshot: Path, filters: dict) -> pd.DataFrame:
    """The scorecard of the units in scope for the period, best score first."""
    f = resolve(snapshot, filters)
    return query(snapshot, SCOPE + f"""
        select row_number() over (order by score desc nulls last, unit_id) as place,
               unit_id, unit_name, score, rank, rank_of, previous_score, score_change, appraisal_score,
               cast(judged as bigint) as judged, cast(violations as bigint) as violations,
               {", ".join(RATE_COLUMNS)}
        from mart_unit_period_scorecard
        where period_type = $pt and period = $p and unit_id in (select unit_id from scope)
        order by place""", {**_scope(f), "pt": f["period_type"], "p": f["period"]})


# --- rules: the violation table, paged, sorted and filtered in SQL ---------------------------

# table column id -> SQL expression (the only things a sort or filter may name)
VIOLATION_COLUMNS: dict[str, str] = {
    "rule": "v.rule_id || ' ' || case when $lang = 'zh' then r.name_zh else r.name_en end",
    "rule_id": "v.rule_id",
    "severity": "v.severity",
    "unit": "u.unit_name",
    "case_id": "v.case_id",
    "act_id": "v.act_id",
    "media_id": "v.media_id",
    "device_id": "v.device_id",
    "officer_id": "v.officer_id",
    "party_name": "c.party_name",
    "occurred_at": "strftime(v.occurred_at, '%Y-%m-%d %H:%M:%S')",
    "detail": "case when $lang = 'zh' then v.detail_zh else v.detail_en end",
    "citation": "v.citation",
}
# columns shown as text but sorted on the value itself (a timestamp sorts faster than its text)
SORT_KEYS = {"occurred_at": "v.occurred_at"}
# shown masked, so never filtered or sorted on: a filter on the real name would let one probe it
PERSONAL = frozenset({"party_name"})
VIOLATION_ORDER = ("rule", "severity", "unit", "case_id", "act_id", "media_id", "device_id", "officer_id",
                   "party_name", "occurred_at", "detail", "citation")

# table columns that hold codes shown as labels -> their kind in the label catalogue
CODED = {"severity": "severity"}


def _code_of(kind: str, value: str) -> str:
    for code, labels in CODES[kind].items():
        if value == code or value in labels:
            return code
    return value


_OPS = {"=": "=", "eq": "=", "!=": "<>", "ne": "<>", "<": "<", "lt": "<", "<=": "<=", "le": "<=",
        ">": ">", "gt": ">", ">=": ">=", "ge": ">=", "contains": "contains", "datestartswith": "startswith",
        "icontains": "contains", "scontains": "contains"}


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def parse_filter_query(filter_query: str | None) -> list[tuple[str, str, str]]:
    """DataTable's `{col} op value && …` into (column, op, value); unknown columns or ops are dropped."""
    # a control character is nothing the table's filter boxes send (and no sheet can hold one)
    if filter_query is not None and (not isinstance(filter_query, str) or _CONTROL.search(filter_query)):
        raise access.BadParameter("filter_query", filter_query)
    out = []
    for part in (filter_query or "").split(" && "):
        part = part.strip()
        if not part.startswith("{") or "}" not in part:
            continue
        col, rest = part[1:].split("}", 1)
        rest = rest.strip()
        op, _, value = rest.partition(" ")
        op = op.strip().lower()
        if op not in _OPS or col not in VIOLATION_COLUMNS or col in PERSONAL:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'`":
            value = value[1:-1]
        if col in CODED:  # the table shows labels, so a filter may name the label in either language
            value = _code_of(CODED[col], value)
        out.append((col, _OPS[op], value))
    return out


def _violation_where(snapshot: Path, filters: dict, lang: str, family: str | None,
                     filter_query: str | None) -> tuple[str, dict]:
    f = resolve(snapshot, filters)
    if family and (not isinstance(family, str) or family not in set(families(snapshot, "en")["family"])):
        raise access.BadParameter("family", family)
    start, end = period_bounds(f["period_type"], f["period"])
    params: dict[str, Any] = {**_scope(f), "start": start, "end": end, "lang": lang,
                              "family": family or None}
    clauses = ["v.occurred_at >= $start", "v.occurred_at < $end", "v.unit_id in (select unit_id from scope)",
               "(cast($family as varchar) is null or r.family = cast($family as varchar))"]
    for i, (col, op, value) in enumerate(parse_filter_query(filter_query)):
        expr, name = VIOLATION_COLUMNS[col], f"f{i}"
        params[name] = value
        if op == "contains" and str(value).lower() == str(value).upper():
            # nothing in it has a case (Chinese, digits): lowering every text of a province's year
            # to compare was most of a filter's time
            clauses.append(f"contains(coalesce({expr}, ''), ${name})")
        elif op == "contains":
            clauses.append(f"contains(lower(coalesce({expr}, '')), lower(${name}))")
        elif op == "startswith":
            clauses.append(f"starts_with(coalesce({expr}, ''), ${name})")
        else:
            clauses.append(f"{expr} {op} ${name}")
    return " and ".join(clauses), params


def check_view(snapshot: Path, filters: dict, lang: str, family: str | None, sort_by: list | None,
               filter_query: str | None) -> None:
    """Refuse a view of the violation table as its query would (access.BadParameter, OutOfScope),
    without running it: a download checks before its first byte, as a streamed one cannot turn into
    a refusal halfway."""
    _violation_where(snapshot, filters, lang, family, filter_query)
    _order_by(sort_by)


_VIOLATION_SELECT = ", ".join(f"{VIOLATION_COLUMNS[c]} as {c}" for c in VIOLATION_ORDER)
_VIOLATION_FROM = """
    from fct_violations v
    left join rules_rules r using (rule_id)
    left join int_units u on u.unit_id = v.unit_id
    left join stg_cases c on c.case_id = v.case_id
"""


def _order_by(sort_by: list[dict] | None) -> str:
    """DataTable's sort_by as SQL: only columns of VIOLATION_COLUMNS that are not personal (others
    are dropped); anything but a list of {column_id, direction} is refused."""
    if sort_by is not None and not (isinstance(sort_by, list) and all(isinstance(s, dict) for s in sort_by)):
        raise access.BadParameter("sort_by", sort_by)
    terms = []
    for s in sort_by or []:
        col = s.get("column_id")
        if not isinstance(col, str):
            raise access.BadParameter("sort_by", sort_by)
        if col in VIOLATION_COLUMNS and col not in PERSONAL:
            expr = SORT_KEYS.get(col, VIOLATION_COLUMNS[col])
            terms.append(f"{expr} {'desc' if s.get('direction') == 'desc' else 'asc'} nulls last")
    return ", ".join(terms + ["v.occurred_at", "v.violation_id"])


MAX_PAGE = 1_000  # rows a page may ask for: more is what the downloads are for


def violations_page(snapshot: Path, filters: dict, lang: str = "zh", family: str | None = None,
                    page_current: int = 0, page_size: int = 25, sort_by: list[dict] | None = None,
                    filter_query: str | None = None) -> tuple[pd.DataFrame, int]:
    """One page of the violation table (party names masked by the caller) and the total row count."""
    for name, value, low, high in (("page_current", page_current, 0, 10**9), ("page_size", page_size, 1, MAX_PAGE)):
        if not (isinstance(value, int) and not isinstance(value, bool) and low <= value <= high):
            raise access.BadParameter(name, value)
    where, params = _violation_where(snapshot, filters, lang, family, filter_query)
    order = _order_by(sort_by)
    # party names are never filtered or sorted on (PERSONAL), so counting and picking the page's
    # rows need no case join; the widest columns are joined for the page's rows only (M: 440 → 60 ms).
    # The page's rows are fetched back by rowid, and its cases are looked up from its own few case
    # ids: joined back by violation_id, or to every case, a province's year read all 4.9 M violations
    # and 1.5 M cases again for 25 rows (560 → 25 ms).
    no_cases = _VIOLATION_FROM.replace("left join stg_cases c on c.case_id = v.case_id", "")
    total = int(query(snapshot, SCOPE + f"select count(*) as n {no_cases} where {where}", params)["n"].iloc[0])
    rows = query(snapshot, SCOPE + f"""
        , page as materialized (
            select v.rowid as page_row, v.case_id {no_cases} where {where}
            order by {order} limit $limit offset $offset),
        page_cases as materialized (
            select case_id, c.party_name from (select distinct case_id from page) join stg_cases c using (case_id))
        select {_VIOLATION_SELECT}
        {_VIOLATION_FROM.replace("from fct_violations v", "from fct_violations v semi join page on v.rowid = page.page_row")
                        .replace("left join stg_cases c", "left join page_cases c")}
        order by {order}""",
        {**params, "limit": int(page_size), "offset": int(page_current) * int(page_size)})
    return rows, total


def violations_batches(snapshot: Path, filters: dict, lang: str = "zh", family: str | None = None,
                       sort_by: list[dict] | None = None, filter_query: str | None = None,
                       limit: int | None = None, batch_rows: int = 20_000) -> Iterator[pd.DataFrame]:
    """The whole current view (every page, at most `limit` rows) for export, in frames of at most
    `batch_rows` rows: a year of a large county is millions of rows, so it is never held at once."""
    where, params = _violation_where(snapshot, filters, lang, family, filter_query)
    sql = SCOPE + f"select {_VIOLATION_SELECT} {_VIOLATION_FROM} where {where} order by {_order_by(sort_by)}"
    if limit is not None:
        sql += " limit $limit"
        params["limit"] = int(limit)
    cur = _opened(snapshot)[1].cursor()
    try:
        sql, used = _bind(sql, params)
        reader = cur.sql(sql, params=used).to_arrow_reader(batch_rows)
        for batch in reader:
            yield batch.to_pandas()
    finally:
        cur.close()


# --- retention, devices, data quality --------------------------------------------------------

def retention_status(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Recordings of the units in scope by retention status (as of the snapshot)."""
    f = normalise(filters)
    return query(snapshot, SCOPE + """
        select status, cast(sum(recordings) as bigint) as recordings from mart_unit_retention_status
        where unit_id in (select unit_id from scope) group by status order by recordings desc, status""",
        _scope(f))


def retention_due(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Per unit in scope: recordings whose retention ends within 30 days after as-of (to review)."""
    f = normalise(filters)
    return query(snapshot, SCOPE + """
        select u.unit_name, cast(sum(m.due_within_30_days) as bigint) as recordings, min(m.first_due_at) as first_due
        from mart_unit_retention_status m join int_units u using (unit_id)
        where m.unit_id in (select unit_id from scope) and m.due_within_30_days > 0
        group by all order by recordings desc, u.unit_name""", _scope(f))


def device_summary(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Per unit in scope, device-days in the period: devices, days in use, pre-duty check rate, events."""
    f = resolve(snapshot, filters)
    start, end = period_bounds(f["period_type"], f["period"])
    return query(snapshot, SCOPE + """
        select u.unit_name, count(distinct d.device_id) as devices,
               count(*) filter (where d.record_starts > 0) as device_days,
               avg(case when d.is_checked_before_recording then 1.0 else 0.0 end)
                   filter (where d.record_starts > 0) as checked_rate,
               sum(d.faults) as faults, sum(d.battery_low_events) as battery_low,
               sum(d.storage_full_events) as storage_full, sum(d.record_interrupts) as interrupts,
               sum(d.files_deleted) as files_deleted,
               any_value(coalesce(v.lost, 0)) as files_lost, any_value(coalesce(v.deleted, 0)) as deleted_unuploaded
        from fct_device_days d join int_units u using (unit_id)
        left join (
            select unit_id, count(*) filter (where rule_id = 'R-UPL-LOST') as lost,
                   count(*) filter (where rule_id = 'R-DEV-DEL') as deleted
            from fct_violations
            where rule_id in ('R-UPL-LOST', 'R-DEV-DEL') and occurred_at >= $start and occurred_at < $end
            group by unit_id
        ) v on v.unit_id = d.unit_id
        where d.day >= cast($start as date) and d.day < cast($end as date) and d.unit_id in (select unit_id from scope)
        group by u.unit_name order by u.unit_name""", {**_scope(f), "start": start, "end": end})


def load_batches(snapshot: Path) -> pd.DataFrame:
    return query(snapshot, """
        select batch_id, outcome, strftime(started_at, '%Y-%m-%d %H:%M:%S') as started_at,
               strftime(finished_at, '%Y-%m-%d %H:%M:%S') as finished_at, files_loaded, files_rejected,
               rows_in, rows_loaded, rows_quarantined
        from load_batches order by batch_id desc limit 100""")


def quarantine_reasons(snapshot: Path, lang: str = "zh") -> pd.DataFrame:
    """Quarantined rows by source and reason code, with one row's reason as an example in words."""
    return query(snapshot, """
        select source, code, count(*) as rows,
               any_value(case when single then (case when $lang = 'zh' then reason_zh else reason_en end) end)
                   as example
        from (select source, unnest(reason_codes) as code, len(reason_codes) = 1 as single, reason_zh, reason_en
              from quarantine)
        group by source, code order by rows desc, source, code limit 100""", {"lang": lang})


def rejected_files(snapshot: Path, lang: str) -> pd.DataFrame:
    return query(snapshot, """
        select batch_id, source, file_name, case when $lang = 'zh' then message_zh else message_en end as message
        from load_files where outcome = 'rejected' order by batch_id desc, file_name limit 100""", {"lang": lang})


def freshness(snapshot: Path) -> dict:
    frame = query(snapshot, """
        select (select max(as_of) from int_run_parameters) as as_of,
               (select max(finished_at) from load_batches) as finished""")
    row = frame.iloc[0].to_dict()
    row["published"] = dt.datetime.fromtimestamp(Path(snapshot).stat().st_mtime).replace(microsecond=0)
    return row


def current_snapshot() -> Path:
    """The snapshot of the app serving the current request (set by dashboards.app.create_app)."""
    import flask
    return Path(flask.current_app.config["RECWATCH_SNAPSHOT"])


def unmask_allowed(filters: dict | None) -> bool:
    """Whether the current request may see party names: the user asked (the filters' switch) and the
    server was started with --allow-unmask. The switch alone is browser state and proves nothing."""
    import flask
    return bool((filters or {}).get("unmask")) and bool(flask.current_app.config.get("RECWATCH_ALLOW_UNMASK"))
