"""Scales, planting rates and the slice of the rule tables the generator needs to plant ground truth.

The rule parameters below restate shared/docs/rules.md (§1, §3, §4, §5) for the generator only:
it has to know which acts need audio/video under which profile to plant "missing" acts at a known
rate. The models read the real rule tables; `_planted.json` records what was planted so the two can
be compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.settings import Settings


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
}


def _profile_ids() -> tuple[str, ...]:
    path = Path(__file__).resolve().parents[2] / "models" / "rules" / "profiles.csv"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()[1:]
        ids = tuple(line.split(",")[0].strip() for line in lines if line.strip())
        if ids:
            return ids
    except OSError:
        pass
    return ("cele", "zhuhui", "longjiang", "hebei", "dalian_jinpu")


PROFILES: tuple[str, ...] = _profile_ids()
DEFAULT_PROFILE: str = Settings().default_profile  # the documented default, not the environment

# rules.md §3: act_type → {profile: level}; absent = no AV level under that profile.
AV_LEVELS: dict[str, dict[str, str]] = {
    "on_site_inspection": {"zhuhui": "required", "longjiang": "required", "hebei": "recommended",
                           "dalian_jinpu": "required"},
    "questioning": {"longjiang": "required", "hebei": "recommended"},
    "sampling": {"zhuhui": "required", "hebei": "recommended", "dalian_jinpu": "required"},
    "evidence_preservation": {"longjiang": "required"},
    "seizure": {"longjiang": "required", "hebei": "full", "dalian_jinpu": "full"},
    "sealing": {"zhuhui": "required", "longjiang": "required", "hebei": "full", "dalian_jinpu": "full"},
    "restriction_of_liberty": {"hebei": "full", "dalian_jinpu": "required"},
    "forced_demolition": {"longjiang": "full", "hebei": "full"},
    "removal_restoration": {"cele": "required", "hebei": "full"},
    "hearing": {"zhuhui": "required", "longjiang": "full", "hebei": "recommended", "dalian_jinpu": "required"},
    "confiscation_disposal": {"longjiang": "required", "hebei": "full", "dalian_jinpu": "full"},
    "random_draw": {"zhuhui": "required"},
    "lien_service": {"cele": "recommended", "zhuhui": "required", "longjiang": "required",
                     "hebei": "recommended", "dalian_jinpu": "required"},
    "public_notice_service": {"cele": "recommended", "zhuhui": "required", "longjiang": "required",
                              "hebei": "recommended", "dalian_jinpu": "required"},
}
LEVELS = ("recommended", "required", "full")
# rules.md §1
REMOTE_EXCEPTION = frozenset({"cele", "hebei", "dalian_jinpu"})
ACT_END_BASIS = frozenset({"dalian_jinpu"})
# rules.md §4: profiles whose standard period for AV outside a case is 6 months
SIX_MONTH_PROFILES = frozenset({"zhuhui", "longjiang", "hebei"})
# rules.md §5: where each rule is a violation ("all" = every profile); elsewhere an indicator
VIOLATION_IN: dict[str, tuple[str, ...] | str] = {
    "R-START": ("zhuhui", "dalian_jinpu"),
    "R-LBL": ("cele", "longjiang"),
    "R-EVD": ("cele", "hebei", "dalian_jinpu"),
    "R-DEV-DEL": "all", "R-ACC": "all", "R-INTEG": "all", "R-DOC": "all",
    "R-DEV-INT": ("cele", "longjiang", "hebei"),
    "R-DEV-CHECK": ("longjiang",),
}

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
RATES = {
    "av_missing": 0.20,          # AV-needing acts with no recording at all
    "av_exempt": 0.02,           # AV-needing acts exempt with a written reason
    "full_partial": 0.15,        # `full` acts with unexplained gaps / late start
    "full_explained": 0.15,      # `full` acts with a gap that is explained
    "unneeded_recorded": 0.70,   # on-site acts without an AV level that are recorded anyway
    "late_upload": 0.07,
    "missing_upload": 0.004,
    "pending_last_day": 0.5,     # device-days on the last day not yet docked at export time
    "mislabel": 0.18,            # act recordings mislabelled or unlabelled
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
    "malformed": 0.003,
}
