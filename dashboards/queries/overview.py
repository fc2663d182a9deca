"""The overview: rule families' rates against the previous period, each unit's score by month and
violations by rule (its summary of the open warnings is queries.warnings')."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import dims, scope
from ..filters import resolve
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


def family_weights(snapshot: Path, filters: dict) -> dict[str, float]:
    """Each rule family's scoring weight over the units in scope (the mean over them: units under
    different regulations weigh a family differently)."""
    f = resolve(snapshot, filters)
    frame = query(snapshot, SCOPE + """
        select w.family, avg(w.weight) as weight
        from dim_units u join dim_profile_family_weights w using (profile_id)
        where u.unit_id in (select unit_id from scope)
        group by w.family""", scope.params(f))
    return dict(zip(frame["family"], frame["weight"]))


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
