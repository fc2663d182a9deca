"""数据质量 Data quality."""

import dash
from dash import Input, Output, callback, html

from dashboards import views
from dashboards.filters import lang_of
from dashboards.query import current_snapshot

dash.register_page(__name__, path="/quality", name="数据质量", title="数据质量 Data quality", order=5, label="page_quality")

layout = html.Div(id="quality-content")


@callback(Output("quality-content", "children"), Input("filters", "data"))
def render(filters):
    return views.quality(current_snapshot(), filters, lang_of(filters))
