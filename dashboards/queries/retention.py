"""The retention page: recordings by retention status, and those due for review, as of the snapshot."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .. import scope
from ..filters import normalise
from ..query import query
from ..scope import SCOPE


def retention_status(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Recordings of the units in scope by retention status (as of the snapshot)."""
    f = normalise(filters)
    return query(snapshot, SCOPE + """
        select status, cast(sum(recordings) as bigint) as recordings from mart_unit_retention_status
        where unit_id in (select unit_id from scope) group by status order by recordings desc, status""",
        scope.params(f))


def retention_due(snapshot: Path, filters: dict) -> pd.DataFrame:
    """Per unit in scope: recordings whose retention ends within 30 days after as-of (to review)."""
    f = normalise(filters)
    return query(snapshot, SCOPE + """
        select u.unit_name, cast(sum(m.due_within_30_days) as bigint) as recordings, min(m.first_due_at) as first_due
        from mart_unit_retention_status m join dim_units u using (unit_id)
        where m.unit_id in (select unit_id from scope) and m.due_within_30_days > 0
        group by all order by recordings desc, u.unit_name""", scope.params(f))
