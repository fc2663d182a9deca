"""设备 Devices."""

import dash
from dash import Input, Output, callback, html

from dashboards import views
from dashboards.filters import lang_of
from dashboards.query import current_snapshot

dash.register_page(__name__, path="/devices", name="设备", title="设备 Devices", order=4, label="page_devices")

layout = html.Div(id="devices-content")


@callback(Output("devices-content", "children"), Input("filters", "data"))
def render(filters):
    return views.devices(current_snapshot(), filters, lang_of(filters))
