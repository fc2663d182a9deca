"""The filters every page shares (language, period type, period, unit, profile), checked: a bad one
is refused with access.BadParameter, never guessed at. Within a request the unit filter defaults to,
and must lie within, the unit the requester may see (access.bound); one outside it is refused
(access.OutOfScope). Queries are bounded by that unit whatever the filters say (dashboards.scope)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from core.i18n import LANGS

from . import access, dims
from .query import current_snapshot

PERIOD_TYPES = ("month", "quarter", "year")

# How a period is written (contract §9): a period not written so is refused, one written so that
# the snapshot does not have shows nothing (dims.Period). ASCII digits (\d takes any script's).
_YEAR = "[12][0-9]{3}"
_PERIOD_FORMAT = {"year": re.compile(_YEAR), "quarter": re.compile(_YEAR + "Q[1-4]"),
                  "month": re.compile(_YEAR + "-(0[1-9]|1[0-2])")}


def lang_of(filters) -> str:
    """The language the filters ask for, Chinese unless they say English: what a page is labelled in
    even when its filters are refused."""
    return "en" if isinstance(filters, dict) and filters.get("lang") == "en" else "zh"


def normalise(filters: dict | None) -> dict:
    """The filters checked, with their defaults; within a request, the unit defaults to (and must lie
    within) the one the requester may see. A bad value is refused, never guessed at."""
    if filters is not None and not isinstance(filters, dict):
        raise access.BadParameter("filters", filters)
    f = dict(filters or {})
    f.setdefault("period_type", "year")
    f.setdefault("period", None)
    f.setdefault("unit_id", None)
    f.setdefault("profile_id", None)
    f.setdefault("lang", "zh")
    for key in ("unit_id", "profile_id"):
        if f[key] is not None and not isinstance(f[key], str):
            raise access.BadParameter(key, f[key])
    # the unit first: a request for another unit is refused as that, whatever else is wrong with it
    f["unit_id"] = _bounded(f["unit_id"] or None)
    if f["period_type"] not in PERIOD_TYPES:
        raise access.BadParameter("period_type", f["period_type"])
    if f["lang"] not in LANGS:
        raise access.BadParameter("lang", f["lang"])
    if f["period"] and not (isinstance(f["period"], str) and _PERIOD_FORMAT[f["period_type"]].fullmatch(f["period"])):
        raise access.BadParameter("period", f["period"])
    f["period"] = f["period"] or None
    f["profile_id"] = f["profile_id"] or None
    return f


def _bounded(unit_id: str | None) -> str | None:
    """The unit filter within the requester's scope: the scope's root when none is picked; a unit
    outside it, or one that does not exist, is refused. Outside a request (the CLI, tests calling
    the queries) every unit is in scope."""
    if access.current() is None:
        return unit_id
    root = access.bound()
    if unit_id is None:
        return root
    if not access.within(unit_id, root, dims.unit_parents(current_snapshot())):
        raise access.OutOfScope(unit_id)
    return unit_id


def resolve(snapshot: Path, filters: dict | None) -> dict:
    """Filters with the period defaulted to the one of its type an official reads first
    (dims.default_period)."""
    f = normalise(filters)
    if not f["period"]:
        f["period"] = dims.default_period(snapshot, f["period_type"]) or str(dt.date.today().year)
    return f
