"""The dashboard's server (issue #22): identity from a trusted proxy or nowhere, access by unit,
HTTP 400 for a bad parameter, safe download names, the security headers, and the real WSGI server.

A county user's every page, callback and download must hold only its units however the request is
crafted: the property tests below generate crafted filters, table parameters, clicks and export
URLs, fire them as that user through the app, and look for any other unit in what comes back."""

from __future__ import annotations

import http.client
import io
import json
import logging
import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlencode

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from openpyxl import load_workbook
from werkzeug.http import parse_options_header

from core.output import safe_filename
from core.settings import Settings
from dashboards import access, query, views
from dashboards.app import attachment, create_app, server_options, unit_options
from dashboards.queries.scorecard import scorecard

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:dash.development.base_component")

PROXY = "10.9.9.9"
YEAR = {"period_type": "year", "period": "2025", "lang": "zh"}
# fired as a clerk's browser would; hypothesis runs each example on the same app and snapshot
EXAMPLES = hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def snap(samples):
    return samples.published(11)


@pytest.fixture(scope="module")
def tree(snap) -> dict:
    """The unit tree: ids, names, profiles, and a county (a unit below the root) with its subtree."""
    con = duckdb.connect(str(snap), read_only=True)
    try:
        rows = con.execute("select unit_id, unit_name, parent_unit_id, profile_id from int_units").fetchall()
    finally:
        con.close()
    parents = {u: p for u, _, p, _ in rows}
    county = sorted(u for u, p in parents.items() if p is not None)[0]
    mine = {u for u in parents if access.within(u, county, parents)}
    return {"ids": sorted(parents), "names": {u: n for u, n, _, _ in rows}, "parents": parents,
            "profiles": sorted({p for *_, p in rows}), "county": county, "mine": mine,
            "root": next(u for u, p in parents.items() if p is None)}


def forbidden(tree) -> set[str]:
    """Ids and names of the units outside the county: none may appear in what the county is shown
    (an officer's id begins with its unit's id, so a row of another unit shows its id too)."""
    return {s for u in tree["ids"] if u not in tree["mine"] for s in (u, tree["names"][u])}


def proxied(**access_map) -> Settings:
    return Settings(trusted_proxies=(PROXY,), access_users=access_map.get("users", {}),
                    access_groups=access_map.get("groups", {}))


class Clerk:
    """One user of the app: every request from `peer` with `headers`, and the app's callbacks fired
    through the test client as the browser fires them."""

    def __init__(self, app, peer: str = "127.0.0.1", **headers: str):
        self.http = app.server.test_client()
        self.kw = {"environ_base": {"REMOTE_ADDR": peer}, "headers": headers}
        self.get("/")
        self.deps = self.get("/_dash-dependencies").get_json()

    def get(self, url: str):
        return self.http.get(url, **self.kw)

    def fire(self, output: str, values: dict):
        """(status, JSON answer) of the callback that has `output` among its outputs, its inputs and
        state taken from `values` ("id.prop" -> value; missing: None)."""
        dep = next(d for d in self.deps if output in d["output"].strip(".").split("..."))
        fill = lambda items: [{**i, "value": values.get(f"{i['id']}.{i['property']}")} for i in items]  # noqa: E731
        outputs = [dict(zip(("id", "property"), o.rsplit(".", 1))) for o in dep["output"].strip(".").split("...")]
        body = {"output": dep["output"], "outputs": outputs if dep["output"].startswith("..") else outputs[0],
                "inputs": fill(dep["inputs"]), "state": fill(dep["state"]),
                "changedPropIds": [f"{i['id']}.{i['property']}" for i in dep["inputs"]]}
        resp = self.http.post("/_dash-update-component", json=body, **self.kw)
        return resp.status_code, (resp.get_json() if resp.status_code == 200 else resp.get_data(as_text=True))


@pytest.fixture
def refusals():
    """What the server logs about refused requests."""
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(record.getMessage())
    logging.getLogger("recwatch.access").addHandler(handler)
    yield records
    logging.getLogger("recwatch.access").removeHandler(handler)


# --- the trusted proxy rule ------------------------------------------------------------------

def seen_by_app(proxies: tuple[str, ...], peer: str, headers: dict[str, str]) -> dict:
    """The WSGI environ the app sees behind TrustedProxy for a request from `peer` with `headers`."""
    seen = {}

    def app(environ, start_response):
        seen.update(environ)
        start_response("200 OK", [])
        return [b""]

    environ = {"REMOTE_ADDR": peer, "wsgi.url_scheme": "http", "REQUEST_METHOD": "GET", "PATH_INFO": "/"}
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    access.TrustedProxy(app, proxies, "X-Forwarded-User", "X-Forwarded-Groups")(environ, lambda *a: None)
    return seen


HEADER_NAMES = ("X-Forwarded-User", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Groups", "Forwarded",
                "X-Real-IP", "X-Forwarded-Host")


@given(peer=st.sampled_from(["127.0.0.1", "10.9.9.8", "192.168.3.4", "::1", PROXY, "10.20.0.7", "::ffff:10.9.9.9"]),
       headers=st.dictionaries(st.sampled_from(HEADER_NAMES), st.text("abc.,19 ", min_size=1, max_size=12)))
def test_forwarded_headers_are_believed_from_the_trusted_proxy_only(peer, headers):
    proxies = (PROXY, "10.20.0.0/16")
    env = seen_by_app(proxies, peer, headers)
    trusted = peer in (PROXY, "10.20.0.7", "::ffff:10.9.9.9")
    user = headers.get("X-Forwarded-User", "").strip()
    assert env.get("REMOTE_USER") == (user if trusted and user else None)
    assert env.get(access.PROXY_KEY) == (peer if trusted else None)
    if not trusted:  # nothing forwarded is left for anyone to read by mistake, and the address is the peer's
        assert env["REMOTE_ADDR"] == peer
        assert not [k for k in env if k.startswith("HTTP_X_FORWARDED") or k in ("HTTP_FORWARDED", "HTTP_X_REAL_IP")]
    elif "X-Forwarded-For" in headers and headers["X-Forwarded-For"].split(",")[-1].strip():
        # the one proxy appends the client's address: only that last value is believed
        assert env["REMOTE_ADDR"] == headers["X-Forwarded-For"].split(",")[-1].strip()
    assert "HTTP_X_FORWARDED_USER" not in env and "HTTP_X_FORWARDED_GROUPS" not in env


def test_a_chinese_user_name_from_the_proxy_is_read_as_utf8():
    raw = "张三".encode("utf-8").decode("latin-1")  # how WSGI hands over a UTF-8 header
    env = seen_by_app((PROXY,), PROXY, {"X-Forwarded-User": raw, "X-Forwarded-Groups": "县局, 法制股"})
    assert env["REMOTE_USER"] == "张三" and env[access.GROUPS_KEY] == ("县局", "法制股")


def test_a_forged_user_is_not_believed_nor_logged_without_a_trusted_proxy(snap, caplog):
    app = create_app(snap, allow_unmask=True, settings=Settings())
    clerk = Clerk(app, "192.168.3.4", **{"X-Forwarded-User": "chief.inspector", "X-Forwarded-For": "10.0.0.1",
                                         "X-Remote-User": "chief.inspector"})
    caplog.set_level("WARNING", logger="recwatch.privacy")
    resp = clerk.get(views.export_href("csv", {**YEAR, "unmask": True}, "archiving", None, None))
    assert resp.status_code == 200 and resp.get_data()  # the log is written as the download streams
    logged = [r.getMessage() for r in caplog.records if r.name == "recwatch.privacy"]
    assert len(logged) == 1 and "chief.inspector" not in logged[0] and "10.0.0.1" not in logged[0]
    assert "(server account " in logged[0] and "@192.168.3.4" in logged[0]


def test_with_a_trusted_proxy_configured_only_it_is_believed(snap, refusals, caplog):
    app = create_app(snap, allow_unmask=True, settings=proxied(users={"chief.inspector": "*"}))
    # the same headers from anyone but the proxy: refused, and logged by the real address
    direct = Clerk.__new__(Clerk)
    direct.http, direct.kw = app.server.test_client(), {"environ_base": {"REMOTE_ADDR": "192.168.3.4"},
                                                        "headers": {"X-Forwarded-User": "chief.inspector"}}
    for url in ("/", "/_dash-layout", views.export_href("csv", YEAR, None, None, None)):
        resp = direct.get(url)
        assert resp.status_code == 403 and "认证代理" in resp.get_data(as_text=True)
    assert refusals and all("192.168.3.4" in r and "chief.inspector" not in r for r in refusals)
    # from the proxy, the user it names is the one logged, at the client's address it forwards
    caplog.set_level("WARNING", logger="recwatch.privacy")
    chief = Clerk(app, PROXY, **{"X-Forwarded-User": "chief.inspector", "X-Forwarded-For": "6.6.6.6, 172.30.1.8"})
    assert chief.get(views.export_href("csv", {**YEAR, "unmask": True}, None, None, None)).get_data()
    logged = [r.getMessage() for r in caplog.records if r.name == "recwatch.privacy"]
    assert len(logged) == 1 and "chief.inspector@172.30.1.8" in logged[0]


def test_a_user_the_map_does_not_know_gets_nothing(snap, tree, refusals):
    app = create_app(snap, settings=proxied(users={"county.clerk": tree["county"]}))
    for headers in ({"X-Forwarded-User": "stranger"}, {}):  # unknown, or no user named at all
        clerk = Clerk.__new__(Clerk)
        clerk.http, clerk.kw = app.server.test_client(), {"environ_base": {"REMOTE_ADDR": PROXY}, "headers": headers}
        for url in ("/", "/_dash-layout", "/_dash-dependencies", views.export_href("xlsx", YEAR, None, None, None)):
            assert clerk.get(url).status_code == 403
    assert any("stranger" in r for r in refusals)


def test_decide_maps_users_and_groups_within_the_servers_scope(tree):
    parents, county, root = tree["parents"], tree["county"], tree["root"]
    s = Settings(trusted_proxies=(PROXY,), access_users={"a": county, "all": "*", "ghost": "nope"},
                 access_groups={"county-group": county, "province": "*"})
    env = lambda user, *groups: {"REMOTE_ADDR": "1.2.3.4", access.PROXY_KEY: PROXY, "REMOTE_USER": user,  # noqa: E731
                                 access.GROUPS_KEY: groups}
    assert access.decide(env("a"), s, None, parents).unit == county
    assert access.decide(env("all"), s, None, parents).unit is None
    assert access.decide(env("all"), s, county, parents).unit == county  # never beyond the server's scope
    assert access.decide(env("b", "county-group"), s, None, parents).unit == county
    assert access.decide(env("a", "province"), s, None, parents).unit == county  # the user's own entry wins
    other = next(u for u in tree["ids"] if u not in tree["mine"] and u != root)
    for user, groups, scope, key in (("b", (), None, "unknown_user"), ("ghost", (), None, "unknown_mapped_unit"),
                                     ("b", ("county-group", "province"), None, "unknown_user"),  # two units
                                     ("a", (), other, "outside_server_scope")):
        with pytest.raises(access.NoAccess) as refused:
            access.decide(env(user, *groups), s, scope, parents)
        assert refused.value.key == key and refused.value.status == 403
    # without a trusted proxy nobody is named: the server's scope, by address
    assert access.decide({"REMOTE_ADDR": "1.2.3.4", "REMOTE_USER": "a"}, Settings(), county, parents) == \
        access.Access(None, "1.2.3.4", county)


# --- the server's headers and the download's name --------------------------------------------

def test_every_response_carries_the_security_headers(snap, tree):
    clerk = Clerk(create_app(snap, settings=Settings()))
    for url in ("/", "/rules", views.export_href("csv", YEAR, None, None, None), "/export/violations.exe"):
        resp = clerk.get(url)
        assert resp.headers["X-Content-Type-Options"] == "nosniff", url
        assert resp.headers["X-Frame-Options"] == "DENY" and resp.headers["Referrer-Policy"] == "no-referrer"
        assert resp.headers["Cache-Control"] == "no-store"
    csp = clerk.get("/").headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self' 'sha256-" in csp and "unsafe-eval" not in csp


def test_the_download_has_a_safe_rfc6266_name_in_chinese_with_an_ascii_fallback(snap):
    clerk = Clerk(create_app(snap, settings=Settings()))
    zh = clerk.get(views.export_href("csv", {**YEAR, "unmask": False}, "archiving", None, None))
    value = zh.headers["Content-Disposition"]
    assert value.startswith('attachment; filename="violations_archiving_2025.csv"; filename*=UTF-8\'\'%E8%BF%9D')
    # a client that reads RFC 8187 (as Werkzeug does, and browsers) takes the Chinese name
    assert parse_options_header(value) == ("attachment", {"filename": "违规明细_立卷归档_2025.csv"})
    en = clerk.get(views.export_href("xlsx", {**YEAR, "lang": "en"}, None, None, None))
    assert en.headers["Content-Disposition"] == 'attachment; filename="violations_all_2025.xlsx"'


@given(st.text(max_size=200))
def test_any_name_becomes_a_safe_filename(name):
    for ascii_only in (False, True):
        safe = safe_filename(name, ascii_only)
        assert safe and len(safe) <= 120 and len(safe.encode()) <= 240 and not safe.startswith(".")
        assert not set(safe) & set('/\\:*?"<>|;\r\n\t\x00 ')
        assert not ascii_only or safe.isascii()
    value = attachment(name + ".csv", "fallback.csv")
    assert value.isascii() and value.startswith('attachment; filename="fallback.csv"')
    assert parse_options_header(value) == ("attachment", {"filename": safe_filename(name + ".csv")})


def test_the_real_server_is_waitress_with_timeouts_and_no_server_banner(snap, tmp_path):
    """`recwatch dashboard` as a bureau runs it, behind a proxy on this machine."""
    settings = tmp_path / "recwatch.toml"
    settings.write_text('trusted_proxies = ["127.0.0.1"]\ndashboard_channel_timeout = 7\n'
                        '[access_users]\n"chief.inspector" = "*"\n', encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "orchestration.cli", "dashboard", "--warehouse", str(snap.with_name("wh.duckdb")),
         "--port", str(port)], env={**os.environ, "RECWATCH_SETTINGS": str(settings)},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def get(path: str, **headers: str):
        con = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            con.request("GET", path, headers=headers)
            resp = con.getresponse()
            return resp, resp.read()
        finally:
            con.close()

    try:
        for _ in range(200):  # until it listens (importing Dash takes seconds)
            try:
                resp, body = get("/", **{"X-Forwarded-User": "chief.inspector"})
                break
            except ConnectionRefusedError:
                time.sleep(0.1)
        assert resp.status == 200 and b"_dash-renderer" in body  # the proxy's user reached the app
        assert resp.getheader("Server") is None and resp.getheader("X-Content-Type-Options") == "nosniff"
        resp, body = get("/export/violations.csv?filters=%7B%22period_type%22%3A%22week%22%7D",
                         **{"X-Forwarded-User": "chief.inspector"})
        assert resp.status == 400 and "参数 period_type 的值无效" in body.decode()
        resp, body = get("/")  # a request that names nobody gets nothing
        assert resp.status == 403 and resp.getheader("Server") is None
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "serving the dashboard on http://127.0.0.1:" in output and "trusted proxies: 127.0.0.1" in output
    assert "WARNING: This is a development server" not in output
    options = server_options(Settings(dashboard_channel_timeout=7))
    assert options["channel_timeout"] == 7 and options["ident"] == "" and not options["expose_tracebacks"]


# --- HTTP 400 for a bad parameter ------------------------------------------------------------

BAD_EXPORTS = [
    ("/export/violations.exe", "fmt"),
    ("/export/violations.csv?filters=%7Bnot+json", "filters"),
    ("/export/violations.csv?filters=%5B1%5D", "filters"),
    ("/export/violations.csv?filters=" + json.dumps({"period_type": "week"}), "period_type"),
    ("/export/violations.csv?filters=" + json.dumps({"period_type": "quarter", "period": "2025Q5"}), "period"),
    ("/export/violations.csv?filters=" + json.dumps({"period": "0000"}), "period"),
    ("/export/violations.csv?filters=" + json.dumps({"lang": "fr"}), "lang"),
    ("/export/violations.csv?filters=" + json.dumps({"unit_id": ["13012301"]}), "unit_id"),
    ("/export/violations.csv?sort=" + json.dumps("rule"), "sort_by"),
    ("/export/violations.csv?sort=" + json.dumps([{"column_id": 3}]), "sort_by"),
    ("/export/violations.csv?sort=%5B%5B", "sort"),
    ("/export/violations.xlsx?family=nope", "family"),
]


@pytest.mark.parametrize("url, name", BAD_EXPORTS)
def test_a_bad_export_parameter_is_a_400_that_says_which(snap, url, name, refusals):
    resp = Clerk(create_app(snap, settings=Settings())).get(url)
    text = resp.get_data(as_text=True)
    assert resp.status_code == 400 and resp.mimetype == "text/plain"
    assert f"参数 {name} 的值无效" in text and f"Invalid value for {name}" in text
    assert any(name in r for r in refusals)


def test_a_refusal_is_one_line_of_the_log_whatever_the_request_says(snap, refusals):
    clerk = Clerk(create_app(snap, settings=Settings()))
    forged = "x\n2026-01-01 refused nobody\u2028"
    resp = clerk.get("/export/violations.csv?" + urlencode({"filters": json.dumps({"unit_id": forged})}))
    assert resp.status_code == 403
    assert len(refusals) == 1 and "\n" not in refusals[0] and "\u2028" not in refusals[0]
    assert "'x\\n2026-01-01 refused nobody\\u2028'" in refusals[0]  # as written in the request, escaped
    assert access.one_line("a\nb\u2028") == "a\\u000ab\\u2028"


@given(period_type=st.one_of(st.sampled_from(["month", "quarter", "year"]), st.text(max_size=6), st.integers()),
       period=st.one_of(st.none(), st.sampled_from(["2025", "2025Q3", "2025-07"]), st.text(max_size=8), st.integers()),
       lang=st.sampled_from(["zh", "en", "de", None, 1, ["zh"], {"a": 1}]))
@EXAMPLES
def test_callbacks_given_bad_values_answer_with_a_message_not_a_500(app_all, period_type, period, lang):
    filters = {"period_type": period_type, "period": period, "lang": lang}
    for output in ("app-title.children", "ov-content.children", "un-title.children", "retention-content.children",
                   "devices-content.children", "quality-content.children", "ru-table.data", "filters.data",
                   "period.options"):
        status, answer = app_all.fire(output, {"filters.data": filters, "period-type.value": period_type,
                                               "period.value": period, "lang.value": lang,
                                               "ru-family.value": "upload", "ru-table.page_current": 0})
        assert status in (200, 204), (output, answer)
        if status == 200 and "notice" in answer.get("sideUpdate", {}):
            assert answer["response"] == {} and answer["sideUpdate"]["notice"]["children"]


@pytest.fixture(scope="module")
def app_all(snap):
    return Clerk(create_app(snap, settings=Settings()))


# --- access by unit --------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["proxy", "scope"])
def county(request, snap, tree):
    """The county's clerk: named by the trusted proxy and mapped to the county, or on a server
    started for the county alone (--scope) with no proxy."""
    if request.param == "proxy":
        app = create_app(snap, settings=proxied(users={"county.clerk": tree["county"]}))
        return Clerk(app, PROXY, **{"X-Forwarded-User": "county.clerk"})
    return Clerk(create_app(snap, scope=tree["county"], settings=Settings()))


def crafted_filters(tree):
    """Filters as a crafted request may send them: any unit (the county's, another's, none, made up,
    not a string), any profile, periods good and bad, and keys the server must not listen to."""
    unit = st.one_of(st.none(), st.sampled_from(tree["ids"]), st.text(max_size=9), st.integers())
    return st.one_of(
        st.fixed_dictionaries({"unit_id": unit}, optional={
            "period_type": st.sampled_from(["month", "quarter", "year", "decade"]),
            "period": st.sampled_from([None, "2025", "2025Q3", "2025-07", "2024", "x"]),
            "profile_id": st.one_of(st.none(), st.sampled_from(tree["profiles"]), st.text(max_size=5)),
            "lang": st.sampled_from(["zh", "en"]), "unmask": st.booleans(),
            "root": st.sampled_from(tree["ids"]), "scope": st.none(), "bound": st.none()}),
        st.text(max_size=5), st.lists(st.integers(), max_size=2), st.none())


def holds_only_the_county(tree, text: str, asked: str = "") -> None:
    """No other unit's id or name in `text`, but for what the request itself said (a filter typed into
    the table comes back in its download links and the workbook's notes)."""
    leaked = sorted(s for s in forbidden(tree) if s in text and s not in asked)
    assert not leaked, leaked


@given(data_=st.data())
@EXAMPLES
def test_a_county_user_sees_only_its_units_however_the_request_is_crafted(county, tree, refusals, data_):
    filters = data_.draw(crafted_filters(tree), label="filters")
    refusals.clear()
    values = {"filters.data": filters, "ru-family.value": data_.draw(st.sampled_from([None, "upload", "access"])),
              "ru-table.page_current": 0, "ru-table.page_size": 25,
              "ru-table.sort_by": [{"column_id": "unit", "direction": "asc"}],
              "ru-table.filter_query": data_.draw(st.sampled_from(["", "{unit} contains 中队", "{unit} = x"]))}
    outsider = isinstance(filters, dict) and isinstance(filters.get("unit_id"), str) and filters["unit_id"] \
        and filters["unit_id"] not in tree["mine"]
    for output in ("ov-content.children", "un-table.data", "ru-table.data", "retention-content.children",
                   "devices-content.children", "quality-content.children"):
        status, answer = county.fire(output, values)
        assert status in (200, 204), (output, answer)
        if status == 200:  # what is shown (a refusal's notice repeats what was asked, and nothing else)
            holds_only_the_county(tree, json.dumps(answer["response"], ensure_ascii=False))
        if outsider:  # refused in words, nothing of it shown
            lang = filters.get("lang", "zh")
            assert answer["response"] == {}
            assert answer["sideUpdate"]["notice"]["children"] == access.OutOfScope(filters["unit_id"]).message(lang)
    said = access.OutOfScope(filters["unit_id"]).message("en") if outsider else None
    if outsider:
        assert any(said in r and "callback" in r for r in refusals), refusals
    refusals.clear()
    resp = county.get("/export/violations.csv?" + urlencode({"filters": json.dumps(filters, ensure_ascii=False)}))
    assert resp.status_code in (200, 400, 403)
    if resp.status_code == 200:
        holds_only_the_county(tree, resp.get_data(as_text=True))
    if outsider:  # refused and logged: who, and the request with the unit it named
        assert resp.status_code == 403
        assert any(said in r and "GET /export/violations.csv" in r and ("county.clerk@" in r or "(server account" in r)
                   for r in refusals), refusals


@given(family=st.one_of(st.none(), st.sampled_from(["upload", "access", "archiving"]), st.text(max_size=6)),
       sort_by=st.one_of(st.none(), st.just([{"column_id": "unit", "direction": "desc"}]), st.text(max_size=4),
                         st.lists(st.dictionaries(st.sampled_from(["column_id", "direction"]),
                                                  st.one_of(st.text(max_size=8), st.integers())), max_size=2)),
       filter_query=st.one_of(st.none(), st.text(max_size=20), st.sampled_from(
           ["{unit} contains 柳河", "{unit_id} = 13012302", "{officer_id} contains 1301230", "{unit} != x"])),
       page=st.one_of(st.integers(-3, 10**10), st.text(max_size=3), st.none()),
       size=st.one_of(st.integers(-3, 5000), st.none()))
@EXAMPLES
def test_the_rules_table_and_its_downloads_hold_only_the_county(county, tree, family, sort_by, filter_query, page,
                                                                 size):
    values = {"filters.data": YEAR, "ru-family.value": family, "ru-table.page_current": page,
              "ru-table.page_size": size, "ru-table.sort_by": sort_by, "ru-table.filter_query": filter_query}
    asked = json.dumps(values, ensure_ascii=False)
    for output in ("ru-table.data", "ru-csv.href"):
        status, answer = county.fire(output, values)
        assert status in (200, 204), answer
        holds_only_the_county(tree, json.dumps(answer, ensure_ascii=False), asked)
    for fmt in views.EXPORT_FORMATS:
        resp = county.get(views.export_href(fmt, YEAR, family if isinstance(family, str) else None,
                                            sort_by if isinstance(sort_by, list) else None,
                                            filter_query if isinstance(filter_query, str) else None))
        assert resp.status_code in (200, 400)
        body = resp.get_data(as_text=True) if fmt == "csv" or resp.status_code != 200 else json.dumps(
            [list(ws.values) for ws in load_workbook(io.BytesIO(resp.data)).worksheets], ensure_ascii=False,
            default=str)
        holds_only_the_county(tree, body, asked)


def test_a_click_on_another_unit_is_refused_and_logged(county, tree, refusals):
    other = next(u for u in tree["ids"] if u not in tree["mine"])
    status, answer = county.fire("unit.value", {"un-chart.clickData": {"points": [{"customdata": other}]}})
    assert status == 200 and answer["response"]["unit"]["value"] == other  # a click picks; the filter admits
    status, answer = county.fire("filters.data", {"lang.value": "en", "period-type.value": "year",
                                                  "period.value": "2025", "unit.value": other})
    assert answer["sideUpdate"]["notice"]["children"].startswith(f"Unit '{other}' does not exist or is outside")
    assert "filters" not in answer["response"]  # the pages keep what they showed
    assert any(other in r and "callback" in r for r in refusals)
    # the one the county may pick is accepted, and the notice cleared
    status, answer = county.fire("filters.data", {"lang.value": "en", "period-type.value": "year",
                                                  "period.value": "2025", "unit.value": tree["county"]})
    assert answer["response"]["filters"]["data"]["unit_id"] == tree["county"]
    assert answer["response"]["notice"]["children"] == ""


def test_the_unit_and_profile_lists_are_the_countys(county, tree, snap):
    status, answer = county.fire("unit.options", {"lang.value": "zh"})
    units = [o["value"] for o in answer["response"]["unit"]["options"]]
    assert set(units) == tree["mine"] and units[0] == tree["county"]
    profiles = {o["value"] for o in answer["response"]["profile"]["options"]}
    con = duckdb.connect(str(snap), read_only=True)
    try:
        mine = {p for p, in con.execute("select profile_id from int_units where unit_id in (select unnest(?))",
                                        [sorted(tree["mine"])]).fetchall()}
    finally:
        con.close()
    assert profiles == mine
    assert answer["response"]["scope"]["children"] == f"查看范围：{tree['names'][tree['county']]}"
    layout = county.get("/_dash-layout").get_data(as_text=True)
    holds_only_the_county(tree, layout)
    assert unit_options(snap, "zh")[0]["value"] == tree["root"]  # outside a request: the whole tree


def test_the_countys_downloads_hold_its_rows_only(county, tree, snap):
    names = {tree["names"][u] for u in tree["mine"]}
    resp = county.get(views.export_href("csv", YEAR, None, None, None))
    lines = resp.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert resp.status_code == 200 and len(lines) > 1
    assert {line.split(",")[2] for line in lines[1:]} <= names
    book = load_workbook(io.BytesIO(county.get(views.export_href("xlsx", YEAR, None, None, None)).data))
    rows = list(book.worksheets[0].values)
    assert len(rows) == len(lines) and {r[2] for r in rows[1:]} <= names
    assert dict(r[:2] for r in book.worksheets[1].values if len(r) > 1)["单位"] == tree["county"]
    for other in sorted(set(tree["ids"]) - tree["mine"]) + ["no-such-unit"]:
        assert county.get(views.export_href("csv", {**YEAR, "unit_id": other}, None, None, None)).status_code == 403


def test_the_data_quality_page_shows_a_county_no_other_units_loads(county):
    status, answer = county.fire("quality-content.children", {"filters.data": YEAR})
    text = json.dumps(answer, ensure_ascii=False)
    assert "dq-scoped" in text and "dq-batches" not in text and "dq-reasons" not in text


def test_outside_a_request_the_data_layer_sees_every_unit(snap, tree):
    # the CLI and the workbook call the data layer without a request: no scope applies there
    assert set(scorecard(snap, {**YEAR, "period_type": "year"})["unit_id"]) == set(tree["ids"])


def test_the_settings_file_names_the_proxies_and_the_access_map(tmp_path, monkeypatch):
    from core.settings import load_settings

    path = tmp_path / "recwatch.toml"
    path.write_text('trusted_proxies = ["10.1.2.3", "10.1.3.0/24"]\n[access_users]\n"张伟" = "13012301"\n'
                    '[access_groups]\n"province-office" = "*"\n', encoding="utf-8")
    monkeypatch.setenv("RECWATCH_SETTINGS", str(path))
    s = load_settings()
    assert s.trusted_proxies == ("10.1.2.3", "10.1.3.0/24") and s.access_users == {"张伟": "13012301"}
    assert s.access_groups == {"province-office": "*"} and s.proxy_user_header == "X-Forwarded-User"
    monkeypatch.setenv("RECWATCH_TRUSTED_PROXIES", "10.0.0.1, 10.0.0.2")
    assert load_settings().trusted_proxies == ("10.0.0.1", "10.0.0.2")
    assert Settings().trusted_proxies == ()  # the default: no proxy is believed
    with pytest.raises(ValueError, match="trusted_proxies"):
        access.TrustedProxy(None, ("not-an-address",), "X-Forwarded-User", "X-Forwarded-Groups")


def test_the_dashboard_command_refuses_a_scope_or_proxy_it_cannot_use(snap):
    from click.testing import CliRunner

    from orchestration.cli import main

    warehouse = str(snap.with_name("wh.duckdb"))
    result = CliRunner().invoke(main, ["dashboard", "--warehouse", warehouse, "--scope", "no-such-unit"])
    assert result.exit_code == 2 and "--scope no-such-unit: no such unit" in result.output
    result = CliRunner().invoke(main, ["dashboard", "--warehouse", warehouse, "--trusted-proxy", "proxy.local"])
    assert result.exit_code == 2 and "trusted_proxies" in result.output


def test_a_query_past_the_time_limit_is_stopped_and_the_request_told(snap):
    """Issue #22: request timeouts. waitress closes idle connections; a query running too long is
    interrupted (settings.dashboard_query_timeout) and the request answered 503 with the reason."""
    app = create_app(snap, settings=Settings(dashboard_query_timeout=1))
    with app.server.app_context():
        started = time.perf_counter()
        with pytest.raises(access.TooSlow) as refused:
            query.query(snap, "select count(*) from range(100000000000) t(x) where x % 7 = 3")
        assert time.perf_counter() - started < 10
    assert refused.value.status == 503 and "30" not in refused.value.message("en")
    assert refused.value.message("zh").startswith("查询超过 1 秒仍未完成")
    with app.server.app_context():  # a quick query is untouched
        assert query.query(snap, "select 42 as n")["n"].tolist() == [42]
