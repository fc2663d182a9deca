"""单位排名 Units: the scorecard as a ranked table and a bar chart; a click on a unit filters every page."""

import dash
from dash import Input, Output, State, callback, dash_table, dcc, html, no_update

from dashboards import dims, status, views
from dashboards.filters import lang_of, resolve
from dashboards.labels import t
from dashboards.query import current_snapshot

dash.register_page(__name__, path="/units", name="单位排名", title="单位排名 Units", order=1, label="page_units")

layout = html.Div([
    html.H3(id="un-title"),
    html.P(id="un-hint"),
    html.Div(id="un-legend"),
    html.Div([html.A(id="un-csv", href="", style=views.LINK_STYLE),
              html.A(id="un-xlsx", href="", style=views.LINK_STYLE)],
             style={"display": "flex", "gap": 12, "padding": "4px 0"}),
    dcc.Graph(id="un-chart"),
    dash_table.DataTable(id="un-table", sort_action="native", style_table={"overflowX": "auto"},
                         style_cell={"textAlign": "left", "fontSize": 13},
                         style_header={"fontWeight": "bold"}),
])


@callback(Output("un-title", "children"), Output("un-hint", "children"), Output("un-legend", "children"),
          Output("un-chart", "figure"), Output("un-table", "data"), Output("un-table", "columns"),
          Output("un-table", "style_data_conditional"), Input("filters", "data"))
def render(filters):
    snapshot, lang = current_snapshot(), lang_of(filters)
    f = resolve(snapshot, filters)
    rows, columns = views.scorecard_records(snapshot, f, lang)
    return (t("scorecard", lang, period=dims.period_name(snapshot, f, lang)), t("units_hint", lang),
            status.legend(status.score_thresholds(), lang), views.scorecard_figure(snapshot, f, lang), rows, columns,
            views.score_styles(lang))


@callback(Output("unit", "value"), Input("un-chart", "clickData"), Input("un-table", "active_cell"),
          State("un-table", "derived_viewport_data"), prevent_initial_call=True)
def pick_unit(click_data, active_cell, rows):
    trigger = dash.ctx.triggered_id
    unit = views.unit_from_click(click_data if trigger == "un-chart" else None,
                                 active_cell if trigger == "un-table" else None, rows)
    return unit if unit else no_update


@callback(Output("un-csv", "href"), Output("un-xlsx", "href"), Output("un-csv", "children"),
          Output("un-xlsx", "children"), Input("filters", "data"))
def export_links(filters):
    lang = lang_of(filters)
    return (views.scorecard_export_href("csv", filters), views.scorecard_export_href("xlsx", filters),
            t("download_csv", lang), t("download_xlsx", lang))
