"""The snapshot's dimensions as the filters and the labels use them: the unit tree, the profiles of
the units in scope, the rule families, the periods and what the run judged with. Everything is read
from dim_* and mart_run (contract §9): no tree, period or rule is worked out here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import access
from .query import query
from .scope import SCOPE


def units(snapshot: Path) -> pd.DataFrame:
    """The unit tree in display order (each unit after its parent), with each unit's depth. A unit
    no root reaches (a cycle in the parent links) has no place in the tree and is left out."""
    return query(snapshot, """
        select unit_id, unit_name, parent_unit_id, depth from dim_units
        where depth is not null order by tree_order""")


def unit_parents(snapshot: Path) -> dict[str, str | None]:
    """unit id -> parent unit id (None for a root): the tree access.within walks."""
    tree = units(snapshot)
    ids = set(tree["unit_id"])
    return {u: (p if p in ids else None) for u, p in zip(tree["unit_id"], tree["parent_unit_id"])}


def units_in_scope(snapshot: Path) -> pd.DataFrame:
    """The unit tree below the unit the requester may see (the whole tree for every unit), depths
    counted from it: the units the filter offers."""
    root = access.bound()
    if root is None:
        return units(snapshot)
    return query(snapshot, """
        select u.unit_id, u.unit_name, u.parent_unit_id, u.depth - r.depth as depth
        from dim_unit_descendants d
        join dim_units u on u.unit_id = d.unit_id
        join dim_units r on r.unit_id = d.ancestor_unit_id
        where d.ancestor_unit_id = $root and u.depth is not null and r.depth is not null
        order by u.tree_order""", {"root": root})


def profiles(snapshot: Path, lang: str) -> pd.DataFrame:
    """The jurisdiction profiles the units the requester may see use, labelled by their regulation."""
    return query(snapshot, SCOPE + """
        select distinct profile_id,
               case when $lang = 'zh' then coalesce(regulation_short_zh, profile_id)
                    else coalesce(regulation_en, profile_id) end as label
        from dim_units where unit_id in (select unit_id from scope) order by profile_id""",
        {"lang": lang, "unit": None, "profile": None, "root": access.bound()})


def families(snapshot: Path, lang: str) -> pd.DataFrame:
    """Rule families that have rules, labelled, in the order every reader lists them, with the
    scorecard column that holds each one's rate."""
    return query(snapshot, """
        select family, name_zh as label_zh, name_en as label_en, rate_column from dim_rule_families
        where family in (select family from dim_rules) order by sort_order""").assign(
        label=lambda d: d["label_zh"] if lang == "zh" else d["label_en"])


def periods(snapshot: Path, period_type: str) -> list[str]:
    """The periods of a type the scorecard has figures for, latest first: what the filter offers."""
    frame = query(snapshot, "select distinct period from mart_unit_period_scorecard where period_type = $pt "
                            "order by period desc", {"pt": period_type})
    return frame["period"].tolist()


def period_labels(snapshot: Path, period_type: str, lang: str) -> dict[str, str]:
    """Each period of a type by its name in `lang` (2025年第四季度, Q4 2025), as dim_periods names it."""
    frame = query(snapshot, "select period, case when $lang = 'zh' then label_zh else label_en end as label "
                            "from dim_periods where period_type = $pt", {"pt": period_type, "lang": lang})
    return dict(zip(frame["period"], frame["label"]))


def default_period(snapshot: Path, period_type: str) -> str | None:
    """The period an official reads first: the latest, unless it is still running while the one
    before it has not frozen yet. In early January that is the year just ended, until its
    appraisal freezes, not a new year holding a day of data."""
    frame = query(snapshot, """
        with latest as (
            select s.period, any_value(p.period_end) as period_end, bool_and(s.is_frozen) as is_frozen
            from mart_unit_period_scorecard s
            join dim_periods p on p.period_type = s.period_type and p.period = s.period
            where s.period_type = $pt
            group by s.period order by s.period desc limit 2
        )
        select latest.*, (select as_of_end_at from mart_run) as as_of_end_at from latest order by period desc""",
                  {"pt": period_type})
    if frame.empty:
        return None
    latest = frame.iloc[0]
    running = pd.Timestamp(latest["period_end"]) > pd.Timestamp(latest["as_of_end_at"])
    if running and len(frame) > 1 and not frame.iloc[1]["is_frozen"]:
        return frame.iloc[1]["period"]
    return latest["period"]


@dataclass(frozen=True)
class Period:
    """A period as dim_periods has it: [start, end) and the period before it. A period the snapshot
    does not have (a valid name, but no data) has none of them, so nothing falls in it."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None
    previous: str | None = None
    label: str | None = None  # its name in the filters' language (2025年第四季度, Q4 2025): what titles say
    previous_label: str | None = None


def period(snapshot: Path, f: dict, lang: str = "zh") -> Period:
    """The period normalised filters name, named in `lang`."""
    frame = query(snapshot, """
        select p.period_start, p.period_end, p.previous_period,
               case when $lang = 'zh' then p.label_zh else p.label_en end as label,
               case when $lang = 'zh' then q.label_zh else q.label_en end as previous_label
        from dim_periods p
        left join dim_periods q on q.period_type = p.period_type and q.period = p.previous_period
        where p.period_type = $pt and p.period = $p""",
                  {"pt": f["period_type"], "p": f["period"], "lang": lang})
    if frame.empty:
        return Period()
    row = frame.iloc[0]
    # datetimes, as the facts' timestamps are compared with them
    return Period(pd.Timestamp(row["period_start"]).to_pydatetime(), pd.Timestamp(row["period_end"]).to_pydatetime(),
                  row["previous_period"], row["label"],
                  row["previous_label"] if isinstance(row["previous_label"], str) else row["previous_period"])


def period_name(snapshot: Path, f: dict, lang: str) -> str:
    """What a title calls the filters' period: its name, or its code where the snapshot has no such period."""
    return period(snapshot, f, lang).label or f["period"]


def run(snapshot: Path) -> dict:
    """What the published figures were judged with: as_of, as_of_end_at."""
    frame = query(snapshot, "select as_of, as_of_end_at from mart_run")
    return frame.iloc[0].to_dict() if len(frame) else {"as_of": None, "as_of_end_at": None}
