"""规则明细 Rules: the violations of one rule family, sorted, filtered and paged in SQL, with a CSV
download of the current view. Party names are masked."""

import dash
from dash import Input, Output, State, callback, dash_table, dcc, html

from dashboards import data, views
from dashboards.labels import t

dash.register_page(__name__, path="/rules", name="规则明细", title="规则明细 Rules", order=2)


def layout(family: str = "upload", **_query):
    """/rules?family=<family> opens the page on that family (the drill-down from the overview)."""
    return html.Div([
        html.Div([
            html.Label(id="ru-family-label"),
            dcc.Dropdown(id="ru-family", value=family or None, clearable=True, style={"width": 260}),
            html.Button(id="ru-download-button", n_clicks=0),
            dcc.Download(id="ru-download"),
        ], style={"display": "flex", "gap": 12, "alignItems": "center", "padding": "8px 0"}),
        html.H3(id="ru-title"),
        html.P(id="ru-total"),
        dash_table.DataTable(id="ru-table", page_action="custom", page_current=0, page_size=views.PAGE_SIZE,
                             sort_action="custom", sort_mode="multi", sort_by=[], filter_action="custom",
                             filter_query="", style_table={"overflowX": "auto"},
                             style_cell={"textAlign": "left", "fontSize": 13, "whiteSpace": "normal", "maxWidth": 420},
                             style_header={"fontWeight": "bold"}),
    ])


@callback(Output("ru-family", "options"), Output("ru-family-label", "children"),
          Output("ru-download-button", "children"), Input("filters", "data"))
def relabel(filters):
    lang = (filters or {}).get("lang", "zh")
    return views.family_options(data.current_snapshot(), lang), t("family", lang), t("download_csv", lang)


@callback(Output("ru-table", "data"), Output("ru-table", "columns"), Output("ru-table", "page_count"),
          Output("ru-table", "page_current"), Output("ru-title", "children"), Output("ru-total", "children"),
          Input("filters", "data"), Input("ru-family", "value"), Input("ru-table", "page_current"),
          Input("ru-table", "page_size"), Input("ru-table", "sort_by"), Input("ru-table", "filter_query"))
def render(filters, family, page_current, page_size, sort_by, filter_query):
    snapshot, lang = data.current_snapshot(), (filters or {}).get("lang", "zh")
    f = data.resolve(snapshot, filters)
    page_size = page_size or views.PAGE_SIZE
    rows, total, pages = views.violation_rows(snapshot, f, lang, family, page_current or 0, page_size, sort_by,
                                              filter_query)
    page = views.clamp_page(page_current or 0, pages)
    if page != (page_current or 0):  # a narrower view than the page shown: go to its last page
        rows, total, pages = views.violation_rows(snapshot, f, lang, family, page, page_size, sort_by, filter_query)
    family_name = views.family_label(snapshot, lang).get(family, family or t("all_units", lang))
    return (rows, views.violation_columns(lang), pages, page, t("rules_title", lang, family=family_name, period=f["period"]),
            t("rules_total", lang, total=f"{total:,}"))


@callback(Output("ru-download", "data"), Input("ru-download-button", "n_clicks"), State("filters", "data"),
          State("ru-family", "value"), State("ru-table", "sort_by"), State("ru-table", "filter_query"),
          prevent_initial_call=True)
def download(n_clicks, filters, family, sort_by, filter_query):
    snapshot, lang = data.current_snapshot(), (filters or {}).get("lang", "zh")
    f = data.resolve(snapshot, filters)
    text = views.violation_csv(snapshot, f, lang, family, sort_by, filter_query)
    return dcc.send_string("\ufeff" + text, f"violations_{family or 'all'}_{f['period']}.csv")
