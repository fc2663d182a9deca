"""R-UPL, R-ARC, R-AV, R-RET and the scorecard: input rows → models → exact results."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from modelkit import CASE, build, table, world

T = dt.datetime
D = dt.timedelta
AS_OF = dt.date(2025, 12, 31)
# the models a test reads, for build to run only them and what they read
UPLOAD, ARCHIVING, AV = ["fct_media_upload"], ["fct_case_archiving"], ["fct_act_av_coverage"]
RETENTION, VIOLATIONS, REVISIONS = ["fct_media_retention"], ["fct_violations"], ["mart_scorecard_revisions"]


def rec(media_id: str, start: T, end: T, **kw) -> dict:
    return {"media_id": media_id, "device_id": "DSJ-1", "officer_id": "O1", "recorded_start": start,
            "recorded_end": end, "uploaded_at": end, "sha256": "a" * 64, "size_bytes": 1_000_000, **kw}


def act(act_id: str, act_type: str, start: T, end: T, officers=("O1",), **kw) -> dict:
    return {"act_id": act_id, "case_id": "C1", "act_type": act_type, "started_at": start, "ended_at": end,
            "officer_ids": list(officers), **kw}


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def one(con, sql: str, params=None) -> dict:
    rows = table(con, sql, params)
    assert len(rows) == 1, rows
    return rows[0]


# --- R-UPL -----------------------------------------------------------------------------------

END = T(2025, 3, 4, 10, 0)


@pytest.mark.parametrize("uploaded_at, status, late_hours", [
    (END + D(hours=24), "on_time", None),                  # exactly 24 h is in time
    (END + D(hours=24, minutes=1), "late", 0.02),
    (END + D(hours=97), "late", 73.0),
    (None, "overdue_missing", None),
    (T(2026, 1, 2), "overdue_missing", None),             # uploaded after as_of: not yet, as of then
])
def test_upload_within_24_hours(con, uploaded_at, status, late_hours):
    """hebei 第二十四条: recordings stored within 24 hours of the recording's end."""
    build(con, world("hebei", media=[rec("M1", END - D(minutes=20), END, uploaded_at=uploaded_at)]), AS_OF,
          models=UPLOAD)
    row = one(con, "select deadline_at, upload_status, late_hours from fct_media_upload")
    assert row == {"deadline_at": END + D(hours=24), "upload_status": status, "late_hours": late_hours}


def test_late_upload_violation_names_its_figures_and_article(con):
    """hebei 第二十四条: the finding carries the actual hours and the citation."""
    build(con, world("hebei", media=[rec("M1", END - D(minutes=20), END, uploaded_at=END + D(hours=97))]), AS_OF,
          models=VIOLATIONS)
    assert one(con, "select violation_id, rule_id, severity, unit_id, media_id, detail_zh, detail_en, citation "
                    "from fct_violations where rule_id = 'R-UPL'") == {
        "violation_id": "R-UPL:M1", "rule_id": "R-UPL", "severity": "medium", "unit_id": "U1", "media_id": "M1",
        "detail_zh": "录像于 2025年3月8日 11:00 入库，超过时限 73 小时",
        "detail_en": "stored at 8 March 2025 11:00, 73 h after the deadline",
        "citation": "《河北省行政执法全过程记录办法》第二十四条"}


@pytest.mark.parametrize("recorded_end, as_of, status", [
    (T(2025, 12, 30, 23, 59), dt.date(2025, 12, 30), "pending"),     # deadline 12-31 23:59, after as_of's end
    (T(2025, 12, 30, 0, 0), dt.date(2025, 12, 30), "overdue_missing"),  # deadline exactly at as_of 24:00
])
def test_missing_upload_is_pending_until_the_deadline_passes(con, recorded_end, as_of, status):
    """hebei 第二十四条 with contract §3: a deadline at or before as_of 24:00 has passed."""
    build(con, world("hebei", media=[rec("M1", recorded_end - D(minutes=5), recorded_end, uploaded_at=None)]), as_of,
          models=UPLOAD + VIOLATIONS)
    assert one(con, "select upload_status from fct_media_upload")["upload_status"] == status
    assert len(table(con, "select * from fct_violations where rule_id = 'R-UPL'")) == (status == "overdue_missing")


@pytest.mark.parametrize("profile, status, basis", [
    ("hebei", "on_time", "returned_at"),         # 第二十四条: returns to the unit, then 24 h
    ("cele", "on_time", "returned_at"),          # 第二十二条
    ("dalian_jinpu", "on_time", "returned_at"),  # 第二十七条(五)
    ("zhuhui", "late", "recorded_end"),          # 第二十四条 has no remote-duty exception
])
def test_remote_duty_exception_only_where_the_profile_has_it(con, profile, status, basis):
    start, end, back = T(2025, 6, 2, 9), T(2025, 6, 2, 11), T(2025, 6, 4, 18)
    build(con, world(profile,
                     acts=[act("A1", "other", start, end, remote_duty=True, returned_at=back)],
                     media=[rec("M1", start, end, uploaded_at=back + D(hours=20))]), AS_OF, models=UPLOAD)
    assert one(con, "select upload_status, deadline_basis from fct_media_upload") == {
        "upload_status": status, "deadline_basis": basis}


def test_dalian_counts_from_the_end_of_the_act(con):
    """dalian_jinpu 第二十七条(五) '执法活动结束后': the clock starts when the act ends."""
    start, rec_end, act_end = T(2025, 6, 2, 9), T(2025, 6, 2, 10, 30), T(2025, 6, 2, 12)
    rows = {"acts": [act("A1", "other", start, act_end)],
            "media": [rec("M1", start, rec_end, uploaded_at=T(2025, 6, 3, 11, 30))]}
    build(con, world("dalian_jinpu", **rows), AS_OF, models=UPLOAD)
    assert one(con, "select deadline_at, upload_status, deadline_basis from fct_media_upload") == {
        "deadline_at": T(2025, 6, 3, 12), "upload_status": "on_time", "deadline_basis": "act_end"}
    con2 = duckdb.connect()
    build(con2, world("hebei", **rows), AS_OF, models=UPLOAD)
    assert one(con2, "select upload_status from fct_media_upload")["upload_status"] == "late"


# --- R-ARC -----------------------------------------------------------------------------------

CLOSED = T(2025, 5, 10, 16, 0)


@pytest.mark.parametrize("archived_at, status, days_late", [
    (CLOSED + D(days=30), "on_time", None),          # exactly 30 days
    (CLOSED + D(days=30, minutes=1), "late", 1),
    (CLOSED + D(days=45), "late", 15),
    (None, "overdue", 206),  # due 06-09 16:00; to the end of as_of is 205 days 8 h: the 206th day has begun
])
def test_case_file_archived_within_30_days(con, archived_at, status, days_late):
    """hebei 第二十六条: the case file is archived within 30 days of the end of the act."""
    build(con, world("hebei", cases=[{**CASE, "closed_at": CLOSED, "archived_at": archived_at}]), AS_OF,
          models=ARCHIVING)
    assert one(con, "select archive_due_at, status, days_late from fct_case_archiving") == {
        "archive_due_at": CLOSED + D(days=30), "status": status, "days_late": days_late}


def test_archiving_is_pending_before_the_due_date_and_open_cases_are_not_judged(con):
    """hebei 第二十六条: nothing is due until 30 days after closing."""
    build(con, world("hebei", cases=[{**CASE, "closed_at": T(2025, 12, 20)}, {**CASE, "case_id": "C2"}]), AS_OF,
          models=ARCHIVING + VIOLATIONS)
    assert table(con, "select case_id, status from fct_case_archiving") == [{"case_id": "C1", "status": "pending"}]
    assert table(con, "select * from fct_violations where rule_id = 'R-ARC'") == []


# --- R-AV ------------------------------------------------------------------------------------

A_START, A_END = T(2025, 4, 1, 10, 0), T(2025, 4, 1, 11, 0)


def seizure_with_gap(gap_seconds: int, **second_recording) -> dict:
    first_end = A_START + D(minutes=30)
    return {"acts": [act("A1", "seizure", A_START, A_END)],
            "media": [rec("M1", A_START, first_end),
                      rec("M2", first_end + D(seconds=gap_seconds), A_END, **second_recording)]}


@pytest.mark.parametrize("gap, status, unexplained", [(60, "ok", 0), (61, "partial", 1)])
def test_full_recording_tolerates_gaps_up_to_60_seconds(con, gap, status, unexplained):
    """hebei 第二十条 (seizure: whole process) and 第二十三条: a gap over 60 s must be explained."""
    build(con, world("hebei", **seizure_with_gap(gap)), AS_OF, models=AV)
    assert one(con, "select requirement, covered_seconds, act_seconds, gap_count, unexplained_gaps, status "
                    "from fct_act_av_coverage") == {
        "requirement": "full", "covered_seconds": 3600.0 - gap, "act_seconds": 3600.0,
        "gap_count": unexplained, "unexplained_gaps": unexplained, "status": status}


def test_gap_explained_by_a_spoken_note_in_the_next_recording(con):
    """hebei 第二十三条: the interruption is explained when recording resumes."""
    build(con, world("hebei", **seizure_with_gap(120, interruption_note=True)), AS_OF, models=AV)
    assert one(con, "select gap_count, unexplained_gaps, status from fct_act_av_coverage") == {
        "gap_count": 1, "unexplained_gaps": 0, "status": "ok"}


def test_gap_explained_by_a_device_interrupt_event_with_a_reason(con):
    """hebei 第二十三条: a logged interruption with its reason explains the gap."""
    rows = seizure_with_gap(120)
    rows["device_events"] = [{"device_id": "DSJ-1", "event_time": A_START + D(minutes=30, seconds=10),
                              "event_type": "record_interrupt", "reason": "battery"}]
    build(con, world("hebei", **rows), AS_OF, models=AV)
    assert one(con, "select unexplained_gaps, status from fct_act_av_coverage") == {"unexplained_gaps": 0, "status": "ok"}


@pytest.mark.parametrize("signatures, status", [(1, "partial"), (2, "ok")])
def test_hebei_interruption_statement_needs_two_signatures(con, signatures, status):
    """hebei 第二十三条: the written explanation is signed by at least two officers."""
    rows = seizure_with_gap(120)
    rows["documents"] = [{"doc_id": "D1", "case_id": "C1", "act_id": "A1", "doc_type": "interruption_statement",
                          "officer_signatures": signatures}]
    build(con, world("hebei", **rows), AS_OF, models=AV)
    assert one(con, "select status from fct_act_av_coverage")["status"] == status


def test_an_interruption_statement_counts_from_its_signing(con):
    """hebei 第二十三条: the gap is explained by a written statement, which as of a day before it was
    signed did not exist yet (documents count from their signing, as for R-DOC)."""
    rows = seizure_with_gap(120)
    rows["documents"] = [{"doc_id": "D1", "case_id": "C1", "act_id": "A1", "doc_type": "interruption_statement",
                          "officer_signatures": 2, "signed_at": T(2025, 6, 20, 9)}]
    build(con, world("hebei", **rows), dt.date(2025, 6, 19), models=AV)
    assert one(con, "select status from fct_act_av_coverage")["status"] == "partial"
    later = duckdb.connect()
    build(later, world("hebei", **rows), dt.date(2025, 6, 20), models=AV)
    assert one(later, "select status from fct_act_av_coverage")["status"] == "ok"


def test_full_coverage_ratio_boundary_at_95_percent(con):
    """hebei 第二十条: the whole act, taken as ≥ 95% covered (setting) with no unexplained gap."""
    rows = {"acts": [act("A1", "seizure", A_START, A_END), act("A2", "seizure", A_START + D(days=1), A_END + D(days=1))],
            "media": [rec("M1", A_START + D(seconds=180), A_END),                      # 3 min late: 95.0 %
                      rec("M2", A_START + D(days=1, seconds=181), A_END + D(days=1), interruption_note=True)]}
    build(con, world("hebei", **rows), AS_OF, models=AV)
    assert table(con, "select act_id, coverage_ratio, status from fct_act_av_coverage") == [
        {"act_id": "A1", "coverage_ratio": 0.95, "status": "partial"},  # its 180 s leading gap is unexplained
        {"act_id": "A2", "coverage_ratio": 0.9497, "status": "partial"}]


def test_required_act_is_ok_with_any_recording_and_missing_without(con):
    """longjiang 第九条(一): on-site inspections are recorded on audio/video."""
    rows = {"acts": [act("A1", "on_site_inspection", A_START, A_END),
                     act("A2", "on_site_inspection", A_START + D(days=1), A_END + D(days=1), officers=("O2",))],
            "media": [rec("M1", A_START + D(minutes=50), A_END + D(minutes=5))]}
    build(con, world("longjiang", **rows), AS_OF, models=AV + VIOLATIONS)
    assert table(con, "select act_id, requirement, covered_seconds, status from fct_act_av_coverage") == [
        {"act_id": "A1", "requirement": "required", "covered_seconds": 600.0, "status": "ok"},
        {"act_id": "A2", "requirement": "required", "covered_seconds": 0.0, "status": "missing"}]
    v = one(con, "select violation_id, act_id, case_id, citation, detail_zh from fct_violations where rule_id = 'R-AV'")
    assert v == {"violation_id": "R-AV:A2", "act_id": "A2", "case_id": "C1",
                 "citation": "《龙江县城市管理综合执法大队行政执法全过程记录制度》第九条第（一）项",
                 "detail_zh": "2025年4月2日 10:00–11:00 的执法环节应音像记录，无任何录像"}


def test_exempt_act_with_a_written_reason_complies(con):
    """zhuhui 第十一条: acts that may not be recorded (secrets, privacy) are exempt with a reason."""
    build(con, world("zhuhui", acts=[act("A1", "sealing", A_START, A_END, av_exempt_reason="涉及个人隐私")]), AS_OF,
          models=AV + VIOLATIONS)
    assert one(con, "select status from fct_act_av_coverage")["status"] == "exempt_with_reason"
    assert table(con, "select * from fct_violations where rule_id = 'R-AV'") == []


def test_recommended_acts_are_an_indicator_not_a_violation(con):
    """hebei 第二十条 '根据实际情况': on-site inspection is recommended, never counted against the unit."""
    build(con, world("hebei", acts=[act("A1", "on_site_inspection", A_START, A_END)]), AS_OF, models=AV + VIOLATIONS)
    assert one(con, "select requirement, status from fct_act_av_coverage") == {"requirement": "recommended",
                                                                               "status": "missing"}
    assert table(con, "select * from fct_violations where rule_id = 'R-AV'") == []


def test_acts_without_an_av_level_are_not_judged(con):
    """cele has no AV level for on-site inspection (rules.md §3)."""
    build(con, world("cele", acts=[act("A1", "on_site_inspection", A_START, A_END)]), AS_OF, models=AV)
    assert table(con, "select * from fct_act_av_coverage") == []


# --- R-RET -----------------------------------------------------------------------------------

R_END = T(2025, 1, 10, 10, 0)


@pytest.mark.parametrize("deleted_at, approval, status", [
    (None, None, "eligible_for_disposal"),               # 6 months passed by as_of
    (R_END + D(days=100), "删审〔2025〕1号", "deleted_early"),
    (T(2025, 7, 10, 10, 0), None, "deleted_unapproved"),  # exactly at retain_until, no approval
    (T(2025, 8, 1), "删审〔2025〕2号", "disposed"),
])
def test_standard_retention_six_months(con, deleted_at, approval, status):
    """hebei 第二十五条 (6 months, setting) and 第二十七条: no deletion before the period ends."""
    build(con, world("hebei", media=[rec("M1", R_END - D(minutes=5), R_END, deleted_at=deleted_at,
                                         delete_approval_ref=approval)]), AS_OF, models=RETENTION)
    assert one(con, "select retention_class, retain_until, status from fct_media_retention") == {
        "retention_class": "standard", "retain_until": T(2025, 7, 10, 10, 0), "status": status}


@pytest.mark.parametrize("profile, recorded_end, retain_until", [
    ("hebei", T(2024, 2, 29, 13, 45), T(2024, 8, 29, 13, 45)),         # a leap day: the same day 6 months on
    ("hebei", T(2024, 8, 31, 23, 59, 59), T(2025, 2, 28, 23, 59, 59)),  # no 31 February: the month's last day
    ("hebei", T(2023, 8, 31, 10, 0), T(2024, 2, 29, 10, 0)),            # ... which is the 29th in a leap year
    ("hebei", T(2024, 12, 31, 8, 0), T(2025, 6, 30, 8, 0)),
    ("dalian_jinpu", T(2024, 2, 29, 8, 0), T(2027, 2, 28, 8, 0)),       # 36 months from a leap day
])
def test_retention_ends_the_same_time_of_day_clamped_to_the_month_s_last_day(con, profile, recorded_end, retain_until):
    """rules.md §4 (R-RET): retain_until = recorded_end + the period in calendar months, at the same
    time of day, clamped to the last day of a shorter month (hebei 第二十五条, 6 months; dalian_jinpu
    第二十九条, 3 years)."""
    build(con, world(profile, media=[rec("M1", recorded_end - D(minutes=5), recorded_end)]), AS_OF, models=RETENTION)
    assert one(con, "select retain_until from fct_media_retention") == {"retain_until": retain_until}


def test_retained_before_the_period_ends(con):
    """dalian_jinpu 第二十九条: recordings are kept for 3 years."""
    build(con, world("dalian_jinpu", media=[rec("M1", R_END - D(minutes=5), R_END)]), AS_OF, models=RETENTION)
    assert one(con, "select retention_class, retain_until, status from fct_media_retention") == {
        "retention_class": "standard", "retain_until": T(2028, 1, 10, 10, 0), "status": "retained"}


def test_unlabelled_recording_of_a_triggered_case_is_long_term(con):
    """longjiang 第十九条: recordings of a case whose evidence was used are kept long-term, labelled or not."""
    rows = {"cases": [{**CASE, "evidence_used": True}],
            "acts": [act("A1", "questioning", A_START, A_END)],
            "media": [rec("M1", A_START, A_END, deleted_at=T(2025, 11, 1)), rec("M2", R_END, R_END + D(minutes=5))]}
    build(con, world("longjiang", **rows), AS_OF, models=RETENTION + VIOLATIONS)
    assert table(con, "select media_id, retention_class, retention_reason, retain_until, status "
                      "from fct_media_retention") == [
        {"media_id": "M1", "retention_class": "long_term", "retention_reason": "long_term_trigger:cases.evidence_used",
         "retain_until": None, "status": "deleted_early"},
        {"media_id": "M2", "retention_class": "standard", "retention_reason": "default",
         "retain_until": T(2025, 7, 10, 10, 5), "status": "eligible_for_disposal"}]
    assert one(con, "select violation_id, severity, citation from fct_violations where rule_id = 'R-RET'") == {
        "violation_id": "R-RET:M1", "severity": "high",
        "citation": "《龙江县城市管理综合执法大队行政执法全过程记录制度》第十九条、第二十三条第（二）项"}


def test_cele_keeps_everything_long_term(con):
    """cele 第二十二条: all audio/video is kept long-term; 第二十三条: evidence too, and that (the
    more specific article, tied in precedence) is the reason an evidence recording shows."""
    build(con, world("cele", media=[rec("M1", R_END - D(minutes=5), R_END),
                                    rec("M2", R_END, R_END + D(minutes=5), is_evidence=True)]), AS_OF, models=RETENTION)
    assert table(con, "select media_id, retention_class, retention_reason, retain_until, status "
                      "from fct_media_retention order by media_id") == [
        {"media_id": "M1", "retention_class": "long_term", "retention_reason": "all", "retain_until": None,
         "status": "hold"},
        {"media_id": "M2", "retention_class": "long_term", "retention_reason": "evidence", "retain_until": None,
         "status": "hold"}]


@pytest.mark.parametrize("archived_at, retain_until, status", [
    (None, None, "hold"), (T(2025, 3, 1), T(2055, 3, 1), "retained")])
def test_zhuhui_recordings_of_a_case_follow_the_case_file(con, archived_at, retain_until, status):
    """zhuhui 第二十四条: recordings filed with their case are kept as the case file, 30 years from archiving."""
    rows = {"cases": [{**CASE, "closed_at": T(2025, 2, 1), "archived_at": archived_at}],
            "media": [rec("M1", R_END - D(minutes=5), R_END, case_id="C1"), rec("M2", R_END, R_END + D(minutes=1))]}
    build(con, world("zhuhui", **rows), AS_OF, models=RETENTION)
    assert table(con, "select media_id, retention_class, retain_until, status from fct_media_retention") == [
        {"media_id": "M1", "retention_class": "case_file", "retain_until": retain_until, "status": status},
        {"media_id": "M2", "retention_class": "standard", "retain_until": T(2025, 7, 10, 10, 1),
         "status": "eligible_for_disposal"}]


@pytest.mark.parametrize("second_archived_at, retain_until, status", [
    (T(2025, 6, 1), T(2055, 6, 1), "retained"),  # kept 30 years from the later archiving
    (None, None, "hold"),                          # held while either case file is open
])
def test_a_recording_of_several_cases_is_kept_as_long_as_the_longest_demands(con, second_archived_at, retain_until,
                                                                              status):
    """rules.md §4 (zhuhui 第二十四条): M1 is labelled with case C1 and recorded an act of case C2; it
    follows whichever case file keeps it longer."""
    cases = [{**CASE, "closed_at": T(2025, 2, 1), "archived_at": T(2025, 3, 1)},
             {**CASE, "case_id": "C2", "closed_at": T(2025, 5, 1), "archived_at": second_archived_at}]
    rows = {"cases": cases, "acts": [act("A2", "questioning", A_START, A_END, case_id="C2")],
            "media": [rec("M1", A_START, A_END, case_id="C1")]}
    build(con, world("zhuhui", **rows), AS_OF, models=RETENTION)
    assert one(con, "select retention_class, retain_until, status from fct_media_retention") == {
        "retention_class": "case_file", "retain_until": retain_until, "status": status}


def test_a_trigger_on_any_linked_case_makes_the_recording_long_term(con):
    """rules.md §4 (longjiang 第十九条): labelled with an ordinary case, but recording an act of a case
    whose evidence was used: long-term."""
    cases = [CASE, {**CASE, "case_id": "C2", "evidence_used": True}]
    rows = {"cases": cases, "acts": [act("A2", "questioning", A_START, A_END, case_id="C2")],
            "media": [rec("M1", A_START, A_END, case_id="C1")]}
    build(con, world("longjiang", **rows), AS_OF, models=RETENTION)
    assert one(con, "select retention_class, retention_reason from fct_media_retention") == {
        "retention_class": "long_term", "retention_reason": "long_term_trigger:cases.evidence_used"}


def test_dalian_evidence_is_the_recording_s_own_flag(con):
    """rules.md §4 (dalian_jinpu 第二十九条): "作为证据使用的" 音像记录 is the recording's own is_evidence;
    its case's evidence_used does not make the others evidence."""
    rows = {"cases": [{**CASE, "evidence_used": True, "closed_at": T(2025, 2, 1), "archived_at": T(2025, 3, 1)}],
            "media": [rec("M1", R_END - D(minutes=5), R_END, case_id="C1"),
                      rec("M2", R_END, R_END + D(minutes=5), case_id="C1", is_evidence=True)]}
    build(con, world("dalian_jinpu", **rows), AS_OF, models=RETENTION)
    assert table(con, "select media_id, retention_class, retain_until from fct_media_retention order by media_id") == [
        {"media_id": "M1", "retention_class": "standard", "retain_until": T(2028, 1, 10, 10, 0)},
        {"media_id": "M2", "retention_class": "case_file", "retain_until": T(2055, 3, 1)}]


# --- scorecard and determinism ----------------------------------------------------------------

def test_scorecard_weights_rates_and_ranks_sibling_units(con):
    """hebei 第三十条: annual appraisal; the score weights each family's rate by the profile's weights."""
    units = [{"unit_id": "HQ", "unit_name": "大队", "rule_profile": "hebei"},
             {"unit_id": "U1", "unit_name": "一中队", "parent_unit_id": "HQ", "rule_profile": "hebei"},
             {"unit_id": "U2", "unit_name": "二中队", "parent_unit_id": "HQ", "rule_profile": "hebei"}]
    officers = [{"officer_id": "O1", "name": "张伟", "unit_id": "U1"}, {"officer_id": "O2", "name": "李娜", "unit_id": "U2"}]
    media = [rec("M1", END, END + D(minutes=5)),
             rec("M2", END, END + D(minutes=5), uploaded_at=END + D(days=3)),
             rec("M3", END, END + D(minutes=5), officer_id="O2")]
    build(con, world("hebei", units=units, officers=officers, media=media, cases=[]), AS_OF,
          models=["mart_unit_period_scorecard"])
    weights = dict(con.execute("select family, cast(weight as double) from rules_scoring_weights "
                               "where profile_id = 'hebei'").fetchall())
    rows = table(con, "select unit_id, upload_rate, retention_rate, score, rank, rank_of "
                      "from mart_unit_period_scorecard where period = '2025' order by rank")
    # every recording is also judged by R-INTEG (compliant here)
    expected_u1 = round(100 * (weights["upload"] * 0.5 + weights["retention"] * 1.0 + weights["integrity"] * 1.0)
                        / (weights["upload"] + weights["retention"] + weights["integrity"]), 2)
    assert rows == [
        {"unit_id": "U2", "upload_rate": 1.0, "retention_rate": 1.0, "score": 100.0, "rank": 1, "rank_of": 2},
        {"unit_id": "U1", "upload_rate": 0.5, "retention_rate": 1.0, "score": expected_u1, "rank": 2, "rank_of": 2}]


def test_same_inputs_and_as_of_give_identical_marts(tmp_path):
    """contract §3: reruns are byte-identical."""
    rows = world("hebei", **seizure_with_gap(120), cases=[{**CASE, "closed_at": CLOSED}])
    digests = []
    for n in (1, 2):
        c = duckdb.connect(str(tmp_path / f"w{n}.duckdb"))
        build(c, rows, AS_OF)
        out = tmp_path / f"out{n}"
        c.execute(f"export database '{out}' (format csv)")
        c.close()
        digests.append({p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))
                        if p.name.startswith(("fct_", "mart_"))})
    assert digests[0] == digests[1] and len(digests[0]) >= 6


def test_a_frozen_period_keeps_its_appraisal_figure_and_lists_the_revision(con):
    """rules.md §6 (hebei 第三十条 annual appraisal): figures freeze after the 15-day grace window."""
    from orchestration import runner

    from modelkit import insert

    jan = T(2025, 1, 10, 10, 0)
    build(con, world("hebei", media=[rec("M1", jan, jan + D(minutes=5), uploaded_at=None),
                                     rec("M2", jan, jan + D(minutes=5))]), dt.date(2025, 2, 14), models=REVISIONS)
    live = one(con, "select is_frozen, score, upload_rate, appraisal_score from mart_unit_period_scorecard "
                    "where period = '2025-01'")
    s1 = live.pop("score")
    assert live == {"is_frozen": False, "upload_rate": 0.5, "appraisal_score": None} and 0 < s1 < 100
    # 2025-02-01 + 15 days has passed at the end of 02-15
    runner.build(con, dt.date(2025, 2, 15), "hebei", models=REVISIONS)
    frozen = one(con, "select is_frozen, score, frozen_score, frozen_as_of, appraisal_score "
                      "from mart_unit_period_scorecard where period = '2025-01'")
    # the build that freezes the period shows it frozen, as a rerun of it does
    assert frozen == {"is_frozen": True, "score": s1, "frozen_score": s1, "frozen_as_of": dt.date(2025, 2, 15),
                      "appraisal_score": s1}
    runner.build(con, dt.date(2025, 2, 15), "hebei", models=REVISIONS)
    assert one(con, "select is_frozen, score, frozen_score, frozen_as_of, appraisal_score "
                    "from mart_unit_period_scorecard where period = '2025-01'") == frozen
    # the missing recording turns up, stored in time after all: the live rate moves, the appraisal does not
    insert(con, {"media": [rec("M1", jan, jan + D(minutes=5))]}, file_id=2)
    runner.build(con, dt.date(2025, 3, 1), "hebei", models=REVISIONS)
    assert one(con, "select score, frozen_score, appraisal_score from mart_unit_period_scorecard "
                    "where period = '2025-01'") == {"score": 100.0, "frozen_score": s1, "appraisal_score": s1}
    assert table(con, "select unit_id, period, frozen_as_of, frozen_score, live_score, revision "
                      "from mart_scorecard_revisions where period_type = 'month'") == [
        {"unit_id": "U1", "period": "2025-01", "frozen_as_of": dt.date(2025, 2, 15), "frozen_score": s1,
         "live_score": 100.0, "revision": round(100.0 - s1, 2)}]
    # a later run judged as of a day before the freeze (a rerun of an older as_of) leaves it frozen
    runner.build(con, dt.date(2025, 2, 1), "hebei", models=REVISIONS)
    assert one(con, "select is_frozen, frozen_score, frozen_as_of, appraisal_score from mart_unit_period_scorecard "
                    "where period = '2025-01'") == {"is_frozen": True, "frozen_score": s1,
                                                    "frozen_as_of": dt.date(2025, 2, 15), "appraisal_score": s1}


def test_warnings_are_red_when_passed_and_yellow_within_the_horizon(con):
    """rules.md §6 预警 with hebei parameters: upload warns 6 h ahead, archiving 7 days ahead."""
    cases = [{**CASE, "case_id": "OLD", "closed_at": T(2025, 11, 1)},               # due 12-01: red
             {**CASE, "case_id": "SOON", "closed_at": T(2025, 12, 5)},              # due 2026-01-04: yellow
             {**CASE, "case_id": "LATER", "closed_at": T(2025, 12, 20)},            # due 2026-01-19: nothing yet
             {**CASE, "case_id": "DONE", "closed_at": T(2025, 11, 1), "archived_at": T(2025, 11, 20)}]
    media = [rec("M1", T(2025, 12, 31, 3), T(2025, 12, 31, 4), uploaded_at=None),   # due 2026-01-01 04:00: yellow
             rec("M2", T(2025, 12, 31, 9), T(2025, 12, 31, 10), uploaded_at=None)]  # due 10:00: beyond 6 h
    build(con, world("hebei", cases=cases, media=media), AS_OF, models=["mart_warnings"])
    assert table(con, "select warning_id, level, hours_left from mart_warnings where kind <> 'disposal_review'") == [
        {"warning_id": "archive:OLD", "level": "red", "hours_left": -744.0},
        {"warning_id": "upload:M1", "level": "yellow", "hours_left": 4.0},
        {"warning_id": "archive:SOON", "level": "yellow", "hours_left": 72.0}]


def test_spot_check_draw_is_reproducible_from_the_seed(con):
    """longjiang 第二十二条 检查台账: a seeded draw of closed cases per unit and period."""
    import hashlib

    cases = [{**CASE, "case_id": f"C{i:02d}", "closed_at": T(2025, 2, 1) + D(days=i)} for i in range(12)]
    build(con, world("longjiang", cases=cases), AS_OF, models=["mart_spot_check_ledger"])
    drawn = table(con, "select case_id, draw_rank, closed_cases, seed from mart_spot_check_ledger "
                       "where period = '2025' order by draw_rank")
    seed = drawn[0]["seed"]
    expected = sorted((c["case_id"] for c in cases),
                      key=lambda c: hashlib.md5(f"{seed}:2025:{c}".encode()).hexdigest())[:5]
    assert [d["case_id"] for d in drawn] == expected
    assert {d["closed_cases"] for d in drawn} == {12} and [d["draw_rank"] for d in drawn] == [1, 2, 3, 4, 5]


def test_the_spot_check_size_is_a_setting(con, monkeypatch):
    """rules.md §6: the sample per unit and period is a setting (spot_check_per_unit, default 5)."""
    cases = [{**CASE, "case_id": f"C{i:02d}", "closed_at": T(2025, 2, 1) + D(days=i)} for i in range(12)]
    monkeypatch.setenv("RECWATCH_SPOT_CHECK_PER_UNIT", "3")
    build(con, world("longjiang", cases=cases), AS_OF, models=["mart_spot_check_ledger", "mart_run"])
    assert dict(con.execute("select period, count(*) from mart_spot_check_ledger group by period").fetchall()) == {
        "2025": 3, "2025Q1": 3}  # all twelve closed in February
    assert con.execute("select spot_check_per_unit from mart_run").fetchone() == (3,)


def test_a_sixth_jurisdiction_is_a_data_change(con, tmp_path, monkeypatch):
    """rules.md: rules are data. A new profile is a folder of CSVs and a row, with no code change."""
    import shutil

    from models import RULES_DIR
    from orchestration import runner

    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    shutil.copytree(rules / "hebei", rules / "newprov")
    params = rules / "newprov" / "rule_parameters.csv"
    params.write_text(params.read_text(encoding="utf-8").replace("R-UPL,deadline_hours,24,", "R-UPL,deadline_hours,48,"),
                      encoding="utf-8")
    with open(rules / "profiles.csv", "a", encoding="utf-8") as fh:
        fh.write("newprov,某省行政执法全过程记录办法,province,,《某省行政执法全过程记录办法》,Some Province,2026,,\n")
    monkeypatch.setattr(runner, "RULES_DIR", rules)
    build(con, world("newprov", media=[rec("M1", END - D(minutes=20), END, uploaded_at=END + D(hours=30))]), AS_OF,
          models=UPLOAD)
    assert one(con, "select profile_id, deadline_at, upload_status from fct_media_upload") == {
        "profile_id": "newprov", "deadline_at": END + D(hours=48), "upload_status": "on_time"}
