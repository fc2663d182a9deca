"""The case page (案件全过程): one case as the requester may see it, its timeline (mart_case_timeline),
its findings, and the cases the spot-check drew for the period (mart_spot_check_ledger). Party
names come as they are: the caller masks them (core.privacy)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .. import access, scope
from ..filters import resolve
from ..query import query
from ..scope import SCOPE

# What a case id may be: printable text of a bounded length (exports write 南城管处〔2025〕132号 as
# well as AJ2025000148). A value outside it is no case anyone has: answered as one that does not exist.
CASE_ID = re.compile(r"[^\x00-\x1f\x7f-\x9f]{1,200}")


def _scope_params() -> dict:
    """The requester's own subtree, whatever the unit filter shows: a case is opened by its id, from
    a link on another page, and whether it may be shown is whom it belongs to, not the filter."""
    return {"unit": None, "profile": None, "root": access.bound()}


def case(snapshot: Path, case_id: str) -> pd.DataFrame:
    """The case (dim_cases, with its unit's name), one row if it exists and is in the requester's
    scope, else none: a case of another unit is not told apart from one that does not exist."""
    if not isinstance(case_id, str) or not CASE_ID.fullmatch(case_id):
        return pd.DataFrame()
    return query(snapshot, SCOPE + """
        select c.*, u.unit_name
        from dim_cases c join dim_units u using (unit_id)
        where c.case_id = $case and c.unit_id in (select unit_id from scope)""",
                 {**_scope_params(), "case": case_id})


def timeline(snapshot: Path, case_id: str) -> pd.DataFrame:
    """The case's rows of mart_case_timeline, in order. The caller has checked the case is in scope
    (case()); the table is sorted by case, so this reads the row groups of that case only."""
    return query(snapshot, "select * from mart_case_timeline where case_id = $case "
                           "order by coalesce(start_at, due_at) nulls last, kind, act_id, media_id, doc_id",
                 {"case": case_id})


def findings(snapshot: Path, case_id: str, lang: str) -> pd.DataFrame:
    """Every finding of the case (mart_case_findings): those naming it, and those of its recordings
    and acts that name no case (a late upload, a retention breach: R-UPL and R-RET judge the
    recording). The table is sorted by case, so this reads the row groups of that case only."""
    return query(snapshot, """
        select f.violation_id, f.rule_id, case when $lang = 'zh' then r.name_zh else r.name_en end as rule_name,
               f.severity, f.occurred_at, f.act_id, f.media_id, f.citation,
               case when $lang = 'zh' then f.detail_zh else f.detail_en end as detail, c.party_name
        from mart_case_findings f
        left join dim_rules r using (rule_id)
        left join dim_cases c on c.case_id = $case
        where f.case_id = $case
        order by f.occurred_at, f.rule_id, f.violation_id""", {"case": case_id, "lang": lang})


def ledger(snapshot: Path, filters: dict) -> pd.DataFrame:
    """The cases drawn for review (案卷评查) in the ledger's period that holds the filters' period (a
    quarter or a year), for the units in scope."""
    f = resolve(snapshot, filters)
    return query(snapshot, SCOPE + """
        select l.period, u.unit_name, l.draw_rank, l.closed_cases, l.case_id, l.case_type, l.procedure,
               l.closed_at, l.archived_at
        from mart_spot_check_ledger l
        join dim_periods p on p.spot_check_period_type = l.period_type and p.spot_check_period = l.period
        join dim_units u on u.unit_id = l.unit_id
        where p.period_type = $pt and p.period = $p and l.unit_id in (select unit_id from scope)
        order by u.tree_order, l.draw_rank""", {**scope.params(f), "pt": f["period_type"], "p": f["period"]})


def busiest_case(snapshot: Path) -> str | None:
    """The case with the most timeline rows (the benchmark's heaviest page)."""
    frame = query(snapshot, "select case_id from mart_case_timeline group by case_id "
                            "order by count(*) desc, case_id limit 1")
    return frame["case_id"].iloc[0] if len(frame) else None

