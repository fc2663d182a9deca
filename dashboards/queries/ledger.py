"""The spot-check ledger page (抽查台账) and the case page's review: the cases drawn for 案卷评查 in
the ledger period that holds the filters' period (mart_spot_check_ledger), each unit's counts
(mart_unit_period_spot_checks), and the ledgers that drew one case. No party name is read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .. import access, scope
from ..filters import resolve
from ..query import query
from ..scope import SCOPE

# the codes of mart_spot_check_ledger the page filters by, in the order they are offered
REVIEW_STATUSES = ("not_reviewed", "passed", "basically_passed", "failed")
RECTIFICATION_STATUSES = ("overdue", "pending", "late", "on_time", "not_required")

UNIT_COUNTS = ("drawn", "reviewed", "passed", "basically_passed", "failed", "rectifications", "rectified_on_time",
               "rectified_late", "rectifying", "rectification_overdue")


def checked(review_status: Any = None, rectification_status: Any = None) -> tuple[str | None, str | None]:
    """The statuses a request filters by, or a refusal: a value the ledger never has is not guessed at."""
    if review_status is not None and (not isinstance(review_status, str) or review_status not in REVIEW_STATUSES):
        raise access.BadParameter("review_status", review_status)
    if rectification_status is not None and (not isinstance(rectification_status, str)
                                             or rectification_status not in RECTIFICATION_STATUSES):
        raise access.BadParameter("rectification_status", rectification_status)
    return review_status, rectification_status


def ledger_period(snapshot: Path, filters: dict, lang: str | None = None) -> dict:
    """The ledger period that holds the filters' period (a month is in its quarter's), with both
    names in `lang` (default the filters'): {period_type, period, label, asked_label}; the period
    and its type are None where the snapshot has no such period."""
    f = resolve(snapshot, filters)
    frame = query(snapshot, """
        select p.spot_check_period_type as period_type, p.spot_check_period as period,
               case when $lang = 'zh' then l.label_zh else l.label_en end as label,
               case when $lang = 'zh' then p.label_zh else p.label_en end as asked_label
        from dim_periods p
        left join dim_periods l on l.period_type = p.spot_check_period_type and l.period = p.spot_check_period
        where p.period_type = $pt and p.period = $p""",
                  {"pt": f["period_type"], "p": f["period"], "lang": lang or f["lang"]})
    if frame.empty:
        return {"period_type": None, "period": None, "label": f["period"], "asked_label": f["period"]}
    row = frame.iloc[0]
    return {"period_type": row["period_type"], "period": row["period"],
            "label": row["label"] if isinstance(row["label"], str) else row["period"],
            "asked_label": row["asked_label"] if isinstance(row["asked_label"], str) else f["period"]}


def unit_counts(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Per unit in scope with a case drawn in the ledger period: drawn, reviewed, each conclusion,
    the pass rate and the rectifications, in the unit tree's order."""
    f = resolve(snapshot, filters)
    period = ledger_period(snapshot, f)
    return query(snapshot, SCOPE + f"""
        select s.unit_id, u.unit_name, {", ".join(f"s.{c}" for c in UNIT_COUNTS)}, s.pass_rate
        from mart_unit_period_spot_checks s join dim_units u using (unit_id)
        where s.period_type = $lpt and s.period = $lp and s.unit_id in (select unit_id from scope)
        order by u.tree_order, s.unit_id""", {**scope.params(f), "lpt": period["period_type"], "lp": period["period"]})


_CASE_COLUMNS = """l.unit_id, u.unit_name, l.draw_rank, l.closed_cases, l.case_id, l.case_type, l.closed_at,
        l.review_status, l.problems, l.reviewer, l.reviewed_at,
        -- due at the end of its last day: the day is what the reviewer set and the page says
        cast(l.rectify_due_at - interval 1 day as date) as rectify_by, l.rectified_at, l.rectification_status"""


def cases(snapshot: Path, filters: dict, review_status: str | None = None,
          rectification_status: str | None = None) -> pd.DataFrame:
    """The cases drawn in the ledger period for the units in scope, unit by unit in the tree's order
    and by draw rank, narrowed to a review status and a rectification status when given."""
    f = resolve(snapshot, filters)
    review_status, rectification_status = checked(review_status, rectification_status)
    period = ledger_period(snapshot, f)
    return query(snapshot, SCOPE + f"""
        select {_CASE_COLUMNS}
        from mart_spot_check_ledger l join dim_units u using (unit_id)
        where l.period_type = $lpt and l.period = $lp and l.unit_id in (select unit_id from scope)
          and (cast($review as varchar) is null or l.review_status = cast($review as varchar))
          and (cast($rectification as varchar) is null or l.rectification_status = cast($rectification as varchar))
        order by u.tree_order, l.unit_id, l.draw_rank""",
                 {**scope.params(f), "lpt": period["period_type"], "lp": period["period"], "review": review_status,
                  "rectification": rectification_status})


def case_reviews(snapshot: Path, case_id: str, lang: str) -> pd.DataFrame:
    """The ledgers that drew the case (its quarter's, its year's), with its review in each. The
    caller has checked that the case is in the requester's scope (queries.case.case)."""
    return query(snapshot, f"""
        select coalesce(case when $lang = 'zh' then p.label_zh else p.label_en end, l.period) as ledger, {_CASE_COLUMNS}
        from mart_spot_check_ledger l join dim_units u using (unit_id)
        left join dim_periods p on p.period_type = l.period_type and p.period = l.period
        where l.case_id = $case
        order by l.period_type = 'year', l.period""", {"case": case_id, "lang": lang})


def run_parameters(snapshot: Path) -> dict:
    """What the run drew and weighed with: the seed, the cases drawn per unit, and the weight of the
    review pass rate in the score (0: an indicator beside it)."""
    frame = query(snapshot, "select * from mart_run")
    row = frame.iloc[0].to_dict() if len(frame) else {}

    def number(key, kind):
        value = row.get(key)
        return None if value is None or pd.isna(value) else kind(value)

    return {"seed": number("spot_check_seed", int), "per_unit": number("spot_check_per_unit", int),
            "review_weight": number("review_weight", float) or 0.0}
