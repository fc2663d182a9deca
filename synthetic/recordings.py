"""One month at a time: the team-day schedule, the recordings it produces, and the device logs.

Per month:
1. schedule every duty team-day: its acts and patrols laid end to end with gaps (fixes act times);
2. recordings: act recordings following each act's AV plan, patrol recordings, file segments;
3. plans on recordings: interruptions, files lost or deleted on the device, late / missing uploads,
   labels, evidence;
4. device logs per device block (power, checks, record start/stop, docking, uploads, faults…),
   which also fix the normal upload times;
5. deletions, disc burning, access log, and the month's ground-truth counts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.contract import ENUMS

from . import cases as C
from .params import ACT_END_BASIS, PROFILES, REMOTE_EXCEPTION, SIX_MONTH_PROFILES
from .util import (
    DAY,
    HOUR,
    MINUTE,
    Stats,
    group_cumsum,
    group_first,
    group_index,
    hex_digests,
    per_profile,
    pick_rate,
    stratified,
    stream,
    ts_array,
    uniform_int,
)
from .world import NO_DAY, World

EVENT_TYPES = list(ENUMS["event_type"])
E = {name: i for i, name in enumerate(EVENT_TYPES)}
# order of events logged in the same second
PRIORITY = np.zeros(len(EVENT_TYPES), dtype=np.int8)
for _i, _n in enumerate(["power_on", "time_sync", "pre_duty_check", "record_stop", "record_interrupt",
                         "record_start", "battery_low", "storage_full", "fault", "dock", "upload_done",
                         "file_deleted", "power_off", "maintenance"]):
    PRIORITY[E[_n]] = _i
REASONS = ["device_fault", "battery", "storage", "weather", "obstruction", "other"]
PATROL, ACT = 0, 1
# upload plans
UP_NORMAL, UP_LATE, UP_MISSING, UP_PENDING, UP_REMOTE = range(5)
UPLOAD_RATE = 40e6  # bytes per second at the docking station
RECORDED_PLANS = (C.FULL, C.PART, C.LATE_START) + C.GAP_PLANS
# what is wrong with an act recording's labels: kind k of the labelling plan, rate and count lbl_<fault>
LABEL_FAULTS = ("unlabelled", "no_case_id", "no_party", "no_handler", "wrong_case_id")


@dataclass
class MonthOut:
    media: pa.Table  # final state of the month's media rows (contract columns)
    original: pa.Table | None  # March: the first delivery, before the re-delivery
    redelivery: pa.Table | None
    redelivery_kinds: dict[str, int] | None
    access: dict[str, np.ndarray]
    n_events: int


class Simulator:
    def __init__(self, world: World, cases: C.Cases, acts: C.Acts, target_recordings: int, small: bool,
                 rates: Mapping[str, float]):
        self.w, self.c, self.a = world, cases, acts
        self.rates = rates
        self.small = small
        self.k_min = 1 if small else 2
        self.stats = Stats()
        self.carry: pa.Table | None = None
        acts.start = np.full(acts.n, -1, dtype=np.int64)
        acts.end = np.full(acts.n, -1, dtype=np.int64)
        acts.returned = np.full(acts.n, -1, dtype=np.int64)
        self.team_lead = world.team_members[world.team_start]
        self.td_has_gap = np.zeros(len(world.td_day), bool)
        self.td_has_gap[acts.td[np.isin(acts.plan, C.GAP_PLANS)]] = True
        # per case: span of act days (to pick a *different* case for mislabelled recordings)
        self.case_first_day = np.full(cases.n, 10**6, dtype=np.int64)
        self.case_last_day = np.full(cases.n, -1, dtype=np.int64)
        np.minimum.at(self.case_first_day, acts.case, acts.day)
        np.maximum.at(self.case_last_day, acts.case, acts.day)
        self.case_by_unit = np.argsort(cases.unit, kind="stable")
        cnt = np.bincount(cases.unit, minlength=world.n_units)
        self.unit_case_first = np.cumsum(cnt) - cnt
        self.unit_case_count = cnt
        ocnt = np.bincount(world.off_unit, minlength=world.n_units)
        self.unit_off_first = np.cumsum(ocnt) - ocnt
        self.unit_off_count = ocnt
        # case evidence / closure as seen by recordings
        self.case_due = np.where(cases.closed_t >= 0, cases.closed_t + 30 * DAY, -1)
        # patrol intensity so that all recordings add up to the target
        recorded = np.isin(acts.plan, RECORDED_PLANS)
        est_act_recs = 1.5 * recorded.sum()
        nontrip = ~acts.trip_td
        units = (world.td_budget[nontrip] / (510 * MINUTE)).sum()
        self.lam = max(0.0, (target_recordings - est_act_recs) / 1.3 / 1.03 / max(units, 1.0))
        self.case_has_evidence_media = np.zeros(cases.n, bool)
        self.dev_ids = pa.array(world.dev_id.tolist(), type=pa.string())
        self.off_ids = pa.array(world.off_id.tolist(), type=pa.string())
        self.off_names = pa.array(world.off_name.tolist(), type=pa.string())
        self._month_ids = pa.array([], pa.string())

    # ------------------------------------------------------------------------------------------
    def month(self, m: int, d0: int, d1: int, emit_events, block: int) -> MonthOut:
        w = self.w
        rng = stream(w.seed, w.year, "month", m)
        self.mk = self.k_min if m == 5 else 0  # planted minimums once a year (June), not every month
        tds = np.flatnonzero((w.td_day >= d0) & (w.td_day < d1))
        items = self._schedule(rng, tds, d0, d1)
        rec = self._recordings(rng, items)
        stamp = pc.strftime(ts_array(rec["start"]), "%Y%m%d_%H%M%S")
        self._month_ids = pc.binary_join_element_wise(self.dev_ids.take(pa.array(rec["dev"])), stamp, "_")
        assert len(pc.unique(self._month_ids)) == len(rec["dev"]), "duplicate media ids"
        self._plan_device(rng, rec)
        self._plan_media(rng, rec, m)
        n_events = 0
        month_end = w.t0 + d1 * DAY
        for lo in range(0, len(w.dev_id), block):
            hi = lo + block
            rows = np.flatnonzero((rec["dev"] >= lo) & (rec["dev"] < hi))
            table = self._events(rng, rec, rows, lo, hi, d0, d1)
            if self.carry is not None and self.carry.num_rows:
                dev = self.carry.column("dev").to_numpy()
                inb = (dev >= lo) & (dev < hi)
                table = pa.concat_tables([self.carry.filter(pa.array(inb)), table])
                self.carry = self.carry.filter(pa.array(~inb))
            table = table.sort_by([("dev", "ascending"), ("t", "ascending"), ("prio", "ascending"),
                                   ("file_id", "ascending")])
            table = _dedupe(table)
            t = table.column("t").to_numpy()
            later = t >= month_end
            if later.any():
                keep_later = table.filter(pa.array(later & (t <= w.export_end)))
                self.carry = keep_later if self.carry is None else pa.concat_tables([self.carry, keep_later])
                table = table.filter(pa.array(~later))
            n_events += table.num_rows
            self._count_events(table)
            emit_events(table)
        return self._finish_month(rng, rec, m, d0, d1, n_events)

    # ---- 1. schedule -------------------------------------------------------------------------
    def _schedule(self, rng, tds, d0, d1):
        w, a = self.w, self.a
        act_idx = np.flatnonzero((a.day >= d0) & (a.day < d1))
        budget = w.td_budget[tds]
        n_p = rng.poisson(self.lam * budget / (510 * MINUTE))
        n_p[a.trip_td[tds]] = 0
        p_td = np.repeat(tds, n_p)
        p_dur = np.clip(np.exp(rng.normal(np.log(6 * MINUTE), 0.9, len(p_td))), 40, HOUR).astype(np.int64)
        td = np.concatenate([a.td[act_idx], p_td])
        key = np.concatenate([a.stage[act_idx] + 0.9 * rng.random(len(act_idx)),
                              rng.random(len(p_td)) * 8.0])
        dur = np.concatenate([a.dur[act_idx], p_dur])
        act = np.concatenate([act_idx, np.full(len(p_td), -1)])
        order = np.lexsort((key, td))
        td, dur, act = td[order], dur[order], act[order]
        is_act = act >= 0
        # long act days are compressed; patrols give way to acts
        gid, starts = group_index(td)
        g_td = td[starts]
        act_sum = np.bincount(gid, weights=np.where(is_act, dur, 0))
        too_long = act_sum > 14 * HOUR
        if too_long.any():
            f = np.where(too_long, 14 * HOUR / np.maximum(act_sum, 1), 1.0)[gid]
            dur = np.where(is_act & (f < 1), np.maximum(MINUTE, (dur * f // MINUTE) * MINUTE), dur).astype(np.int64)
            a.dur[act[is_act]] = dur[is_act]
            act_sum = np.bincount(gid, weights=np.where(is_act, dur, 0))
        n_items = np.bincount(gid)
        pat_sum = np.bincount(gid, weights=np.where(is_act, 0, dur))
        room = w.td_budget[g_td] - act_sum - 5 * MINUTE * (n_items + 1)
        f = np.clip(room / np.maximum(pat_sum, 1), 0, 1)
        keep = is_act | (f[gid] >= 0.3)
        dur = np.where(is_act, dur, np.maximum(40, (dur * f[gid]).astype(np.int64)))
        td, dur, act = td[keep], dur[keep], act[keep]
        is_act = act >= 0
        gid, starts = group_index(td)
        g_td = td[starts]
        n_items = np.bincount(gid)
        extra = np.maximum(w.td_budget[g_td] - np.bincount(gid, weights=dur) - 5 * MINUTE * n_items, 0)
        wt = rng.exponential(1.0, len(td))
        w_sum = np.bincount(gid, weights=wt) + rng.exponential(1.0, len(g_td))
        gap = 5 * MINUTE + (extra[gid] * wt / w_sum[gid]).astype(np.int64)
        start = w.td_start[td] + group_cumsum(td, gap + dur) - dur
        end_of_day = np.maximum.reduceat(start + dur, starts)
        shift = np.maximum(0, end_of_day - 23 * HOUR)
        start = start - shift[gid]
        start = np.where(is_act, -(-start // MINUTE) * MINUTE, start)  # acts start on whole minutes
        abs_start = w.t0 + w.td_day[td].astype(np.int64) * DAY + start
        ai = act[is_act]
        a.start[ai] = abs_start[is_act]
        a.end[ai] = abs_start[is_act] + dur[is_act]
        # remote-duty trips: back at the unit the same evening or more than a day later
        trip = a.remote[ai]
        if trip.any():
            t_acts = ai[trip]
            t_td = a.td[t_acts]
            last_end = np.zeros(len(w.td_day), dtype=np.int64)
            np.maximum.at(last_end, t_td, a.end[t_acts])
            le = last_end[t_td]
            nxt = np.minimum(t_td + 1, len(w.td_day) - 1)
            next_start = w.t0 + w.td_day[nxt].astype(np.int64) * DAY + w.td_start[nxt]
            avail = np.where(w.td_team[nxt] == w.td_team[t_td], next_start - 3 * HOUR - le, 60 * HOUR)
            # one return time per trip, shared by its acts
            u_long = rng.random(len(w.td_day))
            u_short = rng.random(len(w.td_day))
            long_ret = le + (26 * HOUR + u_long[t_td] * np.maximum(np.minimum(50 * HOUR, avail) - 26 * HOUR, 0))
            short_ret = le + HOUR + u_short[t_td] * 2 * HOUR
            ret = np.where(a.return_long[t_acts] & (avail > 27 * HOUR), long_ret, short_ret)
            a.returned[t_acts] = (ret.astype(np.int64) // MINUTE) * MINUTE
        return {"td": td, "start": abs_start, "dur": dur, "act": act}

    # ---- 2. recordings ----------------------------------------------------------------------
    def _recordings(self, rng, items):
        w, a = self.w, self.a
        td, s, dur, act = items["td"], items["start"], items["dur"], items["act"]
        team = w.td_team[td]
        size = w.team_size[team].astype(np.int64)
        is_act = act >= 0
        plan = np.where(is_act, a.plan[np.maximum(act, 0)], -1)
        e = s + dur
        pieces = []  # (item idx, member pos, start, end, intr (on last segment), note (on first))

        def add(mask, member, st, en, intr=None, note=None):
            idx = np.flatnonzero(mask)
            pieces.append((idx, member[idx], st[idx], en[idx],
                           np.full(len(idx), -1, np.int8) if intr is None else intr[idx],
                           np.zeros(len(idx), bool) if note is None else note[idx]))

        n = len(td)
        lead = (rng.random(n) * size).astype(np.int64)
        other = (lead + 1 + (rng.random(n) * (size - 1)).astype(np.int64)) % size
        j1 = uniform_int(rng, 0, 20, n)
        j2 = uniform_int(rng, 0, 20, n)
        pat = ~is_act
        add(pat, lead, s + j1, np.maximum(s + j1 + 15, e - j2))
        second = pat & (rng.random(n) < 0.3)
        add(second, other, s + uniform_int(rng, 0, 40, n), np.maximum(s + 60, e - uniform_int(rng, 0, 40, n)))
        pre = uniform_int(rng, 10, 90, n)
        post = uniform_int(rng, 10, 120, n)
        full = plan == C.FULL
        add(full, lead, s - pre, e + post)
        sec = full & (rng.random(n) < 0.35)
        add(sec, other, s + (rng.random(n) * 0.2 * dur).astype(np.int64),
            np.maximum(s + 30 + (0.2 * dur).astype(np.int64), e - (rng.random(n) * 0.2 * dur).astype(np.int64)))
        part = plan == C.PART
        add(part, lead, s + ((0.1 + 0.3 * rng.random(n)) * dur).astype(np.int64),
            e - ((0.1 + 0.2 * rng.random(n)) * dur).astype(np.int64))
        late = plan == C.LATE_START
        add(late, lead, s + uniform_int(rng, 90, np.maximum(91, np.minimum(600, 0.4 * dur)).astype(np.int64)),
            e + post)
        gap = np.isin(plan, C.GAP_PLANS)
        t1 = s + ((0.2 + 0.5 * rng.random(n)) * dur).astype(np.int64)
        explained = np.isin(plan, C.EXPLAINED_PLANS)
        g = np.where(explained, uniform_int(rng, 90, np.maximum(91, 0.04 * dur).astype(np.int64)),
                     uniform_int(rng, 120, np.maximum(121, 0.25 * dur).astype(np.int64)))
        reason = rng.integers(0, len(REASONS), n).astype(np.int8)
        intr = np.where(np.isin(plan, (C.GAP_NOTE, C.GAP_STATEMENT, C.GAP_EVENT)), reason,
                        np.where(plan == C.GAP_NOREASON, -2, -1)).astype(np.int8)
        add(gap, lead, s - pre, t1, intr=intr)
        add(gap, lead, t1 + g, e + post, note=plan == C.GAP_NOTE)

        item = np.concatenate([p[0] for p in pieces])
        member = np.concatenate([p[1] for p in pieces])
        st = np.concatenate([p[2] for p in pieces])
        en = np.concatenate([p[3] for p in pieces])
        p_intr = np.concatenate([p[4] for p in pieces])
        p_note = np.concatenate([p[5] for p in pieces])
        off = w.team_members[w.team_start[team[item]] + member]
        day = w.td_day[td[item]]
        dev = w.device_of(off, day)
        # split into file segments of the device's segment length (a tail under 3 minutes stays with the
        # segment before it, so no act-recording segment lies wholly in the post-roll after the act)
        seg = w.dev_segment[dev]
        nseg = np.maximum(1, -(-(en - st - 180) // seg))
        rep = np.repeat(np.arange(len(st)), nseg)
        k = np.arange(len(rep)) - np.repeat(np.cumsum(nseg) - nseg, nseg)
        r_start = st[rep] + k * seg[rep]
        last = k == nseg[rep] - 1
        r_end = np.where(last, en[rep], st[rep] + (k + 1) * seg[rep])
        rec = {
            "dev": dev[rep].astype(np.int64), "off": off[rep], "start": r_start, "end": r_end,
            "act": act[item][rep], "td": td[item][rep], "day": day[rep].astype(np.int64),
            "intr": np.where(last, p_intr[rep], -1).astype(np.int8),
            "note": (k == 0) & p_note[rep],
        }
        order = np.lexsort((rec["start"], rec["dev"]))
        rec = {k_: v[order] for k_, v in rec.items()}
        rec["kind"] = np.where(rec["act"] >= 0, ACT, PATROL).astype(np.int8)
        rec["profile"] = w.unit_profile[w.off_unit[rec["off"]]]
        rec["ddkey"] = rec["dev"] * (w.n_days + 1) + rec["day"]
        return rec

    # ---- 3a. device-side plans: interruptions, lost / deleted files, checks ---------------------
    def _plan_device(self, rng, rec):
        w, a = self.w, self.a
        n = len(rec["dev"])
        key = rec["ddkey"]
        gid, starts = group_index(key)
        rec["gid"], rec["gstarts"] = gid, starts
        ng = len(starts)
        g_prof = rec["profile"][starts]
        same_next = np.zeros(n, bool)
        same_next[:-1] = key[1:] == key[:-1]
        nxt = np.minimum(np.arange(n) + 1, n - 1)
        # interrupted patrol recordings, followed (or not) by a recording that explains it
        eligible_g = ~self.td_has_gap[rec["td"][starts]]
        cand = ((rec["kind"] == PATROL) & same_next & (rec["kind"][nxt] == PATROL) & eligible_g[gid]
                & (rec["start"][nxt] - rec["end"] >= 120))  # a real pause, not a file-segment boundary
        cand_g = np.zeros(ng, bool)
        cand_g[gid[cand]] = True
        sel_g = stratified(rng, g_prof, cand_g, [self.rates["patrol_interrupt"]], minimum=self.mk) == 0
        ci = np.flatnonzero(cand & sel_g[gid])
        ci = ci[np.lexsort((rng.random(len(ci)), gid[ci]))]
        ci = ci[group_first(gid[ci])]
        rec["intr"][ci] = rng.integers(0, len(REASONS), len(ci))
        ok = stratified(rng, rec["profile"][ci], np.ones(len(ci), bool), [0.6], minimum=1) == 0
        rec["note"][ci[ok] + 1] = True
        # the interrupt is explained when the next recording carries a note, or (acts) a statement
        stmt_act = np.zeros(n, bool)
        is_act = rec["act"] >= 0
        stmt_act[is_act] = a.plan[rec["act"][is_act]] == C.GAP_STATEMENT
        rec["intr_ok"] = (rec["intr"] != -1) & (rec["note"][nxt] | stmt_act)
        # files lost on the device (never uploaded) or deleted on the device before upload
        prev_intr = np.zeros(n, bool)
        prev_intr[1:] = (rec["intr"][:-1] != -1) & (key[1:] == key[:-1])
        lost_ok = ((rec["kind"] == PATROL) & (rec["intr"] == -1) & ~rec["note"] & ~prev_intr
                   & (rec["day"] < w.n_days - 3) & ~a.trip_td[rec["td"]])
        k = stratified(rng, rec["profile"], lost_ok, [self.rates["lost_on_device"], self.rates["deleted_on_device"]],
                       minimum=self.mk)
        rec["lost"] = k == 0
        rec["devdel"] = k == 1
        # pre-duty checks: missing, or after the first record_start, on some device-days
        chk = stratified(rng, g_prof, np.ones(ng, bool), [self.rates["check_missing"], self.rates["check_late"]],
                         minimum=self.mk)
        rec["g_check"] = chk  # -1 ok, 0 missing, 1 after the first recording
        last_day = rec["day"][starts] == w.n_days - 1
        rec["g_nodock"] = (last_day & (rng.random(ng) < self.rates["pending_last_day"])) | a.trip_td[rec["td"][starts]]
        rec["g_pending"] = last_day & rec["g_nodock"] & ~a.trip_td[rec["td"][starts]]

    # ---- 3b. media-side plans: uploads, labels, evidence ------------------------------------------
    def _plan_media(self, rng, rec, m):
        w, a, c = self.w, self.a, self.c
        n = len(rec["dev"])
        media = ~(rec["lost"] | rec["devdel"])
        rec["media"] = media
        is_act = rec["act"] >= 0
        ai = np.maximum(rec["act"], 0)
        case = np.where(is_act, a.case[ai], -1)
        rec["case"] = case
        prof = rec["profile"]
        pname = np.array(PROFILES, dtype=object)[prof]
        # deadline (rules.md §1): basis recorded_end, or the act's end (dalian_jinpu); remote duty
        basis = rec["end"].copy()
        act_basis = is_act & np.isin(pname, list(ACT_END_BASIS))
        basis[act_basis] = a.end[ai[act_basis]]
        remote = is_act & a.remote[ai]
        exc = remote & np.isin(pname, list(REMOTE_EXCEPTION))
        basis[exc] = np.maximum(basis[exc], a.returned[ai[exc]])
        rec["deadline"] = basis + DAY
        # evidence: recordings of the investigative acts of evidence cases
        evid = is_act & c.triggers["evidence_used"][np.maximum(case, 0)] & a.pre_decision[ai] \
            & ~np.isin(a.type[ai], [C.A[t] for t in C.POST_DECISION_TYPES])
        rec["evidence"] = evid & media
        # upload plans
        up = np.full(n, UP_NORMAL, dtype=np.int8)
        up[rec["g_pending"][rec["gid"]]] = UP_PENDING
        up[remote] = UP_REMOTE
        free = media & (up == UP_NORMAL) & (rec["end"] <= w.export_end - 3 * DAY)
        miss = stratified(rng, prof, free & ~rec["evidence"], [self.rates["missing_upload"]], minimum=self.mk) == 0
        up[miss] = UP_MISSING
        late = stratified(rng, prof, free & ~miss, [self.rates["late_upload"]], minimum=self.mk) == 0
        up[late] = UP_LATE
        up[~media] = UP_MISSING
        rec["up"] = up
        upl = np.full(n, -1, dtype=np.int64)
        li = np.flatnonzero(late)
        dl = rec["deadline"][li]
        delay = np.clip(np.exp(rng.normal(np.log(30 * HOUR), 1.0, len(li))), HOUR, 20 * DAY)
        delay = np.minimum(delay, w.export_end - DAY - dl)
        target = dl + delay.astype(np.int64)
        evening = w.t0 + ((target - w.t0) // DAY) * DAY + 22 * HOUR + 30 * MINUTE \
            + uniform_int(rng, 0, 80 * MINUTE, len(li))
        evening = np.where(evening < dl + HOUR, evening + DAY, evening)
        upl[li] = evening
        # remote trips: uploaded after returning to the unit, files in order
        ri = np.flatnonzero(up == UP_REMOTE)
        if len(ri):
            ret = a.returned[ai[ri]]
            dock = ret + uniform_int(rng, 30 * MINUTE, 2 * HOUR, len(ri))
            tkey = rec["dev"][ri] * len(w.td_day) + rec["td"][ri]
            gi, gs = group_index(tkey)
            dock = dock[gs][gi]
            rec["remote_dock"] = dock
            upl[ri] = dock + 30 + group_cumsum(tkey, self._xfer(rec, ri))
        rec["upl"] = upl
        # sizes and hashes
        dur = rec["end"] - rec["start"]
        rec["size"] = (dur * w.dev_bitrate[rec["dev"]] * rng.uniform(0.9, 1.1, n)).astype(np.int64) + 4096
        rec["sha"] = hex_digests(rng, n)
        # re-uploads and re-labels delivered again in March (the re-delivery file)
        rec["reupload"] = np.zeros(n, bool)
        rec["relabel"] = np.zeros(n, bool)
        if m == 2:
            rec["reupload"] = pick_rate(rng, media & (up == UP_NORMAL) & ~rec["evidence"], 0.002, 2)
        # labels on act recordings: correct, or missing / wrong (planted per profile)
        label_case = np.where(is_act, case, -1)
        party = np.where(is_act, True, False)
        handler = np.where(is_act, True, rng.random(n) < 0.4)
        lbl = stratified(rng, prof, is_act & media & ~rec["evidence"],
                         [self.rates[f"lbl_{k_}"] for k_ in LABEL_FAULTS], minimum=self.mk)
        label_case[lbl == 0] = -1
        party[lbl == 0] = False
        handler[lbl == 0] = False
        label_case[lbl == 1] = -1
        party[lbl == 2] = False
        handler[lbl == 3] = False
        wrong = np.flatnonzero(lbl == 4)
        alt = self._other_case(rng, case[wrong], rec["day"][wrong])
        label_case[wrong] = np.where(alt >= 0, alt, -1)
        fail = wrong[alt < 0]
        lbl[fail] = 0
        party[fail] = False
        handler[fail] = False
        rec["lbl"] = lbl
        rec["label_case"], rec["party"], rec["handler"] = label_case, party, handler
        if m == 2:
            rec["relabel"] = pick_rate(rng, is_act & media & (lbl < 0) & ~rec["evidence"], 0.03, 2)

    def _xfer(self, rec, idx):
        size = ((rec["end"][idx] - rec["start"][idx]) * self.w.dev_bitrate[rec["dev"][idx]]).astype(np.int64)
        return (size // int(UPLOAD_RATE)) + 2

    def _other_case(self, rng, case, day):
        """A different case of the same unit with no act within a day of `day` (-1 if none found)."""
        c = self.c
        out = np.full(len(case), -1, dtype=np.int64)
        unit = c.unit[case]
        todo = np.arange(len(case))
        for _ in range(12):
            if not len(todo):
                break
            u = unit[todo]
            cand = self.case_by_unit[self.unit_case_first[u]
                                     + (rng.random(len(todo)) * self.unit_case_count[u]).astype(np.int64)]
            d = day[todo]
            good = (cand != case[todo]) & ((self.case_first_day[cand] > d + 1) | (self.case_last_day[cand] < d - 1))
            out[todo[good]] = cand[good]
            todo = todo[~good]
        return out

    # ---- 4. device logs --------------------------------------------------------------------------
    def _events(self, rng, rec, rows, lo, hi, d0, d1) -> pa.Table:
        w = self.w
        parts = []  # (dev, t, type, file row (-1 none), reason)
        g_info = None

        def add(dev, t, etype, file=None, reason=None):
            k = len(t)
            parts.append((np.asarray(dev, np.int64), np.asarray(t, np.int64), np.full(k, E[etype], np.int8),
                          np.full(k, -1, np.int64) if file is None else np.asarray(file, np.int64),
                          np.full(k, -1, np.int8) if reason is None else np.asarray(reason, np.int8)))

        if len(rows):
            dev, st, en = rec["dev"][rows], rec["start"][rows], rec["end"][rows]
            key = rec["ddkey"][rows]
            gid, starts = group_index(key)
            g_rows = rows[starts]
            gdev = dev[starts]
            first_start = st[starts]
            last_end = np.maximum.reduceat(en, starts)
            ng = len(starts)
            # power on, clock sync, pre-duty check
            p_on = first_start - uniform_int(rng, 5 * MINUTE, 40 * MINUTE, ng)
            add(gdev, p_on, "power_on")
            add(gdev, p_on + uniform_int(rng, 10, 60, ng), "time_sync")
            chk = rec["g_check"][rec["gid"][g_rows]]
            ck_t = np.where(chk == 1, first_start + uniform_int(rng, 60, 300, ng), p_on + uniform_int(rng, 60, 240, ng))
            add(gdev[chk != 0], ck_t[chk != 0], "pre_duty_check")
            # recordings
            add(dev, st, "record_start", rows)
            add(dev, en, "record_stop", rows)
            it = rec["intr"][rows] != -1
            reason = rec["intr"][rows][it]
            add(dev[it], en[it] + uniform_int(rng, 1, 5, int(it.sum())), "record_interrupt", rows[it],
                np.where(reason == -2, -1, reason))
            # breaks: docked to charge over lunch, switched off in other long pauses
            nx = np.arange(len(rows) - 1)
            pause = (key[nx] == key[nx + 1]) & (st[nx + 1] - en[nx] > 20 * MINUTE)
            tod_end = (en[nx] - w.t0) % DAY
            tod_next = (st[nx + 1] - w.t0) % DAY
            lunch = pause & (tod_end < 12 * HOUR + 30 * MINUTE) & (tod_next > 12 * HOUR + 30 * MINUTE) \
                & (st[nx + 1] - en[nx] > 40 * MINUTE) & (rng.random(len(nx)) < 0.7)
            li = nx[lunch]
            dk = en[li] + uniform_int(rng, 3 * MINUTE, 10 * MINUTE, len(li))
            add(dev[li], dk, "dock")
            add(dev[li], dk + 5, "time_sync")
            add(dev[li], dk + uniform_int(rng, 60, 300, len(li)), "power_off")
            brk = pause & ~lunch & (rng.random(len(nx)) < 0.75)
            bi = nx[brk]
            add(dev[bi], en[bi] + uniform_int(rng, 60, 300, len(bi)), "power_off")
            bi = nx[brk | lunch]
            on2 = st[bi + 1] - uniform_int(rng, 60, 180, len(bi))
            add(dev[bi], on2, "power_on")
            add(dev[bi], on2 + uniform_int(rng, 5, 30, len(bi)), "time_sync")
            # end of the day: dock, upload, clear the device, power off
            nodock = rec["g_nodock"][rec["gid"][g_rows]]
            day_end = w.t0 + (rec["day"][g_rows] + 1) * DAY
            dock = np.minimum(last_end + uniform_int(rng, 20 * MINUTE, 90 * MINUTE, ng), day_end - 20 * MINUTE)
            dock = np.maximum(dock, last_end + 60)
            add(gdev[~nodock], dock[~nodock], "dock")
            add(gdev[~nodock], dock[~nodock] + 5, "time_sync")
            norm = rows[(rec["up"][rows] == UP_NORMAL) & ~rec["g_nodock"][rec["gid"][rows]]]
            ngid = np.searchsorted(starts, np.searchsorted(rows, norm), side="right") - 1
            up_t = dock[ngid] + 30 + group_cumsum(ngid, self._xfer(rec, norm))
            rec["upl"][norm] = up_t
            last_up = np.zeros(ng, dtype=np.int64)
            np.maximum.at(last_up, ngid, up_t)
            p_off = np.where(nodock, last_end + uniform_int(rng, 10 * MINUTE, 60 * MINUTE, ng),
                             np.maximum(dock, last_up) + uniform_int(rng, 60, 600, ng))
            add(gdev, p_off, "power_off")
            # re-uploads (March): the first transfer was incomplete, sent again later
            ru = norm[rec["reupload"][norm]]
            if len(ru):
                t2 = rec["upl"][ru] + uniform_int(rng, 2 * HOUR, 20 * HOUR, len(ru))
                add(rec["dev"][ru], rec["upl"][ru], "upload_done", ru)
                add(rec["dev"][ru], t2 - uniform_int(rng, 30, 120, len(ru)), "dock")
                rec.setdefault("upl1", np.full(len(rec["dev"]), -1, np.int64))
                rec["upl1"][ru] = rec["upl"][ru]
                rec["upl"][ru] = t2
            # late and remote uploads: docked again later
            lr = rows[np.isin(rec["up"][rows], (UP_LATE,))]
            add(rec["dev"][lr], rec["upl"][lr] - uniform_int(rng, 30, 120, len(lr)), "dock")
            rm = rows[rec["up"][rows] == UP_REMOTE]
            if len(rm):
                rd = rec["remote_dock"][np.searchsorted(np.flatnonzero(rec["up"] == UP_REMOTE), rm)]
                rkey = rec["dev"][rm] * 10**11 + rd
                _, rs = group_index(rkey)
                add(rec["dev"][rm][rs], rd[rs], "dock")
                add(rec["dev"][rm][rs], rd[rs] + 5, "time_sync")
                rlast = np.maximum.reduceat(rec["upl"][rm], rs)
                add(rec["dev"][rm][rs], rlast + uniform_int(rng, 60, 600, len(rs)), "power_off")
            up_rows = rows[(rec["upl"][rows] >= 0) & rec["media"][rows]]
            add(rec["dev"][up_rows], rec["upl"][up_rows], "upload_done", up_rows)
            add(rec["dev"][up_rows], rec["upl"][up_rows] + uniform_int(rng, 1, 3, len(up_rows)),
                "file_deleted", up_rows)
            dd = rows[rec["devdel"][rows]]
            add(rec["dev"][dd], rec["end"][dd] + uniform_int(rng, 20, 50, len(dd)), "file_deleted", dd)
            # battery, storage and faults
            rec_sec = np.add.reduceat(en - st, starts)
            bl = pick_rate(rng, rec_sec > 3 * HOUR, 0.3, 2)
            lastrow = np.concatenate([starts[1:], [len(rows)]]) - 1
            add(gdev[bl], st[lastrow[bl]] + (0.6 * (en - st)[lastrow[bl]]).astype(np.int64), "battery_low")
            sf = pick_rate(rng, np.ones(ng, bool), 0.002, 1)
            add(gdev[sf], en[lastrow[sf]] + 2, "storage_full")
            fl = pick_rate(rng, np.ones(ng, bool), 0.003, 1)
            add(gdev[fl], st[starts[fl]] + (0.4 * (en - st)[starts[fl]]).astype(np.int64), "fault")
            g_info = (gdev, p_on, ng)
        # maintenance about every quarter, body cameras in service
        devs = np.arange(lo, min(hi, len(w.dev_id)))
        bc = devs[(w.dev_type[devs] == "body_camera")]
        phase = (bc * 37) % 91
        mday = d0 + (-(d0 + phase)) % 91
        ok = (mday < d1) & (w.dev_from[bc] <= mday) & ((w.dev_to[bc] == NO_DAY) | (w.dev_to[bc] >= mday))
        add(bc[ok], w.t0 + mday[ok] * DAY + uniform_int(rng, 10 * HOUR, 16 * HOUR, int(ok.sum())), "maintenance")

        dev = np.concatenate([p[0] for p in parts])
        t = np.concatenate([p[1] for p in parts])
        et = np.concatenate([p[2] for p in parts])
        fr = np.concatenate([p[3] for p in parts])
        rs = np.concatenate([p[4] for p in parts])
        # readings
        battery = np.full(len(t), np.nan)
        storage = np.full(len(t), np.nan)
        if g_info is not None:
            gdev, p_on, ng = g_info
            gk = gdev * (w.n_days + 1) + (p_on - w.t0) // DAY
            ek = dev * (w.n_days + 1) + (t - w.t0) // DAY
            pos = np.searchsorted(gk, ek)
            pos = np.minimum(pos, ng - 1)
            inday = (gk[pos] == ek) & (t >= p_on[pos])
            hrs = (t - p_on[pos]) / HOUR
            reads = np.isin(et, [E[x] for x in ("power_on", "power_off", "pre_duty_check", "record_start",
                                                 "record_stop", "record_interrupt", "fault")]) & inday
            bat = np.clip(100 - hrs * w.dev_drain[dev] - rng.uniform(0, 3, len(t)), 3, 100)
            battery[reads] = np.round(bat[reads])
            s0 = 60 + (gdev * 13 % 35)
            sto = np.clip(s0[pos] - hrs * 2.5, 5, 99)
            sread = np.isin(et, [E[x] for x in ("power_on", "pre_duty_check", "record_stop")]) & inday
            storage[sread] = np.round(sto[sread])
            low = et == E["battery_low"]
            battery[low] = rng.integers(10, 20, int(low.sum()))
            full_ = et == E["storage_full"]
            storage[full_] = rng.integers(0, 3, int(full_.sum()))
        keep = t <= w.export_end
        file_ids = self._month_ids.take(pa.array(np.where(fr >= 0, fr, 0), type=pa.int64()))
        file_ids = pc.if_else(pa.array(fr < 0), pa.scalar(None, pa.string()), file_ids)
        table = pa.table({
            "dev": pa.array(dev.astype(np.int32)), "t": pa.array(t), "prio": pa.array(PRIORITY[et]),
            "type": pa.array(et), "file_id": file_ids,
            "reason": pc.if_else(pa.array(rs < 0), pa.scalar(None, pa.string()),
                                 pa.array(REASONS).take(pa.array(np.maximum(rs, 0).astype(np.int64)))),
            "battery": pa.array(battery, mask=np.isnan(battery)).cast(pa.int16()),
            "storage": pa.array(storage, mask=np.isnan(storage)).cast(pa.int16()),
        })
        return table.filter(pa.array(keep))

    def _count_events(self, table):
        et = table.column("type").to_numpy()
        self.stats.add("events_by_type", np.bincount(et, minlength=len(EVENT_TYPES)))
        dev = table.column("dev").to_numpy()
        prof = self.w.unit_profile[self.w.dev_unit[dev]]
        for name in ("fault", "battery_low", "storage_full"):
            self.stats.add(f"ind_{name}", per_profile(prof[et == E[name]]))

    # ---- 5. finish: deletions, discs, access, tables, counts ---------------------------------------
    def _finish_month(self, rng, rec, m, d0, d1, n_events) -> MonthOut:
        w, a, c = self.w, self.a, self.c
        n = len(rec["dev"])
        media = rec["media"]
        upl = rec["upl"]
        # anything that would happen after the export is not in it
        late_export = upl > w.export_end
        upl[late_export] = -1
        uploaded = (upl >= 0) & media
        prof = rec["profile"]
        pname = np.array(PROFILES, dtype=object)[prof]
        is_act = rec["act"] >= 0
        # deletions
        deleted = np.full(n, -1, dtype=np.int64)
        approval = np.zeros(n, bool)
        base_ok = uploaded & ~rec["evidence"] & ~rec["reupload"] & ~rec["relabel"]
        early = stratified(rng, prof, base_ok & (upl <= w.export_end - 15 * DAY), [self.rates["delete_early"]],
                           minimum=self.mk) == 0
        ei = np.flatnonzero(early)
        deleted[ei] = np.minimum(upl[ei] + uniform_int(rng, 10 * DAY, 60 * DAY, len(ei)), w.export_end - HOUR)
        approval[ei] = rng.random(len(ei)) < 0.4
        held_ok = base_ok & ~early & is_act & np.isin(pname, ["cele", "zhuhui", "dalian_jinpu"]) \
            & (rec["day"] <= w.n_days - 245)
        held = stratified(rng, prof, held_ok, [self.rates["delete_while_held"]], minimum=self.mk) == 0
        hi_ = np.flatnonzero(held)
        deleted[hi_] = rec["start"][hi_] + uniform_int(rng, 200 * DAY, 240 * DAY, len(hi_))
        approval[hi_] = True
        disp_ok = base_ok & ~early & (rec["kind"] == PATROL) & np.isin(pname, list(SIX_MONTH_PROFILES)) \
            & (rec["day"] <= 150)
        disp = stratified(rng, prof, disp_ok, [self.rates["disposed"], self.rates["delete_unapproved"]],
                          minimum=self.mk)
        di = np.flatnonzero(disp >= 0)
        dday = uniform_int(rng, rec["day"][di] + 199, np.minimum(rec["day"][di] + 260, w.n_days - 1))
        deleted[di] = w.t0 + dday * DAY + uniform_int(rng, 9 * HOUR, 17 * HOUR, len(di))
        approval[di] = disp[di] == 0
        # evidence discs
        disc = np.full(n, -1, dtype=np.int64)
        ev = np.flatnonzero(rec["evidence"] & uploaded)
        ec = rec["case"][ev]
        plan = c.disc_plan[ec]
        closed_t = c.closed_t[ec]
        due = self.case_due[ec]
        ok_closed = np.maximum(upl[ev] + 2 * HOUR, closed_t + uniform_int(rng, DAY, 25 * DAY, len(ev)))
        ok_closed = np.maximum(np.minimum(ok_closed, due - HOUR), upl[ev] + 2 * HOUR)
        ok_open = upl[ev] + uniform_int(rng, DAY, 10 * DAY, len(ev))
        dt = np.where(plan == 0, np.where(closed_t >= 0, ok_closed, ok_open),
                      np.where(plan == 1, np.maximum(due, upl[ev]) + uniform_int(rng, 2 * DAY, 30 * DAY, len(ev)), -1))
        dt = np.where(dt > w.export_end, -1, dt)
        disc[ev] = dt
        # ---- ground truth counts -------------------------------------------------------------
        st = self.stats
        asof_end = w.export_end + 1
        dl = rec["deadline"]
        late_m = uploaded & (upl > dl)
        on_m = uploaded & ~late_m
        miss_m = media & ~uploaded & (dl <= asof_end)
        pend_m = media & ~uploaded & (dl > asof_end)
        st.add("media", per_profile(prof[media]))
        st.add("upl_on_time", per_profile(prof[on_m]))
        st.add("upl_late", per_profile(prof[late_m]))
        st.add("upl_overdue_missing", per_profile(prof[miss_m]))
        st.add("upl_pending", per_profile(prof[pend_m]))
        st.add("upl_late_naive", per_profile(prof[uploaded & (upl > rec["end"] + DAY)]))
        remote = is_act & media & a.remote[np.maximum(rec["act"], 0)]
        st.add("remote_recordings", per_profile(prof[remote]))
        legit = remote & uploaded & (upl > rec["end"] + DAY) & ~late_m
        st.add("remote_legit_by_exception", per_profile(prof[legit]))
        st.add("remote_late", per_profile(prof[remote & late_m]))
        st.add("lost_on_device", per_profile(prof[rec["lost"]]))
        st.add("deleted_on_device", per_profile(prof[rec["devdel"]]))
        st.add("act_recordings", per_profile(prof[is_act & media]))
        for k_, name in enumerate(LABEL_FAULTS):
            st.add(f"lbl_{name}", per_profile(prof[(rec["lbl"] == k_) & media]))
        st.add("ret_deleted_early", per_profile(prof[early]))
        st.add("ret_deleted_while_held", per_profile(prof[held]))
        st.add("ret_disposed", per_profile(prof[disp == 0]))
        st.add("ret_deleted_unapproved", per_profile(prof[disp == 1]))
        st.add("ret_early_with_approval_ref", per_profile(prof[(early | held) & approval]))
        evm = rec["evidence"] & media
        self.case_has_evidence_media[rec["case"][evm]] = True
        st.add("evidence_recordings", per_profile(prof[evm]))
        ev_due = np.where(evm, self.case_due[np.maximum(rec["case"], 0)], -1)
        ev_check = evm & (ev_due >= 0) & (ev_due <= asof_end)
        st.add("evd_disc_due_passed", per_profile(prof[ev_check]))
        bad = ev_check & ((disc < 0) | (disc > ev_due))
        st.add("evd_disc_missing", per_profile(prof[bad & (disc < 0)]))
        st.add("evd_disc_late", per_profile(prof[bad & (disc >= 0)]))
        intr = rec["intr"] != -1
        st.add("int_events", per_profile(prof[intr]))
        st.add("int_unexplained", per_profile(prof[intr & ~rec["intr_ok"]]))
        st.add("int_without_reason", per_profile(prof[rec["intr"] == -2]))
        st.add("int_patrol", per_profile(prof[intr & (rec["kind"] == PATROL)]))
        g = rec["gstarts"]
        st.add("check_device_days", per_profile(prof[g]))
        st.add("check_missing", per_profile(prof[g][rec["g_check"] == 0]))
        st.add("check_late", per_profile(prof[g][rec["g_check"] == 1]))
        st.add("recordings_total", [int(n)])

        # ---- access log ----------------------------------------------------------------------
        access = self._access(rng, rec, uploaded, deleted)

        # ---- media table (final state) ---------------------------------------------------------
        mi = np.flatnonzero(media)
        order = mi[np.lexsort((rec["dev"][mi], rec["start"][mi]))]
        table = self._media_table(rec, order, upl, deleted, approval, disc)
        original = redelivery = kinds = None
        if m == 2:
            original, redelivery, kinds = self._redelivery(rng, rec, order, table, upl, d1)
            st.add("integ_sha_changed", per_profile(prof[rec.get("tampered", np.zeros(n, bool))]))
        return MonthOut(media=table, original=original, redelivery=redelivery, redelivery_kinds=kinds,
                        access=access, n_events=n_events)

    def _media_table(self, rec, order, upl, deleted, approval, disc) -> pa.Table:
        w, c = self.w, self.c
        ids = self._month_ids.take(pa.array(order))
        dev = rec["dev"][order]
        off = rec["off"][order]
        lc = rec["label_case"][order]
        case_ids = c.id.take(pa.array(np.maximum(lc, 0)))
        case_ids = pc.if_else(pa.array(lc < 0), pa.scalar(None, pa.string()), case_ids)
        real_case = np.maximum(rec["case"][order], 0)
        party = pc.if_else(pa.array(rec["party"][order]), c.party.take(pa.array(real_case)),
                           pa.scalar(None, pa.string()))
        act = np.maximum(rec["act"][order], 0)
        who = np.where(rec["act"][order] >= 0, self.team_lead[self.a.team[act]], off)
        handler = pc.if_else(pa.array(rec["handler"][order]), self.off_names.take(pa.array(who)),
                             pa.scalar(None, pa.string()))
        up = upl[order]
        dl = deleted[order]
        ds = disc[order]
        refs = pc.binary_join_element_wise(
            "音像删审〔" + str(w.year) + "〕", pa.array((np.arange(len(order)) % 997 + 1).astype(str)), "号", "")
        return pa.table({
            "media_id": ids,
            "device_id": self.dev_ids.take(pa.array(dev)),
            "officer_id": self.off_ids.take(pa.array(off)),
            "recorded_start": ts_array(rec["start"][order]),
            "recorded_end": ts_array(rec["end"][order]),
            "uploaded_at": ts_array(np.maximum(up, 0), up >= 0),
            "case_id": case_ids,
            "party_label": party,
            "handler_label": handler,
            "sha256": rec["sha"].take(pa.array(order)),
            "size_bytes": pa.array(rec["size"][order]),
            "is_evidence": pa.array(rec["evidence"][order]),
            "disc_archived_at": ts_array(np.maximum(ds, 0), ds >= 0),
            "interruption_note": pa.array(rec["note"][order]),
            "deleted_at": ts_array(np.maximum(dl, 0), dl >= 0),
            "delete_approval_ref": pc.if_else(pa.array(approval[order] & (dl >= 0)), refs,
                                              pa.scalar(None, pa.string())),
        })

    def _redelivery(self, rng, rec, order, table, upl, d1):
        """March was first exported at month end; a later re-delivery repeats some rows."""
        w = self.w
        n = len(order)
        month_end = w.t0 + d1 * DAY
        up = upl[order]
        arrived_later = (up >= month_end) & (rec["up"][order] == UP_LATE)
        reup = rec["reupload"][order]
        relabel = rec["relabel"][order]
        tamper_ok = (up >= 0) & ~arrived_later & ~reup & ~relabel & ~rec["evidence"][order]
        tamper = pick_rate(rng, tamper_ok, 0.001, 3)
        t_full = np.zeros(len(rec["dev"]), bool)
        t_full[order[tamper]] = True
        rec["tampered"] = t_full
        cols = {name: table.column(name) for name in table.column_names}
        orig = dict(cols)
        # first delivery: not yet uploaded / first upload time / no labels / the original hash
        upl1 = rec.get("upl1", np.full(len(rec["dev"]), -1))[order]
        first_up = np.where(arrived_later, -1, np.where(reup, upl1, up))
        orig["uploaded_at"] = ts_array(np.maximum(first_up, 0), first_up >= 0)
        null = pa.scalar(None, pa.string())
        for col in ("case_id", "party_label", "handler_label"):
            orig[col] = pc.if_else(pa.array(relabel), null, cols[col])
        other_sha = hex_digests(rng, n)
        orig["sha256"] = pc.if_else(pa.array(tamper), other_sha, cols["sha256"])
        size = table.column("size_bytes").to_numpy()
        orig["size_bytes"] = pa.array(np.where(tamper, (size / rng.uniform(0.7, 0.98, n)).astype(np.int64), size))
        original = pa.table(orig)
        again = arrived_later | reup | relabel | tamper
        redelivery = table.filter(pa.array(again))
        kinds = {"uploaded_after_first_export": int(arrived_later.sum()), "re_uploaded": int(reup.sum()),
                 "labels_added": int(relabel.sum()), "sha256_changed": int(tamper.sum())}
        return original, redelivery, kinds

    def _access(self, rng, rec, uploaded, deleted):
        w = self.w
        src = np.flatnonzero(uploaded)
        src = src[rng.random(len(src)) < self.rates["access"]]
        k = rng.integers(1, 4, len(src))
        src = np.repeat(src, k)
        upl = rec["upl"][src]
        bound = np.where(deleted[src] >= 0, deleted[src] - HOUR, w.export_end)
        t = upl + np.clip(np.exp(rng.normal(np.log(3 * DAY), 1.2, len(src))), 10 * MINUTE, 120 * DAY).astype(np.int64)
        keep = t <= bound
        src, t = src[keep], t[keep]
        unit = w.off_unit[rec["off"][src]]
        who = self.unit_off_first[unit] + (rng.random(len(src)) * self.unit_off_count[unit]).astype(np.int64)
        action = rng.choice(4, len(src), p=[0.85, 0.07, 0.06, 0.02]).astype(np.int8)
        prof = rec["profile"][src]
        noappr = stratified(rng, prof, action > 0, [self.rates["access_no_approval"]], minimum=self.mk) == 0
        approval = (action > 0) & ~noappr
        self.stats.add("acc_total", per_profile(prof))
        for i, name in enumerate(ENUMS["access_action"]):
            self.stats.add(f"acc_{name}", per_profile(prof[action == i]))
        self.stats.add("acc_without_approval", per_profile(prof[noappr]))
        return {"media_id": self._month_ids.take(pa.array(src)), "officer": who, "t": t,
                "action": action, "approval": approval}


def _dedupe(table: pa.Table) -> pa.Table:
    """Drop exact primary-key repeats (device, time, type, file) — sorted input."""
    if table.num_rows < 2:
        return table
    dev = table.column("dev").to_numpy()
    t = table.column("t").to_numpy()
    et = table.column("type").to_numpy()
    f = pc.fill_null(table.column("file_id"), "").combine_chunks()
    same = (dev[1:] == dev[:-1]) & (t[1:] == t[:-1]) & (et[1:] == et[:-1])
    if not same.any():
        return table
    feq = pc.equal(f.slice(1), f.slice(0, len(f) - 1)).to_numpy(zero_copy_only=False)
    dup = np.zeros(table.num_rows, bool)
    dup[1:] = same & feq
    return table.filter(pa.array(~dup))
