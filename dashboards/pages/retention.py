"""保存期限 Retention."""

import dash
from dash import Input, Output, callback, html

from dashboards import views
from dashboards.filters import lang_of
from dashboards.query import current_snapshot

dash.register_page(__name__, path="/retention", name="保存期限", title="保存期限 Retention", order=3, label="page_retention")

layout = html.Div(id="retention-content")


@callback(Output("retention-content", "children"), Input("filters", "data"))
def render(filters):
    return views.retention(current_snapshot(), filters, lang_of(filters))
