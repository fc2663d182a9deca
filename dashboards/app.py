"""The oversight dashboard: a multi-page Dash app over the published read-only snapshot.

    from dashboards.app import serve
    serve(snapshot_path("recwatch.duckdb"))          # http://127.0.0.1:8050

The layout holds what every page shares: the language switch, the filters (period type, period,
unit, regulation profile) and the `filters` store the pages read; the pages live in dashboards/pages/.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import dash
import flask
from dash import Dash, Input, Output, State, dcc, html

from . import data, views
from .labels import t

PAGES_FOLDER = Path(__file__).with_name("pages")
# page module name (as registered) -> (path, message id of its title), in menu order
PAGES = (("overview", "/", "page_overview"), ("units", "/units", "page_units"), ("rules", "/rules", "page_rules"),
         ("retention", "/retention", "page_retention"), ("devices", "/devices", "page_devices"),
         ("quality", "/quality", "page_quality"))


def unit_options(snapshot: Path, lang: str) -> list[dict]:
    """The unit tree as dropdown options drawn with tree lines; a unit with units below it says how
    many, since picking it covers them all (data.SCOPE)."""
    tree = data.units(snapshot)
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


def period_options(snapshot: Path, period_type: str) -> list[dict]:
    return [{"label": p, "value": p} for p in data.periods(snapshot, period_type)]


def chrome_labels(lang: str) -> dict:
    """Every label of the shared layout in the chosen language (called on the language switch)."""
    return {"title": t("app_title", lang),
            "nav": [t(key, lang) for _, _, key in PAGES],
            "period_type_label": t("period_type", lang), "period_label": t("period", lang),
            "unit_label": t("unit", lang), "unit_placeholder": t("all_units", lang),
            "profile_label": t("profile", lang), "profile_placeholder": t("all_profiles", lang),
            "period_type_options": [{"label": t(p, lang), "value": p} for p in data.PERIOD_TYPES]}


def profile_options(snapshot: Path, lang: str) -> list[dict]:
    return [{"label": r.label, "value": r.profile_id} for r in data.profiles(snapshot, lang).itertuples()]


def build_filters(lang: str, period_type: str, period: str | None, unit_id: str | None,
                  profile_id: str | None = None, unmask: bool = False) -> dict:
    return {"lang": lang if lang in ("zh", "en") else "zh", "period_type": period_type or "year",
            "period": period or None, "unit_id": unit_id or None, "profile_id": profile_id or None,
            "unmask": bool(unmask)}


def unmask_options(allowed: bool, lang: str) -> list[dict]:
    """The unmask switch's one option, or none (nothing to tick) when the server does not allow it."""
    return [{"label": t("unmask", lang), "value": "on"}] if allowed else []


def create_app(snapshot: Path, lang: str = "zh", allow_unmask: bool = False) -> Dash:
    """The app on `snapshot`. Party names are masked everywhere; with `allow_unmask` a switch shows
    them, and each view or export made with it is logged (logger recwatch.privacy) with who asked."""
    snapshot = Path(snapshot)
    app = Dash(__name__, use_pages=True, pages_folder=str(PAGES_FOLDER), suppress_callback_exceptions=True,
               title=t("app_title", lang), update_title=None)
    app.server.config["RECWATCH_SNAPSHOT"] = str(snapshot)
    app.server.config["RECWATCH_ALLOW_UNMASK"] = bool(allow_unmask)
    labels = chrome_labels(lang)
    years = data.periods(snapshot, "year")
    nav_ids = [f"nav-{name}" for name, _, _ in PAGES]
    app.layout = html.Div([
        dcc.Store(id="filters", data=build_filters(lang, "year", years[0] if years else None, None)),
        html.Div([
            html.H2(labels["title"], id="app-title", style={"margin": "0 24px 0 0"}),
            html.Div([
                # not persisted: showing names is a choice made anew each visit
                dcc.Checklist(id="unmask", options=unmask_options(allow_unmask, lang), value=[], inline=True,
                              style={"color": "#c62828"}),
                dcc.RadioItems(id="lang", value=lang,
                               options=[{"label": "中文", "value": "zh"}, {"label": "English", "value": "en"}],
                               inline=True, persistence=True, persistence_type="session"),
            ], style={"display": "flex", "gap": 24}),
        ], style={"display": "flex", "alignItems": "center", "justifyContent": "space-between"}),
        html.Div([dcc.Link(label, href=path, id=nav_id, style={"marginRight": 18, "fontSize": 16})
                  for (_, path, _), label, nav_id in zip(PAGES, labels["nav"], nav_ids)],
                 style={"padding": "8px 0", "borderBottom": "1px solid #ddd"}),
        html.Div([
            html.Div([html.Label(labels["period_type_label"], id="period-type-label"),
                      dcc.RadioItems(id="period-type", options=labels["period_type_options"], value="year",
                                     inline=True, persistence=True, persistence_type="session")]),
            html.Div([html.Label(labels["period_label"], id="period-label"),
                      dcc.Dropdown(id="period", options=[{"label": y, "value": y} for y in years],
                                   value=years[0] if years else None, clearable=False,
                                   persistence=True, persistence_type="session")],
                     style={"width": 160}),
            html.Div([html.Label(labels["unit_label"], id="unit-label"),
                      dcc.Dropdown(id="unit", options=unit_options(snapshot, lang), value=None,
                                   placeholder=labels["unit_placeholder"], clearable=True,
                                   persistence=True, persistence_type="session")],
                     style={"width": 360}),
            html.Div([html.Label(labels["profile_label"], id="profile-label"),
                      dcc.Dropdown(id="profile", options=profile_options(snapshot, lang), value=None,
                                   placeholder=labels["profile_placeholder"], clearable=True,
                                   persistence=True, persistence_type="session")],
                     style={"width": 320}),
        ], style={"display": "flex", "gap": 24, "alignItems": "flex-end", "padding": "8px 0"}),
        dash.page_container,
    ], style={"fontFamily": "'Noto Sans CJK SC', 'Microsoft YaHei', sans-serif", "margin": "0 16px"})

    @app.callback(Output("app-title", "children"), *[Output(i, "children") for i in nav_ids],
                  Output("period-type-label", "children"), Output("period-label", "children"),
                  Output("unit-label", "children"), Output("unit", "placeholder"),
                  Output("profile-label", "children"), Output("profile", "placeholder"), Output("profile", "options"),
                  Output("period-type", "options"), Output("unit", "options"), Output("unmask", "options"),
                  Input("lang", "value"))
    def _relabel(lang_):
        lab, snap = chrome_labels(lang_), data.current_snapshot()
        return (lab["title"], *lab["nav"], lab["period_type_label"], lab["period_label"], lab["unit_label"],
                lab["unit_placeholder"], lab["profile_label"], lab["profile_placeholder"],
                profile_options(snap, lang_), lab["period_type_options"], unit_options(snap, lang_),
                unmask_options(allow_unmask, lang_))

    @app.callback(Output("period", "options"), Output("period", "value"), Input("period-type", "value"),
                  State("period", "value"))
    def _periods(period_type, current):
        options = period_options(data.current_snapshot(), period_type)
        values = [o["value"] for o in options]
        return options, (current if current in values else (values[0] if values else None))

    @app.callback(Output("filters", "data"), Input("lang", "value"), Input("period-type", "value"),
                  Input("period", "value"), Input("unit", "value"), Input("profile", "value"), Input("unmask", "value"))
    def _filters(lang_, period_type, period, unit_id, profile_id, unmask):
        return build_filters(lang_, period_type, period, unit_id, profile_id, bool(unmask))

    @app.server.route("/export/violations.<fmt>")
    def _export(fmt: str):
        return export_response(fmt, flask.request.args)

    return app


def export_response(fmt: str, args) -> flask.Response:
    """The download of the rules table's current view (views.export_href makes the link): CSV
    streamed in batches however long, Excel cut at views.EXCEL_LIMIT rows."""
    if fmt not in views.EXPORT_FORMATS:
        flask.abort(404)
    try:
        filters = json.loads(args.get("filters") or "{}")
        sort_by = json.loads(args.get("sort") or "[]")
    except json.JSONDecodeError:
        flask.abort(400)
    snapshot, lang = data.current_snapshot(), filters.get("lang", "zh")
    f = data.resolve(snapshot, filters)
    family, filter_query = args.get("family") or None, args.get("filter") or None
    unmask, who = data.unmask_allowed(filters), data.requester()
    name = f"violations_{family or 'all'}_{f['period']}{'_unmasked' if unmask else ''}.{fmt}"
    headers = {"Content-Disposition": f"attachment; filename={name}"}
    if fmt == "csv":
        chunks = views.export_csv(snapshot, f, lang, family, sort_by, filter_query, unmask, who)
        return flask.Response(flask.stream_with_context(chunks), mimetype="text/csv",
                              headers=headers)
    body, _, _ = views.export_xlsx(snapshot, f, lang, family, sort_by, filter_query, unmask, who)
    return flask.Response(body, headers=headers,
                          mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def log_unmasking(snapshot: Path) -> tuple[Path, list[logging.Handler]]:
    """Send the privacy log (each unmasked view) to <snapshot stem>.unmask.log and the console,
    with the time: (the log's path, the handlers added)."""
    path = snapshot.with_name(snapshot.stem + ".unmask.log")
    handlers = [logging.FileHandler(path, encoding="utf-8"), logging.StreamHandler()]
    for handler in handlers:
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logging.getLogger("recwatch.privacy").addHandler(handler)
    return path, handlers


def serve(snapshot: Path, host: str = "127.0.0.1", port: int = 8050, lang: str = "zh", debug: bool = False,
          allow_unmask: bool = False) -> None:
    """Serve the dashboard on localhost by default (rules.md R-SEC). With `allow_unmask`, each unmasked
    view is also appended to <snapshot stem>.unmask.log beside the snapshot (log_unmasking)."""
    snapshot = Path(snapshot)
    if not snapshot.exists():
        raise FileNotFoundError(f"no published snapshot at {snapshot}: run `recwatch run` first")
    if allow_unmask:
        print(f"party names may be unmasked on request; each time is logged to {log_unmasking(snapshot)[0]}")
    create_app(snapshot, lang, allow_unmask).run(host=host, port=port, debug=debug)
