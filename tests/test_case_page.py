"""The case page's view functions (dashboards/case.py) on a generated year: the timeline's marks are
the case's facts in the published marts (R-AV hebei 第二十条 coverage and gaps, R-UPL 第二十四条
upload deadlines, R-ARC 第二十六条 archiving), findings are every violation of the case and its
recordings, party names masked (R-SEC), and a case outside the requester's units is not shown."""

from __future__ import annotations

from collections import Counter

import duckdb
import pandas as pd
import pytest
from test_dashboard import snap, sql  # noqa: F401  (the same published year, made once)

from core.privacy import mask
from dashboards import case, queries, views

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:dash.development.base_component")


@pytest.fixture(scope="module")
def gap_case(sql):
    """A case with an unexplained gap, a late upload and the most rows among those."""
    return sql("""select case_id from mart_case_timeline group by case_id
                  having count(*) filter (where kind = 'gap' and not is_explained) > 0
                     and count(*) filter (where kind = 'recording' and is_late) > 0
                  order by count(*) desc, case_id limit 1""")[0][0]


def spans(marks, *names):
    return sorted((m["ref"], m["start"], m["end"]) for m in marks if m["mark"] in names)


def test_the_marks_are_the_cases_facts(snap, sql, gap_case):
    marks = case.timeline_marks(queries.case.timeline(snap, gap_case), "zh")
    # every act of the case, those without an AV level too (the warehouse's, beside the snapshot)
    con = duckdb.connect(str(snap.with_name("wh.duckdb")), read_only=True)
    try:
        acts = con.execute("select act_id, started_at, ended_at from stg_acts where case_id = ?", [gap_case]).fetchall()
    finally:
        con.close()
    assert spans(marks, "act") == sorted((a, pd.Timestamp(s), pd.Timestamp(e)) for a, s, e in acts)
    # R-AV (hebei 第二十条): each act's unexplained gaps as fct_act_av_coverage counts them
    unexplained = Counter(m["ref"] for m in marks if m["mark"] == "gap_unexplained")
    counted = dict(sql("select act_id, unexplained_gaps from fct_act_av_coverage where case_id = ? "
                       "and unexplained_gaps > 0", gap_case))
    assert dict(unexplained) == counted
    # R-UPL (第二十四条): a recording drawn late is one whose upload violation names it
    late = {m["ref"] for m in marks if m["mark"] == "recording_late"}
    late_uploads = {m for m, in sql("select media_id from fct_violations where rule_id = 'R-UPL' and media_id in "
                                    "(select media_id from mart_case_timeline where case_id = ?)", gap_case)}
    assert late and late == late_uploads
    # one upload deadline per recording, each where the recording's own deadline is
    dues = {m["ref"]: m["start"] for m in marks if m["mark"] == "upload_due"}
    recordings = {m["ref"] for m in marks if m["mark"] in ("recording", "recording_late")}
    assert set(dues) == recordings
    # R-ARC (第二十六条): the archiving deadline is fct_case_archiving's
    archive = sql("select archive_due_at from fct_case_archiving where case_id = ?", gap_case)
    assert [m["start"] for m in marks if m["mark"] == "archive_due"] == [pd.Timestamp(d) for d, in archive]


def test_the_figure_draws_every_mark_with_a_legend_in_words(snap, gap_case):
    for lang in ("zh", "en"):
        marks = case.timeline_marks(queries.case.timeline(snap, gap_case), lang)
        figure = case.timeline_figure(marks, lang)
        names = [trace["name"] for trace in figure["data"]]
        assert len(names) == len({m["mark"] for m in marks})
        assert not any("_" in n for n in names), names
        # a span is drawn from its start to its end, then a break
        drawn = sum(len([x for x in tr["x"] if x is not None]) for tr in figure["data"])
        assert drawn == sum(2 if m["mark"] in case.SPANS else 1 for m in marks)


def test_findings_are_every_violation_of_the_case_and_its_recordings(snap, sql, gap_case):
    found = queries.case.findings(snap, gap_case, "zh")
    expected = {v for v, in sql("""select violation_id from fct_violations where case_id = ?
        or (case_id is null and media_id in (select media_id from mart_case_timeline where case_id = ?))
        or (case_id is null and act_id in (select act_id from mart_case_timeline where case_id = ?))""",
                                   gap_case, gap_case, gap_case)}
    assert set(found["violation_id"]) == expected and expected
    records = case.finding_records(found, "en")
    assert {r["severity"] for r in records} <= {"high", "medium", "low"}
    assert all(r["citation"] and r["rule_name"] and r["detail"] for r in records)


def test_the_page_masks_the_party_and_names_codes_in_words(snap, sql, gap_case):
    party = sql("select party_name from dim_cases where case_id = ?", gap_case)[0][0]
    for lang in ("zh", "en"):
        page = str(case.case_view(snap, gap_case, {"lang": lang}, lang))
        assert mask(party) in page and party not in page
        for code in ("on_time", "overdue_missing", "eligible_for_disposal", "exempt_with_reason", "long_term",
                     "on_site_inspection", "R-UPL", "R-AV"):
            assert code not in page, (lang, code)
    recordings = case.retention_records(queries.case.timeline(snap, gap_case), "zh")
    assert len(recordings) == sql("select count(*) from mart_case_timeline where case_id = ? and kind = 'recording'",
                                  gap_case)[0][0]


def test_a_case_that_does_not_exist_says_so(snap):
    shown = case.case_view(snap, "NO-SUCH-CASE", {}, "en")
    assert "does not exist" in str(shown) and "cs-missing" in str(shown)
    assert "输入案件编号" in str(case.case_view(snap, None, {}, "zh"))


def test_a_case_of_another_unit_is_not_shown(snap, sql, monkeypatch):
    """A user scoped to one unit (dashboards.access) is told a case of another does not exist."""
    unit, other_case = sql("""select u.unit_id, c.case_id from dim_units u, dim_cases c
                              where c.unit_id not in (select unit_id from dim_unit_descendants
                                                      where ancestor_unit_id = u.unit_id)
                              order by u.depth desc, u.unit_id, c.case_id limit 1""")[0]
    monkeypatch.setattr("dashboards.access.bound", lambda: unit)
    assert queries.case.case(snap, other_case).empty
    assert "cs-missing" in str(case.case_view(snap, other_case, {}, "zh"))


def test_links_open_the_case_page(snap, sql):
    assert views.case_link("AJ[1](x)") == "[AJ\\[1\\]\\(x\\)](/case?case_id=AJ%5B1%5D%28x%29)"
    assert case.case_id_from_search("?case_id=AJ%5B1%5D%28x%29") == "AJ[1](x)"
    records = case.ledger_records(snap, {"period_type": "quarter", "period": "2025Q3"}, "zh")
    drawn = sql("select case_id from mart_spot_check_ledger where period = '2025Q3'")
    assert len(records) == len(drawn) and all(r["case_id"].startswith("[") for r in records)


def test_a_cases_findings_are_those_naming_it_and_those_of_its_recordings_and_acts(sql):
    """mart_case_findings, which the case page reads by case, holds for every case exactly the
    violations naming it, and those of its recordings and acts (as its timeline links them) that name
    no case: counted here from fct_violations directly, for every case at once."""
    want = sql("""
        with own as (select distinct case_id, act_id, media_id from mart_case_timeline),
        found as (
            select case_id, violation_id from fct_violations where case_id is not null
            union
            select own.case_id, v.violation_id from fct_violations v join own on v.media_id = own.media_id
            where v.case_id is null
            union
            select own.case_id, v.violation_id from fct_violations v join own on v.act_id = own.act_id
            where v.case_id is null
        )
        select count(*), count(distinct case_id), count(*) filter (where violation_id in
            (select violation_id from fct_violations where case_id is null)) from found""")[0]
    got = sql("""select count(*), count(distinct case_id), count(*) filter (where violation_id in
                     (select violation_id from fct_violations where case_id is null)) from mart_case_findings""")[0]
    assert got == want and want[2] > 0
    assert sql("""select count(*) from (
                      select case_id, violation_id from mart_case_findings
                      except select case_id, violation_id from fct_violations v where v.case_id is not null
                      except select t.case_id, v.violation_id from fct_violations v join mart_case_timeline t
                          on v.case_id is null and (v.media_id = t.media_id or v.act_id = t.act_id))""")[0][0] == 0
