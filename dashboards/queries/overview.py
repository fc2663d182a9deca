"""The overview: rule families' rates against the previous period, each unit's score by month,
violations by rule, and the open deadlines (warnings)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import dims, scope
from ..filters import normalise, resolve
from ..query import query
from ..scope import SCOPE


def family_rates(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Per rule family: judged, compliant and rate (violation-level rules) in the period and the
    previous one, over the units in scope; plus an 'all' row."""
    f = resolve(snapshot, filters)
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
        {**scope.params(f), "pt": f["period_type"], "p": f["period"], "prev": dims.period(snapshot, f).previous})


def score_trend(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Monthly score of each unit in scope, over the year of the chosen period."""
    f = resolve(snapshot, filters)
    return query(snapshot, SCOPE + """
        , year as (
            select y.period_start, y.period_end
            from dim_periods chosen
            join dim_periods y on y.period_type = 'year' and chosen.period_start >= y.period_start
                              and chosen.period_start < y.period_end
            where chosen.period_type = $pt and chosen.period = $p
        )
        select s.unit_id, s.unit_name, s.period, s.score
        from mart_unit_period_scorecard s, year
        where s.period_type = 'month' and s.period_start >= year.period_start and s.period_start < year.period_end
          and s.unit_id in (select unit_id from scope)
        order by s.unit_id, s.period""", {**scope.params(f), "pt": f["period_type"], "p": f["period"]})


def violations_by_rule(snapshot: Path, filters: dict, lang: str = "zh") -> pd.DataFrame:
    f = resolve(snapshot, filters)
    period = dims.period(snapshot, f)
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
        from counted left join dim_rules r using (rule_id)
        order by violations desc, rule_id""",
        {**scope.params(f), "start": period.start, "end": period.end, "lang": lang})


WARNING_LIMIT = 200

# What a warning says, written for the rows shown (the mart holds 100,000s at a city's scale)
WARNING_DETAIL = {
    "zh": """case w.kind
        when 'upload' then '录像' || w.media_id || ' 应于 ' || strftime(w.due_at, '%Y年%-m月%-d日 %H:%M') || ' 前入库'
        when 'archive' then '案件' || w.case_id || ' 应于 ' || strftime(w.due_at, '%Y年%-m月%-d日') || ' 前归档'
        when 'start_approval' then '紧急先行启动的案件' || w.case_id || ' 应于 '
            || strftime(w.due_at, '%Y年%-m月%-d日 %H:%M') || ' 前补办启动审批'
        when 'disposal_review' then '录像' || w.media_id || ' 保存期至 ' || strftime(w.due_at, '%Y年%-m月%-d日')
            || '，处置前须复核'
        end""",
    "en": """case w.kind
        when 'upload' then 'recording ' || w.media_id || ' is due in the store by ' || strftime(w.due_at, '%-d %B %Y %H:%M')
        when 'archive' then 'case ' || w.case_id || ' is due for archiving by ' || strftime(w.due_at, '%-d %B %Y')
        when 'start_approval' then 'emergency-started case ' || w.case_id || ' needs its start approved by '
            || strftime(w.due_at, '%-d %B %Y %H:%M')
        when 'disposal_review' then 'recording ' || w.media_id || ' is kept until ' || strftime(w.due_at, '%-d %B %Y')
            || '; review before disposal'
        end""",
}


def warnings(snapshot: Path, filters: dict, lang: str = "zh", limit: int = WARNING_LIMIT) -> tuple[pd.DataFrame, dict]:
    """Open deadlines of the units in scope (red first, nearest due first), and the red/yellow counts.
    Warnings are as of the snapshot's as-of date, not of the chosen period."""
    f = normalise(filters)
    params = scope.params(f)
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
        ),
        shown_warnings as materialized (
            select w.* from mart_warnings w semi join shown on w.rowid = shown.shown_row
        ),
        -- a recording's warning opens the case the recording belongs to (the first, if several)
        recording_cases as (
            select media_id, min(case_id) as case_id from mart_case_timeline
            where kind = 'recording' and media_id in (select media_id from shown_warnings)
            group by media_id
        )
        select w.level, w.kind, u.unit_name, w.due_at, w.hours_left,
               """ + WARNING_DETAIL["zh" if lang == "zh" else "en"] + """ as detail,
               coalesce(w.case_id, recording_cases.case_id) as case_id, w.warning_id
        from shown_warnings w
        join dim_units u using (unit_id)
        left join recording_cases using (media_id)
        order by w.level = 'red' desc, w.due_at, w.warning_id""", {**params, "limit": int(limit)})
    return rows, {"red": int(counts["red"]), "yellow": int(counts["yellow"])}
