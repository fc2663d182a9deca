"""Table sheets: a title row, a header row and the rows under them, split over `base`, `base(2)`, …
where a sheet would pass Excel's row limit; column widths measured on the rows, number formats,
a frozen header, a filter and the print set-up. Every sheet but the cover is one."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from core.output import safe_value

# Excel's sheet limit (rows, header included). A module constant so a test can lower it.
EXCEL_MAX_ROWS = 1_048_576
# Rows above the data on every table sheet: a title row and the header row.
HEADER_ROWS = 2

FMT_RATE = "0.0%"
FMT_SCORE = "0.0"
FMT_CHANGE = "+0.0;-0.0;0.0"
FMT_INT = "#,##0"
FMT_DATETIME = "yyyy-mm-dd hh:mm"
FMT_DATE = "yyyy-mm-dd"
MAX_WIDTH = 50
PAPER_A4 = "9"  # ECMA-376 paperSize code

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
TITLE_FONT = Font(bold=True, size=14)
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
BAD_FONT = Font(color="9C0006")
RATE_THRESHOLD = 0.9


def display_width(value) -> int:
    """Width in Excel character units: CJK and other wide characters count as 2."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, float):
        return 8
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


@dataclass
class Col:
    header: str
    fmt: str | None = None  # number format for the cells
    width: int | None = None  # fixed width, else measured


@dataclass
class Written:
    names: list[str] = field(default_factory=list)
    rows: int = 0
    sheets: list = field(default_factory=list)  # (worksheet, data rows on it)


def sheet_names(base: str, n_sheets: int) -> list[str]:
    return [base] + [f"{base}({i})" for i in range(2, n_sheets + 1)]


def rows_per_sheet() -> int:
    return EXCEL_MAX_ROWS - HEADER_ROWS


def cell(ws, value, fmt=None, font=None, fill=None, alignment=None):
    made = WriteOnlyCell(ws, value=safe_value(value))
    if fmt:
        made.number_format = fmt
    if font:
        made.font = font
    if fill:
        made.fill = fill
    if alignment:
        made.alignment = alignment
    return made


def print_setup(ws) -> None:
    """Landscape A4, as wide as one page, numbered pages."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.oddFooter.center.text = "&P / &N"


def _sheet_setup(ws, cols: list[Col], sample: list[tuple], title: str) -> None:
    """Column widths, frozen header, print set-up: all before the first row is written."""
    for i, col in enumerate(cols, 1):
        if col.width:
            width = col.width
        else:
            width = max([min(display_width(col.header), 24)] + [display_width(r[i - 1]) for r in sample])
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 6), MAX_WIDTH)
    ws.freeze_panes = f"A{HEADER_ROWS + 1}"
    print_setup(ws)
    ws.print_options.gridLines = True
    ws.print_title_rows = f"1:{HEADER_ROWS}"
    ws.row_dimensions[1].height = 20
    ws.row_dimensions[HEADER_ROWS].height = 32  # headers wrap onto two lines where they must
    ws.append([cell(ws, title, font=TITLE_FONT)])
    ws.append([cell(ws, c.header, font=HEADER_FONT, fill=HEADER_FILL, alignment=HEADER_ALIGN) for c in cols])


def write_table(wb: Workbook, base: str, title: str, cols: list[Col], rows: list[tuple],
                sample: list[tuple] | None = None, n_rows: int | None = None) -> Written:
    """Write `rows` under a title and header, splitting into `base`, `base(2)`, … whenever a sheet
    would pass EXCEL_MAX_ROWS. With `n_rows` instead, the sheets are laid out empty for that many
    rows, which sheetrows.splice puts in after saving. Widths are measured on `sample` (all rows if
    None)."""
    per_sheet = rows_per_sheet()
    total = len(rows) if n_rows is None else n_rows
    counts = [min(per_sheet, total - first) for first in range(0, total, per_sheet)] or [0]
    out = Written(names=sheet_names(base, len(counts)), rows=total)
    formats = [(i, c.fmt) for i, c in enumerate(cols) if c.fmt]
    for k, (name, n) in enumerate(zip(out.names, counts)):
        ws = wb.create_sheet(name)
        _sheet_setup(ws, cols, rows if sample is None else sample, title)
        for row in rows[k * per_sheet:(k + 1) * per_sheet]:
            row = [safe_value(v) for v in row]
            for i, fmt in formats:
                if row[i] is not None:
                    row[i] = cell(ws, row[i], fmt)
            ws.append(row)
        ws.auto_filter.ref = f"A{HEADER_ROWS}:{get_column_letter(len(cols))}{HEADER_ROWS + n}"
        out.sheets.append([ws, n])
    return out


def flag_low_rates(ws, col_idx: list[int], first: int, last: int) -> None:
    """Red fill for rates below RATE_THRESHOLD (blank cells, nothing judged, stay white)."""
    for i in col_idx:
        letter = get_column_letter(i)
        ws.conditional_formatting.add(
            f"{letter}{first}:{letter}{last}",
            FormulaRule(formula=[f"AND(ISNUMBER({letter}{first}),{letter}{first}<{RATE_THRESHOLD})"],
                        fill=BAD_FILL, font=BAD_FONT))
