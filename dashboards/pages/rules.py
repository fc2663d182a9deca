"""规则明细 Rules: the violations of one rule family, sorted, filtered and paged in SQL, with links
that download the current view (CSV in full, Excel up to views.EXCEL_LIMIT rows). Party names are
masked unless the server allows unmasking and the user asked for it (then logged)."""

import dash
from dash import Input, Output, callback, dash_table, dcc, html

from dashboards import access, dims, views
from dashboards.filters import lang_of, resolve
from dashboards.labels import dropdown_labels, t, table_filter
from dashboards.query import current_snapshot

dash.register_page(__name__, path="/rules", name="规则明细", title="规则明细 Rules", order=2, label="page_rules")



def layout(family: str | None = None, **_query):
    """/rules?family=<family> opens the page on that family (the drill-down from the overview); with
    none, on every family."""
    return html.Div([
        html.Div([
            html.Label(id="ru-family-label"),
            # options given with the value: Dash 4's dropdown drops a value that is not among its options
            dcc.Dropdown(id="ru-family", value=family or None, clearable=True, style={"width": 260},
                         placeholder=t("all_families", "zh"),
                         labels=dropdown_labels("zh"),
                         options=views.family_options(current_snapshot(), "zh")),
            html.A(id="ru-csv", href="", style=views.LINK_STYLE),
            html.A(id="ru-xlsx", href="", style=views.LINK_STYLE),
            html.Span(id="ru-export-hint", style={"fontSize": 12, "color": "#666"}),
        ], style={"display": "flex", "gap": 12, "alignItems": "center", "padding": "8px 0"}),
        html.H3(id="ru-title"),
        html.P(id="ru-unmasked", style={"color": "#c62828", "fontWeight": "bold"}),
        html.P(id="ru-total"),
        dash_table.DataTable(id="ru-table", page_action="custom", page_current=0, page_size=views.PAGE_SIZE,
                             sort_action="custom", sort_mode="multi", sort_by=[], filter_action="custom",
                             filter_query="", filter_options=table_filter("zh"), style_table={"overflowX": "auto"},
                             markdown_options={"link_target": "_self"},
                             style_cell={"textAlign": "left", "fontSize": 13, "whiteSpace": "normal", "maxWidth": 420},
                             style_header={"fontWeight": "bold"}),
    ])


@callback(Output("ru-family", "options"), Output("ru-family", "labels"), Output("ru-family", "placeholder"),
          Output("ru-family-label", "children"),
          Output("ru-csv", "children"), Output("ru-xlsx", "children"), Output("ru-export-hint", "children"),
          Output("ru-table", "filter_options"), Input("filters", "data"))
def relabel(filters):
    lang = lang_of(filters)
    return (views.family_options(current_snapshot(), lang), dropdown_labels(lang), t("all_families", lang),
            t("family", lang),
            t("download_csv", lang), t("download_xlsx", lang), t("export_hint", lang, limit=f"{views.EXCEL_LIMIT:,}"),
            table_filter(lang))


@callback(Output("ru-table", "data"), Output("ru-table", "columns"), Output("ru-table", "page_count"),
          Output("ru-table", "page_current"), Output("ru-title", "children"), Output("ru-total", "children"),
          Output("ru-unmasked", "children"),
          Input("filters", "data"), Input("ru-family", "value"), Input("ru-table", "page_current"),
          Input("ru-table", "page_size"), Input("ru-table", "sort_by"), Input("ru-table", "filter_query"))
def render(filters, family, page_current, page_size, sort_by, filter_query):
    snapshot, lang = current_snapshot(), lang_of(filters)
    f = resolve(snapshot, filters)
    unmask = access.unmask_allowed(filters)
    who = access.who() if unmask else ""
    page_size = page_size or views.PAGE_SIZE
    rows, total, pages = views.violation_rows(snapshot, f, lang, family, page_current or 0, page_size, sort_by,
                                              filter_query, unmask, who)
    page = views.clamp_page(page_current or 0, pages)
    if page != (page_current or 0):  # a narrower view than the page shown: go to its last page
        rows, total, pages = views.violation_rows(snapshot, f, lang, family, page, page_size, sort_by, filter_query,
                                                  unmask, who)
    family_name = views.family_label(snapshot, lang).get(family, family) if family else t("all_families", lang)
    said = t("rules_total", lang, total=f"{total:,}") if total else views.empty_reason(snapshot, f, lang, family)
    # a case opens its whole process, an officer their record
    return (views.with_case_links(rows, views.LINKED), views.view_columns(snapshot, f, lang, family, filter_query, total),
            pages, page, t("rules_title", lang, family=family_name, period=dims.period_name(snapshot, f, lang)),
            said, t("unmask_banner", lang) if unmask else "")


@callback(Output("ru-csv", "href"), Output("ru-xlsx", "href"), Input("filters", "data"), Input("ru-family", "value"),
          Input("ru-table", "sort_by"), Input("ru-table", "filter_query"))
def export_links(filters, family, sort_by, filter_query):
    return tuple(views.export_href(fmt, filters, family, sort_by, filter_query) for fmt in views.EXPORT_FORMATS)
