"""抽查台账 Spot-check ledger: for the ledger period that holds the chosen period (a quarter or a year;
a month shows its quarter's, and says so), each unit's 案卷评查 and rectifications, then the drawn
cases with their reviews, filtered by review and rectification status, each case id opening its
case page; downloads of the list. No party is shown."""

import dash
from dash import Input, Output, callback, dash_table, dcc, html

from dashboards import ledger, views
from dashboards.filters import lang_of
from dashboards.labels import dropdown_labels, t
from dashboards.query import current_snapshot

# after the rules: from the rules' findings to the cases reviewers read
dash.register_page(__name__, path="/ledger", name="抽查台账", title="抽查台账 Spot-check ledger", order=2.5,
                   label="page_ledger")

_CELL = {"textAlign": "left", "fontSize": 13, "whiteSpace": "normal", "maxWidth": 360}

layout = html.Div([
    html.H3(id="lg-title"),
    html.Div(id="lg-notes", style={"color": "#555", "fontSize": 13}),
    html.H4(id="lg-units-title"),
    html.P(id="lg-units-hint", style={"fontSize": 12, "color": "#666"}),
    dash_table.DataTable(id="lg-units", style_table={"overflowX": "auto"}, style_cell=_CELL,
                         style_header={"fontWeight": "bold"}),
    html.Div([
        html.H4(id="lg-cases-title", style={"margin": 0}),
        html.A(id="lg-csv", href="", style=views.LINK_STYLE),
        html.A(id="lg-xlsx", href="", style=views.LINK_STYLE),
    ], style={"display": "flex", "gap": 12, "alignItems": "center", "padding": "16px 0 4px"}),
    html.Div([
        html.Div([html.Label(id="lg-review-label"),
                  dcc.Dropdown(id="lg-review", value=None, clearable=True, style={"width": 220})]),
        html.Div([html.Label(id="lg-rectification-label"),
                  dcc.Dropdown(id="lg-rectification", value=None, clearable=True, style={"width": 220})]),
    ], style={"display": "flex", "gap": 24, "alignItems": "flex-end", "padding": "4px 0"}),
    html.P(id="lg-total"),
    dash_table.DataTable(id="lg-cases", page_size=views.PAGE_SIZE, sort_action="native",
                         style_table={"overflowX": "auto"}, style_cell=_CELL, style_header={"fontWeight": "bold"},
                         style_data_conditional=ledger.case_styles(),
                         markdown_options={"link_target": "_self"},
                         # a markdown cell (the case link) is a paragraph: without its margins its row
                         # is as high as the others
                         css=[{"selector": ".dash-cell-value p", "rule": "margin: 0"}]),
])


@callback(Output("lg-units-title", "children"), Output("lg-units-hint", "children"),
          Output("lg-cases-title", "children"), Output("lg-review-label", "children"),
          Output("lg-rectification-label", "children"), Output("lg-review", "options"),
          Output("lg-rectification", "options"), Output("lg-review", "placeholder"),
          Output("lg-rectification", "placeholder"), Output("lg-review", "labels"),
          Output("lg-rectification", "labels"), Output("lg-csv", "children"), Output("lg-xlsx", "children"),
          Input("filters", "data"))
def relabel(filters):
    lang = lang_of(filters)
    reviews, rectifications = ledger.status_options(lang)
    return (t("lg_units_title", lang), t("lg_units_hint", lang), t("lg_cases_title", lang),
            t("lg_review_status", lang), t("lg_rectification_status", lang), reviews, rectifications,
            t("lg_all_reviews", lang), t("lg_all_rectifications", lang), dropdown_labels(lang), dropdown_labels(lang),
            t("download_csv", lang), t("download_xlsx", lang))


@callback(Output("lg-title", "children"), Output("lg-notes", "children"), Output("lg-units", "data"),
          Output("lg-units", "columns"), Output("lg-units", "style_data_conditional"), Input("filters", "data"))
def render(filters):
    snapshot, lang = current_snapshot(), lang_of(filters)
    title, notes = ledger.period_text(snapshot, filters, lang)
    return (title, [html.P(n, style={"margin": "2px 0"}) for n in notes], ledger.unit_records(snapshot, filters, lang),
            ledger.unit_columns(lang), ledger.unit_styles())


@callback(Output("lg-cases", "data"), Output("lg-cases", "columns"), Output("lg-cases", "page_current"),
          Output("lg-total", "children"), Input("filters", "data"), Input("lg-review", "value"),
          Input("lg-rectification", "value"))
def cases(filters, review_status, rectification_status):
    lang = lang_of(filters)
    records = ledger.case_records(current_snapshot(), filters, lang, review_status, rectification_status)
    filtered = bool(review_status or rectification_status)
    return records, ledger.case_columns(lang), 0, ledger.cases_total(len(records), lang, filtered)


@callback(Output("lg-csv", "href"), Output("lg-xlsx", "href"), Input("filters", "data"), Input("lg-review", "value"),
          Input("lg-rectification", "value"))
def export_links(filters, review_status, rectification_status):
    return tuple(ledger.export_href(fmt, filters, review_status, rectification_status)
                 for fmt in views.EXPORT_FORMATS)
