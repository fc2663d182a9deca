"""Output safety (rules.md R-SEC; OWASP CSV injection; XML 1.0): no text from an export reaches a
spreadsheet or CSV as something a spreadsheet would evaluate, and no text stops a file being written.
The attacks are generated (hypothesis), then every sheet of a workbook and both downloads are scanned."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import docx
import duckdb
from hypothesis import HealthCheck, Phase, given, settings, strategies as st
from openpyxl import Workbook, load_workbook

from core.output import CUT_MARK, ERROR_CODES, FORMULA_START, MAX_CHARS, safe_text, safe_text_sql
from dashboards import views
from orchestration.publish import publish
from reports.notices import write_notices
from reports.workbook import write_workbook

from attacks import hostile_text as hostile
from modelkit import build

T = dt.datetime
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

def is_live(value) -> bool:
    """What a spreadsheet would evaluate, opening this as a cell's or a CSV field's text."""
    return isinstance(value, str) and (value.startswith(FORMULA_START) or value in ERROR_CODES)


@given(hostile)
@settings(max_examples=300)
def test_safe_text_leaves_nothing_live_or_unwritable(text):
    out = safe_text(text)
    assert not is_live(out) and not XML_FORBIDDEN.search(out) and len(out) <= MAX_CHARS
    assert safe_text(out) == out  # made safe once, it stays as it is
    kept = XML_FORBIDDEN.sub("", text)
    # live text is shown with a leading apostrophe, never run; the rest is not altered; then cut
    shown = "'" + kept if is_live(kept) else kept
    assert out == (shown if len(shown) <= MAX_CHARS else shown[:MAX_CHARS - 1] + CUT_MARK)


@given(st.lists(hostile, min_size=1, max_size=8))
@settings(max_examples=60)
def test_the_sql_twin_gives_the_same_text(texts):
    con = duckdb.connect()
    got = con.execute(f"select {safe_text_sql('v')} from unnest(?) with ordinality as t(v, i) order by i",
                      [texts]).fetchall()
    assert [r[0] for r in got] == [safe_text(t) for t in texts]
    assert con.execute(f"select {safe_text_sql('null::varchar')}").fetchone()[0] is None


@given(st.lists(hostile, min_size=1, max_size=6))
@settings(max_examples=40, deadline=None)
def test_a_spreadsheet_and_a_csv_take_safe_text_as_text(texts):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("s")
    for text in texts:
        ws.append([safe_text(text)])
    buf = io.BytesIO()
    wb.save(buf)
    back = load_workbook(io.BytesIO(buf.getvalue())).active
    assert not any(c.data_type in ("f", "e") for (c,) in back.iter_rows())
    assert [c.value for (c,) in back.iter_rows()] == [safe_text(t) or None for t in texts]
    out = io.StringIO()
    csv.writer(out).writerows([safe_text(t)] for t in texts)
    assert [r[0] for r in csv.reader(io.StringIO(out.getvalue()))] == [safe_text(t) for t in texts]


# --- every sheet of a workbook and both downloads, from hostile data through the models --------

def scan_xlsx(data: bytes) -> int:
    """Every cell of every sheet: none a formula, an error or text a spreadsheet would evaluate.
    Returns how many text cells were read."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name), name
    seen = 0
    for ws in load_workbook(io.BytesIO(data)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (ws.title, cell.coordinate, cell.value)
                assert not is_live(cell.value), (ws.title, cell.coordinate, cell.value)
                seen += isinstance(cell.value, str)
    return seen


def hostile_world(text: list[str]) -> dict[str, list[dict]]:
    """A unit, officer, device, case and recording whose every text comes from the attack, and a
    recording never uploaded (an R-UPL finding naming them all)."""
    unit, officer, device, case, media, party, name, case2 = text
    return {
        "units": [{"unit_id": unit, "unit_name": name, "rule_profile": "hebei"}],
        "officers": [{"officer_id": officer, "name": name, "unit_id": unit}],
        "devices": [{"device_id": device, "device_type": "body_camera", "unit_id": unit, "officer_id": officer,
                     "in_service_from": dt.date(2024, 1, 1)}],
        "cases": [{"case_id": c, "unit_id": unit, "case_type": "penalty", "procedure": "general",
                   "source": "complaint", "party_name": party, "opened_at": T(2025, 3, 1, 9),
                   "closed_at": T(2025, 3, 2, 9)} for c in dict.fromkeys([case, case2])],
        "media": [{"media_id": media, "device_id": device, "officer_id": officer, "case_id": case,
                   "recorded_start": T(2025, 3, 1, 9), "recorded_end": T(2025, 3, 1, 10), "sha256": "a" * 64,
                   "size_bytes": 1}],
        # a failed review of the drawn case, its reviewer and problems the attack's too (the ledger,
        # the review summary and the notices write them)
        "spot_check_reviews": [{"review_id": case, "case_id": case, "period": "2025", "reviewer": name,
                                "reviewed_at": T(2025, 4, 1, 9), "conclusion": "failed", "problems": party + name,
                                "rectify_by": dt.date(2025, 5, 1)}],
    }


@given(st.lists(hostile, min_size=8, max_size=8, unique=True))
# each example builds every model: a few, not shrunk (a failure prints the texts that made it)
@settings(max_examples=4, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_workbook_and_downloads_of_hostile_data_hold_nothing_live(tmp_path_factory, text):
    root = tmp_path_factory.mktemp("hostile")
    con = duckdb.connect(str(root / "wh.duckdb"))
    build(con, hostile_world(text))
    assert con.execute("select count(*) from fct_violations").fetchone()[0] > 0
    snapshot = publish(con, root / "wh.duckdb")
    con.close()
    for lang in ("zh", "en"):
        write_workbook(snapshot, "2025", root / f"{lang}.xlsx", lang=lang, unmask=True)
        assert scan_xlsx((root / f"{lang}.xlsx").read_bytes()) > 50
        ledger = load_workbook(root / f"{lang}.xlsx").worksheets[-1]
        assert safe_text(text[5] + text[6]) in {c.value for row in ledger.iter_rows() for c in row}
        # the notice to the unit names the review's problems too, and opens
        notices = write_notices(snapshot, "2025", root / f"notices-{lang}", lang=lang, unmask=True,
                                date=dt.date(2026, 1, 5))
        body = "\n".join(p.text for path in notices["paths"] for p in docx.Document(path).paragraphs)
        # (Word writes a carriage return in a run as a line break, which reads back as a new line)
        written = safe_text(text[5] + text[6]).lstrip("'").replace("\r", "\n")[:20]
        assert notices["notices"] == 1 and written in body, body[body.find(written[:1]):][:100]
    filters = {"period_type": "year", "period": "2025", "lang": "zh"}
    # a table filter is the user's own text, written onto the notes sheet (control characters in it are
    # refused with a 400 before this: tests/test_server.py)
    typed = re.sub("[\x00-\x1f\x7f-\x9f]", "", text[0])
    body, written, _ = views.export_xlsx(snapshot, filters, "zh", None, filter_query=typed, unmask=True)
    assert written > 0 and scan_xlsx(body)
    text_csv = "".join(views.export_csv(snapshot, filters, "zh", None, unmask=True))
    fields = list(csv.reader(io.StringIO(text_csv, newline="")))
    assert len(fields) == written + 1
    assert not any(is_live(v) or XML_FORBIDDEN.search(v) for row in fields for v in row)
    # what was written is the text delivered, made safe, not something else
    cells = {v for row in fields for v in row}
    assert safe_text(text[4]) in cells  # the recording's id
