"""mart_case_timeline, the case page's rows (案件全过程): one hebei case with a covered act, an act
whose full recording stops early (an unexplained gap, hebei 第二十条), a recording stored late (hebei
第二十四条: within 24 hours) and a file archived late (hebei 第二十六条: within 30 days of the
act's end), checked row by row."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from modelkit import CASE, build, table, world

T = dt.datetime
D = dt.timedelta


def rec(media_id: str, start: T, end: T, uploaded_at: T) -> dict:
    return {"media_id": media_id, "device_id": "DSJ-1", "officer_id": "O1", "recorded_start": start,
            "recorded_end": end, "uploaded_at": uploaded_at, "sha256": "a" * 64, "size_bytes": 1_000_000}


def act(act_id: str, act_type: str, start: T, end: T) -> dict:
    return {"act_id": act_id, "case_id": "C1", "act_type": act_type, "started_at": start, "ended_at": end,
            "officer_ids": ["O1"]}


CLOSED, ARCHIVED = T(2025, 3, 10, 12), T(2025, 4, 15, 10)
INSPECTION = (T(2025, 3, 2, 9), T(2025, 3, 2, 9, 30))
SEIZURE = (T(2025, 3, 3, 10), T(2025, 3, 3, 11))
M2_END = T(2025, 3, 3, 10, 40)

COLUMNS = ("kind", "start_at", "end_at", "due_at", "done_at", "act_id", "media_id", "doc_id", "type_code",
           "requirement", "status", "coverage_ratio", "is_explained", "is_late")


@pytest.fixture(scope="module")
def rows():
    con = duckdb.connect()
    try:
        build(con, world(
            "hebei",
            cases=[{**CASE, "closed_at": CLOSED, "archived_at": ARCHIVED}],
            acts=[act("A1", "on_site_inspection", *INSPECTION), act("A2", "seizure", *SEIZURE)],
            media=[rec("M1", *INSPECTION, uploaded_at=T(2025, 3, 2, 12)),
                   # stored 47 h 20 min after it ended: 23 h 20 min past the deadline
                   rec("M2", SEIZURE[0], M2_END, uploaded_at=T(2025, 3, 5, 10))],
            documents=[{"doc_id": "D1", "case_id": "C1", "act_id": "A1", "doc_type": "inspection_record",
                        "signed_at": T(2025, 3, 2, 9, 40), "officer_signatures": 2}],
        ), dt.date(2025, 12, 31), models=["mart_case_timeline"])
        yield table(con, f"select {', '.join(COLUMNS)} from mart_case_timeline where case_id = 'C1'")
    finally:
        con.close()


def row(kind, start_at, end_at=None, due_at=None, done_at=None, act_id=None, media_id=None, doc_id=None,
        type_code=None, requirement=None, status=None, coverage_ratio=None, is_explained=None, is_late=False):
    return dict(zip(COLUMNS, (kind, start_at, end_at, due_at, done_at, act_id, media_id, doc_id, type_code,
                              requirement, status, coverage_ratio, is_explained, is_late)))


def test_the_case_reads_in_order_with_every_event_and_span(rows):
    assert rows == [
        row("opened", CASE["opened_at"]),
        # an on-site inspection is recorded "根据实际" under hebei 第二十条 (recommended): covered whole
        row("act", *INSPECTION, act_id="A1", type_code="on_site_inspection", requirement="recommended",
            status="ok", coverage_ratio=1.0),
        # stored 2.5 h after it ended: within hebei 第二十四条's 24 hours
        row("recording", *INSPECTION, due_at=INSPECTION[1] + D(hours=24), done_at=T(2025, 3, 2, 12), act_id="A1",
            media_id="M1", status="on_time"),
        row("document", T(2025, 3, 2, 9, 40), act_id="A1", doc_id="D1", type_code="inspection_record"),
        # a seizure is recorded throughout (hebei 第二十条, full): 40 of its 60 minutes
        row("act", *SEIZURE, act_id="A2", type_code="seizure", requirement="full", status="partial",
            coverage_ratio=0.6667),
        row("recording", SEIZURE[0], M2_END, due_at=M2_END + D(hours=24), done_at=T(2025, 3, 5, 10), act_id="A2",
            media_id="M2", status="late", is_late=True),
        # the last 20 minutes: longer than hebei's 60 s, and nothing (a spoken note, a logged
        # interruption, a signed statement) explains them
        row("gap", M2_END, SEIZURE[1], act_id="A2", is_explained=False),
        row("closed", CLOSED),
        # hebei 第二十六条: archived within 30 days of the act's end (closing), 5 days 22 h late
        row("archived", ARCHIVED, due_at=CLOSED + D(days=30), status="late", is_late=True),
    ]


def test_each_recording_has_its_retention(rows):
    """hebei 第二十五条: the recordings of a case no trigger makes long-term keep the standard 6 months
    from their end (rules.md §4)."""
    con = duckdb.connect()
    try:
        build(con, world("hebei", acts=[act("A1", "on_site_inspection", *INSPECTION)],
                         media=[rec("M1", *INSPECTION, uploaded_at=T(2025, 3, 2, 12))]),
              dt.date(2025, 12, 31), models=["mart_case_timeline"])
        got = table(con, "select retention_class, retain_until, retention_status, deleted_at from mart_case_timeline "
                         "where kind = 'recording'")
    finally:
        con.close()
    assert got == [{"retention_class": "standard", "retain_until": INSPECTION[1] + D(days=184),
                    "retention_status": "eligible_for_disposal", "deleted_at": None}]
