"""The units page: the scorecard of the units in scope, ranked."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import scope
from ..filters import resolve
from ..query import query
from ..scope import SCOPE


def scorecard(snapshot: Path, filters: dict) -> pd.DataFrame:
    """The scorecard of the units in scope for the period, best score first. Every column: which
    families have a rate is the mart's (dims.families names each one's column)."""
    f = resolve(snapshot, filters)
    return query(snapshot, SCOPE + """
        select row_number() over (order by score desc nulls last, unit_id) as place,
               * replace (cast(judged as bigint) as judged, cast(violations as bigint) as violations)
        from mart_unit_period_scorecard
        where period_type = $pt and period = $p and unit_id in (select unit_id from scope)
        order by place""", {**scope.params(f), "pt": f["period_type"], "p": f["period"]})
