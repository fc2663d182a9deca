"""The warnings page (and the overview's summary of it): open deadlines of mart_warnings as two work
lists, compliance warnings and the review before disposal (a task, never red: rules.md §6, §8),
counted by unit and kind, and one unit's rows paged in SQL or in batches for a download. Warnings
stand as of the run (mart_run.as_of_end_at), so the period filter does not narrow them. Party names
come as they are: the caller masks them (core.privacy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from .. import access, scope
from ..filters import normalise
from ..query import batches, query
from ..scope import SCOPE

# list -> the kinds of mart_warnings it holds, in the order they are offered
LISTS: dict[str, tuple[str, ...]] = {"compliance": ("upload", "archive", "start_approval", "rectification"),
                                     "disposal": ("disposal_review",)}
LEVELS = ("red", "yellow")

# What a warning says, written for the rows shown or downloaded, not for the 100,000s there are
DETAIL = {
    "zh": """case w.kind
        when 'upload' then '录像' || w.media_id || ' 应于 ' || strftime(w.due_at, '%Y年%-m月%-d日 %H:%M') || ' 前入库'
        when 'archive' then '案件' || w.case_id || ' 应于 ' || strftime(w.due_at, '%Y年%-m月%-d日') || ' 前归档'
        when 'start_approval' then '紧急先行启动的案件' || w.case_id || ' 应于 '
            || strftime(w.due_at, '%Y年%-m月%-d日 %H:%M') || ' 前补办启动审批'
        when 'disposal_review' then '录像' || w.media_id || ' 保存期至 ' || strftime(w.due_at, '%Y年%-m月%-d日')
            || '，处置前须复核'
        when 'rectification' then '案件' || w.case_id || ' 案卷评查发现的问题应于 '
            || strftime(w.due_at - interval 1 day, '%Y年%-m月%-d日') || ' 前整改完毕'
        end""",
    "en": """case w.kind
        when 'upload' then 'recording ' || w.media_id || ' is due in the store by ' || strftime(w.due_at, '%-d %B %Y %H:%M')
        when 'archive' then 'case ' || w.case_id || ' is due for archiving by ' || strftime(w.due_at, '%-d %B %Y')
        when 'start_approval' then 'emergency-started case ' || w.case_id || ' needs its start approved by '
            || strftime(w.due_at, '%-d %B %Y %H:%M')
        when 'disposal_review' then 'recording ' || w.media_id || ' is kept until ' || strftime(w.due_at, '%-d %B %Y')
            || '; review before disposal'
        when 'rectification' then 'case ' || w.case_id || ': what its case-file review found is to be put right by '
            || strftime(w.due_at - interval 1 day, '%-d %B %Y')
        end""",
}

# Whole days started since a red deadline passed, to the end of the as-of day: as R-ARC counts
# days_late (int_case_archiving), so an archive warning and its violation say the same number.
DAYS_OVERDUE = """case when w.level = 'red'
    then cast(ceil(epoch(run.as_of_end_at - w.due_at) / 86400) as integer) end"""
# Time left of a yellow one. A red one has none: it says how late it is instead, never negative hours.
HOURS_LEFT = "case when w.level = 'yellow' then greatest(w.hours_left, 0) end"

ROW_COLUMNS = ("warning_id", "level", "kind", "unit_id", "unit_name", "case_id", "media_id", "officer_id",
               "device_id", "party_name", "due_at", "days_overdue", "hours_left", "detail")
ORDER = "w.level = 'red' desc, w.due_at, w.warning_id"  # most overdue first, then nearest due


def checked(list_: Any, level: Any = None, kind: Any = None) -> tuple[str, str | None, str | None]:
    """The list, level and kind a request names, or a refusal: a level or kind outside the list is
    not guessed at (a review before disposal is never red)."""
    if not isinstance(list_, str) or list_ not in LISTS:
        raise access.BadParameter("list", list_)
    if level is not None and (not isinstance(level, str) or level not in LEVELS or (list_, level) == ("disposal", "red")):
        raise access.BadParameter("level", level)
    if kind is not None and (not isinstance(kind, str) or kind not in LISTS[list_]):
        raise access.BadParameter("kind", kind)
    return list_, level, kind


def _where(filters: dict, list_: str, level: str | None, kind: str | None,
           unit_id: str | None = None) -> tuple[str, dict]:
    """The rows of a list in scope (one unit's own, when `unit_id`), and their parameters. The unit
    is checked as the unit filter is (filters.normalise): one outside the requester's scope is refused."""
    f = normalise(filters)
    list_, level, kind = checked(list_, level, kind)
    if unit_id is not None:
        if not isinstance(unit_id, str):
            raise access.BadParameter("unit", unit_id)
        normalise({**f, "unit_id": unit_id})
    params = {**scope.params(f), "list": list_, "level": level, "kind": kind, "drill": unit_id}
    return """w.unit_id in (select unit_id from scope) and (w.kind = 'disposal_review') = ($list = 'disposal')
        and (cast($level as varchar) is null or w.level = cast($level as varchar))
        and (cast($kind as varchar) is null or w.kind = cast($kind as varchar))
        and (cast($drill as varchar) is null or w.unit_id = cast($drill as varchar))""", params


def summary(snapshot: Path, filters: dict) -> dict[str, int]:
    """Open warnings of the units in scope: red and yellow compliance warnings, and recordings to
    review before disposal (the overview's lines)."""
    f = normalise(filters)
    row = query(snapshot, SCOPE + """
        select count(*) filter (where kind <> 'disposal_review' and level = 'red') as red,
               count(*) filter (where kind <> 'disposal_review' and level = 'yellow') as yellow,
               count(*) filter (where kind = 'disposal_review') as disposal
        from mart_warnings where unit_id in (select unit_id from scope)""", scope.params(f)).iloc[0]
    return {k: int(row[k]) for k in ("red", "yellow", "disposal")}


def counts(snapshot: Path, filters: dict, list_: str, level: str | None = None,
           kind: str | None = None) -> pd.DataFrame:
    """One row per unit and kind with open warnings: red, yellow, all, the most days overdue and the
    earliest due time; the most red first (then the most yellow, then the unit tree's order)."""
    where, params = _where(filters, list_, level, kind)
    # counted by unit before the names are joined on, as the rows are few and the warnings many
    return query(snapshot, SCOPE + f""",
        counted as (
            select w.unit_id, w.kind, count(*) filter (where w.level = 'red') as red,
                   count(*) filter (where w.level = 'yellow') as yellow, count(*) as total,
                   max({DAYS_OVERDUE}) as max_days_overdue, min(w.due_at) as first_due
            from mart_warnings w, mart_run run
            where {where}
            group by w.unit_id, w.kind
        )
        select c.unit_id, u.unit_name, c.kind, c.red, c.yellow, c.total, c.max_days_overdue, c.first_due
        from counted c join dim_units u using (unit_id)
        order by c.red desc, c.yellow desc, u.tree_order, c.kind""", params)


def _select(lang: str, case: str = "w.case_id") -> str:
    return f"""w.warning_id, w.level, w.kind, w.unit_id, u.unit_name, {case} as case_id, w.media_id, w.officer_id,
        w.device_id, c.party_name, w.due_at, {DAYS_OVERDUE} as days_overdue, {HOURS_LEFT} as hours_left,
        {DETAIL['zh' if lang == 'zh' else 'en']} as detail"""


def rows_page(snapshot: Path, filters: dict, lang: str, list_: str, level: str | None = None,
              kind: str | None = None, unit_id: str | None = None, page_current: int = 0,
              page_size: int = 25) -> tuple[pd.DataFrame, int]:
    """One page of a list's warnings (of one unit, when `unit_id`), most overdue first, and how many
    there are in all."""
    access.check_paging(page_current, page_size)
    where, params = _where(filters, list_, level, kind, unit_id)
    total = int(query(snapshot, SCOPE + f"select count(*) as n from mart_warnings w where {where}", params)["n"].iloc[0])
    # the page is picked by its sort keys alone and its rows fetched back by rowid, with the party
    # of its own few cases: carrying every column (and every case) through the sort is for nothing
    rows = query(snapshot, SCOPE + f""",
        page as materialized (
            select w.rowid as shown_row from mart_warnings w where {where} order by {ORDER} limit $limit offset $offset),
        shown as materialized (select w.* from mart_warnings w semi join page on w.rowid = page.shown_row),
        -- a recording's warning names no case: the case the recording was made in (the first, if
        -- several), so that the row still opens the case's whole process
        recording_cases as (
            select media_id, min(case_id) as case_id from mart_case_timeline
            where kind = 'recording' and media_id in (select media_id from shown where case_id is null)
            group by media_id)
        select {_select(lang, "coalesce(w.case_id, rc.case_id)")}
        from shown w
        cross join mart_run run
        join dim_units u using (unit_id)
        left join recording_cases rc using (media_id)
        left join dim_cases c on c.case_id = coalesce(w.case_id, rc.case_id)
        order by {ORDER}""", {**params, "limit": int(page_size), "offset": int(page_current) * int(page_size)})
    return rows, total


def check_rows(filters: dict, list_: str, level: str | None, kind: str | None, unit_id: str | None) -> None:
    """Refuse a download as its query would, before the first byte (a stream cannot turn into a
    refusal halfway)."""
    _where(filters, list_, level, kind, unit_id)


def rows_batches(snapshot: Path, filters: dict, lang: str, list_: str, level: str | None = None,
                 kind: str | None = None, unit_id: str | None = None, limit: int | None = None,
                 batch_rows: int = 20_000) -> Iterator[pd.DataFrame]:
    """Every row of the view (at most `limit`), in frames of at most `batch_rows`, for a download."""
    where, params = _where(filters, list_, level, kind, unit_id)
    sql = SCOPE + f"""
        select {_select(lang)}
        from mart_warnings w cross join mart_run run
        join dim_units u using (unit_id)
        left join dim_cases c on c.case_id = w.case_id
        where {where} order by {ORDER}"""
    if limit is not None:
        sql += " limit $limit"
        params["limit"] = int(limit)
    yield from batches(snapshot, sql, params, batch_rows)
