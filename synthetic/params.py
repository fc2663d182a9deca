"""Scales, planting rates and the slice of the rule tables the generator needs to plant ground truth.

The generator has to know which acts need audio/video under which profile, where the remote-duty
exception and the act-end clock apply, and where a rule is a violation, to plant findings at known
rates; it reads those facts from the rule tables the models read (models/rules/), so a regulation
is stated once. `_planted.json` records what was planted so the two can be compared.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from types import MappingProxyType

from core.contract import ENUMS
from core.settings import Settings
from models import RULES_DIR


@dataclass(frozen=True)
class Scale:
    name: str
    n_mid: int  # middle-level units (brigades / city bureaus); 0 = squads directly under the root
    n_squads: int
    officers: int
    cases: int
    recordings: int
    device_block: int  # devices per device-event chunk (bounds memory at L)


SCALES: dict[str, Scale] = {
    "XS": Scale("XS", 0, 5, 16, 200, 3_000, 10_000),
    "S": Scale("S", 0, 6, 60, 3_000, 60_000, 10_000),
    "M": Scale("M", 5, 24, 1_500, 100_000, 3_000_000, 10_000),
    "L": Scale("L", 20, 379, 20_000, 1_500_000, 40_000_000, 4_000),
    # M's office with more than twice its cases, so that most recordings belong to an act: with the
    # `poor` discipline, about one finding per recording (issue #27's high-violation shape)
    "HV": Scale("HV", 5, 24, 1_500, 230_000, 3_000_000, 10_000),
}


@cache
def _rows(table: str) -> tuple[dict[str, str], ...]:
    """A rule table's rows: models/rules/<table>.csv, or every profile's <profile>/<table>.csv with
    its profile_id, in the order of profiles.csv."""
    shared = RULES_DIR / f"{table}.csv"
    if shared.exists():
        with open(shared, encoding="utf-8", newline="") as fh:
            return tuple(csv.DictReader(fh))
    out = []
    for profile in PROFILES:
        with open(RULES_DIR / profile / f"{table}.csv", encoding="utf-8", newline="") as fh:
            out += [{"profile_id": profile, **row} for row in csv.DictReader(fh)]
    return tuple(out)


def _profiles_where(rule_id: str, parameter: str, value: str) -> frozenset[str]:
    return frozenset(r["profile_id"] for r in _rows("rule_parameters")
                     if (r["rule_id"], r["parameter"], r["value"]) == (rule_id, parameter, value))


PROFILES: tuple[str, ...] = tuple(r["profile_id"] for r in _rows("profiles"))
DEFAULT_PROFILE: str = Settings().default_profile  # the documented default, not the environment

# rules.md §3 (av_requirements): act_type → {profile: level}; absent = no AV level under that profile
AV_LEVELS: dict[str, dict[str, str]] = {
    act: levels for act in ENUMS["act_type"]
    if (levels := {r["profile_id"]: r["requirement"] for r in _rows("av_requirements") if r["act_type"] == act})}
LEVELS = ("recommended", "required", "full")
# rules.md §1 (rule_parameters of R-UPL)
REMOTE_EXCEPTION = _profiles_where("R-UPL", "remote_duty_exception", "true")
ACT_END_BASIS = _profiles_where("R-UPL", "deadline_from", "act_end")
# rules.md §5 R-DOC: profiles whose lien-service receipt needs the witness's signature
WITNESS_PROFILES = _profiles_where("R-DOC", "witness_required_act_type", "lien_service")
# rules.md §4: profiles whose standard period for AV outside a case is 6 months
SIX_MONTH_PROFILES = _profiles_where("R-RET", "standard_months", "6")
# rules.md §5 (rule_profile): where each rule the generator plants at a known rate is a violation
# ("all" = every profile); elsewhere an indicator
_PLANTED_LEVELS = ("R-START", "R-LBL", "R-EVD", "R-DEV-DEL", "R-ACC", "R-INTEG", "R-DOC", "R-DEV-INT", "R-DEV-CHECK")


def _violation_in(rule_id: str) -> tuple[str, ...] | str:
    where = tuple(r["profile_id"] for r in _rows("rule_profile") if r["rule_id"] == rule_id and r["level"] == "violation")
    return "all" if where == PROFILES else where


VIOLATION_IN: dict[str, tuple[str, ...] | str] = {rule: _violation_in(rule) for rule in _PLANTED_LEVELS}

# rules.md §5 R-DOC
ACT_DOCS: dict[str, tuple[str, ...]] = {
    "on_site_inspection": ("inspection_record",), "questioning": ("questioning_record",),
    "sampling": ("sampling_record",), "evidence_preservation": ("preservation_list",),
    "seizure": ("coercive_measure_decision",), "sealing": ("coercive_measure_decision",),
    "restriction_of_liberty": ("coercive_measure_decision",),
    "hearing": ("hearing_notice", "hearing_record"),
    "lien_service": ("service_receipt",), "direct_service": ("service_receipt",),
    "mail_service": ("service_receipt",), "public_notice_service": ("public_notice",),
}
PARTY_FACING = ("inspection_record", "questioning_record", "sampling_record", "preservation_list",
                "hearing_record", "service_receipt")

# ---- planting rates (published body-camera audits put these in the same ranges) --------------
# Read-only: a generation gets its own merged copy from rates_for(), so nothing here changes at run time.
RATES: Mapping[str, float] = MappingProxyType({
    "av_missing": 0.20,          # AV-needing acts with no recording at all
    "av_exempt": 0.02,           # AV-needing acts exempt with a written reason
    "full_partial": 0.15,        # `full` acts with unexplained gaps / late start
    "full_explained": 0.15,      # `full` acts with a gap that is explained
    "unneeded_recorded": 0.70,   # on-site acts without an AV level that are recorded anyway
    "late_upload": 0.07,
    "missing_upload": 0.004,
    "pending_last_day": 0.5,     # device-days on the last day not yet docked at export time
    # act recordings (not evidence) by what is wrong with their labels: about a fifth in all
    "lbl_unlabelled": 0.09,      # no label at all
    "lbl_no_case_id": 0.03,
    "lbl_no_party": 0.03,
    "lbl_no_handler": 0.025,
    "lbl_wrong_case_id": 0.025,
    "delete_early": 0.015,
    "delete_while_held": 0.004,
    "disposed": 0.05,            # of eligible patrol recordings (6-month profiles, Jan–May)
    "delete_unapproved": 0.01,
    "lost_on_device": 0.0015,
    "deleted_on_device": 0.0008,
    "patrol_interrupt": 0.006,   # device-days with an interrupted patrol recording
    "check_missing": 0.03,       # device-days without pre_duty_check
    "check_late": 0.015,         # device-days with the check after the first record_start
    "access": 0.04,              # uploaded recordings that are viewed/copied later
    "access_no_approval": 0.15,  # copy/export/publish without approval_ref
    "archive_late": 0.10,        # closed cases archived after 30 days
    "archive_never": 0.08,       # closed cases never archived
    "start_approval_late": 0.2,  # emergency starts approved after 24 h
    "start_approval_missing": 0.1,
    "disc_late": 0.12,           # evidence cases whose disc is burnt after the due day
    "disc_missing": 0.13,        # evidence cases with no disc
    "doc_missing": 0.05,         # cases missing one required written record
    "malformed": 0.003,
})

# How well an office keeps to the rules, as overrides of RATES. `poor` is an office's first year on
# the system (issue #27): about 40% of uploads late and most act recordings unlabelled; the other
# lapses a new office has (missed checks, no approvals, files kept or lost carelessly) raised with
# them. What does not depend on the office's discipline (how often recordings are viewed, devices
# left undocked on the last day, rows the export mangles, what is lawfully disposed) stays as it is.
DISCIPLINES: Mapping[str, Mapping[str, float]] = MappingProxyType({
    "usual": MappingProxyType({}),
    "poor": MappingProxyType({
        "av_missing": 0.40, "av_exempt": 0.01, "full_partial": 0.35, "full_explained": 0.10,
        "late_upload": 0.41, "missing_upload": 0.02,  # late: of the uploads free to be; ~40% of those judged
        "lbl_unlabelled": 0.60, "lbl_no_case_id": 0.08, "lbl_no_party": 0.06, "lbl_no_handler": 0.05,
        "lbl_wrong_case_id": 0.04,
        "delete_early": 0.04, "delete_while_held": 0.01, "delete_unapproved": 0.04,
        "lost_on_device": 0.005, "deleted_on_device": 0.004, "patrol_interrupt": 0.02,
        "check_missing": 0.25, "check_late": 0.10, "access_no_approval": 0.50,
        "archive_late": 0.25, "archive_never": 0.15, "start_approval_late": 0.35, "start_approval_missing": 0.25,
        "disc_late": 0.25, "disc_missing": 0.30, "doc_missing": 0.15,
    }),
})


def rates_for(discipline: str = "usual") -> Mapping[str, float]:
    """The planting rates of a discipline: RATES with its overrides, read-only."""
    if discipline not in DISCIPLINES:
        raise ValueError(f"unknown discipline {discipline!r}: one of {', '.join(DISCIPLINES)}")
    unknown = set(DISCIPLINES[discipline]) - set(RATES)
    if unknown:  # a misspelt override would otherwise leave its rate silently at the usual value
        raise KeyError(f"discipline {discipline!r} overrides rates that do not exist: {', '.join(sorted(unknown))}")
    return MappingProxyType({**RATES, **DISCIPLINES[discipline]})
