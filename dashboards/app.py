"""The oversight dashboard: a multi-page Dash app over the published read-only snapshot.

    from dashboards.app import serve
    serve(snapshot_path("recwatch.duckdb"))          # http://127.0.0.1:8050

The layout holds what every page shares: the language switch, the filters (period type, period,
unit, regulation profile), the notice a refused request is told in, and the `filters` store the
pages read; the pages live in dashboards/pages/. Who is asking and what they may see is decided
before each request (dashboards.access); every query is bounded by it (dashboards.scope).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from urllib.parse import quote, unquote_plus

import dash
import flask
from dash import Dash, Input, Output, State, dcc, html

from core.glossary import term
from core.i18n import code_label
from core.output import safe_filename
from core.settings import Settings, load_settings

from . import access, dims, ledger, views
from .filters import PERIOD_TYPES, lang_of, normalise, resolve
from .health import health
from .labels import dropdown_labels, t
from .queries.ledger import checked as check_ledger_statuses, ledger_period
from .queries.violations import check_view
from .queries.warnings import check_rows as check_warning_rows
from .query import current_snapshot, snapshot_version

PAGES_FOLDER = Path(__file__).with_name("pages")


def unit_options(snapshot: Path, lang: str) -> list[dict]:
    """The units the requester may see (dims.units_in_scope) as dropdown options drawn with tree
    lines; a unit with units below it says how many, since picking it covers them all (dashboards.scope)."""
    tree = dims.units_in_scope(snapshot)
    labels = tree_labels(tree["depth"].astype(int).tolist(), tree["unit_name"].tolist(), lang)
    return [{"label": label, "value": unit_id, "search": name}
            for label, unit_id, name in zip(labels, tree["unit_id"], tree["unit_name"])]


def tree_labels(depth: list[int], names: list[str], lang: str) -> list[str]:
    """Labels with tree lines for nodes listed depth-first with their depths (root 0)."""
    n = len(depth)
    ends = [next((j for j in range(i + 1, n) if depth[j] <= depth[i]), n) for i in range(n)]
    # last of its siblings: the walk climbs above it (or ends) right after its subtree
    last = [e == n or depth[e] < depth[i] for i, e in enumerate(ends)]
    out, ancestors_last = [], []
    for i in range(n):
        del ancestors_last[max(depth[i] - 1, 0):]
        guide = "".join("　　" if done else "│　" for done in ancestors_last)
        branch = ("└─ " if last[i] else "├─ ") if depth[i] else ""
        below = ends[i] - i - 1
        out.append(guide + branch + names[i] + (t("units_below", lang, n=below) if below else ""))
        if depth[i]:
            ancestors_last.append(last[i])
    return out


def period_options(snapshot: Path, period_type: str, lang: str) -> list[dict]:
    """The periods of a type with figures, latest first, each by its name (2025年第四季度)."""
    names = dims.period_labels(snapshot, period_type, lang)
    return [{"label": names.get(p, p), "value": p} for p in dims.periods(snapshot, period_type)]


def every_period_option(snapshot: Path, lang: str) -> list[dict]:
    """The periods of every type: the layout's list, so that a period kept from the last visit (a
    quarter, say) is named at once. Given only the years, the dropdown cleared a kept quarter before
    `_periods` could narrow the list to quarters, and it stayed empty."""
    return [o for period_type in PERIOD_TYPES for o in period_options(snapshot, period_type, lang)]


def pages() -> list[tuple[str, str, str]]:
    """(name, path, message id of its title) of each page in menu order, as the page registered
    itself (dash.register_page's path, order and label): the menu repeats nothing the pages say."""
    registered = sorted(dash.page_registry.values(), key=lambda p: p["order"])
    return [(p["module"].rsplit(".", 1)[-1], p["path"], p["label"]) for p in registered]


def chrome_labels(lang: str) -> dict:
    """Every label of the shared layout in the chosen language (called on the language switch)."""
    return {"title": t("app_title", lang),
            "nav": [t(key, lang) for _, _, key in pages()],
            "period_type_label": t("period_type", lang), "period_label": t("period", lang),
            "unit_label": t("unit", lang), "unit_placeholder": t("all_units", lang),
            "profile_label": t("profile", lang), "profile_placeholder": t("all_profiles", lang),
            "period_type_options": [{"label": t(p, lang), "value": p} for p in PERIOD_TYPES]}


def profile_options(snapshot: Path, lang: str) -> list[dict]:
    return [{"label": r.label, "value": r.profile_id} for r in dims.profiles(snapshot, lang).itertuples()]


def build_filters(lang: str, period_type: str, period: str | None, unit_id: str | None,
                  profile_id: str | None = None, unmask: bool = False) -> dict:
    return {"lang": lang if lang in ("zh", "en") else "zh", "period_type": period_type or "year",
            "period": period or None, "unit_id": unit_id or None, "profile_id": profile_id or None,
            "unmask": bool(unmask)}


def unmask_options(allowed: bool, lang: str) -> list[dict]:
    """The unmask switch's one option, or none (nothing to tick) when the server does not allow it."""
    return [{"label": t("unmask", lang), "value": "on"}] if allowed else []


def scope_text(snapshot: Path, lang: str) -> str:
    """What the requester may see, in words: the unit named, or every unit."""
    root = access.bound()
    if root is None:
        return t("scope", lang, unit=t("all_units", lang))
    names = dict(zip(*(dims.units(snapshot)[c] for c in ("unit_id", "unit_name"))))
    return t("scope", lang, unit=names.get(root, root))


def freshness(snapshot: Path, seen: str | None, lang: str) -> tuple[str, str]:
    """(what the page's data is: as of which day, published when; a warning when the snapshot was
    replaced after the page loaded it, empty otherwise)."""
    version = snapshot_version(snapshot)
    run = dims.run(snapshot)
    published = dt.datetime.fromtimestamp(int(version) / 1e9).strftime("%Y-%m-%d %H:%M")
    as_of = run["as_of"].strftime("%Y-%m-%d") if run.get("as_of") is not None else "—"
    data = t("data_as_of", lang, as_of=as_of, published=published)
    return data, (t("data_changed", lang, published=published) if seen is not None and seen != version else "")


def layout(snapshot: Path, lang: str, allow_unmask: bool) -> html.Div:
    """The shared layout, built for each page load: the unit and profile lists are the requester's."""
    labels = chrome_labels(lang)
    year = dims.default_period(snapshot, "year")
    return html.Div([
        dcc.Store(id="filters", data=build_filters(lang, "year", year, None)),
        # the snapshot this page was drawn from; checked each minute against the one now published
        dcc.Store(id="snapshot-seen", data=snapshot_version(snapshot)),
        dcc.Interval(id="freshness-tick", interval=60_000),
        html.Div([
            html.Div([html.H2(labels["title"], id="app-title", style={"margin": "0 24px 0 0"}),
                      html.Span(scope_text(snapshot, lang), id="scope", style={"color": "#555"}),
                      html.Span(freshness(snapshot, None, lang)[0], id="data-as-of",
                                style={"color": "#777", "fontSize": 12, "marginLeft": 16})],
                     style={"display": "flex", "alignItems": "baseline"}),
            html.Div([
                # not persisted: showing names is a choice made anew each visit
                dcc.Checklist(id="unmask", options=unmask_options(allow_unmask, lang), value=[], inline=True,
                              style={"color": "#c62828"}),
                dcc.RadioItems(id="lang", value=lang,
                               options=[{"label": "中文", "value": "zh"}, {"label": "English", "value": "en"}],
                               inline=True, persistence=True, persistence_type="session"),
            ], style={"display": "flex", "gap": 24}),
        ], style={"display": "flex", "alignItems": "center", "justifyContent": "space-between"}),
        html.Div([dcc.Link(label, href=path, id=f"nav-{name}", style={"marginRight": 18, "fontSize": 16})
                  for (name, path, _), label in zip(pages(), labels["nav"])],
                 style={"padding": "8px 0", "borderBottom": "1px solid #ddd"}),
        html.Div([
            html.Div([html.Label(labels["period_type_label"], id="period-type-label"),
                      dcc.RadioItems(id="period-type", options=labels["period_type_options"], value="year",
                                     inline=True, persistence=True, persistence_type="session")]),
            html.Div([html.Label(labels["period_label"], id="period-label"),
                      dcc.Dropdown(id="period", labels=dropdown_labels(lang),
                                   options=every_period_option(snapshot, lang),
                                   value=year, clearable=False,
                                   persistence=True, persistence_type="session")],
                     style={"width": 190}),  # 2025年第四季度 whole, beside its arrow
            html.Div([html.Label(labels["unit_label"], id="unit-label"),
                      dcc.Dropdown(id="unit", labels=dropdown_labels(lang), options=unit_options(snapshot, lang),
                                   value=None,
                                   placeholder=labels["unit_placeholder"], clearable=True,
                                   persistence=True, persistence_type="session")],
                     style={"width": 360}),
            html.Div([html.Label(labels["profile_label"], id="profile-label"),
                      dcc.Dropdown(id="profile", labels=dropdown_labels(lang), options=profile_options(snapshot, lang),
                                   value=None,
                                   placeholder=labels["profile_placeholder"], clearable=True,
                                   persistence=True, persistence_type="session")],
                     style={"width": 320}),
        ], style={"display": "flex", "gap": 24, "alignItems": "flex-end", "padding": "8px 0"}),
        # what a refused filter or request is told (on_refusal); cleared by the next accepted filters
        html.Div(id="notice", role="alert", style={"color": "#c62828", "fontWeight": "bold"}),
        html.Div(id="data-changed", role="status", style={"color": "#8a5a00", "fontWeight": "bold"}),
        dash.page_container,
    ], style={"fontFamily": "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif", "margin": "0 16px"})


def create_app(snapshot: Path, lang: str = "zh", allow_unmask: bool = False, scope: str | None = None,
               settings: Settings | None = None) -> Dash:
    """The app on `snapshot`, for the units under `scope` (None: every unit). Party names are masked
    everywhere; with `allow_unmask` a switch shows them, and each view or export made with it is
    logged (logger recwatch.privacy) with who asked. Behind a trusted proxy (settings), each user
    sees the units the access map gives them within `scope` (dashboards.access)."""
    snapshot, settings = Path(snapshot), settings or load_settings()
    app = Dash(__name__, use_pages=True, pages_folder=str(PAGES_FOLDER), suppress_callback_exceptions=True,
               title=t("app_title", lang), update_title=None, on_error=on_refusal)
    server = app.server
    server.config["RECWATCH_SNAPSHOT"] = str(snapshot)
    server.config["RECWATCH_ALLOW_UNMASK"] = bool(allow_unmask)
    server.config["RECWATCH_QUERY_TIMEOUT"] = settings.dashboard_query_timeout
    server.wsgi_app = access.TrustedProxy(server.wsgi_app, settings.trusted_proxies, settings.proxy_user_header,
                                          settings.proxy_groups_header)
    guard(app, settings, scope)
    app.layout = lambda: layout(current_snapshot(), lang, allow_unmask)
    nav_ids = [f"nav-{name}" for name, _, _ in pages()]

    @app.callback(Output("app-title", "children"), *[Output(i, "children") for i in nav_ids],
                  Output("period-type-label", "children"), Output("period-label", "children"),
                  Output("unit-label", "children"), Output("unit", "placeholder"),
                  Output("profile-label", "children"), Output("profile", "placeholder"), Output("profile", "options"),
                  Output("period-type", "options"), Output("unit", "options"), Output("unmask", "options"),
                  Output("scope", "children"), *[Output(d, "labels") for d in ("period", "unit", "profile")],
                  Input("lang", "value"))
    def _relabel(lang_):
        if lang_ not in ("zh", "en"):  # a crafted request: a list here was a 500
            raise access.BadParameter("lang", lang_)
        lab, snap = chrome_labels(lang_), current_snapshot()
        return (lab["title"], *lab["nav"], lab["period_type_label"], lab["period_label"], lab["unit_label"],
                lab["unit_placeholder"], lab["profile_label"], lab["profile_placeholder"],
                profile_options(snap, lang_), lab["period_type_options"], unit_options(snap, lang_),
                unmask_options(allow_unmask, lang_), scope_text(snap, lang_), *[dropdown_labels(lang_)] * 3)

    # the period is an input too: a period that is no longer published (kept from a visit before the
    # snapshot changed) is cleared by the dropdown, and comes back here to become the type's latest
    @app.callback(Output("period", "options"), Output("period", "value"), Input("period-type", "value"),
                  Input("lang", "value"), Input("period", "value"))
    def _periods(period_type, lang_, current):
        if period_type not in PERIOD_TYPES:
            raise access.BadParameter("period_type", period_type)
        if lang_ not in ("zh", "en"):
            raise access.BadParameter("lang", lang_)
        snap = current_snapshot()
        options = period_options(snap, period_type, lang_)
        values = [o["value"] for o in options]
        return options, (current if current in values else dims.default_period(snap, period_type))

    @app.callback(Output("filters", "data"), Output("notice", "children"), Input("lang", "value"),
                  Input("period-type", "value"), Input("period", "value"), Input("unit", "value"),
                  Input("profile", "value"), Input("unmask", "value"))
    def _filters(lang_, period_type, period, unit_id, profile_id, unmask):
        filters = build_filters(lang_, period_type, period, unit_id, profile_id, bool(unmask))
        normalise(filters)  # refused here (on_refusal), the pages keep showing what they did
        return filters, ""

    @app.callback(Output("data-as-of", "children"), Output("data-changed", "children"),
                  Input("freshness-tick", "n_intervals"), Input("filters", "data"), State("snapshot-seen", "data"))
    def _freshness(_tick, filters, seen):
        return freshness(current_snapshot(), seen if isinstance(seen, str) else None, lang_of(filters))

    @server.route("/export/violations.<fmt>")
    def _export(fmt: str):
        return export_response(fmt, flask.request.args)

    @server.route("/export/scorecard.<fmt>")
    def _export_scorecard(fmt: str):
        return scorecard_export_response(fmt, flask.request.args)

    @server.route("/export/warnings.<fmt>")
    def _export_warnings(fmt: str):
        return warning_export_response(fmt, flask.request.args)

    @server.route("/export/ledger.<fmt>")
    def _export_ledger(fmt: str):
        return ledger_export_response(fmt, flask.request.args)

    return app


def guard(app: Dash, settings: Settings, scope: str | None) -> None:
    """Decide who is asking and what they may see before anything else runs for a request (Dash's
    own setup included, which builds the layout), refuse what is refused in words and log it, and
    give every response the security headers."""
    server = app.server

    def admit():
        parents = dims.unit_parents(current_snapshot())
        flask.g.recwatch_access = access.decide(flask.request.environ, settings, scope, parents)

    server.before_request_funcs.setdefault(None, []).insert(0, admit)

    def answer_health():
        """/health, answered before anything else (the access decision, Dash's setup, which builds a
        layout of units): it says nothing about any unit, so a monitor need not be a user."""
        if flask.request.path == "/health":
            report, status = health(current_snapshot(), settings.health_max_age_hours)
            return flask.Response(json.dumps(report, ensure_ascii=False) + "\n", status=status,
                                  mimetype="application/json")
        return None

    server.before_request_funcs[None].insert(0, answer_health)

    @server.errorhandler(access.Refused)
    def _refused(refused: access.Refused):
        access.log_refusal(refused, f"{flask.request.method} {unquote_plus(flask.request.full_path)[:300]}")
        return flask.Response(refused.both() + "\n", status=refused.status, mimetype="text/plain")

    @server.after_request
    def _headers(response: flask.Response) -> flask.Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "text/html":
            # Dash's page runs inline scripts of its own (the renderer, clientside callbacks): those
            # are allowed by their hashes, no others
            response.headers.setdefault("Content-Security-Policy", CSP.format(hashes=" ".join(app.csp_hashes())))
        return response


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",  # a download or a refusal is never run as a page
    "X-Frame-Options": "DENY",  # not framed by another site (clickjacking)
    "Referrer-Policy": "no-referrer",  # export links carry the filters
    # party names may be in a view or a download: nothing is kept in a cache (Dash's own bundles,
    # fingerprinted, set their own)
    "Cache-Control": "no-store",
}
CSP = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
       "frame-ancestors 'none'")


def on_refusal(err: Exception):
    """Dash's error handler for every callback: a refusal is logged and said in the notice above
    the page, and the callback's outputs stay as they were; anything else is a fault and is raised
    on (HTTP 500, the traceback in the server's log only)."""
    if not isinstance(err, access.Refused):
        raise err
    asked = {**dash.ctx.states, **dash.ctx.inputs}
    access.log_refusal(err, "callback " + "; ".join(f"{k}={json.dumps(v, ensure_ascii=False, default=str)[:200]}"
                                                    for k, v in asked.items()))
    dash.set_props("notice", {"children": err.message(_callback_lang())})
    return None  # no output changes


def _callback_lang() -> str:
    """The language of the page a callback serves, from its own inputs (the switch or the filters)."""
    values = {**dash.ctx.states, **dash.ctx.inputs}
    filters = values.get("filters.data")
    lang = values.get("lang.value") or (filters.get("lang") if isinstance(filters, dict) else None)
    return lang if lang in ("zh", "en") else "zh"


def _json_arg(args, name: str, default):
    raw = args.get(name)
    if not raw:
        return default
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, RecursionError):
        raise access.BadParameter(name, raw) from None


def export_response(fmt: str, args) -> flask.Response:
    """The download of the rules table's current view (views.export_href makes the link): CSV
    streamed in batches however long, Excel cut at views.EXCEL_LIMIT rows. Everything is checked
    before the first byte is sent (a bad value: HTTP 400, a unit outside the requester's scope: 403),
    since a streamed download cannot turn into a refusal halfway."""
    if fmt not in views.EXPORT_FORMATS:
        raise access.BadParameter("fmt", fmt)
    filters, sort_by = _json_arg(args, "filters", {}), _json_arg(args, "sort", [])
    snapshot = current_snapshot()
    f = resolve(snapshot, filters)
    lang = f["lang"]
    family, filter_query = args.get("family") or None, args.get("filter") or None
    check_view(snapshot, f, lang, family, sort_by, filter_query)
    unmask, who = access.unmask_allowed(filters), access.who()
    headers = {"Content-Disposition": attachment(*download_names(snapshot, fmt, family, f["period"], lang, unmask))}
    if fmt == "csv":
        chunks = views.export_csv(snapshot, f, lang, family, sort_by, filter_query, unmask, who)
        return flask.Response(flask.stream_with_context(chunks), mimetype="text/csv", headers=headers)
    body, _, _ = views.export_xlsx(snapshot, f, lang, family, sort_by, filter_query, unmask, who)
    return flask.Response(body, headers=headers,
                          mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def scorecard_export_response(fmt: str, args) -> flask.Response:
    """The download of the units page's table (views.scorecard_export_href makes the link); the
    filters are checked first (a unit outside the requester's scope: 403)."""
    if fmt not in views.EXPORT_FORMATS:
        raise access.BadParameter("fmt", fmt)
    snapshot = current_snapshot()
    f = resolve(snapshot, _json_arg(args, "filters", {}))
    ascii_name = f"scorecard_{f['unit_id'] or 'all'}_{f['period']}.{fmt}"
    name = ascii_name if f["lang"] != "zh" else f"{t('page_units', 'zh')}_{f['period']}.{fmt}"
    headers = {"Content-Disposition": attachment(name, ascii_name)}
    out = views.scorecard_export(snapshot, fmt, f, f["lang"])
    if fmt == "csv":
        return flask.Response("".join(out), mimetype="text/csv", headers=headers)
    return flask.Response(out[0], headers=headers,
                          mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def warning_export_response(fmt: str, args) -> flask.Response:
    """The download of a list of the warnings page (views.warning_export_href makes the link), of one
    unit or of the filters' units: checked whole before the first byte, as export_response is."""
    if fmt not in views.EXPORT_FORMATS:
        raise access.BadParameter("fmt", fmt)
    filters = _json_arg(args, "filters", {})
    list_, level, kind, unit_id = (args.get(k) or None for k in ("list", "level", "kind", "unit"))
    snapshot = current_snapshot()
    f = normalise(filters)
    check_warning_rows(f, list_, level, kind, unit_id)
    unmask, who = access.unmask_allowed(filters), access.who()
    names = dict(zip(*(dims.units(snapshot)[c] for c in ("unit_id", "unit_name"))))
    as_of = str(dims.run(snapshot)["as_of"])[:10]
    ascii_name = f"warnings_{list_}_{unit_id or f['unit_id'] or 'all'}_{as_of}{'_unmasked' if unmask else ''}.{fmt}"
    word = {"compliance": "合规", "disposal": code_label("warning_kind", "disposal_review", "zh")}[list_]
    name = ascii_name if f["lang"] != "zh" else (
        f"{term('warning', 'zh')}_{word}_{names.get(unit_id or f['unit_id'], t('all_units', 'zh'))}_{as_of}"
        f"{'_' + term('unmasked', 'zh') if unmask else ''}.{fmt}")
    headers = {"Content-Disposition": attachment(name, ascii_name)}
    out = views.warning_export(snapshot, fmt, f, f["lang"], list_, level, kind, unit_id, unmask, who)
    if fmt == "csv":
        return flask.Response(flask.stream_with_context(out), mimetype="text/csv", headers=headers)
    return flask.Response(out[0], headers=headers,
                          mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def ledger_export_response(fmt: str, args) -> flask.Response:
    """The download of the spot-check ledger's list as filtered (ledger.export_href makes the link):
    the filters and statuses checked first (a unit outside the requester's scope: 403)."""
    if fmt not in views.EXPORT_FORMATS:
        raise access.BadParameter("fmt", fmt)
    snapshot = current_snapshot()
    f = resolve(snapshot, _json_arg(args, "filters", {}))
    review, rectification = check_ledger_statuses(args.get("review") or None, args.get("rectification") or None)
    period = ledger_period(snapshot, f)["period"] or f["period"]
    ascii_name = f"spot_check_ledger_{f['unit_id'] or 'all'}_{period}.{fmt}"
    names = dict(zip(*(dims.units(snapshot)[c] for c in ("unit_id", "unit_name"))))
    name = ascii_name if f["lang"] != "zh" else (
        f"{t('page_ledger', 'zh')}_{names.get(f['unit_id'], t('all_units', 'zh'))}_{period}.{fmt}")
    headers = {"Content-Disposition": attachment(name, ascii_name)}
    out = ledger.export(snapshot, fmt, f, f["lang"], review, rectification)
    if fmt == "csv":
        return flask.Response("".join(out), mimetype="text/csv", headers=headers)
    return flask.Response(out[0], headers=headers,
                          mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def download_names(snapshot: Path, fmt: str, family: str | None, period: str, lang: str,
                   unmask: bool) -> tuple[str, str]:
    """(the download's name in the page's language, an ASCII name for clients that take no other)."""
    ascii_name = f"violations_{family or 'all'}_{period}{'_unmasked' if unmask else ''}.{fmt}"
    if lang != "zh":
        return ascii_name, ascii_name
    label = views.family_label(snapshot, "zh").get(family, family) if family else t("all_units", "zh")
    return f"违规明细_{label}_{period}{'_' + term('unmasked', 'zh') if unmask else ''}.{fmt}", ascii_name


def attachment(name: str, fallback: str) -> str:
    """Content-Disposition for a download (RFC 6266): the ASCII `fallback` as filename, and when
    `name` differs (a Chinese name), `name` as filename* in UTF-8 (RFC 8187), which browsers prefer."""
    name, fallback = safe_filename(name), safe_filename(fallback, ascii_only=True)
    value = f'attachment; filename="{fallback}"'
    return value if name == fallback else value + f"; filename*=UTF-8''{quote(name, safe='')}"


def log_unmasking(snapshot: Path) -> tuple[Path, list[logging.Handler]]:
    """Send the privacy log (each unmasked view) to <snapshot stem>.unmask.log and the console,
    with the time: (the log's path, the handlers added)."""
    return log_beside(snapshot, "recwatch.privacy", "unmask")


def log_refusals(snapshot: Path) -> tuple[Path, list[logging.Handler]]:
    """Send the access log (each refused request: who, what, why) to <snapshot stem>.access.log and
    the console, with the time."""
    return log_beside(snapshot, "recwatch.access", "access")


def log_beside(snapshot: Path, logger: str, kind: str) -> tuple[Path, list[logging.Handler]]:
    path = snapshot.with_name(f"{snapshot.stem}.{kind}.log")
    handlers = [logging.FileHandler(path, encoding="utf-8"), logging.StreamHandler()]
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logging.getLogger(logger).addHandler(handler)
    return path, handlers


def serve(snapshot: Path, host: str = "127.0.0.1", port: int = 8050, lang: str = "zh", allow_unmask: bool = False,
          scope: str | None = None, settings: Settings | None = None) -> None:
    """Serve the dashboard on localhost by default (rules.md R-SEC), for the units under `scope`
    (None: every unit). Refused requests are logged to <snapshot stem>.access.log, and with
    `allow_unmask` each unmasked view to <snapshot stem>.unmask.log, beside the snapshot."""
    import waitress

    snapshot, settings = Path(snapshot), settings or load_settings()
    scope = None if scope == access.ALL else scope
    if not snapshot.exists():
        raise FileNotFoundError(f"no published snapshot at {snapshot}: run `recwatch run` first")
    if scope is not None and scope not in dims.unit_parents(snapshot):
        raise ValueError(f"--scope {scope}: no such unit in {snapshot}")
    app = create_app(snapshot, lang, allow_unmask, scope, settings)  # a bad proxy address stops it here
    if allow_unmask:
        print(f"party names may be unmasked on request; each time is logged to {log_unmasking(snapshot)[0]}")
    print(f"refused requests are logged to {log_refusals(snapshot)[0]}")
    for name in ("recwatch.privacy", "recwatch.access"):
        # these logs have their own file and console lines; waitress gives the root logger one too,
        # which printed every refusal twice
        logging.getLogger(name).propagate = False
    proxies = ", ".join(settings.trusted_proxies) or "none (nobody is named; every request sees the scope)"
    print(f"scope: {scope or 'every unit'}; trusted proxies: {proxies}")
    print(f"serving the dashboard on http://{host}:{port}")
    waitress.serve(app.server, host=host, port=port, **server_options(settings))


def server_options(settings: Settings) -> dict:
    """How waitress serves the dashboard. Why waitress, and not Flask's development server nor
    gunicorn: a production WSGI server in pure Python with no dependencies, which runs on the
    Windows servers many bureaus have as well as on Linux (gunicorn is Unix only); its worker
    threads suit an app whose time is spent in DuckDB, which releases the GIL.
    - a connection idle longer than channel_timeout (a client that stopped sending or reading) is
      closed; a request's headers and body are bounded (a callback's body is a page of rows at most)
    - no Server: header (ident ""), so the software and its version are not advertised, and no
      traceback is ever sent to a client
    - forwarded headers are judged by access.TrustedProxy, which trusts networks and the user
      header too; waitress's own check (one address, and those headers cleared from everyone else)
      is off, or it would clear them from the trusted proxy as well"""
    return {"threads": settings.dashboard_threads, "channel_timeout": settings.dashboard_channel_timeout,
            "ident": "", "expose_tracebacks": False, "clear_untrusted_proxy_headers": False,
            "max_request_header_size": 64 * 1024, "max_request_body_size": 16 * 1024 * 1024}
