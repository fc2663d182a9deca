"""The spot-check ledger page (/ledger) in headless Chromium, on the demo's data (scale S, seed 1)
with the ledger's reviews returned (tests/reviewkit.py): each unit's counts are the mart's, an
overdue rectification is red and one under way yellow, a case id opens the case page on its review,
a rectification is a compliance warning in words, and no code stands where a word should, in
Chinese or English. Its screenshot is written to $RECWATCH_SCREENSHOTS as dashboard_ledger.png."""

from __future__ import annotations

import duckdb
import pytest
from reviewkit import reviewed
from test_browser import (  # noqa: F401
    EXPORT_NAMES,
    SCREEN_CODE,
    browser,
    click_option,
    console_errors,
    photograph,
    privacy_log,
    server,
    settle,
    text,
    texts,
    wait_for,
)

By = pytest.importorskip("selenium.webdriver.common.by").By

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

READY = "#lg-units td, #lg-cases td"
RED, YELLOW = "rgb(253, 226, 225)", "rgb(255, 246, 213)"  # status.FILLS


@pytest.fixture(scope="module")
def snapshot(samples):
    """The demo's year (what `make demo` shows) with its ledger reviewed: test_browser's server serves it."""
    return reviewed(samples, 1, "S")


@pytest.fixture(scope="module")
def facts(snapshot):
    con = duckdb.connect(str(snapshot), read_only=True)
    yield lambda q, *p: con.execute(q, list(p)).fetchall()
    con.close()


@pytest.fixture
def open_page(browser, server):  # noqa: F811
    def open_(path: str, ready: str = READY):
        browser.get(server + "/")
        browser.execute_script("window.sessionStorage.clear(); window.localStorage.clear();")
        browser.get(server + path)
        settle(browser, ready)
        return browser

    browser.get_log("browser")  # drop what earlier tests left
    return open_


def codes_on_screen(driver) -> list[str]:
    # an English export names its columns and folders so: those names are what data staff know
    return [m.group() for m in SCREEN_CODE.finditer(text(driver, "body")) if m.group() not in EXPORT_NAMES]


def pick(driver, dropdown: str, label: str):
    driver.find_element(By.ID, dropdown).click()
    wait_for(driver, lambda: [o for o in driver.find_elements(By.CSS_SELECTOR, "[role=option]") if o.text == label],
             f"{label} among the choices")[0].click()


def backgrounds(driver, css: str) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => getComputedStyle(e).backgroundColor)", css)


def test_the_ledger_shows_the_mart_s_counts_and_colours_what_is_overdue(open_page, facts):
    driver = open_page("/ledger")
    assert not console_errors(driver)
    nav = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "a[id^=nav-]")]
    assert nav[nav.index("规则明细") + 1] == "抽查台账"
    assert text(driver, "#lg-title") == "抽查台账：2025年度"
    # each unit's counts, as mart_unit_period_spot_checks has them, and their sum under them
    want = {name: (drawn, reviewed_, failed, overdue, f"{100 * rate:.1f}%" if rate is not None else "")
            for name, drawn, reviewed_, failed, overdue, rate in facts("""
                select u.unit_name, s.drawn, s.reviewed, s.failed, s.rectification_overdue, s.pass_rate
                from mart_unit_period_spot_checks s join dim_units u using (unit_id)
                where s.period_type = 'year' and s.period = '2025'""")}
    columns = ("unit_name", "drawn", "reviewed", "failed", "rectification_overdue", "pass_rate")
    shown = list(zip(*(texts(driver, f"#lg-units td[data-dash-column={c}]") for c in columns)))
    assert {r[0]: (int(r[1]), int(r[2]), int(r[3]), int(r[4]), r[5]) for r in shown[:-1]} == want
    assert shown[-1][0] == f"合计（{len(want)} 个单位）" and int(shown[-1][1]) == sum(w[0] for w in want.values())
    weights = driver.execute_script("return Array.from(document.querySelectorAll(arguments[0]))"
                                    ".map(e => getComputedStyle(e).fontWeight)",
                                    "#lg-units td[data-dash-column=unit_name]")
    assert weights[-1] == "700" and set(weights[:-1]) == {"400"}  # the sum in bold
    # an overdue rectification is red in the counts
    overdue = texts(driver, "#lg-units td[data-dash-column=rectification_overdue]")
    cells = backgrounds(driver, "#lg-units td[data-dash-column=rectification_overdue]")
    assert any(int(n) > 0 for n in overdue)
    assert all((c == RED) == (int(n) > 0) for n, c in zip(overdue[:-1], cells[:-1]))
    # the drawn cases: as many as the mart has, an overdue one's row red, one under way yellow
    drawn = facts("select count(*) from mart_spot_check_ledger where period_type = 'year' and period = '2025'")[0][0]
    assert text(driver, "#lg-total").startswith(f"共 {drawn} 件")
    pick(driver, "lg-rectification", "逾期未整改")
    overdue_cases = {c for c, in facts("select case_id from mart_spot_check_ledger where period = '2025' "
                                       "and rectification_status = 'overdue'")}
    wait_for(driver, lambda: text(driver, "#lg-total").startswith(f"共 {len(overdue_cases)} 件"), "the overdue cases")
    settle(driver, "#lg-cases td")
    assert set(texts(driver, "#lg-cases td[data-dash-column=case_id]")) == overdue_cases
    assert set(texts(driver, "#lg-cases td[data-dash-column=rectification]")) == {"逾期未整改"}
    assert set(backgrounds(driver, "#lg-cases td")) == {RED}
    status = driver.find_element(By.CSS_SELECTOR, "#lg-cases td[data-dash-column=rectification]")
    assert status.value_of_css_property("color") == "rgba(198, 40, 40, 1)"  # status.COLOURS red, bold
    assert "rectification=overdue" in driver.find_element(By.ID, "lg-csv").get_attribute("href")
    assert not codes_on_screen(driver)
    # the last quarter's reviews are recent: some rectifications are still under way there
    click_option(driver, "period-type", "季度")
    wait_for(driver, lambda: text(driver, "#lg-title") == "抽查台账：2025年第四季度", "the last quarter's ledger")
    pick(driver, "lg-rectification", "整改中")
    wait_for(driver, lambda: set(texts(driver, "#lg-cases td[data-dash-column=rectification]")) == {"整改中"},
             "the rectifications under way")
    assert set(backgrounds(driver, "#lg-cases td[data-dash-column=rectification]")) == {YELLOW}
    assert RED not in backgrounds(driver, "#lg-cases td")
    assert not codes_on_screen(driver)
    driver.get(driver.current_url)  # every case of the quarter again (the statuses are not kept) for the picture
    settle(driver, READY)
    assert text(driver, "#lg-title") == "抽查台账：2025年第四季度" and text(driver, "#lg-total").startswith("共 ")
    assert "null" not in texts(driver, "td")
    wait_for(driver, lambda: text(driver, "#period").startswith("2025年第"), "the period's name in its dropdown")
    photograph(driver, "ledger", 1500)
    assert not console_errors(driver)


def test_a_month_shows_its_quarter_s_ledger(open_page, facts):
    driver = open_page("/ledger")
    click_option(driver, "period-type", "月")
    wait_for(driver, lambda: "所在季度的台账" in text(driver, "#lg-notes"), "the month's note")
    settle(driver, READY)
    month = driver.find_element(By.ID, "period").text
    quarter = facts("select l.label_zh from dim_periods p join dim_periods l on l.period_type = "
                    "p.spot_check_period_type and l.period = p.spot_check_period where p.label_zh = ?", month)[0][0]
    assert text(driver, "#lg-title") == f"抽查台账：{quarter}" and month in text(driver, "#lg-notes")
    assert not console_errors(driver)


def test_a_case_id_opens_the_case_page_on_its_review(open_page, facts):
    driver = open_page("/ledger")
    pick(driver, "lg-rectification", "逾期未整改")
    wait_for(driver, lambda: set(texts(driver, "#lg-cases td[data-dash-column=rectification]")) == {"逾期未整改"},
             "the overdue cases")
    link = driver.find_element(By.CSS_SELECTOR, "#lg-cases td[data-dash-column=case_id] a")
    case_id = link.text
    link.click()
    settle(driver, "#cs-title, #cs-review td")
    assert driver.current_url.split("/")[-1].startswith("case?case_id=")
    assert case_id in text(driver, "#cs-title")
    review = facts("""select conclusion, problems, reviewer, strftime(rectify_due_at - interval 1 day, '%Y-%m-%d')
                      from mart_spot_check_ledger where case_id = ? and period = '2025'""", case_id)[0]
    rows = driver.execute_script("""
        return Array.from(document.querySelectorAll('#cs-review tbody tr')).filter(tr => tr.querySelector('td'))
            .map(tr => Object.fromEntries(
                Array.from(tr.querySelectorAll('td')).map(td => [td.dataset.dashColumn, td.innerText])));""")
    year = next(r for r in rows if r["ledger"] == "2025年度")
    assert year["rectification"] == "逾期未整改" and year["review_status"] == {"failed": "不合格",
                                                                              "basically_passed": "基本合格"}[review[0]]
    assert (year["problems"], year["reviewer"], year["rectify_by"]) == tuple(review[1:])
    assert RED in backgrounds(driver, "#cs-review td")
    assert not codes_on_screen(driver)
    assert not console_errors(driver)


def test_a_rectification_is_a_compliance_warning_in_words(open_page):
    driver = open_page("/warnings", "#wa-counts td")
    assert "案卷评查整改" in text(driver, "#wa-tab-compliance")
    pick(driver, "wa-kind", "案卷评查整改")
    wait_for(driver, lambda: set(texts(driver, "#wa-counts td[data-dash-column=kind]")) == {"案卷评查整改"},
             "the rectification warnings")
    driver.find_element(By.CSS_SELECTOR, "#wa-counts td[data-dash-column=unit_name]").click()
    settle(driver, "#wa-table td")
    details = texts(driver, "#wa-table td[data-dash-column=detail]")
    assert details and all("案卷评查发现的问题应于" in d for d in details)
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "#wa-table td a")]
    assert links and all("/case?case_id=" in href for href in links)
    assert not codes_on_screen(driver)
    click_option(driver, "lang", "English")
    wait_for(driver, lambda: text(driver, "#wa-as-of").startswith("Warnings are"), "English")
    settle(driver, "#wa-counts td")
    assert not codes_on_screen(driver)
    assert not console_errors(driver)


def test_the_ledger_in_english_shows_no_code(open_page):
    driver = open_page("/ledger")
    click_option(driver, "lang", "English")
    wait_for(driver, lambda: text(driver, "#lg-title") == "Spot-check ledger: 2025", "the English title")
    settle(driver, READY)
    assert driver.find_element(By.ID, "nav-ledger").text == "Spot-check ledger"
    assert texts(driver, "#lg-cases th .column-header-name")[:3] == ["Unit", "Draw", "Case"]
    assert set(texts(driver, "#lg-cases td[data-dash-column=review_status]")) <= {
        "not reviewed", "passed", "basically passed", "failed"}
    assert not codes_on_screen(driver)
    pick(driver, "lg-review", "failed")
    wait_for(driver, lambda: set(texts(driver, "#lg-cases td[data-dash-column=review_status]")) == {"failed"},
             "the failed cases")
    assert not codes_on_screen(driver)
    # the units page's 案卷评查合格率 beside the score, in words in both languages
    driver.find_element(By.ID, "nav-units").click()
    settle(driver, "#un-table td[data-dash-column=review_pass_rate]")
    assert "Review pass rate % (indicator)" in texts(driver, "#un-table th .column-header-name")
    assert not codes_on_screen(driver)
    click_option(driver, "lang", "中文")
    wait_for(driver, lambda: "案卷评查合格率 %（指标）" in texts(driver, "#un-table th .column-header-name"), "Chinese")
    assert not codes_on_screen(driver)
    assert not console_errors(driver)
