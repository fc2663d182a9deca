"""The oversight dashboard: a multi-page Dash app over the published read-only snapshot.

    from dashboards.app import serve
    serve(snapshot_path("recwatch.duckdb"))          # http://127.0.0.1:8050

The layout holds what every page shares: the language switch, the filters (period type, period,
unit, regulation profile) and the `filters` store the pages read; the pages live in dashboards/pages/.
"""

from __future__ import annotations

from pathlib import Path

import dash
from dash import Dash, Input, Output, State, dcc, html

from . import data
from .labels import t

PAGES_FOLDER = Path(__file__).with_name("pages")
# page module name (as registered) -> (path, message id of its title), in menu order
PAGES = (("overview", "/", "page_overview"), ("units", "/units", "page_units"), ("rules", "/rules", "page_rules"),
         ("retention", "/retention", "page_retention"), ("devices", "/devices", "page_devices"),
         ("quality", "/quality", "page_quality"))


def unit_options(snapshot: Path, lang: str) -> list[dict]:
    tree = data.units(snapshot)
    return [{"label": "　" * int(r.depth) + r.unit_name, "value": r.unit_id} for r in tree.itertuples()]


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
                  profile_id: str | None = None) -> dict:
    return {"lang": lang if lang in ("zh", "en") else "zh", "period_type": period_type or "year",
            "period": period or None, "unit_id": unit_id or None, "profile_id": profile_id or None}


def create_app(snapshot: Path, lang: str = "zh") -> Dash:
    snapshot = Path(snapshot)
    app = Dash(__name__, use_pages=True, pages_folder=str(PAGES_FOLDER), suppress_callback_exceptions=True,
               title=t("app_title", lang), update_title=None)
    app.server.config["RECWATCH_SNAPSHOT"] = str(snapshot)
    labels = chrome_labels(lang)
    years = data.periods(snapshot, "year")
    nav_ids = [f"nav-{name}" for name, _, _ in PAGES]
    app.layout = html.Div([
        dcc.Store(id="filters", data=build_filters(lang, "year", years[0] if years else None, None)),
        html.Div([
            html.H2(labels["title"], id="app-title", style={"margin": "0 24px 0 0"}),
            dcc.RadioItems(id="lang", options=[{"label": "中文", "value": "zh"}, {"label": "English", "value": "en"}],
                           value=lang, inline=True, persistence=True, persistence_type="session"),
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
                  Output("period-type", "options"), Input("lang", "value"))
    def _relabel(lang_):
        lab = chrome_labels(lang_)
        return (lab["title"], *lab["nav"], lab["period_type_label"], lab["period_label"], lab["unit_label"],
                lab["unit_placeholder"], lab["profile_label"], lab["profile_placeholder"],
                profile_options(data.current_snapshot(), lang_), lab["period_type_options"])

    @app.callback(Output("period", "options"), Output("period", "value"), Input("period-type", "value"),
                  State("period", "value"))
    def _periods(period_type, current):
        options = period_options(data.current_snapshot(), period_type)
        values = [o["value"] for o in options]
        return options, (current if current in values else (values[0] if values else None))

    @app.callback(Output("filters", "data"), Input("lang", "value"), Input("period-type", "value"),
                  Input("period", "value"), Input("unit", "value"), Input("profile", "value"))
    def _filters(lang_, period_type, period, unit_id, profile_id):
        return build_filters(lang_, period_type, period, unit_id, profile_id)

    return app


def serve(snapshot: Path, host: str = "127.0.0.1", port: int = 8050, lang: str = "zh", debug: bool = False) -> None:
    """Serve the dashboard on localhost by default (rules.md R-SEC)."""
    if not Path(snapshot).exists():
        raise FileNotFoundError(f"no published snapshot at {snapshot}: run `recwatch run` first")
    create_app(Path(snapshot), lang).run(host=host, port=port, debug=debug)
