"""执法人员 Officers: what the page shows, as plain functions of (snapshot, filters, lang): the officers
of the units in scope with their recordings, rates and violations, ranked within their unit by
violations per 100 judged items; the chart of that ranking; and one officer's violations, by rule
and one by one. The page (dashboards/pages/officers.py) only wires these to its callbacks."""

from __future__ import annotations

import statistics
from pathlib import Path

import plotly.graph_objects as go
from dash import html

from core.privacy import mask_frame

from . import access, dims
from .filters import resolve
from .labels import t
from .queries import officers as queries
from .views import PAGE_SIZE, _empty_figure, _records, clamp_page, coded, plot_text, table

RATES = tuple(f"{name}_rate" for name in queries.RATE_RULES)
# the officers the chart shows at most: beyond that the bars are too thin to read or click, and the
# table lists them all
CHART_LIMIT = 40


def officer_records(snapshot: Path, filters: dict, lang: str) -> tuple[list[dict], list[dict]]:
    """(rows, columns) of the officers table, every officer in scope: rates as percentages, the place
    as `3/28` (of the officers of the unit with something judged)."""
    return _records(_officer_frame(snapshot, filters)), officer_columns(lang)


def officer_page(snapshot: Path, filters: dict, lang: str, page_current: int = 0, page_size: int = PAGE_SIZE,
                 sort_by: list[dict] | None = None) -> tuple[list[dict], list[dict], int]:
    """(rows of one page, columns, page count) of the officers table, sorted by `sort_by` (DataTable's:
    columns of the table, each ascending or descending, empty values last) and otherwise unit by unit
    in tree order. A province has 20,000 officers: sent whole for the browser to page and sort, the
    table took 350 ms a request, most of it making their JSON; a page of them is read from the same
    cached query."""
    access.check_paging(page_current, page_size)
    if sort_by is not None and not (isinstance(sort_by, list) and all(
            isinstance(s, dict) and s.get("column_id") in {c for c, _, _ in COLUMNS} for s in sort_by)):
        raise access.BadParameter("sort_by", sort_by)
    frame = _officer_frame(snapshot, filters)
    if sort_by:
        # stable: ties keep the tree order
        frame = frame.sort_values([s["column_id"] for s in sort_by], ascending=[s.get("direction") != "desc"
                                  for s in sort_by], na_position="last", kind="stable")
    pages = max(1, -(-len(frame) // page_size))
    start = clamp_page(page_current, pages) * page_size
    return _records(frame.iloc[start:start + page_size]), officer_columns(lang), pages


# the table's columns in order: id, label's message id, kind
COLUMNS = (("place", "unit_place", "text"), ("officer_name", "officer_name", "text"),
           ("officer_id", "officer_id", "text"), ("unit_name", "unit", "text"), ("per_100", "per_100", "numeric"),
           ("violations", "violations", "numeric"), ("judged", "judged", "numeric"),
           ("recordings", "recordings", "numeric"), *((c, c, "numeric") for c in RATES))


def _officer_frame(snapshot: Path, filters: dict):
    frame = queries.officer_table(snapshot, filters)
    for col in RATES:
        frame[col] = (100 * frame[col]).round(1)
    frame["place"] = [f"{p}/{n}" for p, n in zip(frame["unit_place"], frame["unit_officers"])]
    return frame[[c for c, _, _ in COLUMNS]]


def officer_columns(lang: str) -> list[dict]:
    return [{"id": c, "name": t(key, lang) + (" %" if c in RATES else ""), "type": kind} for c, key, kind in COLUMNS]


def ranking_figure(snapshot: Path, filters: dict, lang: str) -> go.Figure:
    """Violations per 100 judged items, one bar per officer, the most at the top: every officer in
    scope up to CHART_LIMIT (then those with the most), and the median of all of them as a line, so
    the spread is read against it."""
    f = resolve(snapshot, filters)
    frame = queries.officer_table(snapshot, f).dropna(subset=["per_100"])
    if frame.empty:
        return _empty_figure(lang)
    median = statistics.median(frame["per_100"])
    shown = frame.sort_values(["per_100", "officer_id"], ascending=[False, True]).head(CHART_LIMIT).iloc[::-1]
    period = dims.period_name(snapshot, f, lang)
    title = (t("officers_chart", lang, period=period) if len(frame) <= CHART_LIMIT else
             t("officers_chart_top", lang, shown=len(shown), total=len(frame), period=period))
    names = [plot_text(f"{name}（{unit}）" if lang == "zh" else f"{name} ({unit})")
             for name, unit in zip(shown["officer_name"].fillna(shown["officer_id"]), shown["unit_name"])]
    fig = go.Figure(go.Bar(x=shown["per_100"], y=names, orientation="h", customdata=shown["officer_id"],
                           text=shown["per_100"].map(lambda v: f"{v:.2f}"), textposition="auto",
                           marker_color="#4c78a8", hovertemplate="%{y}: %{x:.2f}<extra></extra>"))
    fig.add_vline(x=median, line_dash="dash", line_color="#c62828",
                  annotation_text=t("officers_median", lang, value=f"{median:.2f}"), annotation_position="top")
    fig.update_layout(title=title, xaxis_title=t("per_100", lang),
                      xaxis_range=[0, 1.08 * float(shown["per_100"].max()) or 1],
                      height=max(300, 24 * len(shown) + 120), margin={"t": 60, "l": 10, "r": 20, "b": 40})
    fig.update_yaxes(automargin=True)
    return fig


def officer_panel(snapshot: Path, filters: dict, officer_id: str | None, lang: str) -> list:
    """One officer's violations in the period and units in scope: by rule (judged, violations, rate)
    and one by one, latest first, party names masked."""
    if not officer_id:
        return [html.P(t("officer_pick", lang), id="of-pick")]
    f = resolve(snapshot, filters)
    rules = queries.officer_rules(snapshot, f, officer_id, lang)
    rows, total = queries.officer_violations(snapshot, f, officer_id, lang)
    who = queries.officer_table(snapshot, f)
    who = who[who["officer_id"] == officer_id]
    name, unit = ((who["officer_name"].iloc[0], who["unit_name"].iloc[0]) if len(who) else (officer_id, "—"))
    head = html.H4(t("officer_title", lang, name=name, officer=officer_id, unit=unit,
                     period=dims.period_name(snapshot, f, lang)), id="of-officer-title")
    if not total:
        return [head, html.P(t("officer_none", lang), id="of-none")]
    rules["rate"] = (100 * rules["rate"]).round(1)
    rules = rules[rules["violations"] > 0]
    rows = mask_frame(coded(rows, lang, severity="severity"))
    cut = t("officer_list_cut", lang, shown=f"{len(rows):,}") if len(rows) < total else ""
    return [
        head,
        html.H5(t("officer_by_rule", lang)),
        table("of-rules", rules, [("rule_name", t("rule", lang)), ("family_name", t("family", lang)),
                                   ("violations", t("violations", lang)), ("judged", t("judged", lang)),
                                   ("rate", t("rate", lang) + " %")], sort_action="native"),
        html.H5(t("officer_list", lang, total=f"{total:,}", shown=cut), id="of-list-title"),
        table("of-violations", rows, [(c, t("party_masked" if c == "party_name" else c, lang))
                                       for c in ("rule", "severity", "citation", "occurred_at", "case_id", "act_id",
                                                 "media_id", "device_id", "party_name", "detail")],
              sort_action="native", page_size=15),
    ]

