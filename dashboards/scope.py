"""The units a query covers: the selected unit and every unit below it (all units when none is
selected), narrowed to one jurisdiction profile when one is selected, and always within the subtree
the requester may see. The tree is the snapshot's dim_unit_descendants; this walks none of it.

A query starts with SCOPE, tests `unit_id in (select unit_id from scope)`, and takes params(f) (or
$unit, $profile and $root given otherwise). $root comes from the request's access, never from the
filters: filters.normalise refuses a unit outside it, and the SQL is bounded by it even so."""

from __future__ import annotations

import re
from typing import Any

from . import access

SCOPE = """
with scope as (
    select unit_id from dim_units
    where (cast($unit as varchar) is null or unit_id in (
              select unit_id from dim_unit_descendants where ancestor_unit_id = cast($unit as varchar)))
      and (cast($profile as varchar) is null or profile_id = cast($profile as varchar))
      and (cast($root as varchar) is null or unit_id in (
              select unit_id from dim_unit_descendants where ancestor_unit_id = cast($root as varchar)))
)
"""

_IN_SCOPE = re.compile(r"\b(?:\w+\.)?unit_id in \(select unit_id from scope\)")


def params(f: dict) -> dict:
    """The scope's parameters for normalised filters, within the current request's bound."""
    return {"unit": f["unit_id"], "profile": f["profile_id"], "root": access.bound()}


def unbounded(sql: str, values: dict[str, Any]) -> str:
    """The statement without its scope test when neither a unit nor a profile is chosen and the
    requester may see every unit: on the large facts the test costs more than the rest of the query
    (M retention by status: 150 → 50 ms)."""
    if all(k in values and values[k] is None for k in ("unit", "profile", "root")):
        return _IN_SCOPE.sub("true", sql)
    return sql
