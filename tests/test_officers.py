"""The officers page's data: which checks are an officer's, and their counts per rule and period
(mart_officer_rule_period_rates), from input rows written here (modelkit), under longjiang, where
upload (第五条、第十八条), AV coverage (第九条第（一）项), labelling (第十八条) and the pre-duty device
check (第十四条) are all violations."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from modelkit import DEVICE, build, table, world

T = dt.datetime
D = dt.timedelta
DAY = T(2025, 3, 4, 9, 0)
LABELS = {"case_id": "C1", "party_label": "王某某", "handler_label": "李娜"}


def rec(media_id: str, start: T, end: T, **kw) -> dict:
    return {"media_id": media_id, "device_id": "DSJ-1", "officer_id": "O1", "recorded_start": start,
            "recorded_end": end, "uploaded_at": end, "sha256": "a" * 64, "size_bytes": 1_000_000, **kw}


def act(act_id: str, start: T, end: T, officers: tuple[str, ...]) -> dict:
    return {"act_id": act_id, "case_id": "C1", "act_type": "on_site_inspection", "started_at": start,
            "ended_at": end, "officer_ids": list(officers)}


def ev(event_type: str, at: T, device_id: str = "DSJ-1") -> dict:
    return {"device_id": device_id, "event_time": at, "event_type": event_type}


def officers_world() -> dict:
    """O1 (张伟, camera DSJ-1) and O2 (李娜, camera DSJ-2) inspect together at 09:00 and nothing records
    it; O2 inspects alone at 12:00 and records it, labelled; O1 stores one recording on time and one
    31 hours after it ended; DSJ-1 starts recording on the 4th with no pre-duty check, DSJ-2 after one."""
    return world("longjiang",
                 devices=[DEVICE, {**DEVICE, "device_id": "DSJ-2", "officer_id": "O2"}],
                 acts=[act("A1", DAY, DAY + D(minutes=30), ("O1", "O2")),
                       act("A2", DAY + D(hours=3), DAY + D(hours=4), ("O2",))],
                 media=[rec("M1", DAY - D(hours=2), DAY - D(hours=1)),
                        rec("M2", DAY + D(hours=5), DAY + D(hours=6), uploaded_at=DAY + D(hours=37)),
                        rec("M3", DAY + D(hours=3), DAY + D(hours=4), device_id="DSJ-2", officer_id="O2",
                            **LABELS),
                        # ends on the last day: its 24 hours are not over at as_of, so it is not judged yet
                        rec("M4", T(2025, 3, 31, 20), T(2025, 3, 31, 21), uploaded_at=None)],
                 device_events=[ev("record_start", T(2025, 3, 4, 7, 0)),
                                ev("pre_duty_check", T(2025, 3, 4, 11, 0), "DSJ-2"),
                                ev("record_start", T(2025, 3, 4, 12, 0), "DSJ-2")])


@pytest.fixture
def con():
    c = duckdb.connect()
    build(c, officers_world(), dt.date(2025, 3, 31),
          models=["mart_officer_rule_period_rates", "dim_officers", "fct_violations"])
    yield c
    c.close()


def counts(con, rule: str, period: str = "2025-03") -> dict[str, tuple]:
    return {r["officer_id"]: (r["level"], r["checked"], r["judged"], r["compliant"]) for r in table(con, """
        select * from mart_officer_rule_period_rates where rule_id = ? and period = ?""", [rule, period])}


def test_an_act_not_recorded_is_every_one_of_its_officers(con):
    """longjiang 第九条第（一）项: a 现场检查 must be recorded. A1, which nobody recorded, counts against
    both its officers; A2, which O2 recorded, is O2's compliant act. fct_violations keeps one finding
    per act, on its first officer."""
    assert counts(con, "R-AV") == {"O1": ("violation", 1, 1, 0), "O2": ("violation", 2, 2, 1)}
    assert table(con, "select violation_id, officer_id from fct_violations where rule_id = 'R-AV'") == [
        {"violation_id": "R-AV:A1", "officer_id": "O1"}]


def test_recordings_uploads_and_labels_are_their_officers(con):
    """longjiang 第五条、第十八条: stored within 24 hours; 第十八条: labelled. O1's M2, stored 31 hours
    after it ended, is a violation and M4, its deadline still ahead at as_of, is checked (a recording) but not
    judged; O2's labelled recording of A2 complies. Quarter and year are the sums of the months."""
    assert counts(con, "R-UPL") == {"O1": ("violation", 3, 2, 1), "O2": ("violation", 1, 1, 1)}
    assert counts(con, "R-UPL", "2025Q1") == counts(con, "R-UPL", "2025") == counts(con, "R-UPL")
    assert counts(con, "R-LBL") == {"O2": ("violation", 1, 1, 1)}


def test_the_pre_duty_check_is_the_cameras_user(con):
    """longjiang 第十四条: a device-day that records needs a check before its first recording; it is
    the officer's the device register gives the camera to."""
    assert counts(con, "R-DEV-CHECK") == {"O1": ("violation", 1, 1, 0), "O2": ("violation", 1, 1, 1)}


def test_officer_violations_add_up_to_the_findings_but_for_shared_acts(con):
    """Every finding that names an officer is counted once for them; an R-AV finding for each officer
    of the act. Checks that name no officer (R-DOC, a case's documents) are nobody's."""
    per_officer = table(con, """
        select officer_id, cast(sum(judged - compliant) as int) as violations
        from mart_officer_rule_period_rates where period = '2025-03' and level = 'violation'
        group by all order by all""")
    assert per_officer == [{"officer_id": "O1", "violations": 3}, {"officer_id": "O2", "violations": 1}]
    assert table(con, """select officer_id, count(*) as n from fct_violations where officer_id is not null
                         group by all order by all""") == [{"officer_id": "O1", "n": 3}]


def test_dim_officers_names_each_officer_and_their_unit(con):
    assert table(con, "select officer_id, officer_name, unit_id, unit_name from dim_officers") == [
        {"officer_id": "O1", "officer_name": "张伟", "unit_id": "U1", "unit_name": "测试中队"},
        {"officer_id": "O2", "officer_name": "李娜", "unit_id": "U1", "unit_name": "测试中队"}]
