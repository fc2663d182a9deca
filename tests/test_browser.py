"""The dashboard driven in headless Chromium (Debian's chromium and chromedriver; .ci/run installs
them): every page renders without console errors, filters and clicks change what is shown, the
drill-down reaches a violation row, the language switch relabels the app, party names stay masked
until the logged switch is used. Each page's screenshot is written to $RECWATCH_SCREENSHOTS (for
the pictures in README and docs/dashboard.md: RECWATCH_SCREENSHOTS=docs/img .venv/bin/pytest tests/test_browser.py), else to a
temporary folder."""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from pathlib import Path

import duckdb
import pytest

from core.contract import SOURCES
from core.privacy import mask

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
    pytest.skip("no chromium/chromedriver (apt-get install chromium chromium-driver; .ci/run does)",
                allow_module_level=True)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# page path -> (screenshot name, an element that is there only once the page's data has rendered)
# page path -> (screenshot name, what is there only once the page's data has been drawn: tables'
# cells, and the charts, which Plotly draws after its bundle has loaded)
PAGES = {"/": ("overview", "#ov-content .card, #ov-trend .main-svg, #ov-rules .main-svg"),
         "/units": ("units", "#un-table td, #un-chart .main-svg"), "/rules": ("rules", "#ru-table td"),
         "/retention": ("retention", "#ret-status .main-svg, #ret-due td"), "/devices": ("devices", "#dev-table td"),
         "/quality": ("quality", "#dq-batches td, #dq-reasons td")}
WAIT = 30


class Privacy(logging.Handler):
    """Collects what the server logs about unmasking (the server runs in this process)."""

    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="module")
def snapshot(samples) -> Path:
    # the demo's data (scale S, seed 1): the screenshots show what `make demo` shows
    return samples.published(1, "S")


@pytest.fixture(scope="module")
def privacy_log():
    handler, logger = Privacy(), logging.getLogger("recwatch.privacy")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


@pytest.fixture(scope="module")
def server(snapshot, privacy_log):
    from werkzeug.serving import make_server

    from dashboards.app import create_app

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    # the server allows unmasking so the switch can be tested; masking by default must hold anyway
    srv = make_server("127.0.0.1", 0, create_app(snapshot, allow_unmask=True).server, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    # the background-networking flags keep Chromium from calling out (a closed network refuses it)
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=zh-CN",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def snapshot_values(snapshot: Path, sql: str) -> set:
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        return {v for v, in con.execute(sql).fetchall()}
    finally:
        con.close()


@pytest.fixture(scope="module")
def real_names(snapshot) -> set[str]:
    return snapshot_values(snapshot, "select party_name from stg_cases where length(party_name) > 1")


@pytest.fixture(scope="module")
def leaf_units(snapshot) -> set[str]:
    return snapshot_values(snapshot, "select unit_name from int_units where unit_id not in "
                                     "(select parent_unit_id from int_units where parent_unit_id is not null)")


@pytest.fixture
def page(browser, server):
    """Open a path in a fresh session (filters back to their defaults) and wait until it rendered."""

    def open_(path: str, ready: str | None = None):
        browser.get(server + "/")
        browser.execute_script("window.sessionStorage.clear(); window.localStorage.clear();")
        browser.get(server + path)
        settle(browser, ready or PAGES[path.split("?")[0]][1])
        return browser

    browser.get_log("browser")  # drop what earlier tests left
    return open_


def settle(browser, css: str):
    """Wait for each of the comma-separated selectors `css` to match and Dash to have no callback in
    flight."""
    try:
        WebDriverWait(browser, WAIT).until(lambda d: all(d.find_elements(By.CSS_SELECTOR, one)
                                                         for one in css.split(", ")))
        WebDriverWait(browser, WAIT).until(lambda d: d.execute_script(
            "return document.querySelector('._dash-loading, [data-dash-is-loading=true]') === null"))
    except TimeoutException:
        pytest.fail(f"{css} never rendered on {browser.current_url}; console: {browser.get_log('browser')}")


def wait_for(browser, condition, what: str):
    try:
        return WebDriverWait(browser, WAIT).until(lambda d: condition())
    except TimeoutException:
        pytest.fail(f"timed out waiting for {what} on {browser.current_url}")


def shows_any(browser, names: set[str]) -> bool:
    source = browser.page_source
    return any(name in source for name in names)


# what a code looks like where words should stand: a rule id, or a snake_case code (ids such as
# DSJ-0001_20250101_120000 or 13012300001 are the records' own and are shown; a column's export name
# in brackets after its words, 事件类型（event_type）, tells data staff where to look; a file is
# named as delivered)
SCREEN_CODE = re.compile(r"\bR-[A-Z]{2,}\b|(?<![\w\-（(])[a-z]+(?:_[a-z]+)+(?![\w.-])")


EXPORT_NAMES = {n for s in SOURCES.values() for n in (s.name, *(c.name for c in s.columns))}


def photograph(browser, name: str, max_height: int = 1500) -> bytes:
    """The whole page (up to `max_height` pixels tall) as a PNG, kept as docs' dashboard_<name>.png
    in $RECWATCH_SCREENSHOTS when that is set."""
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1400, min(max(height, 1000), max_height))
    browser.execute_script("window.scrollTo(0, 0)")  # a click may have scrolled something into view
    png = browser.get_screenshot_as_png()
    browser.set_window_size(1400, 1000)
    if os.environ.get("RECWATCH_SCREENSHOTS"):
        out = Path(os.environ["RECWATCH_SCREENSHOTS"])
        out.mkdir(parents=True, exist_ok=True)
        (out / f"dashboard_{name}.png").write_bytes(png)
    return png


def console_errors(browser) -> list[dict]:
    """Errors, and deprecation notices of any level (DataTable is deprecated in Python; the browser
    must not say so to the user)."""
    return [e for e in browser.get_log("browser") if e["level"] == "SEVERE" or "deprecat" in e["message"].lower()]


def text(browser, css: str) -> str:
    # read in one script call: Dash replaces elements while rendering, so held references go stale
    return browser.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText).join(' ')", css)


def texts(browser, css: str) -> list[str]:
    return browser.execute_script("return Array.from(document.querySelectorAll(arguments[0])).map(e => e.innerText)",
                                  css)


def click_option(browser, listbox_id: str, label: str):
    """Tick the radio or checkbox labelled `label` in a dcc.RadioItems/Checklist."""
    browser.find_element(By.XPATH, f'//*[@id="{listbox_id}"]//label[.//span[normalize-space()="{label}"]]').click()


# --- tests -----------------------------------------------------------------------------------

def test_each_page_loads_without_console_errors_and_is_photographed(page):
    for path, (name, _) in PAGES.items():
        browser = page(path)
        errors = console_errors(browser)  # reading the log empties it
        assert not errors, (path, errors)
        assert browser.find_element(By.ID, "app-title").text == "行政执法全过程记录监督"
        # the data's as-of is said; that it changed, only once it has (a version the browser's
        # numbers could not hold came back changed, and every page said so)
        assert text(browser, "#data-as-of").startswith("数据截至 ") and text(browser, "#data-changed") == "", path
        # no code on screen (issue #25 item 7): no rule id, and no snake_case code of a family,
        # status, kind or reason where its words should stand
        # an English export names its columns and folders so: those names are what data staff know
        found = [m.group() for m in SCREEN_CODE.finditer(text(browser, "body")) if m.group() not in EXPORT_NAMES]
        assert not found, (path, found)
        assert "null" not in texts(browser, "td"), path  # a missing id is an empty cell, not the word null
        # the whole page, up to a screen and a half: the overview's warnings sit below its charts
        png = photograph(browser, name)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000, path


def test_a_filter_changes_the_numbers(page):
    browser = page("/")
    year_heading, year_cards = text(browser, "#ov-content h3"), text(browser, "#ov-content .card")
    click_option(browser, "period-type", "季度")
    wait_for(browser, lambda: "第四季度" in text(browser, "#ov-content h3"), "the quarter's headline")
    assert "2025年第四季度" in text(browser, "#ov-content h3") and text(browser, "#ov-content h3") != year_heading
    settle(browser, "#ov-content .card")
    assert text(browser, "#ov-content .card") != year_cards
    # the unit tree: picking a child unit narrows every figure to it
    quarter_cards = text(browser, "#ov-content .card")
    browser.find_element(By.ID, "unit").click()
    option = wait_for(browser, lambda: [o for o in browser.find_elements(By.CSS_SELECTOR, "[role=option]")
                                        if o.text.startswith(("├─", "└─"))], "the unit tree's child units")[0]
    child = option.text[3:]
    option.click()
    wait_for(browser, lambda: text(browser, "#ov-content .card") != quarter_cards, "the unit's figures")
    assert child in browser.find_element(By.ID, "unit").text
    assert not console_errors(browser)


def test_a_kept_period_is_named_after_a_reload_and_one_no_longer_published_becomes_the_latest(page):
    browser = page("/")
    click_option(browser, "period-type", "季度")
    wait_for(browser, lambda: text(browser, "#period") == "2025年第四季度", "the latest quarter")
    browser.find_element(By.ID, "period").click()
    wait_for(browser, lambda: [o for o in browser.find_elements(By.CSS_SELECTOR, "[role=option]")
                               if o.text == "2025年第三季度"], "the third quarter in the list")[0].click()
    wait_for(browser, lambda: "2025年第三季度" in text(browser, "#ov-content h3"), "the third quarter's headline")
    # the kept quarter is not among the layout's first periods' years: it is named, not emptied
    for _ in range(3):
        browser.get(browser.current_url)
        settle(browser, PAGES["/"][1])
        wait_for(browser, lambda: text(browser, "#period") == "2025年第三季度", "the kept quarter's name")
        assert "2025年第三季度" in text(browser, "#ov-content h3")
    # a period kept from before the snapshot changed, that it no longer has: the type's latest
    browser.execute_script("window.sessionStorage.setItem('_dash_persistence.period.value.true', "
                           "JSON.stringify(['1999Q1', '2025']));")
    browser.get(browser.current_url)
    settle(browser, PAGES["/"][1])
    wait_for(browser, lambda: text(browser, "#period") == "2025年第四季度", "the latest quarter instead")
    wait_for(browser, lambda: "2025年第四季度" in text(browser, "#ov-content h3"), "the latest quarter's headline")
    assert not console_errors(browser)


def test_clicking_a_unit_on_the_ranking_filters_everything_to_it(page, leaf_units):
    browser = page("/units")
    cell = next(e for e in browser.find_elements(By.CSS_SELECTOR, "#un-table td[data-dash-column=unit_name]")
                if e.text in leaf_units)
    name = cell.text
    cell.click()
    wait_for(browser, lambda: name in browser.find_element(By.ID, "unit").text, "the unit filter to take the click")
    browser.find_element(By.ID, "nav-devices").click()
    settle(browser, "#dev-table td")
    units = set(texts(browser, "#dev-table td[data-dash-column=unit_name]"))
    assert units == {name}
    assert not console_errors(browser)


def test_the_drill_down_reaches_a_violation_row(page):
    browser = page("/")
    cards = browser.find_elements(By.CSS_SELECTOR, "#ov-content a[href*='/rules?family=archiving']")
    assert cards, "the archiving card links to its violations"
    cards[0].click()
    settle(browser, "#ru-table td[data-dash-column=rule]")
    assert browser.current_url.endswith("/rules?family=archiving")
    rules = set(texts(browser, "#ru-table td[data-dash-column=rule]"))
    assert rules == {"30日内立卷归档"}  # the archiving family's rule, by its name (R-ARC)
    citations = texts(browser, "#ru-table td[data-dash-column=citation]")
    assert citations and all(c.startswith("《") and "第" in c for c in citations)  # regulation and article
    # the table's own filter narrows it, in SQL, by the label the table shows
    total = text(browser, "#ru-total")
    box = browser.find_element(By.CSS_SELECTOR, "#ru-table th[data-dash-column=severity] input")
    box.send_keys("高\n")
    wait_for(browser, lambda: text(browser, "#ru-total") != total, "the filtered total")
    severities = set(texts(browser, "#ru-table td[data-dash-column=severity]"))
    assert severities <= {"高"}
    assert "filter=%7Bseverity%7D" in browser.find_element(By.ID, "ru-csv").get_attribute("href")
    assert not console_errors(browser)


def test_the_language_switch(page):
    browser = page("/rules")
    click_option(browser, "lang", "English")
    wait_for(browser, lambda: browser.find_element(By.ID, "app-title").text == "Whole-process recording oversight",
             "the English title")
    wait_for(browser, lambda: text(browser, "#ru-title").startswith("Violations:"), "the English page")
    settle(browser, "#ru-table td")
    assert browser.find_element(By.ID, "nav-units").text == "Units"
    headers = texts(browser, "#ru-table th .column-header-name")
    assert headers[:3] == ["Rule", "Severity", "Unit"]
    assert set(texts(browser, "#ru-table td[data-dash-column=severity]")) <= {
        "high", "medium", "low"}
    click_option(browser, "lang", "中文")
    wait_for(browser, lambda: browser.find_element(By.ID, "nav-units").text == "单位排名", "Chinese again")
    assert not console_errors(browser)


def test_party_names_stay_masked_until_the_logged_switch(page, real_names, privacy_log):
    browser = page("/rules?family=archiving", "#ru-table td[data-dash-column=party_name]")
    shown = [s for s in texts(browser, "#ru-table td[data-dash-column=party_name]") if s]
    assert shown and all(s[1:] == "某某" for s in shown)
    assert not shows_any(browser, real_names)
    privacy_log.messages.clear()
    click_option(browser, "unmask", "显示当事人姓名（将记录日志）")
    wait_for(browser, lambda: text(browser, "#ru-unmasked"), "the unmasked banner")
    settle(browser, "#ru-table td[data-dash-column=party_name]")
    unmasked = set(texts(browser, "#ru-table td[data-dash-column=party_name]"))
    assert unmasked & real_names and {mask(n) for n in unmasked if n} <= set(shown) | {mask(n) for n in real_names}
    assert any("rules page" in m and "@127.0.0.1" in m and "family archiving" in m for m in privacy_log.messages)
    # the switch is not remembered: a new visit is masked again
    browser.get(browser.current_url)
    settle(browser, "#ru-table td[data-dash-column=party_name]")
    assert not shows_any(browser, real_names)
    assert not console_errors(browser)


def test_dash_s_own_words_are_in_the_page_s_language(page):
    """Issue #25 item 7: the rules table's filter cells and the dropdowns' search box speak Chinese
    (Dash writes 'filter data...' and 'Search' unless told otherwise), and English when switched."""
    browser = page("/rules")
    placeholders = lambda: set(browser.execute_script(  # noqa: E731
        "return Array.from(document.querySelectorAll('#ru-table input[type=text]')).map(e => e.placeholder)"
        " .filter(p => !/^[0-9]+$/.test(p))"))  # the pager's page box shows its page number
    wait_for(browser, lambda: placeholders() == {"输入筛选条件…"}, "Chinese filter placeholders")
    browser.find_element(By.ID, "unit").click()
    wait_for(browser, lambda: browser.execute_script(
        "return Array.from(document.querySelectorAll('input')).some(e => e.placeholder === '搜索')"), "搜索 in the dropdown")
    assert "filter data" not in browser.page_source and 'placeholder="Search"' not in browser.page_source
    click_option(browser, "lang", "English")
    wait_for(browser, lambda: placeholders() == {"Filter…"}, "English filter placeholders")


def test_no_page_shows_a_code_in_english(page):
    """Issue #25 item 7, in English too: families, levels, kinds, statuses and reasons in words."""
    for path, (_, ready) in PAGES.items():
        browser = page(path)
        click_option(browser, "lang", "English")
        wait_for(browser, lambda: browser.find_element(By.ID, "app-title").text == "Whole-process recording oversight",
                 "the English title")
        settle(browser, ready)
        # an English export names its columns and folders so: those names are what data staff know
        found = [m.group() for m in SCREEN_CODE.finditer(text(browser, "body")) if m.group() not in EXPORT_NAMES]
        assert not found, (path, found)


def test_the_ledger_shows_no_code(page):
    """The spot-check ledger of the generated year (the generator's reviews returned, some cases
    not reviewed): words and empty cells, no code and no null, in Chinese and English
    (tests/test_browser_ledger.py checks its figures)."""
    browser = page("/ledger", "#lg-units td, #lg-cases td")
    shown = set(texts(browser, "#lg-cases td[data-dash-column=review_status]"))
    assert shown and shown <= {"未评查", "合格", "基本合格", "不合格"}
    assert "null" not in texts(browser, "td")
    for lang, title in (("English", "Spot-check ledger"), ("中文", "抽查台账")):
        click_option(browser, "lang", lang)
        wait_for(browser, lambda: text(browser, "#lg-title").startswith(title), f"the ledger in {lang}")
        settle(browser, "#lg-units td, #lg-cases td")
        found = [m.group() for m in SCREEN_CODE.finditer(text(browser, "body")) if m.group() not in EXPORT_NAMES]
        assert not found, (lang, found)
    assert not console_errors(browser)
