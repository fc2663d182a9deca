"""The data-quality page: how fresh the snapshot is, what the rules could not judge from the exports,
and the load records (batches, quarantined rows, rejected files)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from .. import scope
from ..filters import resolve
from ..query import query
from ..scope import SCOPE


def not_judged(snapshot: Path, filters: dict, lang: str = "zh") -> pd.DataFrame:
    """What the rules could not judge in the period for the units in scope, by rule (its name) and
    reason: left out of the rates, never counted compliant (rules.md §5, e.g. a receipt without the
    witness column)."""
    f = resolve(snapshot, filters)
    return query(snapshot, SCOPE + """
        select n.rule_id, case when $lang = 'zh' then r.name_zh else r.name_en end as rule_name,
               n.not_judged_reason as reason, cast(sum(n.not_judged) as bigint) as things
        from mart_unit_rule_period_not_judged n left join dim_rules r using (rule_id)
        where n.period_type = $pt and n.period = $p and n.unit_id in (select unit_id from scope)
        group by all order by things desc, n.rule_id, reason""",
        {**scope.params(f), "pt": f["period_type"], "p": f["period"], "lang": lang})


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
        select (select max(as_of) from mart_run) as as_of,
               (select max(finished_at) from load_batches) as finished""")
    row = frame.iloc[0].to_dict()
    row["published"] = dt.datetime.fromtimestamp(Path(snapshot).stat().st_mtime).replace(microsecond=0)
    return row
