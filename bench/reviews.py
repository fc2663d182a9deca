"""Reviewers' results for a snapshot's spot-check ledger, made up: one review per drawn case (some
left unreviewed), a mix of conclusions, deadlines and rectifications done on time, late or not at
all, so that a ledger built without reviews (the generator makes none) can be shown and measured
filled in. Deterministic: each case's lot is md5 of its ledger period and id.

    python -m bench.reviews SNAPSHOT INBOX    # writes INBOX/spot_check_reviews/reviews.csv

then `recwatch run --inbox INBOX --warehouse …` loads them beside what the warehouse holds.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
from pathlib import Path

import duckdb

REVIEWERS = ("周敏", "吴刚", "郑洁", "王磊", "陈静")
PROBLEMS = ("询问笔录无当事人签名", "现场检查笔录缺少执法人员签名", "音像记录未随案归档", "送达回证缺失",
            "证据材料未编号", "处罚决定书未载明救济途径")
COLUMNS = ("review_id", "case_id", "period", "reviewer", "reviewed_at", "conclusion", "problems", "rectify_by",
           "rectified_at")


def _lot(period: str, case_id: str, salt: str) -> int:
    return int(hashlib.md5(f"{salt}:{period}:{case_id}".encode()).hexdigest()[:8], 16) % 100


def reviews(snapshot: Path) -> list[dict]:
    """A review per drawn case of the snapshot's ledger (none for about one in ten): reviewed 3 to 45
    days after the case closed; about 55 % passed, 20 % basically passed (a third of them with a
    deadline), 25 % failed; of those to put right, 40 % done on time, 20 % late, the rest not yet."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        drawn = con.execute("select period, case_id, closed_at from mart_spot_check_ledger "
                            "order by period_type, period, unit_id, draw_rank").fetchall()
    finally:
        con.close()
    out = []
    for period, case_id, closed_at in drawn:
        lot = _lot(period, case_id, "conclusion")
        if lot < 10:
            continue
        reviewed = dt.datetime.combine(closed_at.date() + dt.timedelta(days=3 + _lot(period, case_id, "day") % 43),
                                       dt.time(9, 30))
        conclusion = "passed" if lot < 65 else "basically_passed" if lot < 85 else "failed"
        deadline = conclusion == "failed" or (conclusion == "basically_passed" and lot < 72)
        rectify_by = reviewed.date() + dt.timedelta(days=(15, 20, 30)[lot % 3]) if deadline else None
        done = _lot(period, case_id, "done")
        rectified = (None if not deadline or done >= 60 else
                     reviewed + dt.timedelta(days=1 + done % 10) if done < 40 else
                     dt.datetime.combine(rectify_by + dt.timedelta(days=1 + done % 9), dt.time(16, 0)))
        out.append({"review_id": f"{period}:{case_id}", "case_id": case_id, "period": period,
                    "reviewer": REVIEWERS[lot % len(REVIEWERS)], "reviewed_at": f"{reviewed:%Y-%m-%d %H:%M:%S}",
                    "conclusion": conclusion,
                    "problems": PROBLEMS[lot % len(PROBLEMS)] if conclusion != "passed" else "",
                    "rectify_by": f"{rectify_by:%Y-%m-%d}" if rectify_by else "",
                    "rectified_at": f"{rectified:%Y-%m-%d %H:%M:%S}" if rectified else ""})
    return out


def write(snapshot: Path, inbox: Path) -> Path:
    """The reviews as a delivery of spot_check_reviews in `inbox`."""
    path = inbox / "spot_check_reviews" / "reviews.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(reviews(snapshot))
    return path


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reviews", description=__doc__.splitlines()[0])
    parser.add_argument("snapshot", type=Path)
    parser.add_argument("inbox", type=Path)
    args = parser.parse_args()
    print(write(args.snapshot, args.inbox))


if __name__ == "__main__":
    main()
