"""The review loop (案卷评查, longjiang 第二十二条 检查台账, hebei 第三十条): the reviewers' results
come back as the source spot_check_reviews (contract §2), a review of a case the ledger did not draw
is quarantined, and the ledger tracks each drawn case to its rectification."""

from __future__ import annotations

import hashlib

from conftest import CASES, load, rows, write_csv

SEED, PER_UNIT = 2025, 5  # core/settings.py defaults


def closed_case(case_id: str, closed: str, unit: str = "U2") -> dict:
    return {**CASES[0], "case_id": case_id, "unit_id": unit, "opened_at": "2025-07-01 09:00",
            "closed_at": closed}


def draw(period: str, case_ids: list[str]) -> list[str]:
    """The ledger's draw as rules.md §6 states it: closed cases ordered by md5(seed:period:case_id)."""
    return sorted(case_ids, key=lambda c: hashlib.md5(f"{SEED}:{period}:{c}".encode()).hexdigest())[:PER_UNIT]


def third_quarter(inbox) -> tuple[list[str], list[str]]:
    """Seven cases of U2 closed in 2025Q3: five drawn for the quarter, two not."""
    ids = [f"Q3-{i}" for i in range(1, 8)]
    write_csv(inbox / "cases" / "b_closed.csv", [closed_case(c, f"2025-0{7 + i % 3}-1{i} 10:00") for i, c in enumerate(ids)])
    drawn = draw("2025Q3", ids)
    return drawn, [c for c in ids if c not in drawn]


def test_reviews_load_and_a_case_not_drawn_is_quarantined(inbox, warehouse):
    drawn, not_drawn = third_quarter(inbox)
    write_csv(inbox / "spot_check_reviews" / "reviews.csv", [
        {"评查编号": "R1", "案件编号": drawn[0], "抽查期间": "2025Q3", "评查人": "周敏", "评查时间": "2025-10-20 09:30",
         "评查结论": "不合格", "存在问题": "询问笔录无当事人签名", "整改期限": "2025-11-20", "整改完成时间": ""},
        # a month's workbook prints its quarter's draw: reviewed as 2025-08, checked against 2025Q3
        {"评查编号": "R2", "案件编号": drawn[1], "抽查期间": "2025-08", "评查人": "周敏", "评查时间": "2025-10-21 09:30",
         "评查结论": "合格"},
        {"评查编号": "R3", "案件编号": not_drawn[0], "抽查期间": "2025Q3", "评查结论": "合格"},
        {"评查编号": "R4", "案件编号": "NO-SUCH-CASE", "抽查期间": "2025Q3", "评查结论": "合格"},
        {"评查编号": "R5", "案件编号": drawn[2], "抽查期间": "2025Q5", "评查结论": "合格"},
        # drawn for its quarter, not for the year (the year's draw is its own)
        {"评查编号": "R6", "案件编号": drawn[3], "抽查期间": "2025Q3", "评查结论": "待定"},
        # a row the reviewer has not filled in yet: a drawn case, not reviewed
        {"评查编号": "R7", "案件编号": drawn[4], "抽查期间": "2025Q3"},
    ])
    batch = load(warehouse, inbox)
    assert rows(warehouse, "select review_id, case_id, period, conclusion, rectify_by::varchar from raw_spot_check_reviews "
                           "order by review_id") == [
        ("R1", drawn[0], "2025Q3", "failed", "2025-11-20"), ("R2", drawn[1], "2025-08", "passed", None),
        ("R7", drawn[4], "2025Q3", None, None)]
    reasons = dict(rows(warehouse, "select row_number, reason_codes from quarantine where source = 'spot_check_reviews'"))
    assert reasons == {4: ["not_drawn:case_id"], 5: ["fk:case_id"], 6: ["bad_period:period"], 7: ["bad_enum:conclusion"]}
    zh = rows(warehouse, "select reason_zh from quarantine where row_number = 4 and source = 'spot_check_reviews'")[0][0]
    assert zh == f"案件编号（case_id）：案件“{not_drawn[0]}”未被抽中（该抽查期间（period）的抽查台账未抽取此案）"
    assert sum(f.rows_in for f in batch.files if f.source == "spot_check_reviews") == 7


def test_the_year_is_a_draw_of_its_own(inbox, warehouse):
    """A case drawn for its quarter is not thereby drawn for the year: each period draws anew."""
    drawn, _ = third_quarter(inbox)
    year = draw("2025", [f"Q3-{i}" for i in range(1, 8)])
    write_csv(inbox / "spot_check_reviews" / "reviews.csv", [
        {"review_id": f"Y{i}", "case_id": c, "period": "2025", "conclusion": "passed"} for i, c in enumerate(drawn)])
    load(warehouse, inbox)
    loaded = {r[0] for r in rows(warehouse, "select case_id from raw_spot_check_reviews")}
    assert loaded == set(drawn) & set(year)


# --- the round trip: the workbook's ledger, filled in and returned ---------------------------------

import datetime as dt  # noqa: E402
import shutil  # noqa: E402

import pytest  # noqa: E402
from openpyxl import load_workbook  # noqa: E402

from core.warehouse import connect  # noqa: E402
from orchestration import runner  # noqa: E402
from orchestration.load import load_inbox  # noqa: E402
from orchestration.publish import publish  # noqa: E402
from reports.tables import HEADER_ROWS  # noqa: E402
from reports.workbook import write_workbook  # noqa: E402

AS_OF = dt.date(2025, 12, 31)
D = dt.date


def fill(ws, row: int, **cells) -> None:
    """Fill the reviewer's cells of a ledger row as a reviewer would in Excel (headers of row 3)."""
    where = {c.value: c.column for c in ws[HEADER_ROWS - 1] if c.value}
    for header, value in cells.items():
        ws.cell(row, where[header], value)


def column(ws, header: str) -> list:
    where = {c.value: c.column for c in ws[HEADER_ROWS - 1] if c.value}[header]
    return [ws.cell(r, where).value for r in range(HEADER_ROWS + 1, ws.max_row + 1)]


@pytest.fixture(scope="module")
def unreviewed(samples, tmp_path_factory):
    """The sample year (seed 5) before any review came back: its inbox without the reviews the
    generator writes, loaded, judged and published, so that the ledger below is filled in afresh."""
    root = tmp_path_factory.mktemp("unreviewed")
    shutil.copytree(samples.inbox(5)[0], root / "inbox", ignore=shutil.ignore_patterns("spot_check_reviews"))
    con = connect(root / "wh.duckdb")
    try:
        load_inbox(con, root / "inbox")
        runner.build(con, AS_OF, "hebei")
        return publish(con, root / "wh.duckdb")
    finally:
        con.close()


@pytest.fixture(scope="module")
def returned(unreviewed, tmp_path_factory):
    """The sample year judged; its workbook's ledger filled in by a reviewer and returned to the
    inbox; loaded and judged again. Returns the warehouse, the load's batch and the filled cases."""
    root = tmp_path_factory.mktemp("returned")
    snapshot = unreviewed
    shutil.copy(snapshot.with_name("wh.duckdb"), root / "wh.duckdb")
    write_workbook(snapshot, "2025", root / "given.xlsx")
    wb = load_workbook(root / "given.xlsx")
    ws = wb["抽查台账"]
    cases = [c for c in column(ws, "案件编号") if c and not str(c).startswith("注")]
    first = HEADER_ROWS + 1
    fill(ws, first, 评查结论="合格", 评查人="周敏", 评查时间=D(2025, 10, 20))
    fill(ws, first + 1, 评查结论="不合格", 存在问题="询问笔录无当事人签名", 评查人="周敏", 评查时间=D(2025, 10, 20),
         整改期限=D(2025, 11, 20), 整改完成时间=D(2025, 11, 28))  # put right late
    fill(ws, first + 2, 评查结论="不合格", 存在问题="-1+1 询问笔录缺页", 评查人="周敏", 评查时间=D(2025, 10, 21),
         整改期限=D(2025, 12, 10))  # overdue
    fill(ws, first + 3, 评查结论="基本合格", 评查人="吴刚", 评查时间=D(2025, 11, 2))  # no deadline: nothing to put right
    fill(ws, first + 4, 评查结论="不合格", 评查人="吴刚", 评查时间=D(2025, 12, 1), 整改期限=D(2026, 1, 5))  # due in 5 days
    fill(ws, first + 5, 评查结论="不合格", 评查人="吴刚", 评查时间=D(2025, 12, 1))  # due 30 days on: 31 Dec 2025 24:00
    fill(ws, first + 6, 评查结论="合格", 评查人="吴刚", 评查时间=D(2026, 1, 8))  # after as_of: not yet reviewed
    inbox = root / "inbox"
    (inbox / "spot_check_reviews").mkdir(parents=True)
    wb.save(inbox / "spot_check_reviews" / "抽查台账（已评查）.xlsx")
    con = connect(root / "wh.duckdb")
    try:
        batch = load_inbox(con, inbox)
        runner.build(con, AS_OF, "hebei")
        publish(con, root / "wh.duckdb")
    finally:
        con.close()
    return root, batch, cases


def test_the_filled_in_ledger_loads_as_the_reviews(returned):
    """contract §2: the workbook's 抽查台账 sheet, filled in and saved, is a valid delivery of
    spot_check_reviews: read below its title rows, to the notes under it, every drawn case a row."""
    root, batch, cases = returned
    (f,) = batch.files
    assert (f.source, f.outcome, f.rows_in, f.rows_loaded, f.rows_quarantined) == (
        "spot_check_reviews", "loaded", len(cases), len(cases), 0)
    con = connect(root / "wh.duckdb", read_only=True)
    try:
        got = con.execute("select review_id, case_id, period, reviewer, reviewed_at, conclusion, problems, rectify_by, "
                          "rectified_at from raw_spot_check_reviews where conclusion is not null order by review_id").fetchall()
    finally:
        con.close()
    assert len(got) == 7
    by_case = {r[1]: r for r in got}
    assert by_case[cases[1]] == (f"2025:{cases[1]}", cases[1], "2025", "周敏", dt.datetime(2025, 10, 20), "failed",
                                 "询问笔录无当事人签名", D(2025, 11, 20), dt.datetime(2025, 11, 28))
    assert by_case[cases[2]][6] == "-1+1 询问笔录缺页"


def test_each_drawn_case_tracks_its_review_to_rectification(returned):
    """longjiang 第二十二条 (检查台账 records what the checks found), hebei 第三十条 (案卷评查): each
    drawn case's review and where its rectification stands as of 31 December 2025."""
    root, _, cases = returned
    con = connect(root / "wh.duckdb", read_only=True)
    try:
        got = dict((r[0], r[1:]) for r in con.execute("""
            select case_id, review_status, rectify_due_at, rectification_status from mart_spot_check_ledger
            where period_type = 'year' and period = '2025' and list_contains($cases, case_id)""",
            {"cases": cases[:8]}).fetchall())
        warnings = con.execute("select case_id, level, due_at from mart_warnings where kind = 'rectification' "
                               "order by case_id").fetchall()
    finally:
        con.close()
    T = dt.datetime
    assert [got[c] for c in cases[:8]] == [
        ("passed", None, "not_required"),
        ("failed", T(2025, 11, 21), "late"),
        ("failed", T(2025, 12, 11), "overdue"),
        ("basically_passed", None, "not_required"),
        ("failed", T(2026, 1, 6), "pending"),
        # due at the end of the 30th day after 1 December, which is as_of: a deadline at the end of
        # as_of has passed (contract §3)
        ("failed", T(2026, 1, 1), "overdue"),
        ("not_reviewed", None, None),  # reviewed on 8 January 2026, after as_of
        ("not_reviewed", None, None),
    ]
    assert warnings == sorted([(cases[2], "red", T(2025, 12, 11)), (cases[4], "yellow", T(2026, 1, 6)),
                               (cases[5], "red", T(2026, 1, 1))])


def test_the_english_ledger_is_a_form_too(unreviewed, tmp_path):
    """The English workbook's ledger reads back as well: its headers are the contract's column names
    and its conclusions the English words its list offers."""
    snapshot = unreviewed
    shutil.copy(snapshot.with_name("wh.duckdb"), tmp_path / "wh.duckdb")
    write_workbook(snapshot, "2025", tmp_path / "en.xlsx", lang="en")
    wb = load_workbook(tmp_path / "en.xlsx")
    ws = wb["Spot-check ledger"]
    assert ws.data_validations.dataValidation[0].formula1 == '"passed,basically passed,failed"'
    fill(ws, HEADER_ROWS + 1, Conclusion="basically passed", Reviewer="Zhou Min", **{"Reviewed at": D(2025, 10, 20)})
    (tmp_path / "inbox" / "spot_check_reviews").mkdir(parents=True)
    wb.save(tmp_path / "inbox" / "spot_check_reviews" / "ledger.xlsx")
    con = connect(tmp_path / "wh.duckdb")
    try:
        (f,) = load_inbox(con, tmp_path / "inbox").files
        got = con.execute("select conclusion, reviewer, reviewed_at from raw_spot_check_reviews "
                          "where conclusion is not null").fetchall()
    finally:
        con.close()
    assert f.rows_quarantined == 0 and got == [("basically_passed", "Zhou Min", dt.datetime(2025, 10, 20))]
