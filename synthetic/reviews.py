"""案卷评查 results (spot_check_reviews): the reviewers' returned ledgers, one per review round, for
the closed cases the warehouse's spot-check ledger draws.

The draw is made here as models/macros/spot_check.sql makes it (rules.md §8: per unit and period,
the closed cases ordered by md5(seed:period:case_id), the first spot_check_per_unit), from the cases
as the warehouse keeps them: every row written to cases/ loads (malformed rows carry fresh ids and
are quarantined, and no case is re-delivered), so the draw is taken from that table. Seed and size
are the documented defaults (core.settings.Settings()), not the environment's, as DEFAULT_PROFILE
is: `recwatch demo` runs on defaults, and a deployment that changes them draws other cases and
quarantines these reviews as not drawn.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from core.settings import Settings

from . import vocab
from .util import DAY, days_in_year, group_rank, next_workday, office_time, uniform_int, year_start

SETTINGS = Settings()
SEED, PER_UNIT = SETTINGS.spot_check_seed, SETTINGS.spot_check_per_unit
RECTIFY_DAYS, WARN_DAYS = SETTINGS.review_rectify_days, SETTINGS.review_warn_days
CONCLUSIONS = ("passed", "basically_passed", "failed")
STATUSES = ("not_required", "on_time", "late", "pending", "overdue")
# A quarter's cases are reviewed in the quarter after it; the year's (年度案卷评查) in November and
# December, of the cases closed by then. The fourth quarter would be reviewed in January: not yet.
ROUNDS = {"Q1": ("04-08", "05-23"), "Q2": ("07-07", "08-22"), "Q3": ("10-09", "11-21"), "": ("11-10", "12-19")}

# What reviewers write under 存在问题: defects that fail a case file, and slips that leave it
# basically passed. A simple-procedure (简易程序) file has a decision and little else.
FAILED_GENERAL = [
    "询问笔录未由当事人签名确认", "现场检查笔录缺执法人员签名", "音像记录未随案归档", "送达回证缺见证人签名",
    "未制作行政处罚事先告知书", "立案审批晚于调查取证", "证据登记保存清单未载明物品数量规格",
    "重大案件未经法制审核", "集体讨论记录缺参会人员签名", "执法音像记录与笔录记载时间不一致",
    "扣押决定书未告知救济途径", "案件超过规定期限未归档", "询问笔录仅有一名执法人员签名",
    "现场检查笔录未记载执法证件号码",
]
FAILED_SIMPLE = [
    "当场处罚决定书未由当事人签名", "当场处罚决定书未载明当事人陈述申辩情况", "音像记录未随案归档",
    "当场处罚未按规定报所属行政机关备案", "执法人员未出示执法证件的情况未记录",
]
MINOR = [
    "卷内文书目录不完整", "案卷装订顺序不规范", "个别文书日期书写不规范", "现场照片未注明拍摄时间地点",
    "文书涂改处未经当事人捺印", "音像证据文字说明不够具体", "引用法律条款未具体到项", "卷宗封面填写不完整",
]


@dataclass
class Draw:
    """One period's draw: the drawn cases (indices into the cases table) with their unit and place
    in the unit's draw, and per unit the first case not drawn (-1: none)."""
    case: np.ndarray
    unit: np.ndarray
    rank: np.ndarray
    undrawn: dict[str, int]


@dataclass
class Reviews:
    tables: dict[str, pa.Table]  # period → the round's returned ledger
    undrawn: tuple[str, pa.Table] | None  # a review of a case not drawn: period, the row
    summary: dict


def periods(year: int) -> list[str]:
    return [f"{year}Q{q}" for q in range(1, 5)] + [str(year)]


def draw(case_id: list[str], unit: pa.Array, closed_t: np.ndarray, year: int) -> dict[str, Draw]:
    """The ledger's draw for each quarter and the year of `year` (macros/spot_check.sql), each
    period's drawn cases in the order of their unit's id, then of their place in the draw."""
    enc = pc.dictionary_encode(unit)
    names = np.array(enc.dictionary.to_pylist(), dtype=object)
    code = np.argsort(np.argsort(names))[enc.indices.to_numpy()]  # numbered in the order of the ids
    names = np.sort(names)
    closed = closed_t >= 0
    when = np.where(closed, closed_t, 0).astype("datetime64[s]")
    in_year = closed & (when.astype("datetime64[Y]").astype(np.int64) + 1970 == year)
    quarter = when.astype("datetime64[M]").astype(np.int64) % 12 // 3 + 1
    out = {}
    for period in periods(year):
        idx = np.flatnonzero(in_year & ((quarter == int(period[-1])) if "Q" in period else True))
        # the hex digests' order is their bytes' order: two big-endian words sort as fast as numbers
        digest = b"".join(hashlib.md5(f"{SEED}:{period}:{case_id[i]}".encode()).digest() for i in idx)
        words = np.frombuffer(digest, dtype=">u8").reshape(-1, 2)
        order = np.lexsort((words[:, 1], words[:, 0], code[idx]))
        idx = idx[order]
        units = names[code[idx]].astype(str)
        rank = group_rank(code[idx])
        first_out = rank == PER_UNIT
        take = rank < PER_UNIT
        out[period] = Draw(idx[take], units[take], rank[take] + 1,
                           dict(zip(units[first_out].tolist(), idx[first_out].tolist())))
    return out


def build(cases: pa.Table, year: int, rng: np.random.Generator, counter: list[int]) -> Reviews:
    """The rounds' ledgers for `cases` (case_id, unit_id, procedure, closed_at as written)."""
    t0, n_days = year_start(year), days_in_year(year)
    case_id = cases.column("case_id").to_pylist()
    unit = cases.column("unit_id").combine_chunks()
    simple = np.array(cases.column("procedure").to_pylist(), dtype=object) == "simple"
    closed_at = cases.column("closed_at").cast(pa.timestamp("s")).cast(pa.int64())
    closed_t = closed_at.fill_null(-1).to_numpy()
    draws = draw(case_id, unit, closed_t, year)
    pool = _reviewers(rng, max(4, 2 * int(np.ceil(len(pc.unique(unit)) / 20))))

    tables, rows_by_period, undrawn = {}, {}, None
    for suffix, (first, last) in ROUNDS.items():
        period = f"{year}{suffix}"
        d = draws[period]
        day0 = int((np.datetime64(f"{year}-{first}") - np.datetime64(f"{year}-01-01")).astype(int))
        day1 = int((np.datetime64(f"{year}-{last}") - np.datetime64(f"{year}-01-01")).astype(int))
        units = np.unique(d.unit)
        # the review groups visit the units one after another across the round
        session = np.empty(len(units), np.int64)
        session[rng.permutation(len(units))] = day0 + np.arange(len(units)) * (day1 - day0) // max(len(units), 1)
        session = next_workday(t0, np.minimum(session + rng.integers(0, 3, len(units)), day1))
        groups = rng.permutation(len(pool))[: len(pool) // 2 * 2].reshape(-1, 2)
        group_names = np.array(["、".join(pool[g] for g in pair) for pair in groups], dtype=object)
        u = np.searchsorted(units, d.unit)
        reviewer = group_names[u % len(group_names)]
        n = len(d.case)
        day = session[u]
        # five files are a day's work and a little more: a unit's last ones often wait for the next day
        day = np.where((d.rank > 3) & (rng.random(n) < 0.5), next_workday(t0, day + 1), day)
        reviewed_t = t0 + day * DAY + office_time(rng, n)
        # the year's round reviews the cases closed before its day; the rest wait. Of the others a few
        # come back as an empty row (the file not pulled yet), a few are left off the returned ledger
        fate = rng.random(n)
        eligible = closed_t[d.case] < t0 + day * DAY
        blank = eligible & (fate < 0.03)
        reviewed = eligible & (fate >= 0.06)
        p_failed, p_basic = rng.beta(2, 13, len(units)), rng.beta(3, 12, len(units))
        c = rng.random(n)
        conclusion = np.where(c < p_failed[u], 2, np.where(c < p_failed[u] + p_basic[u], 1, 0))
        conclusion = np.where(reviewed, conclusion, -1)
        # every round finds something to put right
        short = 2 - int((conclusion == 2).sum())
        if short > 0:
            conclusion[rng.permutation(np.flatnonzero((conclusion >= 0) & (conclusion < 2)))[:short]] = 2
        with_deadline = ((conclusion == 2) & (rng.random(n) < 0.85)) | ((conclusion == 1) & (rng.random(n) < 0.3))
        rectify_by = np.where(with_deadline, day + uniform_int(rng, 15, 30, n), -1)
        required = (conclusion == 2) | ((conclusion == 1) & with_deadline)
        due = np.where(rectify_by >= 0, rectify_by + 1, day + 1 + RECTIFY_DAYS)
        # most units put it right within the time given, some after it, a few not at all; a day
        # after the year's end has not come yet (nothing in the exports happens later), so a
        # rectification due in January is mostly still under way
        r = rng.random(n)
        on_day = day + 1 + np.floor(rng.uniform(0.2, 1.0, n) * (due - day - 2)).astype(np.int64)
        late_day = due + uniform_int(rng, 1, 25, n)
        done = np.where(r < 0.65, on_day, np.where(r < 0.85, late_day, -1))
        done = np.where(done < n_days, done, -1)
        done = np.where(required, done, -1)
        if suffix == "":
            # the year's round, reviewed in the year's last weeks, always shows at the year's end a
            # rectification overdue and one under way, however few cases fail
            _one_open(conclusion, rectify_by, required, due, done, day, reviewed_t, n_days, overdue=True)
            _one_open(conclusion, rectify_by, required, due, done, day, reviewed_t, n_days, overdue=False)
        rectified_t = np.where(done >= 0, t0 + done * DAY + office_time(rng, n), -1)
        problems = _problems(rng, conclusion, simple[d.case])

        keep = reviewed | blank
        order = np.flatnonzero(keep)  # the ledger's order: unit, then place in the draw
        ids = [f"PC{period}-{k + 1:04d}" for k in range(len(order))]
        filled = conclusion[order] >= 0
        rows = {
            "review_id": ids,
            "case_id": [case_id[i] for i in d.case[order]],
            "period": [period] * len(order),
            "reviewer": np.where(filled, reviewer[order], None).tolist(),
            "reviewed_at": _ts(np.where(filled, reviewed_t[order], -1)),
            "conclusion": [CONCLUSIONS[k] if k >= 0 else None for k in conclusion[order]],
            "problems": [problems[i] for i in order],
            "rectify_by": _date(np.where(filled, rectify_by[order], -1), year),
            "rectified_at": _ts(rectified_t[order]),
        }
        tables[period] = pa.table(rows)
        rows_by_period[period] = {
            "drawn": n, "units": len(units), "closed_after_review_day": int((~eligible).sum()),
            "conclusion": conclusion, "status": _status(conclusion, required, rectified_t, due, t0, n_days),
            "due": due, "rows": len(order), "blank": int(blank.sum()),
        }
        if suffix == "":
            undrawn = _undrawn(rng, d, period, tables[period], closed_t, session, units, case_id, counter, t0)

    summary = _summary(draws, rows_by_period, year)
    return Reviews(tables, undrawn, summary)


def _reviewers(rng: np.random.Generator, n: int) -> list[str]:
    """The oversight office's reviewers (评查人员), distinct names."""
    names = list(dict.fromkeys(vocab.person_names(rng, 4 * n).to_pylist()))
    return names[:n]


def _one_open(conclusion, rectify_by, required, due, done, day, reviewed_t, n_days: int, overdue: bool) -> None:
    """Make sure one rectification is open at the year's end, past its due day (`overdue`) or not
    yet due: one already so; else one put right is left undone; else the earliest (latest) review
    becomes a failure with a fortnight (a month) to put it right."""
    past = due <= n_days if overdue else due > n_days
    if (required & (done < 0) & past).any():
        return
    cand = np.flatnonzero(required & past)
    if len(cand):
        done[cand[np.argmin(due[cand]) if overdue else np.argmax(due[cand])]] = -1
        return
    days = 15 if overdue else RECTIFY_DAYS
    cand = np.flatnonzero((conclusion >= 0) & ~required & ((day + days + 1 <= n_days) if overdue
                                                            else (day + days + 1 > n_days)))
    if len(cand):
        i = cand[np.argmin(reviewed_t[cand]) if overdue else np.argmax(reviewed_t[cand])]
        conclusion[i], rectify_by[i], required[i], due[i], done[i] = 2, day[i] + days, True, day[i] + days + 1, -1


def _problems(rng: np.random.Generator, conclusion: np.ndarray, simple: np.ndarray) -> list[str | None]:
    out: list[str | None] = []
    k = rng.choice([1, 2, 3], len(conclusion), p=[0.5, 0.35, 0.15])
    for i, c in enumerate(conclusion):
        if c == 2:
            words = FAILED_SIMPLE if simple[i] else FAILED_GENERAL
            picked = rng.permutation(len(words))[: min(k[i], len(words))]
            out.append("；".join(words[j] for j in sorted(picked)))
        elif c == 1:
            out.append(MINOR[rng.integers(0, len(MINOR))])
        else:
            out.append(None)
    return out


def _status(conclusion, required, rectified_t, due, t0: int, n_days: int) -> np.ndarray:
    """Where each rectification stands at the end of the year (rules.md §8), -1 not reviewed."""
    due_t = t0 + due * DAY  # the due moment: the end of the deadline's day
    status = np.where(~required, 0, np.where(rectified_t >= 0, np.where(rectified_t < due_t, 1, 2),
                                             np.where(due <= n_days, 4, 3)))
    return np.where(conclusion >= 0, status, -1)


def _undrawn(rng, d: Draw, period: str, table: pa.Table, closed_t, session, units, case_id, counter, t0):
    """A reviewer pulls the next case file of a unit, one its draw did not take, and reviews it too:
    a copy of the unit's first review with that case and a fresh id (the loader quarantines it)."""
    unit_of = dict(zip((case_id[i] for i in d.case), d.unit.tolist()))
    first = {}
    for row, (c, conclusion) in enumerate(zip(table.column("case_id").to_pylist(),
                                              table.column("conclusion").to_pylist())):
        if conclusion is not None:
            first.setdefault(unit_of[c], row)
    for j in rng.permutation(len(units)):
        u, i = units[j], d.undrawn.get(units[j], -1)
        if i < 0 or u not in first or closed_t[i] >= t0 + session[j] * DAY:
            continue  # the unit's draw took all its cases, or the next one closed after the review
        row = table.slice(first[u], 1).to_pylist()[0]
        row.update(review_id=f"{row['review_id']}-{counter[0]}", case_id=case_id[i], conclusion="passed",
                   problems=None, rectify_by=None, rectified_at=None,
                   reviewed_at=row["reviewed_at"] + dt.timedelta(minutes=40))
        counter[0] += 1
        return period, pa.Table.from_pylist([row], schema=table.schema)
    return None


def _ts(sec: np.ndarray) -> pa.Array:
    sec = np.asarray(sec, np.int64)
    return pa.array(np.maximum(sec, 0).astype("datetime64[s]"), pa.timestamp("s"), mask=sec < 0)


def _date(day: np.ndarray, year: int) -> pa.Array:
    day = np.asarray(day, np.int64)
    dates = np.datetime64(f"{year}-01-01") + np.maximum(day, 0).astype("timedelta64[D]")
    return pa.array(dates, pa.date32(), mask=day < 0)


def _summary(draws: dict[str, Draw], reviewed: dict[str, dict], year: int) -> dict:
    """`_planted.json` reviews: per period what was drawn, reviewed, concluded and put right, as
    of the end of the year; and the rectification warnings (mart_warnings kind rectification)."""
    out = {}
    red = yellow = 0
    for period in periods(year):
        d = draws[period]
        entry = {"units": len(set(d.unit.tolist())), "drawn": len(d.case)}
        r = reviewed.get(period)
        if r is None:
            entry.update(rows=0, reviewed=0, not_reviewed=len(d.case), **{c: 0 for c in CONCLUSIONS},
                         rectification={s: 0 for s in STATUSES})
        else:
            c, s = r["conclusion"], r["status"]
            entry.update(rows=r["rows"], reviewed=int((c >= 0).sum()), not_reviewed=int((c < 0).sum()),
                         blank_rows=r["blank"], closed_after_review_day=r["closed_after_review_day"],
                         **{name: int((c == k).sum()) for k, name in enumerate(CONCLUSIONS)},
                         rectification={name: int((s == k).sum()) for k, name in enumerate(STATUSES)})
            red += int((s == 4).sum())
            yellow += int(((s == 3) & (r["due"] <= days_in_year(year) + WARN_DAYS)).sum())
        out[period] = entry
    total = {k: sum(out[p][k] for p in out) for k in ("drawn", "rows", "reviewed", "not_reviewed", *CONCLUSIONS)}
    total["rectification"] = {s: sum(out[p]["rectification"][s] for p in out) for s in STATUSES}
    return {"seed": SEED, "per_unit": PER_UNIT, "rectify_days": RECTIFY_DAYS, "by_period": out, "total": total,
            "overdue": total["rectification"]["overdue"],
            "warnings": {"red": red, "yellow": yellow}}
