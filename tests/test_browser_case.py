"""The case page 案件全过程 in headless Chromium: opened from a violation row's case link on the rules
page and from the spot-check ledger, its timeline draws the case's facts (R-AV hebei 第二十条 gaps,
R-UPL 第二十四条 deadlines), and no code stands on the page in Chinese or English. The page's
screenshot goes to $RECWATCH_SCREENSHOTS as dashboard_case.png."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest
from selenium.webdriver.common.by import By  # noqa: E402  (test_browser skipped the module without selenium)
from test_browser import (  # noqa: F401,E501
    browser,
    click_option,
    console_errors,
    photograph,
    privacy_log,
    server,
    settle,
    snapshot,
    text,
    wait_for,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

READY = "#cs-title, #cs-timeline .main-svg"
# codes the models write (on_time, overdue_missing, exempt_with_reason, on_site_inspection, R-UPL…),
# which the page must show in words; a code of one word (late, full) is an English word as well
CODE = re.compile(r"\b(?:[a-z]+_[a-z_]+|R-[A-Z]+(?:-[A-Z]+)?)\b")


@pytest.fixture(scope="module")
def facts(snapshot):  # noqa: F811
    con = duckdb.connect(str(snapshot), read_only=True)
    yield lambda q, *p: con.execute(q, list(p)).fetchall()
    con.close()


def open_fresh(browser, server, path):  # noqa: F811
    browser.get(server + "/")
    browser.execute_script("window.sessionStorage.clear(); window.localStorage.clear();")
    browser.get(server + path)


def trace_points(browser, name: str) -> int:
    """Points drawn by the timeline's trace of that legend name (a span is two)."""
    return browser.execute_script("""
        const g = document.querySelector('#cs-timeline .js-plotly-plot');
        return g.data.filter(t => t.name === arguments[0]).map(t => t.x.filter(x => x !== null).length)
                .reduce((a, b) => a + b, 0);""", name)


def test_a_case_opens_from_a_violation_row_and_draws_its_facts(browser, server, facts):  # noqa: F811
    # a case with an unexplained gap (R-AV) on the first page of the AV family's violations
    case_id = facts("""select case_id from fct_violations where rule_id = 'R-AV' and case_id in
                       (select case_id from mart_case_timeline where kind = 'gap' and not is_explained)
                       order by occurred_at, violation_id limit 1""")[0][0]
    open_fresh(browser, server, "/rules?family=av_coverage")
    settle(browser, "#ru-table td")
    browser.execute_script("""
        const box = document.querySelector('#ru-table th[data-dash-column="case_id"] input');
        if (box) { box.focus(); }""")
    filter_box = browser.find_elements(By.CSS_SELECTOR, '#ru-table th[data-dash-column="case_id"] input')
    if filter_box:
        filter_box[0].send_keys(case_id + "\n")
    link = wait_for(browser, lambda: next((a for a in browser.find_elements(By.CSS_SELECTOR, "#ru-table td a")
                                          if a.text == case_id), None), "the case's link in the rules table")
    link.click()
    settle(browser, READY)
    assert case_id in browser.find_element(By.ID, "cs-title").text
    gaps = facts("select count(*) from mart_case_timeline where case_id = ? and kind = 'gap' and not is_explained",
                 case_id)[0][0]
    recordings = facts("select count(*) from mart_case_timeline where case_id = ? and kind = 'recording'", case_id)[0][0]
    assert trace_points(browser, "未说明原因的中断") == 2 * gaps
    assert trace_points(browser, "入库时限") == recordings
    assert not console_errors(browser)
    photograph(browser, "case", 1600)


def test_a_case_opens_from_the_ledger_and_shows_no_code(browser, server, facts):  # noqa: F811
    open_fresh(browser, server, "/case")
    settle(browser, "#cs-prompt, #cs-ledger td")
    drawn = {c for c, in facts("select case_id from mart_spot_check_ledger where period_type = 'year'")}
    link = browser.find_element(By.CSS_SELECTOR, "#cs-ledger td a")
    case_id = link.text
    assert case_id in drawn
    link.click()
    settle(browser, READY)
    assert case_id in browser.find_element(By.ID, "cs-title").text
    acts = facts("select count(*) from mart_case_timeline where case_id = ? and kind = 'act'", case_id)[0][0]
    assert trace_points(browser, "执法环节") == 2 * acts
    page_zh = text(browser, "#_pages_content")
    assert not CODE.findall(page_zh.replace(case_id, "")), CODE.findall(page_zh)
    click_option(browser, "lang", "English")
    wait_for(browser, lambda: "whole recorded process" in text(browser, "#cs-title"), "the English page")
    settle(browser, READY)
    page_en = text(browser, "#_pages_content")
    ids = set(re.findall(r"[A-Za-z]+[-_]?\d[\w\-]*", page_en))  # ids are data, not codes
    stripped = page_en
    for i in ids:
        stripped = stripped.replace(i, "")
    assert not CODE.findall(stripped), CODE.findall(stripped)
    assert not console_errors(browser)


def test_a_case_that_is_not_there_says_so(browser, server):  # noqa: F811
    open_fresh(browser, server, "/case?case_id=NO-SUCH-CASE")
    settle(browser, "#cs-missing")
    assert "不存在" in text(browser, "#cs-missing")
