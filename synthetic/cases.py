"""Cases and the acts inside them: who, which day, what kind, and what is planted on them.

Times within the day are set later by the monthly schedule (recordings.py); here everything is a
day index on a team's duty calendar, plus the plans (AV coverage, archiving, approvals, evidence).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.contract import ENUMS

from . import vocab
from .params import AV_LEVELS, LEVELS, PROFILES
from .util import DAY, MINUTE, next_workday, office_time, pick_rate, stratified, stream, uniform_int
from .world import World

CASE_TYPES = list(ENUMS["case_type"])
PROCEDURES = list(ENUMS["procedure"])  # general, simple
SOURCES = list(ENUMS["case_source"])
ACT_TYPES = list(ENUMS["act_type"])
A = {name: i for i, name in enumerate(ACT_TYPES)}
GENERAL, SIMPLE = 0, 1

# AV plans (what the recordings of an act will look like)
NONE, FULL, PART, LATE_START, GAP_UNEXPLAINED, GAP_NOREASON, GAP_NOTE, GAP_STATEMENT, GAP_EVENT, \
    STATEMENT_ONLY, EXEMPT, MISSING = range(12)
PLAN_NAMES = ["none", "full", "part", "late_start", "gap_unexplained", "gap_interrupt_without_reason",
              "gap_explained_by_note", "gap_explained_by_statement_and_event", "gap_explained_by_event_only",
              "gap_explained_by_statement_only", "exempt", "missing"]
GAP_PLANS = (GAP_UNEXPLAINED, GAP_NOREASON, GAP_NOTE, GAP_STATEMENT, GAP_EVENT, STATEMENT_ONLY)
PARTIAL_PLANS = (LATE_START, GAP_UNEXPLAINED, GAP_NOREASON)
EXPLAINED_PLANS = (GAP_NOTE, GAP_STATEMENT, GAP_EVENT, STATEMENT_ONLY)

# (case_type, procedure (None = any), {act_type: weight}, p, stage, anchor, min days, max days)
# anchor "open": days after the case opens; "decision": days after the decision (only if decided)
SERVICE_PENALTY = {"direct_service": 0.6, "lien_service": 0.1, "mail_service": 0.15,
                   "electronic_service": 0.1, "public_notice_service": 0.05}
TEMPLATES = [
    ("penalty", GENERAL, {"on_site_inspection": 1}, 0.95, 0, "open", 0, 0),
    ("penalty", GENERAL, {"questioning": 1}, 0.75, 1, "open", 0, 10),
    ("penalty", GENERAL, {"sampling": 1}, 0.15, 2, "open", 1, 6),
    ("penalty", GENERAL, {"evidence_preservation": 1}, 0.12, 2, "open", 0, 5),
    ("penalty", GENERAL, {"seizure": 1}, 0.05, 2, "open", 0, 3),
    ("penalty", GENERAL, {"sealing": 1}, 0.04, 2, "open", 0, 3),
    ("penalty", GENERAL, {"hearing": 1}, 0.06, 3, "open", 15, 40),
    ("penalty", GENERAL, SERVICE_PENALTY, 0.95, 5, "decision", 1, 7),
    ("penalty", GENERAL, {"confiscation_disposal": 1}, 0.04, 6, "decision", 10, 60),
    ("penalty", SIMPLE, {"on_site_inspection": 1}, 0.4, 0, "open", 0, 0),
    ("penalty", SIMPLE, {"summary_penalty": 1}, 1.0, 1, "open", 0, 0),
    ("coercion", None, {"on_site_inspection": 1}, 0.9, 0, "open", 0, 0),
    ("coercion", None, {"questioning": 1}, 0.4, 1, "open", 0, 7),
    ("coercion", None, {"seizure": 1}, 0.35, 2, "open", 0, 5),
    ("coercion", None, {"sealing": 1}, 0.30, 2, "open", 0, 5),
    ("coercion", None, {"restriction_of_liberty": 1}, 0.04, 2, "open", 0, 1),
    ("coercion", None, {"hearing": 1}, 0.03, 3, "open", 10, 25),
    ("coercion", None, {"lien_service": 0.3, "direct_service": 0.5, "public_notice_service": 0.2},
     0.9, 5, "decision", 1, 5),
    ("coercion", None, {"forced_demolition": 1}, 0.25, 6, "decision", 10, 40),
    ("coercion", None, {"removal_restoration": 1}, 0.2, 6, "decision", 5, 30),
    ("coercion", None, {"confiscation_disposal": 1}, 0.1, 7, "decision", 20, 60),
    ("inspection", None, {"random_draw": 1}, 1.0, 0, "open", 0, 0),  # only random_inspection cases
    ("inspection", None, {"on_site_inspection": 1}, 1.0, 1, "open", 0, 10),
    ("inspection", None, {"questioning": 1}, 0.2, 2, "open", 0, 5),
    ("inspection", None, {"sampling": 1}, 0.15, 2, "open", 0, 3),
    ("inspection", None, {"direct_service": 1}, 0.9, 3, "decision", 1, 10),
    ("license", None, {"on_site_inspection": 1}, 0.7, 0, "open", 0, 0),
    ("license", None, {"hearing": 1}, 0.03, 1, "open", 5, 15),
    ("license", None, {"direct_service": 0.5, "mail_service": 0.3, "electronic_service": 0.2},
     1.0, 2, "decision", 1, 3),
    ("levy", None, {"on_site_inspection": 1}, 1.0, 0, "open", 0, 0),
    ("levy", None, {"questioning": 1}, 0.5, 1, "open", 0, 5),
    ("levy", None, {"public_notice_service": 1}, 0.5, 2, "open", 3, 10),
    ("levy", None, {"hearing": 1}, 0.1, 3, "open", 10, 25),
    ("levy", None, {"direct_service": 1}, 0.6, 4, "decision", 1, 5),
    ("levy", None, {"forced_demolition": 1}, 0.1, 5, "decision", 15, 40),
    ("other", None, {"other": 1}, 1.0, 0, "open", 0, 0),
    ("other", None, {"on_site_inspection": 1}, 0.3, 0, "open", 0, 0),
]
DECIDE_P = {"penalty": 0.85, "license": 1.0, "coercion": 0.9, "inspection": 0.3, "levy": 0.9, "other": 0.4}
TYPE_P = {"penalty": 0.45, "license": 0.10, "coercion": 0.08, "inspection": 0.25, "levy": 0.02, "other": 0.10}
SIMPLE_P = {"penalty": 0.35, "license": 0.0, "coercion": 0.0, "inspection": 0.0, "levy": 0.0, "other": 0.5}
SOURCE_P = {
    "penalty": {"ex_officio": 0.55, "complaint": 0.3, "referral": 0.1, "random_inspection": 0.05},
    "license": {"application": 1.0},
    "coercion": {"ex_officio": 0.7, "complaint": 0.2, "referral": 0.1},
    "inspection": {"random_inspection": 0.4, "ex_officio": 0.5, "complaint": 0.1},
    "levy": {"ex_officio": 1.0},
    "other": {"ex_officio": 0.6, "complaint": 0.4},
}
DURATION_MIN = {
    "on_site_inspection": (15, 90), "questioning": (20, 120), "sampling": (15, 60),
    "evidence_preservation": (20, 60), "seizure": (20, 90), "sealing": (20, 60),
    "restriction_of_liberty": (30, 180), "forced_demolition": (60, 240), "removal_restoration": (30, 180),
    "hearing": (60, 180), "random_draw": (10, 30), "confiscation_disposal": (30, 120),
    "lien_service": (10, 30), "public_notice_service": (10, 30), "direct_service": (5, 20),
    "mail_service": (5, 15), "electronic_service": (2, 10), "summary_penalty": (5, 20), "other": (10, 60),
}
NOT_ON_SITE = {"mail_service", "electronic_service"}
KIND_CHAR = {"penalty": "罚", "coercion": "强", "inspection": "检", "license": "许", "levy": "征", "other": "处"}
POST_DECISION_TYPES = {"lien_service", "direct_service", "mail_service", "electronic_service",
                       "public_notice_service", "confiscation_disposal", "forced_demolition",
                       "removal_restoration"}
TRIGGERS = ["evidence_used", "reconsideration_or_litigation", "complaint_or_objection",
            "obstruction_or_violence", "emergency_or_mass_incident", "major_or_complex"]


@dataclass
class Cases:
    n: int
    id: pa.Array
    unit: np.ndarray
    team: np.ndarray
    profile: np.ndarray
    ctype: np.ndarray
    proc: np.ndarray
    source: np.ndarray
    party: pa.Array
    open_day: np.ndarray
    decided: np.ndarray  # bool: has a decision
    decided_t: np.ndarray  # seconds (general cases; simple ones are set after scheduling), -1 = none
    closed: np.ndarray  # bool
    closed_t: np.ndarray
    archived_t: np.ndarray  # -1 = not archived
    archive_plan: np.ndarray  # 0 on time, 1 late, 2 never
    emergency: np.ndarray
    approval_plan: np.ndarray  # -1 none, 0 within 24 h, 1 later, 2 missing
    triggers: dict[str, np.ndarray]
    disc_plan: np.ndarray  # -1 n/a, 0 in time, 1 late, 2 missing (evidence cases)
    no_av_explanation: np.ndarray
    first_act: np.ndarray  # index of the earliest act
    # set after scheduling
    opened_t: np.ndarray | None = None
    approved_t: np.ndarray | None = None


@dataclass
class Acts:
    n: int
    id: pa.Array
    trip_td: np.ndarray  # per team-day: a remote-duty trip (no patrols, upload on return)
    case: np.ndarray
    type: np.ndarray
    stage: np.ndarray
    day: np.ndarray
    td: np.ndarray
    team: np.ndarray
    dur: np.ndarray  # seconds (whole minutes)
    level: np.ndarray  # 0 none, 1 recommended, 2 required, 3 full
    plan: np.ndarray
    exempt_reason: pa.Array
    remote: np.ndarray
    return_long: np.ndarray
    location: pa.Array
    sep: np.ndarray  # officer_ids separator index
    pre_decision: np.ndarray
    # set by the schedule
    start: np.ndarray | None = None
    end: np.ndarray | None = None
    returned: np.ndarray | None = None


def _snap(world: World, team: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The team's first duty day on or after `day` → (td index, valid)."""
    span = world.n_days + 1
    td_key = world.td_team.astype(np.int64) * span + world.td_day
    key = team.astype(np.int64) * span + np.minimum(day, world.n_days)
    idx = np.searchsorted(td_key, key, side="left")
    ok = idx < len(td_key)
    idx = np.where(ok, idx, 0)
    ok &= (world.td_team[idx] == team) & (day < world.n_days)
    return idx, ok


def build_cases(world: World, n_cases: int, small: bool, rates: Mapping[str, float]) -> tuple[Cases, Acts]:
    rng = stream(world.seed, world.year, "cases")
    n = n_cases
    k_min = 1 if small else 3

    # ---- case attributes -------------------------------------------------------------------
    team_w = world.team_size.astype(float)
    team = rng.choice(world.n_teams, n, p=team_w / team_w.sum()).astype(np.int32)
    unit = world.team_unit[team]
    profile = world.unit_profile[unit]
    ctype = rng.choice(len(CASE_TYPES), n, p=[TYPE_P[t] for t in CASE_TYPES]).astype(np.int8)
    simple_p = np.array([SIMPLE_P[t] for t in CASE_TYPES])[ctype]
    proc = (rng.random(n) < simple_p).astype(np.int8)
    source = np.zeros(n, dtype=np.int8)
    for ti, t in enumerate(CASE_TYPES):
        m = ctype == ti
        opts = SOURCE_P[t]
        source[m] = rng.choice([SOURCES.index(s) for s in opts], int(m.sum()), p=list(opts.values()))
    u = rng.random(n)
    open_td = (world.team_td_first[team] + np.floor(u * world.team_td_count[team])).astype(np.int64)
    open_day = world.td_day[open_td].astype(np.int32)
    decided = (rng.random(n) < np.array([DECIDE_P[t] for t in CASE_TYPES])[ctype]) | (proc == SIMPLE)

    # ---- acts from the templates -----------------------------------------------------------
    parts = []  # (case idx, act type, stage, anchor_is_decision, offset days)
    for ct, pr, choice, p, stage, anchor, lo, hi in TEMPLATES:
        elig = ctype == CASE_TYPES.index(ct)
        if pr is not None:
            elig &= proc == pr
        if anchor == "decision":
            elig &= decided
        if "random_draw" in choice:
            elig &= source == SOURCES.index("random_inspection")
        take = elig & (rng.random(n) < p)
        names = list(choice)
        pick = rng.choice(len(names), n, p=list(choice.values()))
        for ci, name in enumerate(names):  # every act type at least k_min times
            have = int((take & (pick == ci)).sum())
            if have < k_min:
                extra = pick_rate(rng, elig & ~take, 0.0, k_min - have)
                take |= extra
                pick[extra] = ci
        idx = np.flatnonzero(take)
        types = np.array([A[nm] for nm in names], dtype=np.int8)[pick[idx]]
        off = uniform_int(rng, lo, hi, len(idx))
        parts.append((idx, types, np.full(len(idx), stage, np.int8), np.full(len(idx), anchor == "decision"), off))
    a_case = np.concatenate([p[0] for p in parts]).astype(np.int64)
    a_type = np.concatenate([p[1] for p in parts])
    a_stage = np.concatenate([p[2] for p in parts])
    a_post = np.concatenate([p[3] for p in parts])
    a_off = np.concatenate([p[4] for p in parts]).astype(np.int64)
    # every case starts with an act on its opening day: add its type's first act where none was drawn
    has_open = np.zeros(n, bool)
    has_open[a_case[~a_post]] = True
    first_type = np.full((len(CASE_TYPES), 2), -1, dtype=np.int8)
    first_stage = np.zeros((len(CASE_TYPES), 2), dtype=np.int8)
    for ct, pr, choice, p, stage, anchor, lo, hi in TEMPLATES:
        if anchor == "open" and "random_draw" not in choice:
            for proc_ in ([pr] if pr is not None else [GENERAL, SIMPLE]):
                if first_type[CASE_TYPES.index(ct), proc_] < 0:
                    first_type[CASE_TYPES.index(ct), proc_] = A[next(iter(choice))]
                    first_stage[CASE_TYPES.index(ct), proc_] = stage
    fill = np.flatnonzero(~has_open)
    f_type = first_type[ctype[fill], proc[fill]]
    f_stage = first_stage[ctype[fill], proc[fill]]
    a_case = np.concatenate([a_case, fill])
    a_type = np.concatenate([a_type, f_type])
    a_stage = np.concatenate([a_stage, f_stage])
    a_post = np.concatenate([a_post, np.zeros(len(fill), bool)])
    a_off = np.concatenate([a_off, np.zeros(len(fill), np.int64)])
    min_off = np.full(n, 10**6, dtype=np.int64)
    np.minimum.at(min_off, a_case[~a_post], a_off[~a_post])
    a_off = np.where(a_post, a_off, a_off - min_off[a_case])

    a_team = team[a_case]
    pre_td, pre_ok = _snap(world, a_team, open_day[a_case] + a_off)
    pre_day = np.where(pre_ok, world.td_day[pre_td], -1)
    pre_day[a_post] = -1
    last_pre = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_pre, a_case, pre_day)
    # decisions of general cases: some days after the last investigative act
    decided_day = np.where(decided & (proc == GENERAL),
                           next_workday(world.t0, last_pre + uniform_int(rng, 3, 25, n)), -1)
    decided_day = np.where(proc == SIMPLE, open_day, decided_day)
    decided &= decided_day < world.n_days
    decided_t = np.where(decided & (proc == GENERAL),
                         world.t0 + decided_day * DAY + office_time(rng, n), -1)
    post_td, post_ok = _snap(world, a_team, decided_day[a_case] + a_off)
    a_td = np.where(a_post, post_td, pre_td)
    keep = np.where(a_post, post_ok & decided[a_case], pre_ok)
    a_case, a_type, a_stage, a_post, a_td = a_case[keep], a_type[keep], a_stage[keep], a_post[keep], a_td[keep]
    a_day = world.td_day[a_td].astype(np.int32)
    a_team = team[a_case]

    last_day = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_day, a_case, a_day)
    # closing: decided general cases mostly close days after the last act; some stay open
    close_general = np.where(decided, rng.random(n) < 0.95, rng.random(n) < 0.6)
    closed_day = np.where(decided, np.maximum(last_day, decided_day), last_day) + uniform_int(rng, 1, 15, n)
    closed_day = np.where(~decided & (proc == GENERAL), last_day + uniform_int(rng, 10, 40, n), closed_day)
    closed_day = np.where(proc == SIMPLE, open_day, next_workday(world.t0, closed_day))
    closed = np.where(proc == SIMPLE, True, close_general & (closed_day < world.n_days))
    closed_t = np.where(closed & (proc == GENERAL), world.t0 + closed_day * DAY + office_time(rng, n), -1)

    # archiving: on time / late / never (planted per profile)
    arch = stratified(rng, profile, closed, [rates["archive_late"], rates["archive_never"]], minimum=k_min)
    archive_plan = np.where(arch == 0, 1, np.where(arch == 1, 2, 0)).astype(np.int8)
    arch_off = np.where(archive_plan == 0, uniform_int(rng, 1, 27, n), uniform_int(rng, 32, 100, n))
    archived_t = world.t0 + next_workday(world.t0, closed_day + arch_off) * DAY + office_time(rng, n)
    archived_t = np.where(closed & (archive_plan != 2) & (archived_t <= world.export_end), archived_t, -1)

    # long-term triggers
    general_decided = decided & (proc == GENERAL)
    pen_coe = np.isin(ctype, [CASE_TYPES.index("penalty"), CASE_TYPES.index("coercion")])
    triggers = {
        "evidence_used": stratified(rng, profile, general_decided & pen_coe, [0.15], minimum=2) == 0,
        "reconsideration_or_litigation": pick_rate(rng, decided, 0.03, k_min),
        "complaint_or_objection": pick_rate(rng, np.ones(n, bool), 0.02, k_min),
        "obstruction_or_violence": pick_rate(rng, ctype == CASE_TYPES.index("coercion"), 0.08, k_min)
        | pick_rate(rng, ctype != CASE_TYPES.index("coercion"), 0.01),
        "emergency_or_mass_incident": pick_rate(rng, np.ones(n, bool), 0.005, k_min),
        "major_or_complex": pick_rate(rng, general_decided, 0.04, k_min),
    }
    evid = triggers["evidence_used"]
    due = np.where(closed_t >= 0, closed_t + 30 * DAY, -1)
    due_passed = closed & (proc == GENERAL) & (due >= 0) & (due <= world.export_end)
    disc = stratified(rng, profile, evid & due_passed, [rates["disc_late"], rates["disc_missing"]], minimum=1)
    disc_plan = np.where(evid, np.where(disc == 0, 1, np.where(disc == 1, 2, 0)), -1).astype(np.int8)
    no_av_expl = stratified(rng, profile, evid & due_passed, [0.10], minimum=1) == 0

    # emergency starts (先行启动) and their approval: within 24 h / later / missing
    emergency = (pick_rate(rng, (ctype == CASE_TYPES.index("coercion")) & (open_day < world.n_days - 4), 0.25)
                 | pick_rate(rng, (ctype == CASE_TYPES.index("penalty")) & (proc == GENERAL)
                             & (open_day < world.n_days - 4), 0.02))
    appr = stratified(rng, profile, emergency, [rates["start_approval_late"], rates["start_approval_missing"]],
                      minimum=1)
    approval_plan = np.where(emergency, np.where(appr == 0, 1, np.where(appr == 1, 2, 0)), -1).astype(np.int8)

    # ---- case numbers and parties -------------------------------------------------------------
    prefix = world.unit_case_prefix[unit]
    plain = prefix == ""
    order = np.lexsort((rng.random(n), open_day, ctype, unit))
    grp = unit.astype(np.int64) * 10 + ctype
    seq_sorted = np.arange(n) - np.searchsorted(grp[order], grp[order], side="left")
    seq = np.empty(n, dtype=np.int64)
    seq[order] = seq_sorted + 1
    plain_order = np.lexsort((rng.random(n), open_day, ~plain))
    plain_seq = np.empty(n, dtype=np.int64)
    plain_seq[plain_order] = np.arange(n) + 1
    width = max(6, len(str(n)))
    kind_char = pa.array([KIND_CHAR[t] for t in CASE_TYPES]).take(pa.array(ctype))
    bracket = pc.binary_join_element_wise(
        pa.array(prefix.tolist()), kind_char, f"〔{world.year}〕", pa.array(seq.astype(str)), "号", "")
    plain_id = pc.binary_join_element_wise(
        f"AJ{world.year}", pc.utf8_lpad(pa.array(plain_seq.astype(str)), width, "0"), "")
    case_id = pc.if_else(pa.array(plain), plain_id, bracket)
    assert len(pc.unique(case_id)) == n
    region = pa.array([r[:-1] for r in world.unit_region])
    party = vocab.party_names(rng, n, region.take(pa.array(unit)))

    cases = Cases(
        n=n, id=case_id, unit=unit, team=team, profile=profile, ctype=ctype, proc=proc, source=source,
        party=party, open_day=open_day, decided=decided, decided_t=decided_t, closed=closed,
        closed_t=closed_t, archived_t=archived_t, archive_plan=archive_plan, emergency=emergency,
        approval_plan=approval_plan, triggers=triggers, disc_plan=disc_plan, no_av_explanation=no_av_expl,
        first_act=np.zeros(n, np.int64),
    )
    acts = _build_acts(world, cases, rng, a_case, a_type, a_stage, a_post, a_td, a_day, a_team, k_min, rates)
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, acts.case, np.arange(acts.n))  # acts are ordered by day: lowest index = first
    cases.first_act = first
    return cases, acts


def _build_acts(world, cases, rng, a_case, a_type, a_stage, a_post, a_td, a_day, a_team, k_min, rates) -> Acts:
    order = np.lexsort((a_case, a_stage, a_td, a_day))
    a_case, a_type, a_stage, a_post, a_td, a_day, a_team = (
        x[order] for x in (a_case, a_type, a_stage, a_post, a_td, a_day, a_team))
    n = len(a_case)
    profile = cases.profile[a_case]
    level_tab = np.zeros((len(ACT_TYPES), len(PROFILES)), dtype=np.int8)
    for t, per in AV_LEVELS.items():
        for p, lvl in per.items():
            level_tab[A[t], PROFILES.index(p)] = LEVELS.index(lvl) + 1
    level = level_tab[a_type, profile]
    lo = np.array([DURATION_MIN[t][0] for t in ACT_TYPES])[a_type]
    hi = np.array([DURATION_MIN[t][1] for t in ACT_TYPES])[a_type]
    dur_min = uniform_int(rng, lo, hi)

    # ---- AV plans --------------------------------------------------------------------------
    plan = np.full(n, NONE, dtype=np.int8)
    grp = profile.astype(np.int64) * 4 + level
    need = level > 0
    k = stratified(rng, grp, need, [rates["av_exempt"], rates["av_missing"]], minimum=1)
    plan[need & (k == 0)] = EXEMPT
    plan[need & (k == 1)] = MISSING
    covered = need & (k < 0)
    sub = [rates["full_partial"] / 3] * 3 + [rates["full_explained"] / 4] * 4
    kinds = (LATE_START, GAP_UNEXPLAINED, GAP_NOREASON, GAP_NOTE, GAP_STATEMENT, GAP_EVENT, STATEMENT_ONLY)
    k = stratified(rng, profile, covered & (level == 3), sub, minimum=1)
    plan[covered] = np.where(rng.random(int(covered.sum())) < 0.1, PART, FULL)
    plan[covered & (level == 3)] = FULL
    for i, kind in enumerate(kinds):
        plan[covered & (level == 3) & (k == i)] = kind
    on_site = ~np.isin(a_type, [A[t] for t in NOT_ON_SITE])
    plan[~need & on_site & (rng.random(n) < rates["unneeded_recorded"])] = FULL
    # at most one interrupted act per team-day (keeps "the next recording on that device" unambiguous)
    gap = np.isin(plan, GAP_PLANS)
    gi = np.flatnonzero(gap)
    _, first = np.unique(a_td[gi], return_index=True)
    dup = np.ones(len(gi), bool)
    dup[first] = False
    plan[gi[dup]] = FULL
    gap = np.isin(plan, GAP_PLANS)
    dur_min = np.where(gap | (plan == LATE_START), np.maximum(dur_min, 45), dur_min)
    exempt_reason = pa.array(vocab.EXEMPT_REASONS).take(
        pa.array(rng.integers(0, len(vocab.EXEMPT_REASONS), n), mask=plan != EXEMPT))

    # ---- remote duty: trips on the day before the team's days off ---------------------------------
    td_has_act = np.zeros(len(world.td_day), bool)
    td_has_act[a_td] = True
    cand = (td_has_act & (world.td_next_gap >= 2) & (world.td_day < world.n_days - 12)
            & (world.td_start < 12 * 3600))
    td_profile = world.unit_profile[world.team_unit[world.td_team]]
    trip_td = stratified(rng, td_profile, cand, [0.08], minimum=2) == 0
    remote = trip_td[a_td]
    trip_long = rng.random(len(world.td_day)) < 0.65
    return_long = remote & trip_long[a_td]

    region = world.unit_region[cases.unit[a_case]]
    marine = world.unit_marine[cases.unit[a_case]]
    location = vocab.locations(rng, n, region, marine)
    office = np.isin(a_type, [A["hearing"], A["random_draw"], A["mail_service"], A["electronic_service"]])
    location = pc.if_else(pa.array(office), pa.array(
        [f"{world.unit_name[u]}办公室" for u in range(world.n_units)]).take(pa.array(cases.unit[a_case])),
        location)
    act_id = pc.binary_join_element_wise(
        f"HJ{world.year}", pc.utf8_lpad(pa.array(np.arange(1, n + 1).astype(str)), max(7, len(str(n))), "0"), "")
    return Acts(
        n=n, id=act_id, trip_td=trip_td, case=a_case, type=a_type, stage=a_stage, day=a_day, td=a_td.astype(np.int64),
        team=a_team, dur=dur_min.astype(np.int64) * MINUTE, level=level, plan=plan,
        exempt_reason=exempt_reason, remote=remote, return_long=return_long, location=location,
        sep=rng.integers(0, 4, n).astype(np.int8), pre_decision=~a_post,
    )
