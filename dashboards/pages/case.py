"""案件全过程 Case record: one case's whole recorded process (/case?case_id=…, opened from a violation,
a warning or the spot-check ledger), and the ledger of the period's drawn cases."""

import dash
from dash import Input, Output, callback, dcc, html

from dashboards import case
from dashboards.filters import lang_of
from dashboards.labels import t
from dashboards.query import current_snapshot

dash.register_page(__name__, path=case.PATH, name="案件全过程", title="案件全过程 Case record", order=6,
                   label="page_case")


def layout(case_id: str | None = None, **_query):
    return html.Div([
        html.Div([
            html.Label(id="cs-label", htmlFor="cs-case-id"),
            dcc.Input(id="cs-case-id", type="text", value=case_id or "", debounce=True, style={"width": 240}),
            html.Button(id="cs-show", n_clicks=0),
        ], style={"display": "flex", "gap": 12, "alignItems": "center", "padding": "8px 0"}),
        dcc.Loading(html.Div(id="cs-content")),
        html.Div(id="cs-ledger-box"),
    ])


@callback(Output("cs-label", "children"), Output("cs-show", "children"), Input("filters", "data"))
def relabel(filters):
    lang = lang_of(filters)
    return t("case_id", lang), t("case_show", lang)


@callback(Output("cs-content", "children"), Input("filters", "data"), Input("cs-case-id", "value"),
          Input("cs-show", "n_clicks"))
def render(filters, case_id, _clicks):
    return case.case_view(current_snapshot(), case_id, filters, lang_of(filters))


@callback(Output("cs-ledger-box", "children"), Input("filters", "data"))
def ledger(filters):
    return case.ledger(current_snapshot(), filters, lang_of(filters))


