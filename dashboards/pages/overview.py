"""总览 Overview: headline rates against the previous period, score by month, violations by rule,
the warning list."""

import dash
from dash import Input, Output, callback, html

from dashboards import views
from dashboards.filters import lang_of
from dashboards.query import current_snapshot

dash.register_page(__name__, path="/", name="总览", title="总览 Overview", order=0, label="page_overview")

layout = html.Div(id="ov-content")


@callback(Output("ov-content", "children"), Input("filters", "data"))
def render(filters):
    return views.overview(current_snapshot(), filters, lang_of(filters))
