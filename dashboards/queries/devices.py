"""The devices page: device-days of the units in scope in the period."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import dims, scope
from ..filters import resolve
from ..query import query
from ..scope import SCOPE


def device_summary(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Per unit in scope, device-days in the period: devices, days in use, pre-duty check rate, events."""
    f = resolve(snapshot, filters)
    period = dims.period(snapshot, f)
    return query(snapshot, SCOPE + """
        select u.unit_name, count(distinct d.device_id) as devices,
               count(*) filter (where d.record_starts > 0) as device_days,
               avg(case when d.is_checked_before_recording then 1.0 else 0.0 end)
                   filter (where d.record_starts > 0) as checked_rate,
               sum(d.faults) as faults, sum(d.battery_low_events) as battery_low,
               sum(d.storage_full_events) as storage_full, sum(d.record_interrupts) as interrupts,
               sum(d.files_deleted) as files_deleted,
               any_value(coalesce(v.lost, 0)) as files_lost, any_value(coalesce(v.deleted, 0)) as deleted_unuploaded
        from fct_device_days d join dim_units u using (unit_id)
        left join (
            select unit_id, count(*) filter (where rule_id = 'R-UPL-LOST') as lost,
                   count(*) filter (where rule_id = 'R-DEV-DEL') as deleted
            from fct_violations
            where rule_id in ('R-UPL-LOST', 'R-DEV-DEL') and occurred_at >= $start and occurred_at < $end
            group by unit_id
        ) v on v.unit_id = d.unit_id
        where d.day >= cast($start as date) and d.day < cast($end as date) and d.unit_id in (select unit_id from scope)
        group by u.unit_name order by u.unit_name""", {**scope.params(f), "start": period.start, "end": period.end})
