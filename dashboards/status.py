"""Status colours (green, yellow, red) by thresholds that are settings, and the legend that states
them: a rate or a score is judged the same way on every page."""

from __future__ import annotations

import math
from dataclasses import dataclass

from dash import html

from core.settings import load_settings

from .labels import t

COLOURS = {"green": "#1a7f37", "yellow": "#b08800", "red": "#c62828", None: "#888888"}
FILLS = {"green": "#e6f4ea", "yellow": "#fff6d5", "red": "#fde2e1", None: "#fafafa"}


@dataclass(frozen=True)
class Thresholds:
    green: float  # from here up: green
    red: float  # below this: red; between: yellow
    percent: bool  # a rate (0–1) shown as a percentage, or a score (0–100)

    def status(self, value) -> str | None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        return "green" if value >= self.green else "red" if value < self.red else "yellow"

    def text(self, value: float) -> str:
        return f"{100 * value:g}%" if self.percent else f"{value:g}"


def rate_thresholds() -> Thresholds:
    s = load_settings()
    return Thresholds(s.rate_green, s.rate_red, True)


def score_thresholds() -> Thresholds:
    s = load_settings()
    return Thresholds(s.score_green, s.score_red, False)


def legend(what: Thresholds, lang: str) -> html.Div:
    """The colours and where they start, in words: 绿 ≥ 95%；黄 90%–95%；红 < 90%."""
    green, red = what.text(what.green), what.text(what.red)
    items = [("green", t("status_green", lang, at=green)), ("yellow", t("status_yellow", lang, low=red, high=green)),
             ("red", t("status_red", lang, at=red))]
    return html.Div([html.Span(text, className=f"status-{code}",
                               style={"background": FILLS[code], "color": COLOURS[code], "padding": "1px 8px",
                                      "borderRadius": 4, "marginRight": 8, "fontSize": 12})
                     for code, text in items], className="status-legend", style={"margin": "4px 0"})
