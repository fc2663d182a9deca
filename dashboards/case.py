"""案件全过程 The case page: one case's whole recorded process as plain functions of (snapshot, case
id, filters, lang), which the page's callbacks only pass through, so that they are tested without a
browser. The timeline is a list of marks (timeline_marks: what is drawn where, checked against the
case's facts) before it is a figure (timeline_figure)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import pandas as pd
from dash import dash_table, dcc, html

from core.i18n import code_label
from core.privacy import mask_frame

from . import access, dims, queries
from .filters import normalise, resolve
from .labels import t
from .ledger import case_review
from .views import CASE_PATH, _records, plot_text, table, with_case_links, words

PATH = CASE_PATH


def case_id_from_search(search: str | None) -> str | None:
    """The case id a URL's query (`?case_id=…`) names."""
    values = parse_qs((search or "").lstrip("?")).get("case_id")
    return values[0].strip() or None if values else None


def _when(value) -> str:
    return "" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def _is(value) -> bool:
    return value is not None and not pd.isna(value) and bool(value)


# --- the timeline ----------------------------------------------------------------------------

# mark -> colour (a mark is one kind of thing drawn; spans are bars, moments are points)
COLOURS = {
    "opened": "#1565c0", "decided": "#6a1b9a", "closed": "#283593", "archived": "#2e7d32",
    "archived_late": "#c62828", "start_approval": "#00838f", "start_approval_late": "#c62828",
    "act": "#90a4ae", "recording": "#2e7d32", "recording_late": "#ef6c00",
    "gap_explained": "#f9a825", "gap_unexplained": "#d50000",
    "document": "#00897b", "document_unsigned": "#b0bec5",
    "upload_due": "#212121", "archive_due": "#212121", "start_approval_due": "#212121",
}
SPANS = ("act", "recording", "recording_late", "gap_explained", "gap_unexplained")
DEADLINES = ("upload_due", "archive_due", "start_approval_due")


def _lanes(rows: pd.DataFrame, lang: str) -> dict:
    """Lane of each act (and of its recordings), in the order the acts started."""
    acts = rows[rows["kind"] == "act"]
    out = {}
    for n, act in enumerate(acts.itertuples(), start=1):
        name = f"{n}. {words('act_type', act.type_code, lang)}"
        out[act.act_id] = (name, f"{n}. {t('case_lane_recordings', lang)}")
    return out


def timeline_marks(rows: pd.DataFrame, lang: str) -> list[dict]:
    """What the timeline draws for the case's mart_case_timeline rows: one mark per thing, with its
    lane, start and end (None for a moment), the id it is about, and its colour's key."""
    lanes = _lanes(rows, lang)
    case_lane, docs_lane = t("case_lane_case", lang), t("case_lane_documents", lang)
    other = t("case_lane_other_recordings", lang)
    marks = []

    def add(mark, lane, start, end=None, ref=None, note=""):
        marks.append({"mark": mark, "lane": lane, "start": pd.Timestamp(start), "ref": ref, "note": note,
                      "end": None if end is None or pd.isna(end) else pd.Timestamp(end)})

    for r in rows.itertuples():
        if r.kind in ("opened", "decided", "closed") and _is(r.start_at):
            add(r.kind, case_lane, r.start_at)
        elif r.kind in ("archived", "start_approval"):
            late = r.status in ("late", "overdue")
            if _is(r.start_at):
                add(r.kind + ("_late" if late else ""), case_lane, r.start_at,
                    note=code_label("deadline_status", r.status, lang))
            if _is(r.due_at):
                add(("archive_due" if r.kind == "archived" else "start_approval_due"), case_lane, r.due_at,
                    note=code_label("deadline_status", r.status, lang))
        elif r.kind == "act":
            note = " · ".join(x for x in (code_label("av_requirement", r.requirement, lang),
                                          code_label("av_status", r.status, lang)) if isinstance(x, str))
            add("act", lanes[r.act_id][0], r.start_at, r.end_at, r.act_id, note)
        elif r.kind == "gap":
            lane = lanes.get(r.act_id, (other,))[0]
            add("gap_explained" if _is(r.is_explained) else "gap_unexplained", lane, r.start_at, r.end_at, r.act_id)
        elif r.kind == "recording":
            lane = lanes[r.act_id][1] if isinstance(r.act_id, str) and r.act_id in lanes else other
            note = code_label("upload_status", r.status, lang)
            add("recording_late" if _is(r.is_late) else "recording", lane, r.start_at, r.end_at, r.media_id, note)
            if _is(r.due_at):
                add("upload_due", lane, r.due_at, ref=r.media_id, note=note)
        elif r.kind == "document":
            label = words("doc_type", r.type_code, lang)
            if _is(r.start_at):
                add("document", docs_lane, r.start_at, ref=r.doc_id, note=label)
    return marks


def marks_lanes(marks: list[dict]) -> list[str]:
    """The lanes top to bottom: the case, each act above its recordings, other recordings, the written
    records (the marks list the act before its recordings and gaps, the rest as they come)."""
    first, acts, rest, last = [], [], [], []
    for m in marks:
        if m["mark"] in ("opened", "decided", "closed", "archived", "archived_late", "start_approval",
                         "start_approval_late", "archive_due", "start_approval_due"):
            first.append(m["lane"])
        elif m["mark"] == "act":
            acts += [m["lane"], m["lane"].split(". ", 1)[0] + ". "]  # its recordings' lane follows it
        elif m["mark"].startswith("document"):
            last.append(m["lane"])
        else:
            rest.append(m["lane"])
    ordered = list(dict.fromkeys(first))
    for lane in acts:
        if lane.endswith(". "):
            ordered += [r for r in dict.fromkeys(rest) if r.startswith(lane) and r not in ordered]
        elif lane not in ordered:
            ordered.append(lane)
    ordered += [r for r in dict.fromkeys(rest) if r not in ordered]
    return ordered + [d for d in dict.fromkeys(last) if d not in ordered]


def timeline_figure(marks: list[dict], lang: str) -> dict:
    """The marks as a Plotly figure (plain data): a trace per kind of mark, so the legend names each
    colour; a span is a thick line from start to end with a dot at each end (visible at any zoom),
    a moment a point, a deadline a tick."""
    drawn = {m["lane"] for m in marks}
    lanes = [lane for lane in marks_lanes(marks) if lane in drawn]
    traces = []
    for mark in COLOURS:
        these = [m for m in marks if m["mark"] == mark]
        if not these:
            continue
        x, y, hover = [], [], []
        for m in these:
            text = plot_text(" ".join(str(v) for v in (t("case_mark_" + mark, lang), m["ref"] or "", m["note"] or "")
                                      if v).strip())
            when = _when(m["start"]) + (" – " + _when(m["end"]) if m["end"] is not None else "")
            if mark in SPANS:
                x += [m["start"], m["end"] or m["start"], None]
                y += [m["lane"], m["lane"], None]
                hover += [f"{text}<br>{when}"] * 2 + [None]
            else:
                x.append(m["start"])
                y.append(m["lane"])
                hover.append(f"{text}<br>{when}")
        trace = {"type": "scatter", "name": t("case_mark_" + mark, lang), "x": [_iso(v) for v in x], "y": y,
                 "hovertext": hover, "hoverinfo": "text", "marker": {"color": COLOURS[mark]}}
        if mark in SPANS:
            width = {"act": 14, "gap_explained": 8, "gap_unexplained": 8}.get(mark, 10)
            trace.update(mode="lines+markers", line={"color": COLOURS[mark], "width": width},
                         marker={"color": COLOURS[mark], "size": 7})
        elif mark in DEADLINES:
            trace.update(mode="markers", marker={"color": COLOURS[mark], "symbol": "line-ns-open", "size": 18,
                                                 "line": {"width": 2, "color": COLOURS[mark]}})
        else:
            trace.update(mode="markers", marker={"color": COLOURS[mark], "size": 11,
                                                 "symbol": "diamond" if mark.startswith("document") else "circle"})
        traces.append(trace)
    layout = {"height": 140 + 34 * len(lanes), "margin": {"t": 20, "l": 10, "r": 10, "b": 40},
              "yaxis": {"type": "category", "categoryorder": "array", "categoryarray": lanes[::-1],
                        "automargin": True},
              # dates as the page's language writes them (Plotly's own are English: "Jan 12")
              "xaxis": {"type": "date", "tickformat": "%Y年%-m月%-d日" if lang == "zh" else "%-d %b %Y",
                        "hoverformat": "%Y-%m-%d %H:%M"},
              "legend": {"orientation": "h", "y": -0.15},
              "hovermode": "closest", "template": _TEMPLATE}
    return {"data": traces, "layout": layout}


def _iso(value) -> str | None:
    return None if value is None else pd.Timestamp(value).isoformat()


def _template() -> dict:
    import plotly.graph_objects as go

    return go.Figure().to_plotly_json()["layout"].get("template", {})


_TEMPLATE = _template()


# --- tables ----------------------------------------------------------------------------------

def retention_records(rows: pd.DataFrame, lang: str) -> list[dict]:
    """One record per recording of the case: its act, when it was recorded, its upload against its
    deadline, and its retention (class, until when, status)."""
    lanes = _lanes(rows, lang)
    out = []
    for r in rows[rows["kind"] == "recording"].itertuples():
        out.append({
            "media_id": r.media_id,
            "case_act": lanes[r.act_id][0] if isinstance(r.act_id, str) and r.act_id in lanes else "—",
            "case_recorded": f"{_when(r.start_at)} – {_when(r.end_at)[11:]}",
            "case_upload": code_label("upload_status", r.status, lang),
            "case_upload_due": _when(r.due_at),
            "case_uploaded_at": _when(r.done_at) or t("case_not_yet", lang),
            "case_retention_class": code_label("retention_class", r.retention_class, lang),
            "case_retain_until": _when(r.retain_until) or t("case_kept_indefinitely", lang),
            "case_retention_status": code_label("retention_status", r.retention_status, lang),
            "case_deleted_at": _when(r.deleted_at) or "—",
        })
    return out


RETENTION_COLUMNS = ("media_id", "case_act", "case_recorded", "case_upload", "case_upload_due", "case_uploaded_at",
                     "case_retention_class", "case_retain_until", "case_retention_status", "case_deleted_at")
FINDING_COLUMNS = ("rule_name", "severity", "occurred_at", "citation", "detail")


def finding_records(frame: pd.DataFrame, lang: str) -> list[dict]:
    """The case's findings: rule by name, severity in words, when, the article and the detail."""
    out = frame.assign(severity=frame["severity"].map(lambda v: code_label("severity", v, lang)))
    return _records(out[list(FINDING_COLUMNS)])


def ledger_records(snapshot: Path, filters: dict, lang: str) -> list[dict]:
    """The spot-check ledger of the period, each case id a link to its page."""
    frame = queries.case.ledger(snapshot, filters)
    frame = frame.assign(case_type=frame["case_type"].map(lambda v: words("case_type", v, lang)),
                         procedure=frame["procedure"].map(lambda v: words("procedure", v, lang)))
    return with_case_links(_records(frame))


LEDGER_COLUMNS = (("period", "period"), ("unit_name", "unit"), ("case_draw_rank", "case_draw_rank"),
                  ("case_id", "case_id"), ("case_type", "case_type"), ("procedure", "case_procedure"),
                  ("closed_at", "case_closed_at"), ("archived_at", "case_archived_at"))


def ledger(snapshot: Path, filters: dict, lang: str) -> list:
    f = resolve(snapshot, filters)
    period = dims.period(snapshot, f, lang)
    records = ledger_records(snapshot, f, lang)
    shown = records[0]["period"] if records else (period.label or f["period"])
    for r in records:
        r["case_draw_rank"] = f"{r.pop('draw_rank')} / {r.pop('closed_cases')}"
    return [html.H4(t("case_ledger", lang, period=shown)),
            dash_table.DataTable(
                id="cs-ledger", data=records, page_size=10, sort_action="native",
                columns=[{"id": c, "name": t(key, lang), **({"presentation": "markdown"} if c == "case_id" else {})}
                         for c, key in LEDGER_COLUMNS],
                markdown_options={"link_target": "_self"},
                style_cell={"textAlign": "left", "fontSize": 13}, style_header={"fontWeight": "bold"})
            if records else html.P(t("case_ledger_none", lang), id="cs-ledger")]


# --- the page --------------------------------------------------------------------------------

def case_view(snapshot: Path, case_id: str | None, filters: dict, lang: str) -> list:
    """The case's header, timeline, recordings and findings; a prompt when no case is asked for, and
    a plain sentence when the case does not exist or is outside what the requester may see. Party
    names masked unless the server allows unmasking and the user asked (then logged)."""
    normalise(filters)
    if case_id is not None and not isinstance(case_id, str):  # a crafted request: the box holds text
        raise access.BadParameter("case_id", case_id)
    case_id = (case_id or "").strip()
    if not case_id:
        return [html.P(t("case_prompt", lang), id="cs-prompt")]
    found = queries.case.case(snapshot, case_id)
    if found.empty:
        return [html.P(t("case_not_found", lang, case_id=case_id), id="cs-missing", role="alert",
                       style={"color": "#c62828", "fontWeight": "bold"})]
    case = found.iloc[0]
    unmask = access.unmask_allowed(filters)
    who = access.who() if unmask else ""
    party = mask_frame(found[["party_name"]], unmask=unmask,
                       purpose=f"dashboard case page, requested by {who or 'unknown'}: case {case_id}")["party_name"].iloc[0]
    party = party if isinstance(party, str) and party else "—"
    rows = queries.case.timeline(snapshot, case_id)
    marks = timeline_marks(rows, lang)
    findings = queries.case.findings(snapshot, case_id, lang)
    recordings = retention_records(rows, lang)
    as_of = dims.run(snapshot)["as_of"]
    return [
        html.H3(t("case_title", lang, case_id=case_id), id="cs-title"),
        html.P(t("case_facts", lang, unit=case["unit_name"], case_type=words("case_type", case["case_type"], lang),
                 procedure=words("procedure", case["procedure"], lang),
                 source=words("case_source", case["case_source"], lang), party=party), id="cs-facts"),
        html.P(t("unmask_banner", lang), style={"color": "#c62828", "fontWeight": "bold"}) if unmask else None,
        # a drawn case's review first: the reviewer opens the case to read and answer it
        *case_review(snapshot, case_id, lang),
        html.H4(t("case_timeline", lang, as_of=str(as_of)[:10])),
        html.P(t("case_timeline_hint", lang), style={"fontSize": 12, "color": "#555"}),
        dcc.Graph(id="cs-timeline", figure=timeline_figure(marks, lang)),
        html.H4(t("case_findings", lang, n=len(findings))),
        table("cs-findings", pd.DataFrame(finding_records(findings, lang)),
              [(c, t("rule" if c == "rule_name" else c, lang)) for c in FINDING_COLUMNS])
        if len(findings) else html.P(t("case_no_findings", lang), id="cs-findings"),
        html.H4(t("case_retention", lang)),
        table("cs-recordings", pd.DataFrame(recordings), [(c, t(c, lang)) for c in RETENTION_COLUMNS],
              page_size=15)
        if recordings else html.P(t("case_no_recordings", lang), id="cs-recordings"),
    ]
