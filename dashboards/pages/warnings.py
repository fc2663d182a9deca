"""预警 Warnings: the open deadlines as work lists. Compliance warnings (upload, archiving,
emergency-start approval) and the review before disposal (a task, never red) are two lists; each is
counted by unit and kind first (a city has 100,000s of rows), and a click on a count opens that
unit's rows, paged in SQL, with downloads of the list. Warnings stand as of the run, so the period
filter does not apply; the page says so. Party names are masked unless the server allows unmasking
and the user asked for it (then logged)."""

import dash
from dash import Input, Output, State, callback, ctx, dash_table, dcc, html

from dashboards import access, dims, views
from dashboards.filters import lang_of
from dashboards.labels import t
from dashboards.queries.warnings import LISTS, checked
from dashboards.query import current_snapshot

# after the overview (0), before the units (1), without renumbering the pages after it
dash.register_page(__name__, path="/warnings", name="预警", title="预警 Warnings", order=0.5, label="page_warnings")

_CELL = {"textAlign": "left", "fontSize": 13, "whiteSpace": "normal", "maxWidth": 420}


def layout(**query):
    """/warnings?list=disposal opens the page on the review before disposal."""
    list_ = "disposal" if query.get("list") == "disposal" else "compliance"
    return html.Div([
        html.P(id="wa-as-of", style={"color": "#555"}),
        dcc.Tabs(id="wa-list", value=list_, children=[dcc.Tab(value=v, id=f"wa-tab-{v}")
                                                      for v in ("compliance", "disposal")]),
        html.Div([
            html.Div([html.Label(id="wa-level-label"),
                      dcc.Dropdown(id="wa-level", value=None, clearable=True, style={"width": 220})]),
            html.Div([html.Label(id="wa-kind-label"),
                      dcc.Dropdown(id="wa-kind", value=None, clearable=True, style={"width": 260})]),
        ], style={"display": "flex", "gap": 24, "alignItems": "flex-end", "padding": "8px 0"}),
        html.P(id="wa-summary", style={"fontWeight": "bold"}),
        html.P(id="wa-counts-hint", style={"fontSize": 12, "color": "#666"}),
        dash_table.DataTable(id="wa-counts", page_size=15, sort_action="native", style_table={"overflowX": "auto"},
                             style_cell=_CELL, style_header={"fontWeight": "bold"},
                             style_data_conditional=[
                                 {"if": {"filter_query": "{red} > 0", "column_id": "red"}, "backgroundColor": "#fde2e1"},
                                 {"if": {"filter_query": "{yellow} > 0", "column_id": "yellow"},
                                  "backgroundColor": "#fff6d5"},
                                 {"if": {"state": "active"}, "backgroundColor": "#e3ecfa", "border": "1px solid #4a7"}]),
        dcc.Store(id="wa-drill"),
        html.Div([
            html.H4(id="wa-rows-title", style={"margin": 0}),
            html.A(id="wa-csv", href="", style=views.LINK_STYLE),
            html.A(id="wa-xlsx", href="", style=views.LINK_STYLE),
            html.Span(id="wa-export-hint", style={"fontSize": 12, "color": "#666"}),
        ], style={"display": "flex", "gap": 12, "alignItems": "center", "padding": "16px 0 4px"}),
        html.P(id="wa-unmasked", style={"color": "#c62828", "fontWeight": "bold"}),
        html.P(id="wa-total"),
        dash_table.DataTable(id="wa-table", page_action="custom", page_current=0, page_size=views.PAGE_SIZE,
                             style_table={"overflowX": "auto"}, style_cell=_CELL, style_header={"fontWeight": "bold"},
                             markdown_options={"link_target": "_self"},
                             # a markdown cell (the case link) is a paragraph: without its margins
                             # its row is as high as the others
                             css=[{"selector": ".dash-cell-value p", "rule": "margin: 0"}]),
    ])


@callback(Output("wa-as-of", "children"), Output("wa-tab-compliance", "label"), Output("wa-tab-disposal", "label"),
          Output("wa-level-label", "children"), Output("wa-kind-label", "children"),
          Output("wa-level", "placeholder"), Output("wa-kind", "placeholder"), Output("wa-counts-hint", "children"),
          Output("wa-export-hint", "children"), Input("filters", "data"))
def relabel(filters):
    lang = lang_of(filters)
    tabs = [o["label"] for o in views.warning_lists(lang)]
    return (t("wa_as_of", lang, as_of=str(dims.run(current_snapshot())["as_of"])[:10]), *tabs, t("level", lang),
            t("kind", lang), t("wa_all_levels", lang), t("wa_all_kinds", lang), t("wa_counts_hint", lang),
            t("export_hint", lang, limit=f"{views.EXCEL_LIMIT:,}"))


@callback(Output("wa-level", "options"), Output("wa-level", "value"), Output("wa-level", "disabled"),
          Output("wa-kind", "options"), Output("wa-kind", "value"),
          Input("filters", "data"), Input("wa-list", "value"), State("wa-level", "value"), State("wa-kind", "value"))
def choices(filters, list_, level, kind):
    """The levels and kinds of the list in words; a choice the other list does not have is dropped
    (a review before disposal is never red, so its level is not a choice at all)."""
    lang = lang_of(filters)
    levels, kinds = views.warning_level_options(list_, lang), views.warning_kind_options(list_, lang)
    keep = lambda value, options: value if value in {o["value"] for o in options} else None  # noqa: E731
    return levels, keep(level, levels) if list_ != "disposal" else None, list_ == "disposal", kinds, keep(kind, kinds)


@callback(Output("wa-counts", "data"), Output("wa-counts", "columns"), Output("wa-summary", "children"),
          Output("wa-counts", "active_cell"), Output("wa-counts", "page_current"),
          Input("filters", "data"), Input("wa-list", "value"), Input("wa-level", "value"), Input("wa-kind", "value"))
def counts(filters, list_, level, kind):
    rows, columns, said = views.warning_counts(current_snapshot(), filters, lang_of(filters), list_, level, kind)
    return rows, columns, said, None, 0


@callback(Output("wa-drill", "data"), Input("wa-counts", "active_cell"), State("wa-counts", "data"))
def drill(active_cell, rows):
    return views.warning_pick(active_cell, rows)


@callback(Output("wa-table", "data"), Output("wa-table", "columns"), Output("wa-table", "page_count"),
          Output("wa-table", "page_current"), Output("wa-rows-title", "children"), Output("wa-total", "children"),
          Output("wa-unmasked", "children"),
          Input("filters", "data"), Input("wa-list", "value"), Input("wa-level", "value"), Input("wa-drill", "data"),
          Input("wa-table", "page_current"), Input("wa-table", "page_size"))
def rows(filters, list_, level, picked, page_current, page_size):
    """The rows of the unit and kind picked in the counts; nothing until one is picked."""
    lang, snapshot = lang_of(filters), current_snapshot()
    checked(list_, level)
    unit_id, kind = (picked.get("unit_id"), picked.get("kind")) if isinstance(picked, dict) else (None, None)
    if not unit_id or kind not in LISTS[list_]:  # nothing picked yet, or a pick from the other list's counts
        return [], views.warning_columns(list_, lang), 1, 0, "", t("wa_pick", lang), ""
    page = 0 if ctx.triggered_id != "wa-table" else (page_current or 0)  # a new pick starts at its first page
    unmask = access.unmask_allowed(filters)
    who = access.who() if unmask else ""
    page_size = page_size or views.PAGE_SIZE
    records, total, pages = views.warning_rows(snapshot, filters, lang, list_, level, kind, unit_id, page, page_size,
                                               unmask, who)
    if views.clamp_page(page, pages) != page:
        page = views.clamp_page(page, pages)
        records, total, pages = views.warning_rows(snapshot, filters, lang, list_, level, kind, unit_id, page,
                                                   page_size, unmask, who)
    names = dict(zip(*(dims.units(snapshot)[c] for c in ("unit_id", "unit_name"))))
    title = t("wa_rows_title", lang, unit=names.get(unit_id, unit_id),
              kind=dict((o["value"], o["label"]) for o in views.warning_kind_options(list_, lang)).get(kind, kind))
    return (records, views.warning_columns(list_, lang), pages, page, title,
            t("wa_rows_total", lang, total=f"{total:,}"), t("unmask_banner", lang) if unmask else "")


@callback(Output("wa-csv", "href"), Output("wa-xlsx", "href"), Output("wa-csv", "children"),
          Output("wa-xlsx", "children"), Input("filters", "data"), Input("wa-list", "value"),
          Input("wa-level", "value"), Input("wa-kind", "value"), Input("wa-drill", "data"))
def export_links(filters, list_, level, kind, picked):
    """Downloads of the list: the picked unit's and kind's rows, or the whole list of the filters."""
    lang = lang_of(filters)
    unit_id = picked.get("unit_id") if isinstance(picked, dict) else None
    kind = (picked.get("kind") if isinstance(picked, dict) else None) or kind
    return (*(views.warning_export_href(fmt, filters, list_, level, kind, unit_id) for fmt in views.EXPORT_FORMATS),
            t("download_csv", lang), t("download_xlsx", lang))
