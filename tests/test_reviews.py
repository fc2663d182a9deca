"""The review loop (案卷评查, longjiang 第二十二条 检查台账, hebei 第三十条): the reviewers' results
come back as the source spot_check_reviews (contract §2), a review of a case the ledger did not draw
is quarantined, and the ledger tracks each drawn case to its rectification."""

from __future__ import annotations

import hashlib

from conftest import CASES, T, load, rows, write_csv

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
        # dates typed by hand, without a time: that day at 00:00 (a review's date is a day)
        {"评查编号": "R8", "案件编号": drawn[2], "抽查期间": "2025Q3", "评查时间": "2025年10月22日",
         "评查结论": "基本合格", "整改期限": "2025/11/5", "整改完成时间": "2025-11-03"},
    ])
    batch = load(warehouse, inbox)
    assert rows(warehouse, "select review_id, case_id, period, conclusion, rectify_by::varchar from raw_spot_check_reviews "
                           "order by review_id") == [
        ("R1", drawn[0], "2025Q3", "failed", "2025-11-20"), ("R2", drawn[1], "2025-08", "passed", None),
        ("R7", drawn[4], "2025Q3", None, None), ("R8", drawn[2], "2025Q3", "basically_passed", "2025-11-05")]
    assert rows(warehouse, "select reviewed_at, rectified_at from raw_spot_check_reviews where review_id = 'R8'") == [
        (T(2025, 10, 22), T(2025, 11, 3))]
    reasons = dict(rows(warehouse, "select row_number, reason_codes from quarantine where source = 'spot_check_reviews'"))
    assert reasons == {4: ["not_drawn:case_id"], 5: ["fk:case_id"], 6: ["bad_period:period"], 7: ["bad_enum:conclusion"]}
    zh = rows(warehouse, "select reason_zh from quarantine where row_number = 4 and source = 'spot_check_reviews'")[0][0]
    assert zh == f"案件编号（case_id）：案件“{not_drawn[0]}”未被抽中（该抽查期间（period）的抽查台账未抽取此案）"
    assert sum(f.rows_in for f in batch.files if f.source == "spot_check_reviews") == 8


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

import duckdb  # noqa: E402
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
    # the reviewer names the party in the problems: outputs mask it there too (rules.md R-SEC)
    con = duckdb.connect(str(snapshot), read_only=True)
    party = con.execute("select party_name from dim_cases where case_id = ?", [cases[2]]).fetchone()[0]
    con.close()
    fill(ws, first + 2, 评查结论="不合格", 存在问题=f"-1+1 询问笔录缺页，当事人{party}未签名", 评查人="周敏",
         评查时间=D(2025, 10, 21), 整改期限=D(2025, 12, 10))  # overdue
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
    return root, batch, cases, party


def test_the_filled_in_ledger_loads_as_the_reviews(returned):
    """contract §2: the workbook's 抽查台账 sheet, filled in and saved, is a valid delivery of
    spot_check_reviews: read below its title rows, to the notes under it, every drawn case a row."""
    root, batch, cases, party = returned
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
    assert by_case[cases[2]][6] == f"-1+1 询问笔录缺页，当事人{party}未签名"


def test_each_drawn_case_tracks_its_review_to_rectification(returned):
    """longjiang 第二十二条 (检查台账 records what the checks found), hebei 第三十条 (案卷评查): each
    drawn case's review and where its rectification stands as of 31 December 2025."""
    root, _, cases, _ = returned
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


@pytest.fixture(scope="module")
def rewritten(returned):
    """The workbook written again from the snapshot with the reviews judged."""
    root = returned[0]
    write_workbook(root / "wh.published.duckdb", "2025", root / "again.xlsx")
    return load_workbook(root / "again.xlsx")


def test_the_workbook_shows_each_review_and_masks_the_party_in_its_problems(returned, rewritten):
    root, _, cases, party = returned
    ws = rewritten["抽查台账"]
    rows = {r[1]: r for r in ws.iter_rows(min_row=HEADER_ROWS + 1, values_only=True) if isinstance(r[0], int)}
    assert [rows[c][11] for c in cases[:4]] == ["合格", "不合格", "不合格", "基本合格"]
    assert [rows[c][17] for c in cases[:4]] == ["无需整改", "逾期完成整改", "逾期未整改", "无需整改"]
    masked = party[:1] + "某某"
    # the problems are written as text, a leading - made inert (no formula), the party's name masked
    assert rows[cases[2]][12] == f"'-1+1 询问笔录缺页，当事人{masked}未签名" or \
        rows[cases[2]][12] == f"-1+1 询问笔录缺页，当事人{masked}未签名"
    assert party not in str(list(ws.values)) or len(party) == 1
    # the review's id comes back as written, so returning this sheet replaces the same reviews
    assert rows[cases[1]][18] == f"2025:{cases[1]}"


def test_the_review_summary_counts_the_units_ledger(returned, rewritten):
    root, _, cases, _ = returned
    con = duckdb.connect(str(root / "wh.published.duckdb"), read_only=True)
    try:
        want = con.execute("""select sum(drawn), sum(reviewed), sum(passed), sum(basically_passed), sum(failed),
                                     sum(rectification_overdue) from mart_unit_period_spot_checks
                              where period_type = 'year' and period = '2025'""").fetchone()
        rates = dict(con.execute("select unit_id, review_pass_rate from mart_unit_period_scorecard "
                                 "where period_type = 'year' and period = '2025'").fetchall())
    finally:
        con.close()
    assert want == (len(cases), 6, 1, 1, 4, 2)
    ws = rewritten["评查汇总"]
    total = next(r for r in ws.iter_rows(values_only=True) if r[0] == "合计")
    assert (total[2], total[3], total[4], total[5], total[6], total[7]) == (*want[:5], 2 / 6)
    assert total[12] == 2  # overdue
    card = rewritten["汇总"]
    head = [c.value for c in card[HEADER_ROWS - 1]]
    at = head.index("案卷评查合格率")
    shown = {r[2]: r[at] for r in card.iter_rows(min_row=HEADER_ROWS + 1, values_only=True) if isinstance(r[0], int)}
    assert shown == {u: rates[u] for u in shown} and any(v is not None for v in shown.values())


def test_the_notices_tell_each_unit_its_cases_to_put_right(returned, tmp_path):
    """The rectification notice (整改通知书) of a unit lists its drawn cases that failed review (or
    passed basically with a deadline), each with its problems, deadline and where it stands."""
    import docx

    from reports.notices import write_notices

    root, _, cases, party = returned
    out = write_notices(root / "wh.published.duckdb", "2025", tmp_path, date=D(2026, 1, 5))
    text = "\n".join(p.text for path in out["paths"] for p in docx.Document(path).paragraphs)
    assert f"案件{cases[1]}，评查结论为不合格。存在问题：询问笔录无当事人签名。整改期限2025年11月20日，逾期完成整改。" in text
    assert f"当事人{party[:1]}某某未签名" in text and (len(party) == 1 or party not in text)
    assert f"案件{cases[3]}" not in text  # basically passed with no deadline: nothing to put right
    assert f"案件{cases[4]}，评查结论为不合格。存在问题：评查未写明问题。整改期限2026年1月5日，整改中。" in text


def test_the_review_pass_rate_weighs_in_the_score_only_when_an_office_says_so(returned, tmp_path):
    """review_weight 0 (the default) leaves the score the rules'; with 20 the pass rate is weighed in
    as the profile's weights are: 100 × (Σ w·rate + 20 × p) ÷ (Σ w + 20) (docs/rules.md §8)."""
    from core.settings import Settings

    root = returned[0]
    shutil.copy(root / "wh.duckdb", tmp_path / "wh.duckdb")
    con = connect(tmp_path / "wh.duckdb")
    try:
        before = dict(con.execute("select unit_id, score from mart_unit_period_scorecard "
                                  "where period_type = 'year' and period = '2025'").fetchall())
        parts = con.execute("""
            select s.unit_id, sum(cast(w.weight as double) * r.compliant / r.judged), sum(cast(w.weight as double)),
                   any_value(s.review_pass_rate)
            from (select unit_id, family, sum(compliant) as compliant, sum(judged) as judged
                  from mart_unit_rule_period_rates where level = 'violation' and period_type = 'year' and period = '2025'
                  group by all) r
            join int_units u using (unit_id)
            join rules_scoring_weights w on w.profile_id = u.profile_id and w.family = r.family
            join mart_unit_period_scorecard s on s.unit_id = r.unit_id and s.period_type = 'year' and s.period = '2025'
            group by s.unit_id""").fetchall()
        runner.build(con, AS_OF, "hebei", settings=Settings(review_weight=20))
        after = dict(con.execute("select unit_id, score from mart_unit_period_scorecard "
                                 "where period_type = 'year' and period = '2025'").fetchall())
    finally:
        con.close()
    assert any(p is not None for *_, p in parts)
    for unit, weighted, weights, p in parts:
        assert before[unit] == round(100 * weighted / weights, 2)
        assert after[unit] == (round(100 * (weighted + 20 * p) / (weights + 20), 2) if p is not None else before[unit])


# --- the draw holds still: a period is drawn once it has ended ------------------------------------

def test_a_period_is_drawn_once_it_has_ended_and_no_review_is_dropped(tmp_path):
    """rules.md §8: a quarter still open at as_of has no ledger yet (a case closing later in it could
    displace a drawn one); a review of a case the ledger does not draw is counted apart."""
    from modelkit import CASE, build, world

    cases = [{**CASE, "case_id": f"C{i}", "opened_at": dt.datetime(2025, 7, 1, 9),
              "closed_at": dt.datetime(2025, 7 + i % 5, 2, 9)} for i in range(1, 9)]  # July to November
    third = draw("2025Q3", [c["case_id"] for c in cases if c["closed_at"].month <= 9])
    undrawn = next(c["case_id"] for c in cases if c["closed_at"].month > 9)
    reviews = [{"review_id": "R1", "case_id": third[0], "period": "2025Q3", "conclusion": "failed",
                "reviewed_at": dt.datetime(2025, 10, 9, 10)},
               {"review_id": "R2", "case_id": undrawn, "period": "2025Q4", "conclusion": "passed",
                "reviewed_at": dt.datetime(2025, 11, 3, 10)}]
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    try:
        build(con, world(cases=cases, spot_check_reviews=reviews), as_of=dt.date(2025, 11, 15))
        ledgers = con.execute("select distinct period from mart_spot_check_ledger order by period").fetchall()
        status = con.execute("select period, drawn, reviewed, failed, reviews_outside_draw "
                             "from mart_unit_period_spot_checks order by period").fetchall()
        snapshot = publish(con, tmp_path / "wh.duckdb")
    finally:
        con.close()
    assert ledgers == [("2025Q3",)]  # not 2025Q4, not 2025: neither has ended by 15 November
    assert status == [("2025Q3", len(third), 1, 1, 0), ("2025Q4", 0, 0, 0, 1)]
    # November's workbook prints its quarter's ledger: none yet, and it says why and when
    write_workbook(snapshot, "2025-11", tmp_path / "november.xlsx")
    wb = load_workbook(tmp_path / "november.xlsx")
    texts = [c for row in wb["抽查台账"].iter_rows(min_row=HEADER_ROWS + 1, values_only=True) for c in row if c]
    assert len(texts) == 1 and texts[0].startswith("注：1. 2025年第四季度至2025年12月31日结束，结束后方从其已办结案件中抽取")
    summary = [c for row in wb["评查汇总"].iter_rows(min_row=HEADER_ROWS + 1, values_only=True) for c in row if c]
    assert "另有 1 份评查结果所评案卷不在本期抽取之列" in summary[-1]
