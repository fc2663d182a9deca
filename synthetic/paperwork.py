"""After the schedule: case timestamps, written records (documents), and the register tables."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.contract import ENUMS

from . import cases as C
from .params import ACT_DOCS, LEVELS, PARTY_FACING
from .util import (
    DAY,
    HOUR,
    MINUTE,
    Stats,
    next_workday,
    office_time,
    per_profile,
    stratified,
    stream,
    ts_array,
    uniform_int,
)
from .world import NO_DAY, World

DOC_TYPES = list(ENUMS["doc_type"])
D = {name: i for i, name in enumerate(DOC_TYPES)}
NULL_S = pa.scalar(None, pa.string())


def _minute(t):
    return (np.asarray(t, dtype=np.int64) // MINUTE) * MINUTE


def finalise_cases(world: World, cases: C.Cases, acts: C.Acts) -> None:
    rng = stream(world.seed, world.year, "case-times")
    n = cases.n
    first = cases.first_act
    cases.opened_t = _minute(acts.start[first] - uniform_int(rng, 5 * MINUTE, 60 * MINUTE, n))
    last_end = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last_end, acts.case, acts.end)
    simple = cases.proc == C.SIMPLE
    dec = last_end + uniform_int(rng, 1, 10, n) * MINUTE
    cases.decided_t = np.where(simple, dec, cases.decided_t)
    cases.closed_t = np.where(simple, dec, cases.closed_t)
    plan = cases.approval_plan
    ok = cases.opened_t + uniform_int(rng, 1 * HOUR, 20 * HOUR, n)
    late = np.minimum(cases.opened_t + uniform_int(rng, 30 * HOUR, 120 * HOUR, n), world.export_end - MINUTE)
    cases.approved_t = _minute(np.where(plan == 0, ok, np.where(plan == 1, late, -1)))
    cases.approved_t[plan < 0] = -1
    cases.approved_t[plan == 2] = -1


def documents(world: World, cases: C.Cases, acts: C.Acts, stats: Stats, small: bool,
              rates: Mapping[str, float]) -> pa.Table:
    """The written records each case and act needs (rules.md §5 R-DOC), minus the planted gaps."""
    rng = stream(world.seed, world.year, "documents")
    k_min = 1 if small else 2
    n = cases.n
    general = cases.proc == C.GENERAL
    decided = cases.decided_t >= 0
    closed = cases.closed_t >= 0
    penalty = cases.ctype == C.CASE_TYPES.index("penalty")
    major = cases.triggers["major_or_complex"]
    op, de, cl = cases.opened_t, cases.decided_t, cases.closed_t
    parts = []  # (case, act, type, signed, required)

    def add(mask, dtype, t, required):
        idx = np.flatnonzero(mask)
        req = np.asarray(required)[idx] if np.ndim(required) else np.full(len(idx), required)
        parts.append((idx, np.full(len(idx), -1), np.full(len(idx), D[dtype]),
                      np.maximum(np.asarray(t)[idx], op[idx] + MINUTE), req))

    def office(t, lo, hi):
        """A working day lo..hi days from t (negative = before), at office hours."""
        day = (np.asarray(t) - world.t0) // DAY + uniform_int(rng, lo, hi, n)
        day = next_workday(world.t0, day) if lo >= 0 else day
        return world.t0 + day * DAY + office_time(rng, n)

    add(general, "initiation_approval", np.maximum(office(op, 0, 3), op + 10 * MINUTE), True)
    add(general & decided, "case_approval", office(de, -3, -1), True)
    add(decided, "decision", de, general)  # simple procedure: 当场处罚决定书, not counted by R-DOC
    prior = office(de, -12, -5)
    add(general & decided & penalty, "penalty_prior_notice", prior, True)
    add(general & decided & penalty & (rng.random(n) < 0.6), "rights_notice", prior, False)
    add(general & decided & penalty & (rng.random(n) < 0.2), "statement_defense_record",
        np.minimum(office(prior, 1, 3), de - HOUR), False)
    add(major & decided, "legal_review_opinion", office(de, -6, -2), True)
    add(major & decided, "collective_discussion", office(de, -2, -1), True)
    add(general & closed, "closing_review", np.minimum(office(cl, -1, 0), cl - 10 * MINUTE), True)
    evid = cases.triggers["evidence_used"] & ~cases.no_av_explanation
    ev_t = np.where(closed, office(cl, 1, 20), office(op, 2, 10))
    add(evid, "av_explanation", np.minimum(ev_t, world.export_end - MINUTE), False)
    add(rng.random(n) < 0.05, "other", office(op, 0, 10), False)
    # per act
    an = acts.n
    aidx = np.arange(an)
    a_end = acts.end
    for atype, dtypes in ACT_DOCS.items():
        m = acts.type == C.A[atype]
        for dt in dtypes:
            if dt == "hearing_notice":
                t = world.t0 + (acts.day - uniform_int(rng, 3, 7, an)) * DAY + office_time(rng, an)
                t = np.maximum(t, cases.opened_t[acts.case] + 10 * MINUTE)
            else:
                t = a_end + uniform_int(rng, 0, 20 * MINUTE, an)
            idx = np.flatnonzero(m)
            parts.append((acts.case[idx], aidx[idx], np.full(len(idx), D[dt]), t[idx], np.full(len(idx), True)))
    demo = acts.type == C.A["forced_demolition"]
    idx = np.flatnonzero(demo & (rng.random(an) < 0.8))
    parts.append((acts.case[idx], np.full(len(idx), -1), np.full(len(idx), D["demand_notice"]),
                  np.maximum(world.t0 + (acts.day[idx] - uniform_int(rng, 3, 10, len(idx))) * DAY
                             + office_time(rng, len(idx)), cases.opened_t[acts.case[idx]] + 10 * MINUTE),
                  np.full(len(idx), False)))
    stm = np.isin(acts.plan, (C.GAP_STATEMENT, C.STATEMENT_ONLY))
    idx = np.flatnonzero(stm)
    parts.append((acts.case[idx], aidx[idx], np.full(len(idx), D["interruption_statement"]),
                  a_end[idx] + uniform_int(rng, 10 * MINUTE, 3 * HOUR, len(idx)), np.full(len(idx), False)))

    d_case = np.concatenate([p[0] for p in parts]).astype(np.int64)
    d_act = np.concatenate([p[1] for p in parts]).astype(np.int64)
    d_type = np.concatenate([p[2] for p in parts]).astype(np.int16)
    d_t = _minute(np.minimum(np.concatenate([p[3] for p in parts]), world.export_end - MINUTE))
    d_req = np.concatenate([p[4] for p in parts]).astype(bool)
    prof = cases.profile[d_case]

    # planted: one required record missing in some cases
    has_req = np.zeros(n, bool)
    has_req[d_case[d_req]] = True
    sel_case = stratified(rng, cases.profile, has_req, [rates["doc_missing"]], minimum=k_min) == 0
    cand = np.flatnonzero(d_req & sel_case[d_case])
    cand = cand[np.lexsort((rng.random(len(cand)), d_case[cand]))]
    first = np.ones(len(cand), bool)
    first[1:] = d_case[cand][1:] != d_case[cand][:-1]
    drop = cand[first]
    keep = np.ones(len(d_case), bool)
    keep[drop] = False
    for i, name in enumerate(DOC_TYPES):
        cnt = per_profile(prof[drop][d_type[drop] == i])
        if cnt.any():
            stats.add(f"doc_missing:{name}", cnt)
    stats.add("doc_cases_missing_one", per_profile(cases.profile[sel_case & has_req]))
    stats.add("doc_required_expected", per_profile(prof[d_req]))
    d_case, d_act, d_type, d_t, prof = d_case[keep], d_act[keep], d_type[keep], d_t[keep], prof[keep]
    nd = len(d_case)

    # signatures
    pf = np.isin(d_type, [D[x] for x in PARTY_FACING])
    sig = stratified(rng, prof, pf, [0.08, 0.02, 0.01, 0.01], minimum=k_min)
    party_signed = pf & (sig < 0)
    refusal = pf & np.isin(sig, (0, 2))
    sigs = np.where(rng.random(nd) < 0.8, 2, 3)
    sigs = np.where(pf & np.isin(sig, (2, 3)), 1, sigs)
    internal = ~pf & np.isin(d_type, [D[x] for x in ("initiation_approval", "case_approval", "closing_review",
                                                      "legal_review_opinion", "other")])
    sigs = np.where(internal & (rng.random(nd) < 0.3), 1, sigs)
    stats.add("doc_party_facing", per_profile(prof[pf]))
    stats.add("doc_refused_properly", per_profile(prof[sig == 0]))
    stats.add("doc_unsigned_no_refusal", per_profile(prof[sig == 1]))
    stats.add("doc_refused_one_signature", per_profile(prof[sig == 2]))
    stats.add("doc_unsigned_no_refusal_one_signature", per_profile(prof[sig == 3]))
    stats.add("doc_total", per_profile(prof))

    order = np.lexsort((d_type, d_case, d_t))
    d_case, d_act, d_type, d_t = d_case[order], d_act[order], d_type[order], d_t[order]
    party_signed, refusal, sigs = party_signed[order], refusal[order], sigs[order]
    witness, lien = _witnesses(world, acts, d_act, d_type, d_t, stats, prof[order], k_min)
    ids = pc.binary_join_element_wise(
        f"WS{world.year}", pc.utf8_lpad(pa.array(np.arange(1, nd + 1).astype(str)), max(8, len(str(nd))), "0"), "")
    act_ids = pc.if_else(pa.array(d_act < 0), NULL_S, acts.id.take(pa.array(np.maximum(d_act, 0))))
    return pa.table({
        "doc_id": ids,
        "case_id": cases.id.take(pa.array(d_case)),
        "act_id": act_ids,
        "doc_type": pa.array(DOC_TYPES).take(pa.array(d_type.astype(np.int64))),
        "signed_at": ts_array(d_t),
        "party_signed": pa.array(party_signed),
        "refusal_noted": pa.array(refusal),
        "officer_signatures": pa.array(sigs.astype(np.int64)),
        # only a lien service's receipt has a witness; elsewhere nothing is stated
        "witness_signed": pa.array(witness, mask=~lien),
    })


WITNESS_MISSING = 0.08  # lien-service receipts without the witness's signature


def _witnesses(world: World, acts: C.Acts, d_act: np.ndarray, d_type: np.ndarray, d_t: np.ndarray, stats: Stats,
               prof: np.ndarray, k_min: int) -> tuple[np.ndarray, np.ndarray]:
    """Whether the witness signed each document, and which documents are a lien service's receipt
    (rules.md §5 R-DOC). Drawn from a stream of its own, so adding the column left every other
    figure of the generated year as it was. The first half-year's documents go out in the older
    export format, without the witness column (generate.py): those receipts cannot be judged."""
    rng = stream(world.seed, world.year, "witness")
    lien = (d_act >= 0) & (acts.type[np.maximum(d_act, 0)] == C.A["lien_service"]) \
        & (d_type == DOC_TYPES.index("service_receipt"))
    old_format = pc.month(ts_array(d_t)).to_numpy() <= 6
    # at least k_min per profile in the new-format file, so every profile's check has something to find
    unsigned = stratified(rng, prof, lien & ~old_format, [WITNESS_MISSING], minimum=k_min) == 0
    stats.add("doc_lien_receipts", per_profile(prof[lien]))
    stats.add("doc_witness_not_stated", per_profile(prof[lien & old_format]))
    stats.add("doc_witness_unsigned", per_profile(prof[unsigned & ~old_format]))
    return ~unsigned, lien


# ---- register tables --------------------------------------------------------------------------

def units_table(world: World) -> pa.Table:
    parent = world.unit_parent
    return pa.table({
        "unit_id": pa.array(world.unit_id.tolist()),
        "unit_name": pa.array(world.unit_name.tolist()),
        "parent_unit_id": pa.array([world.unit_id[p] if p >= 0 else None for p in parent], pa.string()),
        "rule_profile": pa.array([p or None for p in world.unit_rule_profile], pa.string()),
    })


def officers_table(world: World) -> pa.Table:
    return pa.table({
        "officer_id": pa.array(world.off_id.tolist()),
        "name": pa.array(world.off_name.tolist()),
        "cert_no": pa.array(world.off_cert.tolist(), pa.string()),
        "unit_id": pa.array(world.unit_id.tolist()).take(pa.array(world.off_unit)),
    })


def devices_table(world: World) -> pa.Table:
    base = np.datetime64(f"{world.year}-01-01")
    frm = (base + world.dev_from.astype("timedelta64[D]"))
    to_valid = world.dev_to != NO_DAY
    to = base + np.where(to_valid, world.dev_to, 0).astype("timedelta64[D]")
    off = world.dev_officer
    return pa.table({
        "device_id": pa.array(world.dev_id.tolist()),
        "device_type": pa.array(world.dev_type.tolist()),
        "unit_id": pa.array(world.unit_id.tolist()).take(pa.array(world.dev_unit)),
        "officer_id": pc.if_else(pa.array(off < 0), NULL_S,
                                 pa.array(world.off_id.tolist()).take(pa.array(np.maximum(off, 0)))),
        "in_service_from": pa.array(frm, pa.date32()),
        "in_service_to": pa.array(to, pa.date32(), mask=~to_valid),
    })


def cases_table(world: World, cases: C.Cases) -> pa.Table:
    def ts(x):
        return ts_array(np.maximum(x, 0), x >= 0)

    cols = {
        "case_id": cases.id,
        "unit_id": pa.array(world.unit_id.tolist()).take(pa.array(cases.unit)),
        "case_type": pa.array(C.CASE_TYPES).take(pa.array(cases.ctype.astype(np.int64))),
        "procedure": pa.array(C.PROCEDURES).take(pa.array(cases.proc.astype(np.int64))),
        "source": pa.array(C.SOURCES).take(pa.array(cases.source.astype(np.int64))),
        "party_name": cases.party,
        "opened_at": ts(cases.opened_t),
        "emergency_start": pa.array(cases.emergency),
        "start_approved_at": ts(cases.approved_t),
        "decided_at": ts(cases.decided_t),
        "closed_at": ts(cases.closed_t),
        "archived_at": ts(cases.archived_t),
    }
    for name in C.TRIGGERS:
        cols[name] = pa.array(cases.triggers[name])
    return pa.table(cols)


def acts_table(world: World, cases: C.Cases, acts: C.Acts) -> pa.Table:
    seps = [";", "；", ",", "、"]
    strings = []
    for t in range(world.n_teams):
        mem = world.team_members[world.team_start[t]:world.team_start[t] + world.team_size[t]]
        ids = [world.off_id[m] for m in mem]
        strings += [s.join(ids) for s in seps]
    officer_ids = pa.array(strings).take(pa.array(acts.team.astype(np.int64) * 4 + acts.sep))
    ret = acts.returned
    return pa.table({
        "act_id": acts.id,
        "case_id": cases.id.take(pa.array(acts.case)),
        "act_type": pa.array(C.ACT_TYPES).take(pa.array(acts.type.astype(np.int64))),
        "started_at": ts_array(acts.start),
        "ended_at": ts_array(acts.end),
        "officer_ids": officer_ids,
        "location": acts.location,
        "remote_duty": pa.array(acts.remote),
        "returned_at": ts_array(np.maximum(ret, 0), ret >= 0),
        "av_exempt_reason": acts.exempt_reason,
    })


# ---- ground truth for case- and act-level rules -------------------------------------------------

def case_act_truth(world: World, cases: C.Cases, acts: C.Acts, stats: Stats, has_evidence_media: np.ndarray) -> None:
    asof_end = world.export_end + 1
    prof = cases.profile
    closed = cases.closed_t >= 0
    due = cases.closed_t + 30 * DAY
    arch = cases.archived_t
    stats.add("arc_closed", per_profile(prof[closed]))
    stats.add("arc_on_time", per_profile(prof[closed & (arch >= 0) & (arch <= due)]))
    stats.add("arc_late", per_profile(prof[closed & (arch > due)]))
    stats.add("arc_overdue", per_profile(prof[closed & (arch < 0) & (due <= asof_end)]))
    stats.add("arc_pending", per_profile(prof[closed & (arch < 0) & (due > asof_end)]))
    stats.add("cases", per_profile(prof))
    em = cases.emergency
    stats.add("start_emergency", per_profile(prof[em]))
    appr = cases.approved_t
    stats.add("start_ok", per_profile(prof[em & (appr >= 0) & (appr <= cases.opened_t + DAY)]))
    stats.add("start_late", per_profile(prof[em & (appr > cases.opened_t + DAY)]))
    stats.add("start_missing", per_profile(prof[em & (appr < 0)]))
    for name in C.TRIGGERS:
        stats.add(f"trigger_{name}", per_profile(prof[cases.triggers[name]]))
    stats.add("evd_cases", per_profile(prof[has_evidence_media]))
    stats.add("evd_cases_without_av_explanation", per_profile(prof[cases.no_av_explanation & has_evidence_media]))
    # acts
    ap = cases.profile[acts.case]
    stats.add("acts", per_profile(ap))
    stats.add("acts_remote", per_profile(ap[acts.remote]))
    stats.add("acts_exempt_reason", per_profile(ap[acts.plan == C.EXEMPT]))
    for t, name in enumerate(C.ACT_TYPES):
        stats.add(f"act_type:{name}", per_profile(ap[acts.type == t]))
    for lvl in (1, 2, 3):
        m = acts.level == lvl
        lname = LEVELS[lvl - 1]
        stats.add(f"av:{lname}:total", per_profile(ap[m]))
        stats.add(f"av:{lname}:exempt_with_reason", per_profile(ap[m & (acts.plan == C.EXEMPT)]))
        stats.add(f"av:{lname}:missing", per_profile(ap[m & (acts.plan == C.MISSING)]))
        part = m & np.isin(acts.plan, C.PARTIAL_PLANS) if lvl == 3 else np.zeros(acts.n, bool)
        stats.add(f"av:{lname}:partial", per_profile(ap[part]))
        ok = m & ~np.isin(acts.plan, (C.EXEMPT, C.MISSING)) & ~part
        stats.add(f"av:{lname}:ok", per_profile(ap[ok]))
    for p in (C.LATE_START,) + C.GAP_PLANS:
        stats.add(f"av_plan:{C.PLAN_NAMES[p]}", per_profile(ap[(acts.level == 3) & (acts.plan == p)]))
