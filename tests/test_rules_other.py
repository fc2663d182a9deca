"""R-UPL-LOST, R-START, R-LBL, R-EVD, R-DEV-*, R-ACC, R-INTEG and R-DOC: input rows → models → exact results.

Each test states its rows with modelkit, builds the models it reads (and those they read) and reads
the rule's check rows from int_rule_checks (compliant ones too) and its findings from fct_violations.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil

import duckdb
import pytest

from orchestration import runner

from modelkit import CASE, DEVICE, build, insert, table, world

T = dt.datetime
D = dt.timedelta
AS_OF = dt.date(2025, 12, 31)
CHECKS, VIOLATIONS = ["int_rule_checks"], ["fct_violations"]  # what checks() and violations() read

HEBEI = "《河北省行政执法全过程记录办法》"
LONGJIANG = "《龙江县城市管理综合执法大队行政执法全过程记录制度》"
ZHUHUI = "《珠晖区城市管理行政综合执法局行政执法全过程记录实施办法》"
DALIAN = "《大连金普新区海洋发展局行政执法全过程记录实施办法》"
CHECK_COLUMNS = ["rule_id", "unit_id", "officer_id", "case_id", "act_id", "media_id", "device_id", "occurred_at",
                 "entity_key", "is_compliant", "detail_zh", "detail_en"]
# what every check yields; the entity ids it has not are null in int_rule_checks
JUDGED = ["rule_id", "unit_id", "occurred_at", "entity_key", "is_compliant", "detail_zh", "detail_en"]


def rec(media_id: str, start: T, end: T, **kw) -> dict:
    return {"media_id": media_id, "device_id": "DSJ-1", "officer_id": "O1", "recorded_start": start,
            "recorded_end": end, "uploaded_at": end, "sha256": "a" * 64, "size_bytes": 1_000_000, **kw}


def act(act_id: str, act_type: str, start: T, end: T, officers=("O1",), case_id: str = "C1", **kw) -> dict:
    return {"act_id": act_id, "case_id": case_id, "act_type": act_type, "started_at": start, "ended_at": end,
            "officer_ids": list(officers), **kw}


def ev(event_type: str, at: T, file_id: str | None = None, device_id: str = "DSJ-1", **kw) -> dict:
    return {"device_id": device_id, "event_time": at, "event_type": event_type, "file_id": file_id, **kw}


def doc(doc_id: str, doc_type: str, case_id: str = "C1", act_id: str | None = None, signatures: int = 2,
        **kw) -> dict:
    return {"doc_id": doc_id, "case_id": case_id, "act_id": act_id, "doc_type": doc_type,
            "officer_signatures": signatures, "party_signed": True, **kw}


def case(case_id: str, **kw) -> dict:
    return {**CASE, "case_id": case_id, **kw}


@pytest.fixture
def con():
    c = duckdb.connect()
    yield c
    c.close()


def checks(con, rule: str, cols: str = "entity_key, is_compliant, detail_zh") -> list[tuple]:
    return con.execute(f"select {cols} from int_rule_checks where rule_id = ? order by entity_key",
                       [rule]).fetchall()


def violations(con, rule: str, cols: str = "violation_id, citation, detail_zh") -> list[tuple]:
    return con.execute(f"select {cols} from fct_violations where rule_id = ? order by violation_id",
                       [rule]).fetchall()


# --- R-UPL-LOST ------------------------------------------------------------------------------

def test_recorded_file_that_never_reaches_the_store_is_lost(con):
    """hebei 第二十四条、第三十一条第（三）项: a record_stop whose file no recording has, once 24 h have passed."""
    stop = T(2025, 3, 4, 10, 0)
    build(con, world("hebei",
                     media=[rec("F1", stop - D(minutes=30), stop)],
                     device_events=[ev("record_stop", stop, "F1"),
                                    ev("record_stop", stop + D(hours=1), "F2"),
                                    ev("record_stop", T(2025, 12, 30, 0, 0), "F3"),      # deadline = as_of 24:00
                                    ev("record_stop", T(2025, 12, 30, 0, 1), "F4"),      # deadline after as_of
                                    ev("record_stop", T(2026, 1, 2), "F5")]),           # after as_of: not yet
          dt.date(2025, 12, 30), models=CHECKS + VIOLATIONS)
    assert checks(con, "R-UPL-LOST", "entity_key, is_compliant, media_id, unit_id, detail_zh") == [
        ("DSJ-1/F1@2025-03-04 10:00:00", True, "F1", "U1", None),
        ("DSJ-1/F2@2025-03-04 11:00:00", False, "F2", "U1",
         "设备 DSJ-1 于 2025年3月4日 11:00 停止录制的文件 F2，至时限 2025年3月5日 11:00 仍无入库记录（记录丢失）"),
        ("DSJ-1/F3@2025-12-30 00:00:00", False, "F3", "U1",
         "设备 DSJ-1 于 2025年12月30日 00:00 停止录制的文件 F3，至时限 2025年12月31日 00:00 仍无入库记录（记录丢失）"),
        ("DSJ-1/F4@2025-12-30 00:01:00", None, "F4", "U1", None)]
    assert violations(con, "R-UPL-LOST", "violation_id, severity, device_id, citation") == [
        ("R-UPL-LOST:DSJ-1/F2@2025-03-04 11:00:00", "high", "DSJ-1", HEBEI + "第二十四条、第三十一条第（三）项"),
        ("R-UPL-LOST:DSJ-1/F3@2025-12-30 00:00:00", "high", "DSJ-1", HEBEI + "第二十四条、第三十一条第（三）项")]


# --- R-START ---------------------------------------------------------------------------------

OPENED = T(2025, 3, 4, 9, 0)


@pytest.mark.parametrize("approved_at, compliant, detail", [
    (OPENED + D(hours=24), True, None),                                           # exactly 24 h is in time
    (OPENED + D(hours=24, minutes=1), False, "紧急先行启动于 2025年3月4日 09:00，至 2025年3月5日 09:01 才审批，超过 24 小时"),
    (T(2025, 3, 6, 10, 0), False, "紧急先行启动于 2025年3月4日 09:00，至 2025年3月6日 10:00 才审批，超过 24 小时"),
    (None, False, "紧急先行启动于 2025年3月4日 09:00，至时限 2025年3月5日 09:00 仍未补办审批"),
])
def test_emergency_start_approved_within_24_hours(con, approved_at, compliant, detail):
    """zhuhui 第六条: an emergency start is approved within 24 hours of opening."""
    build(con, world("zhuhui", cases=[case("C1", opened_at=OPENED, emergency_start=True,
                                           start_approved_at=approved_at),
                                      case("C2")]), AS_OF, models=CHECKS + VIOLATIONS)
    assert checks(con, "R-START", "entity_key, case_id, occurred_at, is_compliant, detail_zh") == [
        ("C1", "C1", OPENED, compliant, detail)]
    assert violations(con, "R-START") == ([] if compliant else [("R-START:C1", ZHUHUI + "第六条", detail)])


def test_emergency_start_is_pending_while_the_window_is_open(con):
    """dalian_jinpu 第十条: not judged before 24 h have passed; an approval dated after as_of is not known yet."""
    opened = T(2025, 12, 31, 8, 0)
    build(con, world("dalian_jinpu", cases=[
        case("C1", opened_at=opened, emergency_start=True),
        case("C2", opened_at=opened, emergency_start=True, start_approved_at=T(2026, 1, 1, 7)),
        case("C3", opened_at=T(2025, 12, 30, 8), emergency_start=True, start_approved_at=T(2026, 1, 1, 7)),
    ]), AS_OF, models=CHECKS + VIOLATIONS)
    assert checks(con, "R-START") == [
        ("C1", None, None), ("C2", None, None),
        ("C3", False, "紧急先行启动于 2025年12月30日 08:00，至时限 2025年12月31日 08:00 仍未补办审批")]
    assert violations(con, "R-START") == [
        ("R-START:C3", DALIAN + "第十条", "紧急先行启动于 2025年12月30日 08:00，至时限 2025年12月31日 08:00 仍未补办审批")]


def test_late_emergency_approval_is_only_an_indicator_in_hebei(con):
    """hebei has no article on emergency starts: R-START is an indicator there, never a violation."""
    build(con, world("hebei", cases=[case("C1", opened_at=OPENED, emergency_start=True)]), AS_OF,
          models=CHECKS + VIOLATIONS)
    assert checks(con, "R-START", "entity_key, is_compliant") == [("C1", False)]
    assert violations(con, "R-START") == []


# --- R-LBL -----------------------------------------------------------------------------------

DAY = T(2025, 3, 4, 9, 0)


def labelling_world(profile: str) -> dict:
    labels = {"case_id": "C1", "party_label": "王某某", "handler_label": "张伟"}
    return world(profile,
                 cases=[case("C1"), case("C2")],
                 acts=[act("A1", "on_site_inspection", DAY, DAY + D(hours=1))],
                 media=[rec("M1", DAY, DAY + D(minutes=30), **labels),
                        rec("M2", DAY, DAY + D(minutes=30), case_id="C1"),
                        rec("M3", DAY, DAY + D(minutes=30), **{**labels, "case_id": "C2"}),
                        rec("M4", DAY + D(hours=3), DAY + D(hours=4)),                 # belongs to no act
                        rec("M5", DAY, DAY + D(minutes=30), uploaded_at=None)])        # not stored yet


def test_recordings_of_an_act_carry_case_party_and_handler_labels(con):
    """longjiang 第十八条: recordings are labelled with case, party and handler; the case label must be right."""
    build(con, labelling_world("longjiang"), AS_OF, models=CHECKS + VIOLATIONS)
    assert checks(con, "R-LBL", "entity_key, case_id, act_id, is_compliant, detail_zh") == [
        ("M1", "C1", "A1", True, None),
        ("M2", "C1", "A1", False, "录像 M2 缺少标注当事人、标注承办人"),
        ("M3", "C1", "A1", False, "录像 M3 标注案号 C2 不是所属执法环节的案件 C1"),
        ("M5", "C1", "A1", None, None)]
    assert violations(con, "R-LBL", "violation_id, severity, citation, detail_en") == [
        ("R-LBL:M2", "low", LONGJIANG + "第十八条", "recording M2 lacks labels: party label, handler label"),
        ("R-LBL:M3", "low", LONGJIANG + "第十八条",
         "recording M3 is labelled with case C2, not the case of its act(s) C1")]


def test_missing_labels_are_only_an_indicator_in_hebei(con):
    """hebei does not regulate labels: R-LBL is an indicator there."""
    build(con, labelling_world("hebei"), AS_OF, models=CHECKS + VIOLATIONS)
    assert [r[:2] for r in checks(con, "R-LBL")] == [("M1", True), ("M2", False), ("M3", False), ("M5", None)]
    assert violations(con, "R-LBL") == []


def test_a_label_a_profile_adds_is_read_from_the_rule_table_and_the_export(con, tmp_path, monkeypatch):
    """rules.md §5 R-LBL: the labels required are the rule table's (longjiang 第十八条 here, with a
    fourth label an office might add); one the contract does not name is read from the column the
    export delivers under that header, and counts as missing where it is empty or absent."""
    rules = shutil.copytree(runner.RULES_DIR, tmp_path / "rules")
    with open(rules / "longjiang" / "rule_parameters.csv", "a", encoding="utf-8") as fh:
        fh.write("R-LBL,required_label,执法地点,,setting,,标注执法地点（测试用）\n")
    monkeypatch.setattr(runner, "RULES_DIR", rules)
    insert(con, labelling_world("longjiang"))
    for media_id, extra in (("M1", '{"执法地点": "解放路12号"}'), ("M3", '{"执法地点": " "}')):
        con.execute("update raw_media set _extra = ? where media_id = ?", [extra, media_id])
    runner.build(con, AS_OF, "hebei", models=CHECKS)
    assert checks(con, "R-LBL", "entity_key, is_compliant, detail_zh") == [
        ("M1", True, None),
        ("M2", False, "录像 M2 缺少标注当事人、标注承办人、执法地点"),
        ("M3", False, "录像 M3 缺少执法地点；录像 M3 标注案号 C2 不是所属执法环节的案件 C1"),
        ("M5", None, None)]


# --- R-EVD -----------------------------------------------------------------------------------

CLOSED = T(2025, 5, 10, 16, 0)   # archive due 30 days later: 2025年6月9日 16:00
SHOT = T(2025, 5, 2, 10, 0)


def evidence_world(profile: str, *documents: dict) -> dict:
    return world(profile,
                 cases=[case("C1", closed_at=CLOSED), case("C2")],
                 acts=[act("A1", "seizure", SHOT, SHOT + D(hours=1))],
                 documents=list(documents),
                 media=[rec("E1", SHOT, SHOT + D(minutes=5), case_id="C1", is_evidence=True,
                            disc_archived_at=CLOSED + D(days=30)),                        # exactly the due date
                        rec("E2", SHOT, SHOT + D(minutes=5), case_id="C1", is_evidence=True,
                            disc_archived_at=CLOSED + D(days=31)),
                        rec("E3", SHOT, SHOT + D(minutes=5), case_id="C1", is_evidence=True),
                        rec("E4", SHOT, SHOT + D(minutes=5), case_id="C2", is_evidence=True),  # case still open
                        rec("E5", SHOT, SHOT + D(minutes=5), is_evidence=True,               # case from its act
                            disc_archived_at=CLOSED),
                        rec("N1", SHOT, SHOT + D(minutes=5), case_id="C1")])                  # not evidence


def test_evidence_is_on_disc_by_the_archive_due_date(con):
    """hebei 第二十六条: evidence recordings burned to disc by the case's archive due date."""
    build(con, evidence_world("hebei", doc("X1", "av_explanation")), AS_OF, models=CHECKS + VIOLATIONS)
    assert checks(con, "R-EVD", "entity_key, case_id, is_compliant, detail_zh") == [
        ("E1", "C1", True, None),
        ("E2", "C1", False, "证据录像 E2 于 2025年6月10日 16:00 才刻录光盘，晚于案件 C1 归档期限 2025年6月9日 16:00"),
        ("E3", "C1", False, "证据录像 E3 至案件 C1 归档期限 2025年6月9日 16:00 仍未刻录光盘"),
        ("E4", "C2", None, None),
        ("E5", "C1", True, None)]
    assert violations(con, "R-EVD", "violation_id, citation") == [
        ("R-EVD:E2", HEBEI + "第二十六条"), ("R-EVD:E3", HEBEI + "第二十六条")]


def test_evidence_case_needs_a_written_explanation(con):
    """dalian_jinpu 第二十九条: the case of an evidence recording has a written explanation of it."""
    build(con, evidence_world("dalian_jinpu"), AS_OF, models=CHECKS + VIOLATIONS)
    rows = dict((k, (c, d)) for k, c, d in checks(con, "R-EVD"))
    assert rows["E1"] == (False, "案件 C1 无音像证据文字说明")
    assert rows["E3"] == (False, "证据录像 E3 至案件 C1 归档期限 2025年6月9日 16:00 仍未刻录光盘；案件 C1 无音像证据文字说明")
    assert rows["E4"] == (None, None)
    assert violations(con, "R-EVD", "violation_id, citation, detail_en")[0] == (
        "R-EVD:E1", DALIAN + "第二十九条", "case C1 has no written explanation of its audio/video evidence")


def test_an_evidence_recordings_case_label_wins_over_the_case_of_its_other_act(con):
    """rules.md §4 (hebei 第二十六条): the case of an evidence recording is its case label, else the case
    of an act it belongs to; a label naming the case of one of its acts is still the label, even when
    another act's case sorts first."""
    rows = evidence_world("hebei", doc("X1", "av_explanation", case_id="C2"))
    rows["cases"] = [case("C1"), case("C2", closed_at=CLOSED)]
    rows["acts"] = [act("A1", "seizure", SHOT, SHOT + D(hours=1), case_id="C1"),
                    act("A2", "seizure", SHOT, SHOT + D(hours=1), case_id="C2")]
    rows["media"] = [rec("E1", SHOT, SHOT + D(minutes=5), case_id="C2", is_evidence=True)]
    build(con, rows, AS_OF, models=CHECKS)
    assert checks(con, "R-EVD", "entity_key, case_id, is_compliant, detail_zh") == [
        ("E1", "C2", False, "证据录像 E1 至案件 C2 归档期限 2025年6月9日 16:00 仍未刻录光盘")]


def test_evidence_explanation_is_the_one_the_cases_profile_names(con, tmp_path, monkeypatch):
    """rules.md §4 (hebei 第二十六条, dalian_jinpu 第二十九条): the due date and the explanation are
    the case's. A hebei officer's evidence recording of a case of a dalian_jinpu unit is explained by
    the document type dalian_jinpu's rule table names, not by hebei's."""
    rules = tmp_path / "rules"
    shutil.copytree(runner.RULES_DIR, rules)
    params = rules / "dalian_jinpu" / "rule_parameters.csv"
    text = params.read_text(encoding="utf-8")
    assert "R-EVD,explanation_doc_type,av_explanation," in text
    params.write_text(text.replace("R-EVD,explanation_doc_type,av_explanation,",
                                   "R-EVD,explanation_doc_type,other,"), encoding="utf-8")
    monkeypatch.setattr(runner, "RULES_DIR", rules)
    rows = world("hebei",
                 units=[{"unit_id": "U1", "unit_name": "测试中队", "rule_profile": "hebei"},
                        {"unit_id": "U2", "unit_name": "海洋中队", "rule_profile": "dalian_jinpu"}],
                 cases=[case("C1", unit_id="U2", closed_at=CLOSED), case("C2", unit_id="U1", closed_at=CLOSED)],
                 documents=[doc("X1", "other", case_id="C1"), doc("X2", "other", case_id="C2")],
                 media=[rec("E1", SHOT, SHOT + D(minutes=5), case_id="C1", is_evidence=True, disc_archived_at=CLOSED),
                        rec("E2", SHOT, SHOT + D(minutes=5), case_id="C2", is_evidence=True, disc_archived_at=CLOSED)])
    build(con, rows, AS_OF, models=CHECKS)
    assert checks(con, "R-EVD", "entity_key, unit_id, is_compliant, detail_zh") == [
        ("E1", "U1", True, None),
        ("E2", "U1", False, "案件 C2 无音像证据文字说明")]  # a hebei case: hebei names av_explanation


def test_evidence_pending_before_the_due_date_and_indicator_in_zhuhui(con):
    """zhuhui is silent on evidence discs (indicator); before the due date a missing disc is not judged."""
    build(con, evidence_world("zhuhui"), dt.date(2025, 6, 8), models=CHECKS)
    assert [r[:2] for r in checks(con, "R-EVD")] == [
        ("E1", None), ("E2", None), ("E3", None), ("E4", None), ("E5", None)]
    later = duckdb.connect()
    build(later, evidence_world("zhuhui"), AS_OF, models=CHECKS + VIOLATIONS)
    assert [r[:2] for r in checks(later, "R-EVD")] == [
        ("E1", False), ("E2", False), ("E3", False), ("E4", None), ("E5", False)]
    assert violations(later, "R-EVD") == []


# --- R-DEV-DEL -------------------------------------------------------------------------------

def test_file_deleted_on_the_device_before_upload(con):
    """longjiang 第二十三条第（二）项: a file deleted on the device without an upload_done before it."""
    t = T(2025, 3, 4, 10, 0)
    dsj2 = {**DEVICE, "device_id": "DSJ-2", "officer_id": "O2"}
    build(con, world("longjiang", devices=[DEVICE, dsj2], device_events=[
        ev("upload_done", t, "F1"), ev("file_deleted", t + D(minutes=5), "F1"),
        ev("file_deleted", t + D(hours=1), "F2"),
        ev("upload_done", t + D(hours=1, minutes=30), "F3", device_id="DSJ-2"),   # uploaded from another dock
        ev("file_deleted", t + D(hours=2), "F3"),
        ev("file_deleted", t + D(hours=3), "F4"), ev("upload_done", t + D(hours=4), "F4"),
        ev("upload_done", t + D(hours=5), "F5"), ev("file_deleted", t + D(hours=5), "F5"),  # same second
    ]), AS_OF, models=CHECKS + VIOLATIONS)
    assert checks(con, "R-DEV-DEL") == [
        ("DSJ-1/F1@2025-03-04 10:05:00", True, None),
        ("DSJ-1/F2@2025-03-04 11:00:00", False, "文件 F2 于 2025年3月4日 11:00 在设备 DSJ-1 上被删除，此前没有上传完成记录"),
        ("DSJ-1/F3@2025-03-04 12:00:00", True, None),
        ("DSJ-1/F4@2025-03-04 13:00:00", False,
         "文件 F4 于 2025年3月4日 13:00 在设备 DSJ-1 上被删除，此前没有上传完成记录（上传完成在 2025年3月4日 14:00）"),
        ("DSJ-1/F5@2025-03-04 15:00:00", True, None)]
    assert violations(con, "R-DEV-DEL", "violation_id, severity, officer_id, media_id, citation") == [
        ("R-DEV-DEL:DSJ-1/F2@2025-03-04 11:00:00", "high", "O1", "F2", LONGJIANG + "第二十三条第（二）项"),
        ("R-DEV-DEL:DSJ-1/F4@2025-03-04 13:00:00", "high", "O1", "F4", LONGJIANG + "第二十三条第（二）项")]


# --- R-DEV-INT -------------------------------------------------------------------------------

def interrupt_world(profile: str) -> dict:
    days = [T(2025, 3, d, 10, 0) for d in (4, 5, 6, 7, 8)]
    return world(profile,
                 acts=[act("A3", "seizure", days[2] - D(hours=1), days[2] + D(hours=1)),
                       act("A4", "seizure", days[3] - D(hours=1), days[3] + D(hours=1), officers=("O2", "O1"))],
                 documents=[doc("S3", "interruption_statement", act_id="A3", signatures=2),
                            doc("S4", "interruption_statement", act_id="A4", signatures=1)],
                 media=[rec(f"M{i}", d + D(minutes=2), d + D(minutes=30), interruption_note=(i == 1))
                        for i, d in enumerate(days[:4], start=1)],
                 device_events=[ev("record_interrupt", d, reason="battery") for d in days])


def test_interruption_explained_by_a_spoken_note_or_a_signed_statement(con):
    """hebei 第二十三条: interruption explained in the next recording or in a statement signed by ≥ 2 officers."""
    build(con, interrupt_world("hebei"), AS_OF, models=CHECKS + VIOLATIONS)
    assert checks(con, "R-DEV-INT", "entity_key, act_id, media_id, is_compliant, detail_zh") == [
        ("DSJ-1@2025-03-04 10:00:00", None, "M1", True, None),
        ("DSJ-1@2025-03-05 10:00:00", None, "M2", False,
         "设备 DSJ-1 于 2025年3月5日 10:00 录制中断（原因：电量不足），其后录像 M2 未作中断语音说明，也没有中断情况说明"),
        ("DSJ-1@2025-03-06 10:00:00", "A3", "M3", True, None),
        ("DSJ-1@2025-03-07 10:00:00", "A4", "M4", False,
         "设备 DSJ-1 于 2025年3月7日 10:00 录制中断（原因：电量不足），其后录像 M4 未作中断语音说明，"
         "中断情况说明只有 1 名执法人员签名（须 2 名）"),
        ("DSJ-1@2025-03-08 10:00:00", None, None, False,
         "设备 DSJ-1 于 2025年3月8日 10:00 录制中断（原因：电量不足），其后该设备没有录像，也没有中断情况说明")]
    assert [v[:2] for v in violations(con, "R-DEV-INT")] == [
        ("R-DEV-INT:DSJ-1@2025-03-05 10:00:00", HEBEI + "第二十三条"),
        ("R-DEV-INT:DSJ-1@2025-03-07 10:00:00", HEBEI + "第二十三条"),
        ("R-DEV-INT:DSJ-1@2025-03-08 10:00:00", HEBEI + "第二十三条")]


def test_one_signature_is_enough_where_the_profile_asks_one(con):
    """longjiang 第十三条 names no signature count: a statement signed by one officer explains the interruption."""
    build(con, interrupt_world("longjiang"), AS_OF, models=CHECKS + VIOLATIONS)
    assert [r[:2] for r in checks(con, "R-DEV-INT")] == [
        ("DSJ-1@2025-03-04 10:00:00", True), ("DSJ-1@2025-03-05 10:00:00", False),
        ("DSJ-1@2025-03-06 10:00:00", True), ("DSJ-1@2025-03-07 10:00:00", True),
        ("DSJ-1@2025-03-08 10:00:00", False)]
    assert [v[1] for v in violations(con, "R-DEV-INT")] == [LONGJIANG + "第十三条"] * 2
    zhuhui = duckdb.connect()
    build(zhuhui, interrupt_world("zhuhui"), AS_OF, models=CHECKS + VIOLATIONS)   # silent in zhuhui: indicator only
    assert [r[:2] for r in checks(zhuhui, "R-DEV-INT")] == [r[:2] for r in checks(con, "R-DEV-INT")]
    assert violations(zhuhui, "R-DEV-INT") == []


# --- R-DEV-CHECK and fct_device_days ---------------------------------------------------------

def device_day_events() -> list[dict]:
    return [ev("pre_duty_check", T(2025, 3, 4, 7, 50)), ev("record_start", T(2025, 3, 4, 8, 0), "F1"),
            ev("record_start", T(2025, 3, 4, 14, 0), "F2"), ev("battery_low", T(2025, 3, 4, 15, 0), battery_pct=12),
            ev("record_start", T(2025, 3, 5, 8, 0), "F3"), ev("pre_duty_check", T(2025, 3, 5, 8, 30)),
            ev("power_on", T(2025, 3, 6, 8, 0)), ev("fault", T(2025, 3, 6, 9, 0)),
            ev("pre_duty_check", T(2025, 3, 7, 8, 0)), ev("record_start", T(2025, 3, 7, 8, 0), "F4")]


def test_pre_duty_check_before_the_first_recording_of_the_day(con):
    """longjiang 第十四条: each device-day with recording has a pre-duty check before its first record_start."""
    build(con, world("longjiang", device_events=device_day_events()), AS_OF, models=CHECKS + VIOLATIONS)
    assert checks(con, "R-DEV-CHECK", "entity_key, occurred_at, is_compliant, detail_zh") == [
        ("DSJ-1@2025-03-04", T(2025, 3, 4, 8, 0), True, None),
        ("DSJ-1@2025-03-05", T(2025, 3, 5, 8, 0), False,
         "设备 DSJ-1 2025年3月5日 首次开始录制于 08:00，此前没有出勤前检查（当日检查在 08:30）"),
        ("DSJ-1@2025-03-07", T(2025, 3, 7, 8, 0), True, None)]          # same second counts as before
    assert violations(con, "R-DEV-CHECK", "violation_id, severity, citation") == [
        ("R-DEV-CHECK:DSJ-1@2025-03-05", "low", LONGJIANG + "第十四条")]


def test_pre_duty_check_is_an_indicator_outside_longjiang(con):
    """hebei does not regulate pre-duty checks: R-DEV-CHECK is an indicator there."""
    build(con, world("hebei", device_events=device_day_events()), AS_OF, models=CHECKS + VIOLATIONS)
    assert [r[:2] for r in checks(con, "R-DEV-CHECK")] == [
        ("DSJ-1@2025-03-04", True), ("DSJ-1@2025-03-05", False), ("DSJ-1@2025-03-07", True)]
    assert violations(con, "R-DEV-CHECK") == []


def test_device_days_count_recording_checks_and_maintenance_events(con):
    """fct_device_days (device page; longjiang 第十四条 出勤前检查): one row per device-day with any event."""
    build(con, world("longjiang", device_events=device_day_events()), AS_OF, models=["fct_device_days"])
    assert table(con, "select day, record_starts, pre_duty_checks, faults, battery_low_events, storage_full_events, "
                      "is_checked_before_recording, min_battery_pct from fct_device_days") == [
        {"day": dt.date(2025, 3, 4), "record_starts": 2, "pre_duty_checks": 1, "faults": 0, "battery_low_events": 1,
         "storage_full_events": 0, "is_checked_before_recording": True, "min_battery_pct": 12.0},
        {"day": dt.date(2025, 3, 5), "record_starts": 1, "pre_duty_checks": 1, "faults": 0, "battery_low_events": 0,
         "storage_full_events": 0, "is_checked_before_recording": False, "min_battery_pct": None},
        {"day": dt.date(2025, 3, 6), "record_starts": 0, "pre_duty_checks": 0, "faults": 1, "battery_low_events": 0,
         "storage_full_events": 0, "is_checked_before_recording": None, "min_battery_pct": None},
        {"day": dt.date(2025, 3, 7), "record_starts": 1, "pre_duty_checks": 1, "faults": 0, "battery_low_events": 0,
         "storage_full_events": 0, "is_checked_before_recording": True, "min_battery_pct": None}]


# --- R-DEV-FAULT / R-DEV-BATTERY / R-DEV-STORAGE ---------------------------------------------

def test_device_maintenance_indicators_per_device_month(con):
    """cele 第二十一条 (设备维护): faults, low battery and full storage per device-month, indicators only."""
    build(con, world("cele", device_events=[
        ev("fault", T(2025, 3, 4, 9)), ev("fault", T(2025, 3, 9, 9)),
        ev("power_on", T(2025, 3, 10, 8), battery_pct=15, storage_free_pct=40),   # below 20 % battery
        ev("storage_full", T(2025, 4, 2, 9), storage_free_pct=0),
        ev("power_on", T(2025, 5, 2, 8), battery_pct=80, storage_free_pct=50),
        ev("power_on", T(2025, 12, 2, 8), battery_pct=90, storage_free_pct=10),    # month still running
    ]), dt.date(2025, 12, 15), models=CHECKS + VIOLATIONS)
    rows = con.execute("select rule_id, entity_key, is_compliant, detail_zh from int_rule_checks "
                       "where rule_id in ('R-DEV-FAULT', 'R-DEV-BATTERY', 'R-DEV-STORAGE') "
                       "order by rule_id, entity_key").fetchall()
    assert rows == [
        ("R-DEV-BATTERY", "DSJ-1@2025-03", False, "设备 DSJ-1 2025年3月：电量低于 20% 的记录 1 次"),
        ("R-DEV-BATTERY", "DSJ-1@2025-04", True, None),
        ("R-DEV-BATTERY", "DSJ-1@2025-05", True, None),
        ("R-DEV-BATTERY", "DSJ-1@2025-12", None, None),
        ("R-DEV-FAULT", "DSJ-1@2025-03", False, "设备 DSJ-1 2025年3月：故障事件 2 次"),
        ("R-DEV-FAULT", "DSJ-1@2025-04", True, None),
        ("R-DEV-FAULT", "DSJ-1@2025-05", True, None),
        ("R-DEV-FAULT", "DSJ-1@2025-12", None, None),
        ("R-DEV-STORAGE", "DSJ-1@2025-03", True, None),
        ("R-DEV-STORAGE", "DSJ-1@2025-04", False, "设备 DSJ-1 2025年4月：存储已满事件 1 次"),
        ("R-DEV-STORAGE", "DSJ-1@2025-05", True, None),
        ("R-DEV-STORAGE", "DSJ-1@2025-12", None, None)]
    assert table(con, "select * from fct_violations where rule_id like 'R-DEV-%'") == []


# --- R-ACC -----------------------------------------------------------------------------------

def test_copy_export_publish_need_an_approval_reference(con):
    """longjiang 第二十条 (copy) and 第二十一条 (export, publish): only with an approval reference."""
    at = T(2025, 3, 4, 9, 0)
    access = [("X1", "view", None), ("X2", "copy", "法制股〔2025〕3号"), ("X3", "export", None),
              ("X4", "copy", None), ("X5", "publish", None)]
    build(con, world("longjiang", media=[rec("M1", at - D(days=1), at - D(days=1) + D(minutes=5), case_id="C1")],
                     media_access=[{"access_id": a, "media_id": "M1", "officer_id": "O2", "accessed_at": at,
                                    "action": action, "approval_ref": ref} for a, action, ref in access]), AS_OF,
          models=CHECKS + VIOLATIONS)
    assert checks(con, "R-ACC", "entity_key, unit_id, officer_id, case_id, is_compliant, detail_zh") == [
        ("X2", "U1", "O2", "C1", True, None),
        ("X3", "U1", "O2", "C1", False, "人员 O2 于 2025年3月4日 09:00 导出录像 M1，没有审批文号"),
        ("X4", "U1", "O2", "C1", False, "人员 O2 于 2025年3月4日 09:00 复制录像 M1，没有审批文号"),
        ("X5", "U1", "O2", "C1", False, "人员 O2 于 2025年3月4日 09:00 公开录像 M1，没有审批文号")]
    assert violations(con, "R-ACC", "violation_id, citation, detail_en") == [
        ("R-ACC:X3", LONGJIANG + "第二十一条", "O2: export of recording M1 at 4 March 2025 09:00 without an approval reference"),
        ("R-ACC:X4", LONGJIANG + "第二十条", "O2: copy of recording M1 at 4 March 2025 09:00 without an approval reference"),
        ("R-ACC:X5", LONGJIANG + "第二十一条", "O2: publish of recording M1 at 4 March 2025 09:00 without an approval reference")]


# --- R-INTEG ---------------------------------------------------------------------------------

def test_a_redelivered_recording_with_another_hash_was_altered(con):
    """hebei 第七条、第二十七条: the same media_id delivered again with a different sha256."""
    at = T(2025, 3, 4, 9, 0)
    first = [rec("M1", at, at + D(minutes=5), sha256="a" * 64), rec("M2", at, at + D(minutes=5), sha256="c" * 64)]
    insert(con, world("hebei", media=first), file_id=1)
    insert(con, {"media": [rec("M1", at, at + D(minutes=5), sha256="b" * 64),
                           rec("M2", at, at + D(minutes=5), sha256="c" * 64)]}, file_id=2)
    insert(con, {"media": [rec("M1", at, at + D(minutes=5), sha256="b" * 64)]}, file_id=3)
    runner.build(con, AS_OF, "hebei", models=CHECKS + VIOLATIONS)
    assert checks(con, "R-INTEG") == [
        ("M1", False, "录像 M1 共报送 3 个版本，文件哈希由 aaaaaaaa 变为 bbbbbbbb，原始记录被改动"),
        ("M2", True, None)]
    assert violations(con, "R-INTEG", "violation_id, severity, citation, detail_en") == [
        ("R-INTEG:M1", "high", HEBEI + "第七条、第二十七条",
         "recording M1 delivered in 3 versions with different sha256: aaaaaaaa then bbbbbbbb (original altered)")]


# --- R-DOC -----------------------------------------------------------------------------------

def test_required_documents_per_case_and_act(con):
    """hebei 第八条至第十八条: each case and act has the written records doc_requirements asks for."""
    decided, closed = T(2025, 4, 1, 10), T(2025, 5, 10, 16)
    q, i, h = T(2025, 3, 2, 9), T(2025, 3, 3, 9), T(2025, 3, 20, 9)
    build(con, world("hebei",
                     cases=[case("C1", decided_at=decided, closed_at=closed),
                            case("C2", procedure="simple"),
                            case("C3", opened_at=T(2026, 1, 5))],                     # opened after as_of
                     acts=[act("A1", "questioning", q, q + D(hours=1), officers=("O1", "O2")),
                           act("A2", "on_site_inspection", i, i + D(hours=1)),
                           act("A3", "hearing", h, h + D(hours=2)),
                           act("A4", "on_site_inspection", i, i + D(hours=1), case_id="C2")],
                     documents=[doc("D1", "initiation_approval"), doc("D2", "case_approval"),
                                doc("D3", "decision"), doc("D4", "questioning_record", act_id="A1"),
                                doc("D5", "inspection_record"),                        # on the case, no act id
                                doc("D6", "closing_review", signed_at=T(2026, 1, 3))]),  # signed after as_of
          AS_OF, models=CHECKS + VIOLATIONS)
    assert checks(con, "R-DOC") == [
        ("act:A1:questioning_record", True, None),
        ("act:A2:inspection_record", True, None),
        ("act:A3:hearing_notice", False, "环节 A3 缺少听证通知书（执法环节：听证）"),
        ("act:A3:hearing_record", False, "环节 A3 缺少听证笔录（执法环节：听证）"),
        ("act:A4:inspection_record", False, "环节 A4 缺少现场检查（勘验）笔录（执法环节：现场检查（勘验））"),
        ("case:C1:case_approval", True, None),
        ("case:C1:closing_review", False, "案件 C1 缺少结案审查表（一般程序案件，已办结）"),
        ("case:C1:decision", True, None),
        ("case:C1:initiation_approval", True, None),
        ("case:C1:penalty_prior_notice", False, "案件 C1 缺少行政处罚事先告知书（一般程序行政处罚案件，已作出决定）")]
    assert violations(con, "R-DOC", "violation_id, citation") == [
        ("R-DOC:act:A3:hearing_notice", HEBEI + "第八条至第十八条"),          # a setting: the rule's article
        ("R-DOC:act:A3:hearing_record", HEBEI + "第九条第（十）项、第十七条"),
        ("R-DOC:act:A4:inspection_record", HEBEI + "第九条第（三）项"),
        ("R-DOC:case:C1:closing_review", HEBEI + "第八条至第十八条"),
        ("R-DOC:case:C1:penalty_prior_notice", HEBEI + "第九条第（九）项")]


WITNESS_ARTICLE = {"zhuhui": ZHUHUI + "第十九条", "hebei": HEBEI + "第十八条", "dalian_jinpu": DALIAN + "第二十一条"}


@pytest.mark.parametrize("profile", ["zhuhui", "hebei", "dalian_jinpu", "longjiang"])
def test_the_witness_signs_the_receipt_of_a_lien_service(con, profile):
    """rules.md §5 R-DOC: 留置送达's service receipt needs the witness's signature (zhuhui 第十九条,
    hebei 第十八条, dalian_jinpu 第二十一条); longjiang does not ask for it. A receipt that does not say
    (no witness column in the export, or empty) is not judged, never compliant."""
    s = T(2025, 3, 5, 9)
    build(con, world(profile, cases=[case("C1", procedure="simple")],
                     acts=[act(f"A{n}", "lien_service", s, s + D(minutes=30)) for n in (1, 2, 3)]
                     + [act("A4", "direct_service", s, s + D(minutes=30))],
                     documents=[doc("D1", "service_receipt", act_id="A1", witness_signed=True),
                                doc("D2", "service_receipt", act_id="A2", witness_signed=False),
                                doc("D3", "service_receipt", act_id="A3"),                  # not stated
                                doc("D4", "service_receipt", act_id="A4", witness_signed=False)]),  # no lien
          AS_OF, models=CHECKS + VIOLATIONS + ["mart_unit_rule_period_not_judged"])
    witnessed = [r for r in checks(con, "R-DOC", "entity_key, act_id, is_compliant, detail_zh")
                 if r[0].startswith("witness:")]
    if profile not in WITNESS_ARTICLE:
        assert witnessed == []
        return
    assert witnessed == [
        ("witness:D1", "A1", True, None),
        ("witness:D2", "A2", False, "送达回证 D2 无见证人签名（留置送达）"),
        ("witness:D3", "A3", None, "送达回证 D3 未载明见证人是否签名（导出无见证人签名列或为空），未判定")]
    assert [v for v in violations(con, "R-DOC", "violation_id, citation") if "witness" in v[0]] == [
        ("R-DOC:witness:D2", WITNESS_ARTICLE[profile])]
    # D3 is counted apart, with why, and left out of the rate: judged 2 (D1, D2), compliant 1
    assert table(con, "select period, not_judged_reason, not_judged from mart_unit_rule_period_not_judged "
                      "where rule_id = 'R-DOC' order by period") == [
        {"period": "2025", "not_judged_reason": "witness_not_stated", "not_judged": 1},
        {"period": "2025-03", "not_judged_reason": "witness_not_stated", "not_judged": 1},
        {"period": "2025Q1", "not_judged_reason": "witness_not_stated", "not_judged": 1}]


def test_major_case_needs_legal_review_and_collective_discussion_only_once_triggered(con):
    """zhuhui 第十五条: a major or complex case has a legal review opinion and a collective discussion record."""
    build(con, world("zhuhui", cases=[case("C1", major_or_complex=True, decided_at=T(2026, 2, 1))],
                     documents=[doc("D1", "initiation_approval"), doc("D2", "collective_discussion")]), AS_OF,
          models=CHECKS + VIOLATIONS)
    assert checks(con, "R-DOC") == [
        ("case:C1:collective_discussion", True, None),
        ("case:C1:initiation_approval", True, None),
        ("case:C1:legal_review_opinion", False, "案件 C1 缺少法制审核意见书（一般程序案件，重大复杂疑难）")]
    assert violations(con, "R-DOC", "citation") == [(ZHUHUI + "第六条、第十五条",)]


@pytest.mark.parametrize("refusal_noted, signatures, detail", [
    (True, 2, None),
    (True, 1, "询问笔录 D1 当事人未签字，已注明拒签，只有 1 名执法人员签名（须 2 名）"),
    (False, 2, "询问笔录 D1 当事人未签字，未注明拒签"),
    (False, 0, "询问笔录 D1 当事人未签字，未注明拒签，只有 0 名执法人员签名（须 2 名）"),
])
def test_party_refusal_is_noted_and_signed_by_two_officers(con, refusal_noted, signatures, detail):
    """hebei 第十五条: a record the party refused to sign notes the refusal and carries ≥ 2 officer signatures."""
    q = T(2025, 3, 2, 9)
    build(con, world("hebei", cases=[case("C1", procedure="simple")],
                     acts=[act("A1", "questioning", q, q + D(hours=1), officers=("O1", "O2"))],
                     documents=[doc("D1", "questioning_record", act_id="A1", party_signed=False,
                                    refusal_noted=refusal_noted, signatures=signatures, signed_at=q + D(hours=1)),
                                doc("D2", "questioning_record", act_id="A1", signatures=1)]),   # party signed
          AS_OF, models=CHECKS + VIOLATIONS)
    assert checks(con, "R-DOC", "entity_key, act_id, occurred_at, is_compliant, detail_zh") == [
        ("act:A1:questioning_record", "A1", q, True, None),
        ("doc:D1", "A1", q + D(hours=1), detail is None, detail)]
    assert violations(con, "R-DOC", "violation_id, citation, detail_zh") == (
        [] if detail is None else [("R-DOC:doc:D1", HEBEI + "第十五条", detail)])


def test_unnoted_refusal_cites_the_article_that_asks_for_the_note(con):
    """cele 第十一条: the refusal must be noted; the signature count itself is a setting (2)."""
    q = T(2025, 3, 2, 9)
    build(con, world("cele", cases=[case("C1", procedure="simple")],
                     documents=[doc("D1", "inspection_record", party_signed=False, signatures=2),
                                doc("D2", "inspection_record", party_signed=False, refusal_noted=True,
                                    signatures=1, signed_at=q)]), AS_OF, models=VIOLATIONS)
    assert violations(con, "R-DOC", "violation_id, citation") == [
        ("R-DOC:doc:D1", "《策勒县农业农村局行政执法全过程记录办法》第十一条"),
        ("R-DOC:doc:D2", "《策勒县农业农村局行政执法全过程记录办法》第八条至第二十条")]


# --- the shared check shape ------------------------------------------------------------------

MODELS = ["int_checks__upload_lost", "int_checks__start", "int_checks__labelling", "int_checks__evidence",
          "int_checks__device_deletes", "int_checks__device_interrupts", "int_checks__device_days",
          "int_checks__device_maintenance", "int_checks__access", "int_checks__integrity", "int_checks__documents"]


def test_every_check_model_has_the_shared_shape_and_unique_keys(con):
    """int_rule_checks contract: the shared columns (a check yields those it has), one row per entity_key
    and rule, details only on failed rows."""
    rows = {**evidence_world("hebei"), **{k: v for k, v in interrupt_world("hebei").items()
                                           if k in ("device_events", "documents")}}
    rows["device_events"] = rows["device_events"] + device_day_events() + [
        ev("file_deleted", T(2025, 3, 9), "E9"), ev("record_stop", T(2025, 3, 9), "E9")]
    rows["cases"] = [case("C1", closed_at=CLOSED), case("C2", emergency_start=True)]
    rows["media_access"] = [{"access_id": "X1", "media_id": "E1", "officer_id": "O1", "accessed_at": T(2025, 6, 1),
                             "action": "copy"}]
    build(con, rows, AS_OF, models=MODELS + CHECKS)
    shape = [r[0] for r in con.execute("describe int_rule_checks").fetchall()]
    assert shape == CHECK_COLUMNS + ["partition_at", "article_zh", "not_judged_reason"]
    # a day-partitioned check adds the moment whose day is its partition (partition_at, or for
    # R-DOC case_opened_at, which int_rule_checks leaves out)
    partitioned = {m.name: re.fullmatch(r"cast\((\w+) as date\)", m.partition).group(1)
                   for m in runner.discover() if m.partition and m.name in MODELS}
    for model in MODELS:
        cols = [r[0] for r in con.execute(f"describe {model}").fetchall()]
        own = [partitioned[model]] if model in partitioned else []
        assert set(JUDGED) <= set(cols) <= {*shape, *own} and set(own) <= set(cols), (model, cols)
    assert con.execute("select rule_id, entity_key, count(*) from int_rule_checks "
                       "group by all having count(*) > 1").fetchall() == []
    assert con.execute("select rule_id, entity_key from int_rule_checks where is_compliant is not false "
                       "and (detail_zh is not null or detail_en is not null)").fetchall() == []
    assert con.execute("select rule_id, entity_key from int_rule_checks where is_compliant = false "
                       "and (detail_zh is null or detail_en is null)").fetchall() == []
    judged = {r[0] for r in con.execute("select distinct rule_id from int_rule_checks").fetchall()}
    assert {"R-UPL-LOST", "R-START", "R-EVD", "R-DEV-INT", "R-DEV-CHECK", "R-DEV-DEL", "R-ACC", "R-INTEG",
            "R-DOC", "R-LBL", "R-DEV-FAULT", "R-DEV-BATTERY", "R-DEV-STORAGE"} <= judged
