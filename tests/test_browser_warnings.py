"""The warnings page (/warnings) driven in headless Chromium, on the demo's data (scale S, seed 1):
it renders the counts by unit and kind without console errors, a click on a count opens that unit's
rows (with the case linked to its case page), the review before disposal is its own list and has
no red, and no code stands where a word should, in Chinese or English. Its screenshot is written to
$RECWATCH_SCREENSHOTS as dashboard_warnings.png (the picture in docs/dashboard.md)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from test_browser import (  # noqa: F401
    browser,
    click_option,
    console_errors,
    photograph,
    privacy_log,
    real_names,
    server,
    settle,
    shows_any,
    snapshot,
    text,
    texts,
    wait_for,
)

By = pytest.importorskip("selenium.webdriver.common.by").By

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# codes of mart_warnings that must never be shown as they are (the English words for red, yellow and
# upload are the codes themselves, so only the others can be told apart in English)
CODES = re.compile(r"\b(disposal_review|start_approval|archive|overdue_missing|None|nan|NaT)\b")
CODES_ZH = re.compile(r"\b(disposal_review|start_approval|archive|upload|red|yellow|None|nan|NaT)\b")


@pytest.fixture
def warnings_page(browser, server):  # noqa: F811
    def open_(path: str = "/warnings"):
        browser.get(server + "/")
        browser.execute_script("window.sessionStorage.clear(); window.localStorage.clear();")
        browser.get(server + path)
        settle(browser, "#wa-counts td, #wa-tab-compliance")
        return browser

    browser.get_log("browser")  # drop what earlier tests left
    return open_


def page_text(browser) -> str:
    return browser.execute_script("return document.body.innerText")


def pick(browser, kind: str) -> str:
    """Click the unit of the first count of `kind` (its label) and wait for its rows: the unit's name."""
    rows = browser.find_elements(By.CSS_SELECTOR, "#wa-counts tbody tr")
    for row in rows:
        cells = row.find_elements(By.CSS_SELECTOR, "td[data-dash-column=kind]")
        if cells and cells[0].text == kind:
            unit = row.find_element(By.CSS_SELECTOR, "td[data-dash-column=unit_name]")
            name = unit.text
            unit.click()
            wait_for(browser, lambda: text(browser, "#wa-rows-title").startswith(name), f"the rows of {name}")
            settle(browser, "#wa-table td")
            return name
    pytest.fail(f"no count of {kind} on the first page of the counts")


def test_the_warnings_page_counts_then_drills_into_a_unit(warnings_page, real_names):  # noqa: F811
    browser = warnings_page()
    assert not console_errors(browser)
    nav = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "a[id^=nav-]")]
    assert nav[:2] == ["总览", "预警"]
    assert "不随期间筛选变化" in text(browser, "#wa-as-of")
    red = [int(v.replace(",", "")) for v in texts(browser, "#wa-counts td[data-dash-column=red]")]
    assert red and red == sorted(red, reverse=True)  # the most red first
    assert text(browser, "#wa-total").startswith("点击上表中的一行")  # no rows until a unit is picked
    name = pick(browser, "归档")
    units = set(texts(browser, "#wa-table td[data-dash-column=unit_name]"))
    assert units == {name}
    assert set(texts(browser, "#wa-table td[data-dash-column=kind]")) == {"归档"}
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#wa-table td a")]
    assert links and all("/case?case_id=" in href for href in links)
    overdue = [v for v in texts(browser, "#wa-table td[data-dash-column=days_overdue]") if v]
    assert overdue and all(v.isdigit() for v in overdue)
    assert all("-" not in v for v in texts(browser, "#wa-table td[data-dash-column=time_left]"))
    assert "unit=" in browser.find_element(By.ID, "wa-csv").get_attribute("href")
    assert not shows_any(browser, real_names)  # party names masked
    assert not CODES_ZH.findall(page_text(browser))
    # the level, in words, narrows the counts (and drops the pick)
    counts = text(browser, "#wa-summary")
    browser.find_element(By.ID, "wa-level").click()
    option = wait_for(browser, lambda: [o for o in browser.find_elements(By.CSS_SELECTOR, "[role=option]")
                                        if o.text == "黄色（即将到期）"], "the levels in words")[0]
    option.click()
    wait_for(browser, lambda: text(browser, "#wa-summary") != counts, "the yellow counts")
    settle(browser, "#wa-counts td")
    assert text(browser, "#wa-summary").startswith("红色 0 条")
    assert set(texts(browser, "#wa-counts td[data-dash-column=red]")) == {"0"}
    assert text(browser, "#wa-total").startswith("点击上表中的一行")
    browser.get(browser.current_url)  # back to every level for the picture
    settle(browser, "#wa-counts td")
    pick(browser, "归档")
    photograph(browser, "warnings", 1500)
    assert not console_errors(browser)


def test_the_review_before_disposal_is_its_own_list_and_never_red(warnings_page):
    browser = warnings_page("/warnings?list=disposal")
    settle(browser, "#wa-counts td[data-dash-column=total]")
    headers = texts(browser, "#wa-counts th .column-header-name")
    assert headers == ["单位", "类型", "待审核数", "保存期至"]
    assert set(texts(browser, "#wa-counts td[data-dash-column=kind]")) == {"销毁前审核"}
    assert "待审核" in text(browser, "#wa-summary") and "红色" not in text(browser, "#wa-summary")
    pick(browser, "销毁前审核")
    assert all(v.endswith(("小时", "天")) for v in texts(browser, "#wa-table td[data-dash-column=time_left]"))
    assert not CODES_ZH.findall(page_text(browser))
    assert not console_errors(browser)


def test_the_warnings_page_in_english(warnings_page):
    browser = warnings_page()
    click_option(browser, "lang", "English")
    wait_for(browser, lambda: text(browser, "#wa-as-of").startswith("Warnings are the deadlines"), "English")
    settle(browser, "#wa-counts td")
    wait_for(browser, lambda: "archiving" in texts(browser, "#wa-counts td[data-dash-column=kind]"),
             "the kinds in English")
    assert browser.find_element(By.ID, "nav-warnings").text == "Warnings"
    assert texts(browser, "#wa-counts th .column-header-name")[:4] == ["Unit", "Kind", "red (overdue)", "yellow (due soon)"]
    pick(browser, "archiving")
    assert set(texts(browser, "#wa-table td[data-dash-column=level]")) <= {"red", "yellow"}
    assert not CODES.findall(page_text(browser))
    click_option(browser, "lang", "中文")
    wait_for(browser, lambda: browser.find_element(By.ID, "nav-warnings").text == "预警", "Chinese again")
    assert not console_errors(browser)
