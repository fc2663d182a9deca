"""The officers page: per officer, what the rules judged of theirs in the period for the units in
scope (mart_officer_rule_period_rates, summed), ranked within their unit; and one officer's
violations, by rule and one by one (mart_findings)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import access, dims, scope
from ..filters import resolve
from ..query import query
from ..scope import SCOPE

# the rules whose rate the table shows beside the officer, by the column it is shown in
RATE_RULES = {"upload": "R-UPL", "av": "R-AV", "labelling": "R-LBL", "device_check": "R-DEV-CHECK"}
# an act that had to be recorded is each of its officers' (int_officer_check_months), though its
# finding names its first officer only
SHARED_RULE = "R-AV"

_RATES = ",\n".join(
    f"sum(compliant) filter (where rule_id = '{rule}') / sum(judged) filter (where rule_id = '{rule}') as {name}_rate"
    for name, rule in RATE_RULES.items())


def officer_table(snapshot: Path, filters: dict) -> pd.DataFrame:
    """One row per officer with something judged in the units in scope in the period: recordings,
    the rates of RATE_RULES, violations and judged items (rules that are violations under the unit's
    profile), violations per 100 judged items, and their place in their unit by it (fewest first;
    ties share a place), listed unit by unit in tree order."""
    f = resolve(snapshot, filters)
    return query(snapshot, SCOPE + f"""
        , counted as (
            select officer_id,
                   cast(sum(checked) filter (where rule_id = 'R-UPL') as bigint) as recordings,
                   {_RATES},
                   cast(sum(judged) filter (where level = 'violation') as bigint) as judged,
                   cast(sum(judged - compliant) filter (where level = 'violation') as bigint) as violations
            from mart_officer_rule_period_rates
            where period_type = $pt and period = $p and unit_id in (select unit_id from scope)
            group by officer_id
        ),
        measured as (
            select c.*, round(100.0 * c.violations / nullif(c.judged, 0), 2) as per_100,
                   o.officer_name, o.unit_id, coalesce(o.unit_name, o.unit_id) as unit_name
            from counted c left join dim_officers o using (officer_id)
        )
        select m.*,
               rank() over (partition by m.unit_id order by m.per_100 asc nulls last) as unit_place,
               count(*) over (partition by m.unit_id) as unit_officers
        from measured m left join dim_units u using (unit_id)
        order by u.tree_order nulls last, m.unit_id, unit_place, m.officer_id""",
        {**scope.params(f), "pt": f["period_type"], "p": f["period"]})


def _officer(officer_id) -> str:
    if not isinstance(officer_id, str) or not officer_id or len(officer_id) > 200:
        raise access.BadParameter("officer", officer_id)
    return officer_id


def officer_rules(snapshot: Path, filters: dict, officer_id: str, lang: str = "zh") -> pd.DataFrame:
    """One officer's rules that are violations in the units in scope in the period: judged, violations
    and rate, in the order the families are listed, with the rule's and its family's names."""
    f = resolve(snapshot, filters)
    return query(snapshot, SCOPE + """
        , counted as (
            select rule_id, cast(sum(judged) as bigint) as judged,
                   cast(sum(judged - compliant) as bigint) as violations
            from mart_officer_rule_period_rates
            where period_type = $pt and period = $p and officer_id = $officer and level = 'violation'
              and unit_id in (select unit_id from scope)
            group by rule_id having sum(judged) > 0
        )
        select c.rule_id, case when $lang = 'zh' then r.name_zh else r.name_en end as rule_name,
               case when $lang = 'zh' then r.family_name_zh else r.family_name_en end as family_name,
               c.judged, c.violations, round(1 - c.violations / c.judged, 4) as rate
        from counted c left join dim_rules r using (rule_id)
        order by r.family_sort_order, c.rule_id""",
        {**scope.params(f), "pt": f["period_type"], "p": f["period"], "officer": _officer(officer_id), "lang": lang})


OFFICER_VIOLATION_LIMIT = 500


def officer_violations(snapshot: Path, filters: dict, officer_id: str, lang: str = "zh",
                       limit: int = OFFICER_VIOLATION_LIMIT) -> tuple[pd.DataFrame, int]:
    """One officer's violations in the units in scope in the period, latest first (at most `limit`),
    and how many there are: those whose finding names them, and the acts they took part in that were
    not recorded as required. Party names come as they are: the caller masks them."""
    f = resolve(snapshot, filters)
    period = dims.period(snapshot, f)
    params = {**scope.params(f), "start": period.start, "end": period.end, "officer": _officer(officer_id),
              "lang": lang, "shared": SHARED_RULE, "limit": int(limit)}
    # two branches, not one condition with an OR: each then reads fct_violations by its own column
    # (M, a year: 300 → 20 ms)
    mine = SCOPE + """
        , acts as (
            select act_id from fct_act_av_coverage
            where list_contains(officer_ids, $officer) and started_at >= $start and started_at < $end
        ),
        mine as (
            select rowid as violation_row, occurred_at, violation_id, case_id from fct_violations v
            where v.officer_id = $officer and v.rule_id <> $shared
              and v.occurred_at >= $start and v.occurred_at < $end and v.unit_id in (select unit_id from scope)
            union all
            select rowid as violation_row, occurred_at, violation_id, case_id from fct_violations v
            where v.rule_id = $shared and v.act_id in (select act_id from acts)
              and v.occurred_at >= $start and v.occurred_at < $end and v.unit_id in (select unit_id from scope)
        )"""
    total = int(query(snapshot, mine + " select count(*) as n from mine", params)["n"].iloc[0])
    # the cases of the rows shown only: joined to every case, the party names cost more than the rest
    rows = query(snapshot, mine + """
        , shown as materialized (
            select violation_row, case_id from mine order by occurred_at desc, violation_id limit $limit
        ),
        shown_cases as materialized (
            select case_id, c.party_name from (select distinct case_id from shown) join dim_cases c using (case_id)
        )
        select case when $lang = 'zh' then r.name_zh else r.name_en end as rule, v.severity, v.citation,
               v.occurred_at, v.case_id, v.act_id, v.media_id, v.device_id, c.party_name,
               case when $lang = 'zh' then v.detail_zh else v.detail_en end as detail, v.violation_id
        from fct_violations v semi join shown on v.rowid = shown.violation_row
        left join dim_rules r using (rule_id)
        left join shown_cases c using (case_id)
        order by v.occurred_at desc, v.violation_id""", params)
    return rows, total
