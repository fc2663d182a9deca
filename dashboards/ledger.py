"""抽查台账 The spot-check ledger page and the case page's review, as plain functions of (snapshot,
filters, lang) the callbacks pass through: each unit's 案卷评查 (case-file review) and rectifications
for the ledger period that holds the chosen period, then the drawn cases with their reviews, each
case id a link to its page. Codes are shown in words; no party is shown, only the case id."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

import pandas as pd
from dash import dash_table, html
from dash.dash_table import FormatTemplate

from core.i18n import code_label

from . import dims, queries, status
from .filters import resolve
from .labels import t
from .views import EXCEL_LIMIT, _records, case_link, csv_pieces, words, workbook

_CELL = {"textAlign": "left", "fontSize": 13, "whiteSpace": "normal", "maxWidth": 360}
# the units table's columns headed by a catalogue word: each conclusion (column and code alike), and
# the rectifications by their status
_REVIEW_COLUMNS = ("passed", "basically_passed", "failed")
_RECTIFICATION_WORDS = {"rectified_on_time": "on_time", "rectified_late": "late", "rectifying": "pending",
                        "rectification_overdue": "overdue"}


def _heading(word: str | None) -> str:
    return "" if not word else word[:1].upper() + word[1:]


def period_text(snapshot: Path, filters: dict, lang: str) -> tuple[str, list[str]]:
    """(the page's title, the sentences under it): which ledger is shown (a month's is its
    quarter's, said so), how the cases are drawn, and whether the pass rate is in the score."""
    f = resolve(snapshot, filters)
    period = queries.ledger.ledger_period(snapshot, f, lang)
    run = queries.ledger.run_parameters(snapshot)
    notes = []
    if f["period_type"] == "month":
        notes.append(t("lg_month_note", lang, month=period["asked_label"]))
    if run["seed"] is not None:
        notes.append(t("lg_hint", lang, n=run["per_unit"], seed=run["seed"]))
    notes.append(t("lg_rate_weighted", lang, weight=f"{run['review_weight']:g}") if run["review_weight"] > 0
                 else t("lg_rate_indicator", lang))
    return t("lg_title", lang, period=period["label"]), notes


# --- each unit's counts --------------------------------------------------------------------

def unit_columns(lang: str) -> list[dict]:
    names = {"unit_name": t("unit", lang), "drawn": t("lg_drawn", lang), "reviewed": t("lg_reviewed", lang),
             **{c: _heading(code_label("review_status", c, lang)) for c in _REVIEW_COLUMNS},
             "pass_rate": t("lg_pass_rate", lang), "rectifications": t("lg_rectifications", lang),
             **{c: _heading(code_label("rectification_status", w, lang)) for c, w in _RECTIFICATION_WORDS.items()}}
    return [{"id": c, "name": name, "type": "text" if c == "unit_name" else "numeric",
             **({"format": FormatTemplate.percentage(1).to_plotly_json()} if c == "pass_rate" else {})}
            for c, name in names.items()]


def unit_records(snapshot: Path, filters: dict, lang: str) -> list[dict]:
    """Each unit's counts in the tree's order, and under them, for more than one unit, their sum
    (its pass rate over all the cases reviewed, not an average of the units' rates)."""
    frame = queries.ledger.unit_counts(snapshot, filters)
    records = _records(frame)
    if len(frame) > 1:
        sums = {c: int(frame[c].sum()) for c in queries.ledger.UNIT_COUNTS}
        passed = sums["passed"] + sums["basically_passed"]
        records.append({"unit_id": None, "unit_name": t("lg_all", lang, n=len(frame)), **sums,
                        "pass_rate": round(passed / sums["reviewed"], 4) if sums["reviewed"] else None})
    return records


def unit_styles() -> list[dict]:
    """An overdue rectification in red; the sum's row in bold."""
    return [{"if": {"filter_query": "{rectification_overdue} > 0", "column_id": "rectification_overdue"},
             "backgroundColor": status.FILLS["red"], "color": status.COLOURS["red"], "fontWeight": "bold"},
            # the sum is the one row of no unit
            {"if": {"filter_query": "{unit_id} is nil"}, "fontWeight": "bold", "backgroundColor": "#f3f3f3"}]


# --- the drawn cases -----------------------------------------------------------------------

# column -> message id of its header, as the table and the downloads show them
CASE_COLUMNS = {"unit_name": "unit", "draw": "case_draw_rank", "case_id": "case_id", "case_type": "case_type",
                "closed_at": "case_closed_at", "review_status": "lg_review_status", "problems": "lg_problems",
                "reviewer": "lg_reviewer", "reviewed_at": "lg_reviewed_at", "rectify_by": "lg_rectify_by",
                "rectified_at": "lg_rectified_at", "rectification": "lg_rectification_status"}


def _day(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def shown(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The ledger's rows as shown: codes in words, days without their time; the rectification's code
    kept (rectification_code) for the colours, never shown."""
    return pd.DataFrame({
        "unit_name": frame["unit_name"],
        "draw": [f"{r} / {n}" for r, n in zip(frame["draw_rank"], frame["closed_cases"])],
        "case_id": frame["case_id"],
        "case_type": frame["case_type"].map(lambda v: words("case_type", v, lang)),
        "closed_at": frame["closed_at"].map(_day),
        "review_status": frame["review_status"].map(lambda v: code_label("review_status", v, lang)),
        "problems": frame["problems"], "reviewer": frame["reviewer"],
        "reviewed_at": frame["reviewed_at"].map(_day), "rectify_by": frame["rectify_by"].map(_day),
        "rectified_at": frame["rectified_at"].map(_day),
        "rectification": frame["rectification_status"].map(lambda v: code_label("rectification_status", v, lang)),
        "rectification_code": frame["rectification_status"],
    }, index=frame.index)


def case_columns(lang: str, columns: dict[str, str] = CASE_COLUMNS) -> list[dict]:
    return [{"id": c, "name": t(key, lang), **({"presentation": "markdown"} if c == "case_id" else {})}
            for c, key in columns.items()]


def case_records(snapshot: Path, filters: dict, lang: str, review_status: str | None = None,
                 rectification_status: str | None = None) -> list[dict]:
    frame = queries.ledger.cases(snapshot, filters, review_status, rectification_status)
    out = shown(frame, lang)
    out["case_id"] = out["case_id"].map(case_link)
    return _records(out)


def case_styles(column: str = "rectification") -> list[dict]:
    """An overdue rectification's row in red, its status in bold red; one under way in yellow."""
    return [{"if": {"filter_query": '{rectification_code} = "overdue"'}, "backgroundColor": status.FILLS["red"]},
            {"if": {"filter_query": '{rectification_code} = "overdue"', "column_id": column},
             "color": status.COLOURS["red"], "fontWeight": "bold"},
            {"if": {"filter_query": '{rectification_code} = "pending"', "column_id": column},
             "backgroundColor": status.FILLS["yellow"], "color": status.COLOURS["yellow"], "fontWeight": "bold"}]


def status_options(lang: str) -> tuple[list[dict], list[dict]]:
    """The review statuses and the rectification statuses the list is filtered by, in words."""
    return ([{"label": code_label("review_status", s, lang), "value": s} for s in queries.ledger.REVIEW_STATUSES],
            [{"label": code_label("rectification_status", s, lang), "value": s}
             for s in queries.ledger.RECTIFICATION_STATUSES])


def cases_total(n: int, lang: str, filtered: bool = False) -> str:
    """How many cases the list holds; when none, whether the ledger has none or the statuses chosen left none."""
    return (t("lg_cases_total", lang, total=f"{n:,}") if n else
            t("lg_none_match", lang) if filtered else t("lg_none", lang))


# --- downloads -----------------------------------------------------------------------------

def export_href(fmt: str, filters: dict, review_status: str | None, rectification_status: str | None) -> str:
    """The link that downloads the list as filtered (served by dashboards.app)."""
    return f"/export/ledger.{fmt}?" + urlencode({"filters": json.dumps(filters or {}, ensure_ascii=False),
                                                 "review": review_status or "",
                                                 "rectification": rectification_status or ""})


def export(snapshot: Path, fmt: str, filters: dict, lang: str, review_status: str | None = None,
           rectification_status: str | None = None) -> Iterator[str] | tuple[bytes, int, bool]:
    """The list as filtered, its columns and words as shown (the case id as text), as CSV pieces or a
    workbook whose notes name the ledger, the filters, the seed and the cases drawn per unit (rules.md:
    stated on every export); its text made safe to open (core.output, through views.csv_pieces and
    views.workbook). A ledger has a few cases per unit: never near the workbook's limit."""
    f = resolve(snapshot, filters)
    frame = shown(queries.ledger.cases(snapshot, f, review_status, rectification_status), lang)[list(CASE_COLUMNS)]
    headers = [t(key, lang) for key in CASE_COLUMNS.values()]
    if fmt == "csv":
        return csv_pieces(headers, iter([frame]))
    period, run = queries.ledger.ledger_period(snapshot, f, lang), queries.ledger.run_parameters(snapshot)
    names = dict(zip(*(dims.units(snapshot)[c] for c in ("unit_id", "unit_name"))))
    reviews, rectifications = (dict((o["value"], o["label"]) for o in options) for options in status_options(lang))
    notes = [(t("lg_ledger", lang), period["label"]), (t("period", lang), period["asked_label"]),
             (t("unit", lang), names.get(f["unit_id"], t("all_units", lang))),
             (t("profile", lang), f["profile_id"] or t("all_profiles", lang)),
             (t("lg_review_status", lang), reviews.get(review_status, t("lg_all_reviews", lang))),
             (t("lg_rectification_status", lang), rectifications.get(rectification_status,
                                                                      t("lg_all_rectifications", lang))),
             (t("lg_seed", lang), run["seed"]), (t("lg_per_unit", lang), run["per_unit"]),
             (t("as_of", lang), str(dims.run(snapshot)["as_of"])[:10])]
    return workbook(t("page_ledger", lang), headers, iter([frame]), notes, lang, unmask=False, limit=EXCEL_LIMIT)


# --- the case page -------------------------------------------------------------------------

REVIEW_COLUMNS = {"ledger": "lg_ledger", "draw": "case_draw_rank", "review_status": "lg_review_status",
                  "problems": "lg_problems", "reviewer": "lg_reviewer", "reviewed_at": "lg_reviewed_at",
                  "rectify_by": "lg_rectify_by", "rectified_at": "lg_rectified_at",
                  "rectification": "lg_rectification_status"}


def case_review(snapshot: Path, case_id: str, lang: str) -> list:
    """The case's review in each ledger that drew it (its quarter's, its year's), for the case page;
    nothing for a case no ledger drew. The caller has checked that the case is in scope."""
    frame = queries.ledger.case_reviews(snapshot, case_id, lang)
    if frame.empty:
        return []
    rows = shown(frame, lang).assign(ledger=frame["ledger"])
    return [html.H4(t("cs_review", lang)),
            dash_table.DataTable(id="cs-review", data=_records(rows[[*REVIEW_COLUMNS, "rectification_code"]]),
                                 columns=case_columns(lang, REVIEW_COLUMNS), style_cell=_CELL,
                                 style_header={"fontWeight": "bold"}, style_table={"overflowX": "auto"},
                                 style_data_conditional=case_styles())]
