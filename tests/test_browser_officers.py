"""The officers page (/officers) in headless Chromium: a row of its table is the mart's, a click on an
officer lists their violations, nothing on it is a raw code, in Chinese or English, and party names
stay masked. Its screenshot is written to $RECWATCH_SCREENSHOTS as dashboard_officers.png."""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest
from test_browser import (  # noqa: F401
    browser,
    click_option,
    console_errors,
    page,
    photograph,
    privacy_log,
    server,
    settle,
    snapshot,
    text,
    texts,
    wait_for,
)

By = pytest.importorskip("selenium.webdriver.common.by").By

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

READY = "#of-table td, #of-chart .main-svg"
# what a rule id, a family or a status code looks like where words should stand (severity is a word
# in English: high, medium, low)
CODE = re.compile(r"\bR-[A-Z]{2,}|\b(?:av_coverage|labelling|on_time|overdue_missing|exempt_with_reason|R_[A-Z]+)\b")


def mart_row(snapshot: Path, officer_id: str) -> tuple[int, int, int]:
    """(recordings, violations, judged) of an officer in 2025, summed from the mart as the page must."""
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return con.execute("""
            select sum(checked) filter (where rule_id = 'R-UPL'),
                   sum(judged - compliant) filter (where level = 'violation'),
                   sum(judged) filter (where level = 'violation')
            from mart_officer_rule_period_rates where period_type = 'year' and period = '2025' and officer_id = ?""",
                           [officer_id]).fetchone()
    finally:
        con.close()


def number(cell: str) -> int:
    return int(cell.replace(",", ""))


def test_the_officers_page_shows_the_mart_and_a_click_opens_the_violations(page, snapshot, privacy_log):
    browser = page("/officers", READY)
    assert not console_errors(browser)
    assert "执法人员" in browser.find_element(By.ID, "nav-officers").text
    ids = texts(browser, "#of-table td[data-dash-column=officer_id]")
    violations = texts(browser, "#of-table td[data-dash-column=violations]")
    judged = texts(browser, "#of-table td[data-dash-column=judged]")
    recordings = texts(browser, "#of-table td[data-dash-column=recordings]")
    assert ids and (number(recordings[0]), number(violations[0]), number(judged[0])) == mart_row(snapshot, ids[0])
    assert "每百项判定事项中的违规数" in text(browser, "#of-hint")
    # a click on an officer's row lists their violations below, as many as the row counts
    row = next(i for i, v in enumerate(violations) if number(v) > 0)
    name = texts(browser, "#of-table td[data-dash-column=officer_name]")[row]
    browser.find_elements(By.CSS_SELECTOR, "#of-table td[data-dash-column=officer_name]")[row].click()
    settle(browser, "#of-violations td, #of-rules td")
    assert name in text(browser, "#of-officer-title") and ids[row] in text(browser, "#of-officer-title")
    assert f"共 {number(violations[row]):,} 条" in text(browser, "#of-list-title")
    by_rule = texts(browser, "#of-rules td[data-dash-column=violations]")
    assert sum(number(v) for v in by_rule) == number(violations[row])
    assert set(texts(browser, "#of-violations td[data-dash-column=severity]")) <= {"高", "中", "低"}
    citations = texts(browser, "#of-violations td[data-dash-column=citation]")
    assert citations and all(c.startswith("《") and "第" in c for c in citations)
    parties = [p for p in texts(browser, "#of-violations td[data-dash-column=party_name]") if p]
    assert all(p.endswith("某某") for p in parties)
    assert not CODE.search(text(browser, "body")), CODE.search(text(browser, "body"))
    photograph(browser, "officers", 2400)
    # in English: the same page relabelled, still without a code
    click_option(browser, "lang", "English")
    wait_for(browser, lambda: "Officers (2025)" in text(browser, "#of-title"), "the English title")
    settle(browser, READY)
    wait_for(browser, lambda: "Violations of" in text(browser, "#of-officer-title"), "the English panel")
    body = text(browser, "body")
    assert "Violations per 100 judged items" in body and "Stored on time" in body
    assert not CODE.search(body), CODE.search(body)
    assert not console_errors(browser)
    assert not privacy_log.messages


def test_an_officer_opens_from_a_violation_row(page, snapshot):
    """Issue #25: an officer id in the rules table is a link; it opens the officers page on that
    officer's violations."""
    browser = page("/rules?family=upload", "#ru-table td")
    links = browser.find_elements(By.CSS_SELECTOR, "#ru-table td[data-dash-column=officer_id] a")
    assert links, "officer ids are links"
    officer = links[0].text
    links[0].click()
    settle(browser, "#of-officer-title")
    assert browser.current_url.endswith(f"/officers?officer_id={officer}")
    assert officer in text(browser, "#of-officer-title")
    _, violations, _ = mart_row(snapshot, officer)
    assert f"共 {violations:,} 条" in text(browser, "#of-list-title")
