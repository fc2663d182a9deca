"""执法人员 Officers: per officer, recordings, rates and violations, ranked within their unit; a click on
an officer (a bar or a table row) lists their violations below."""

import dash
from dash import Input, Output, State, callback, dash_table, dcc, html, no_update

from dashboards import dims, officers, views
from dashboards.filters import lang_of, resolve
from dashboards.labels import t
from dashboards.query import current_snapshot

PAGE_SIZE = 20  # officers a page of the table lists

# after the units ranking: from a unit to its officers
dash.register_page(__name__, path="/officers", name="执法人员", title="执法人员 Officers", order=1.5,
                   label="page_officers")

def layout(officer_id: str | None = None, **_query):
    """/officers?officer_id=<id> opens on that officer's violations (a link from the rules table)."""
    return html.Div([
        html.H3(id="of-title"),
        html.P(id="of-hint", style={"color": "#555"}),
        dcc.Graph(id="of-chart"),
        dash_table.DataTable(id="of-table", page_action="custom", page_current=0, page_size=PAGE_SIZE,
                             sort_action="custom", sort_mode="multi", sort_by=[], style_table={"overflowX": "auto"},
                             style_cell={"textAlign": "left", "fontSize": 13}, style_header={"fontWeight": "bold"}),
        # the officer picked; not persisted: a page opened anew shows no one's violations but the
        # one its address names (checked as any filter is: the panel shows only the units in scope)
        dcc.Store(id="of-officer", data=officer_id if isinstance(officer_id, str) else None),
        html.Div(id="of-panel", style={"marginTop": 16}),
    ])


@callback(Output("of-title", "children"), Output("of-hint", "children"), Output("of-chart", "figure"),
          Input("filters", "data"))
def render(filters):
    snapshot, lang = current_snapshot(), lang_of(filters)
    f = resolve(snapshot, filters)
    return (t("officers_title", lang, period=dims.period_name(snapshot, f, lang)), t("officers_hint", lang),
            officers.ranking_figure(snapshot, f, lang))


# paged and sorted on the server: a province's officers are too many to send whole
@callback(Output("of-table", "data"), Output("of-table", "columns"), Output("of-table", "page_count"),
          Output("of-table", "page_current"), Input("filters", "data"), Input("of-table", "page_current"),
          Input("of-table", "page_size"), Input("of-table", "sort_by"))
def render_table(filters, page_current, page_size, sort_by):
    snapshot, lang = current_snapshot(), lang_of(filters)
    f = resolve(snapshot, filters)
    # as the rules table: a narrower list than the page shown goes to its last page
    rows, columns, pages = officers.officer_page(snapshot, f, lang, page_current or 0, page_size or PAGE_SIZE,
                                                sort_by)
    return rows, columns, pages, views.clamp_page(page_current or 0, pages)


@callback(Output("of-officer", "data"), Input("of-chart", "clickData"), Input("of-table", "active_cell"),
          State("of-table", "derived_viewport_data"), prevent_initial_call=True)
def pick_officer(click_data, active_cell, rows):
    trigger = dash.ctx.triggered_id
    officer = views.unit_from_click(click_data if trigger == "of-chart" else None,
                                    active_cell if trigger == "of-table" else None, rows, key="officer_id")
    return officer if officer else no_update


@callback(Output("of-panel", "children"), Input("filters", "data"), Input("of-officer", "data"))
def panel(filters, officer_id):
    return officers.officer_panel(current_snapshot(), filters, officer_id, lang_of(filters))
