"""The rules page's table: the violations in scope in the period (mart_findings' rows), paged,
sorted and filtered in SQL, and the whole current view in batches for a download. Party names come
as they are: the caller masks them (core.privacy)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from core.i18n import CODES

from .. import access, dims, scope
from ..filters import resolve
from ..query import batches, query
from ..scope import SCOPE

# table column id -> SQL expression on mart_findings' columns (the only things a sort or filter may name)
VIOLATION_COLUMNS: dict[str, str] = {
    # the rule by its name: an id like R-UPL is a code to the official reading the table
    "rule": "case when $lang = 'zh' then v.rule_name_zh else v.rule_name_en end",
    "rule_id": "v.rule_id",
    "severity": "v.severity",
    "unit": "v.unit_name",
    "case_id": "v.case_id",
    "act_id": "v.act_id",
    "media_id": "v.media_id",
    "device_id": "v.device_id",
    "officer_id": "v.officer_id",
    "party_name": "v.party_name",
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
    if family and (not isinstance(family, str) or family not in set(dims.families(snapshot, "en")["family"])):
        raise access.BadParameter("family", family)
    period = dims.period(snapshot, f)
    params: dict[str, Any] = {**scope.params(f), "start": period.start, "end": period.end, "lang": lang,
                              "family": family or None}
    clauses = ["v.occurred_at >= $start", "v.occurred_at < $end", "v.unit_id in (select unit_id from scope)",
               "(cast($family as varchar) is null or v.family = cast($family as varchar))"]
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


_VIOLATION_SELECT = ", ".join(f"{VIOLATION_COLUMNS[c]} as {c}" for c in VIOLATION_ORDER)

# mart_findings but its party, with the violation's rowid: what a count and the choice of a page's
# rows read. The view joins every case for its party name, and DuckDB keeps that join even where
# nothing reads the party: counting a year of M's violations on the view took 25 ms instead of 2,
# and picking a page 100 ms instead of 20 (a province has 14 times the violations and cases).
# Party names are never filtered or sorted on (PERSONAL), so nothing here needs them.
_FINDINGS_BUT_PARTY = """
    select f.*, f.rowid as violation_row, r.name_zh as rule_name_zh, r.name_en as rule_name_en, r.family,
           u.unit_name
    from fct_violations f
    left join dim_rules r using (rule_id)
    left join dim_units u on u.unit_id = f.unit_id"""


def violations_page(snapshot: Path, filters: dict, lang: str = "zh", family: str | None = None,
                    page_current: int = 0, page_size: int = 25, sort_by: list[dict] | None = None,
                    filter_query: str | None = None) -> tuple[pd.DataFrame, int]:
    """One page of the violation table (party names masked by the caller) and the total row count."""
    access.check_paging(page_current, page_size)
    where, params = _violation_where(snapshot, filters, lang, family, filter_query)
    order = _order_by(sort_by)
    total = int(query(snapshot, SCOPE + f"select count(*) as n from ({_FINDINGS_BUT_PARTY}) v where {where}",
                      params)["n"].iloc[0])
    # The page's rows are fetched back by rowid, and its cases are looked up from its own few case
    # ids: joined back by violation_id, or to every case, a province's year read all 4.9 M violations
    # and 1.5 M cases again for 25 rows (560 → 25 ms).
    rows = query(snapshot, SCOPE + f"""
        , page as materialized (
            select v.violation_row, v.case_id from ({_FINDINGS_BUT_PARTY}) v where {where}
            order by {order} limit $limit offset $offset),
        page_cases as materialized (
            select case_id, c.party_name from (select distinct case_id from page) join dim_cases c using (case_id))
        select {_VIOLATION_SELECT}
        from (
            select p.*, c.party_name
            from ({_FINDINGS_BUT_PARTY}) p
            semi join page on p.violation_row = page.violation_row
            left join page_cases c on c.case_id = p.case_id
        ) v
        order by {order}""",
        {**params, "limit": int(page_size), "offset": int(page_current) * int(page_size)})
    return rows, total


# columns only some rules fill (a recording's rule names no act, an archiving rule no device)
SOMETIMES_FILLED = ("case_id", "act_id", "media_id", "device_id", "officer_id", "party_name")


def filled_columns(snapshot: Path, filters: dict, lang: str = "zh", family: str | None = None,
                   filter_query: str | None = None) -> set[str]:
    """The columns of SOMETIMES_FILLED that some row of the current view fills (a party name, where
    the view names a case): the table leaves out the others."""
    where, params = _violation_where(snapshot, filters, lang, family, filter_query)
    counts = ", ".join(f"count(v.{c}) > 0 as {c}" for c in SOMETIMES_FILLED if c != "party_name")
    row = query(snapshot, SCOPE + f"select {counts} from ({_FINDINGS_BUT_PARTY}) v where {where}", params).iloc[0]
    filled = {c for c in SOMETIMES_FILLED if c != "party_name" and bool(row[c])}
    return filled | ({"party_name"} if "case_id" in filled else set())


def why_empty(snapshot: Path, filters: dict, family: str | None) -> str:
    """Why a view of the table has no row: 'no_units' (the unit is not under the chosen profile, or
    nothing is in scope), 'not_applicable' (no unit in scope has a violation rule of the family:
    under their regulations it is only an indicator), else 'none' (nothing was found)."""
    f = resolve(snapshot, filters)
    row = query(snapshot, SCOPE + """
        select (select count(*) from scope) as units,
               (select count(*) from dim_units u join dim_profile_family_weights w using (profile_id)
                where u.unit_id in (select unit_id from scope) and w.weight > 0
                  and (cast($family as varchar) is null or w.family = cast($family as varchar))) as weighed""",
                {**scope.params(f), "family": family or None}).iloc[0]
    if not row["units"]:
        return "no_units"
    return "not_applicable" if not row["weighed"] else "none"


def violations_batches(snapshot: Path, filters: dict, lang: str = "zh", family: str | None = None,
                       sort_by: list[dict] | None = None, filter_query: str | None = None,
                       limit: int | None = None, batch_rows: int = 20_000) -> Iterator[pd.DataFrame]:
    """The whole current view (every page, at most `limit` rows) for export, in frames of at most
    `batch_rows` rows: a year of a large county is millions of rows, so it is never held at once."""
    where, params = _violation_where(snapshot, filters, lang, family, filter_query)
    sql = SCOPE + f"select {_VIOLATION_SELECT} from mart_findings v where {where} order by {_order_by(sort_by)}"
    if limit is not None:
        sql += " limit $limit"
        params["limit"] = int(limit)
    yield from batches(snapshot, sql, params, batch_rows)
