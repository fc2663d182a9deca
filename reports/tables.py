"""Table sheets laid out as Chinese government statistical reports are: a merged, centred title, the
filer and the date, a two-row header, bordered rows with 序号, totals, notes (注) and, under a
summary, signature lines; split over `base`, `base(2)`, … where a sheet would pass Excel's row
limit. Printed at 100 % on A4 landscape in one typeface: a table wider than a page is split between
column groups with its first columns repeated, never shrunk. Every sheet but the cover is one."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from copy import copy
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break

from core.output import safe_value

# Excel's sheet limit (rows, header included). A module constant so a test can lower it.
EXCEL_MAX_ROWS = 1_048_576
# Rows above the data on every table sheet, as Chinese statistical reports lay them out: the title
# (merged, centred), the line naming who files the table and when (填报单位, 制表日期), and a header
# of two rows (a group over its columns, or one name over both rows).
HEADER_ROWS = 4
TITLE_ROW, INFO_ROW = 1, 2

FMT_RATE = "0.0%"
FMT_SCORE = "0.0"
FMT_CHANGE = "+0.0;-0.0;0.0"
FMT_INT = "#,##0"
FMT_DATETIME = "yyyy-mm-dd hh:mm"
FMT_DATE = "yyyy-mm-dd"
MAX_WIDTH = 50
PAPER_A4 = "9"  # ECMA-376 paperSize code

# One typeface for a whole workbook: 宋体 (SimSun), the face of printed statistical tables; charset
# 134 (GB2312) lets a machine without it substitute a Chinese face rather than a Latin one. An
# English workbook in Arial, which Chinese unit names fall back from the same way.
FACES = {"zh": "宋体", "en": "Arial"}
CHARSET_GB2312 = 134
BODY_PT = 10.5  # printed at 100 %: every page readable at A4 (no fit-to-page shrinking)
TITLE_PT = 16
# Printable width of A4 landscape (297 mm less the margins below), in column-width units (the width
# of a digit of the default face): a wider table is split over pages between column groups, its
# first columns repeated, rather than shrunk. Measured in LibreOffice, which fits 115 units of 宋体
# and 130 of Arial on the page; Excel's digit is narrower, so it fits more.
MARGIN_IN = 0.5
PAGE_WIDTH_UNITS = {"zh": 112, "en": 126}

HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
CENTRE = Alignment(horizontal="center", vertical="center")
TOP = Alignment(vertical="top")  # a row grown for wrapped text reads from its top line
WRAP = Alignment(wrap_text=True, vertical="top")
TOP_CENTRE = Alignment(horizontal="center", vertical="top")
BAD_FILL = PatternFill("solid", fgColor="FFC7CE")
# A rate over fewer judged items than this is greyed, never shaded red: one finding in two items is
# not a unit at 50 %, and a leader reading red looks no further.
MIN_JUDGED = 10
FEW_FONT_COLOR = "808080"
_THIN = Side(style="thin", color="808080")
BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


@dataclass(frozen=True)
class Fonts:
    """The workbook's faces by role, all one typeface (FACES) at readable sizes."""
    body: Font
    bold: Font
    title: Font
    bad: Font  # a rate below the threshold

    @classmethod
    def of(cls, lang: str) -> Fonts:
        face = {"name": FACES[lang], "charset": CHARSET_GB2312 if lang == "zh" else None}
        return cls(Font(**face, size=BODY_PT), Font(**face, size=BODY_PT, bold=True),
                   Font(**face, size=TITLE_PT, bold=True), Font(**face, size=BODY_PT, color="9C0006"))


def new_workbook(lang: str) -> Workbook:
    """A write-only workbook whose default face (its Normal style, and so every cell not styled
    otherwise, the spliced findings too) is the workbook's typeface."""
    wb = Workbook(write_only=True)
    body = Fonts.of(lang).body
    wb._fonts = IndexedList([body])  # index 0 is the default font of every cell format
    wb._named_styles["Normal"].font = copy(body)
    return wb


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
    group: str | None = None  # the header over this and the adjacent columns of the same group
    wrap: bool = False  # long text: wraps in its (fixed) width, the row grows to fit


@dataclass(frozen=True)
class Frame:
    """What every table sheet states around its table: who files it (填报单位, the setting
    office_name) and on what day (制表日期), in the workbook's language and typeface."""
    lang: str
    office: str
    made_on: dt.date
    fonts: Fonts
    rate_red: float = 0.9  # a rate below it is shaded red: the setting rate_red, as on the dashboard

    def date_text(self, day: dt.date) -> str:
        return f"{day.year}年{day.month}月{day.day}日" if self.lang == "zh" else f"{day:%-d %B %Y}"


@dataclass
class Written:
    names: list[str] = field(default_factory=list)
    rows: int = 0
    sheets: list = field(default_factory=list)  # (worksheet, data rows on it)
    last_row: int = 0  # of the first sheet, after its totals and notes


def sheet_names(base: str, n_sheets: int) -> list[str]:
    return [base] + [f"{base}({i})" for i in range(2, n_sheets + 1)]


def rows_per_sheet() -> int:
    return EXCEL_MAX_ROWS - HEADER_ROWS


def cell(ws, value, fmt=None, font=None, fill=None, alignment=None, border=None):
    made = WriteOnlyCell(ws, value=safe_value(value))
    if fmt:
        made.number_format = fmt
    if font:
        made.font = font
    if fill:
        made.fill = fill
    if alignment:
        made.alignment = alignment
    if border:
        made.border = border
    return made


def page_footer(ws, lang: str) -> None:
    ws.oddFooter.center.text = "第 &P 页，共 &N 页" if lang == "zh" else "Page &P of &N"


def print_setup(ws, lang: str) -> None:
    """A4 landscape at 100 %, no gridlines (the tables have borders), numbered pages."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = PAPER_A4
    ws.page_setup.scale = 100
    ws.page_setup.pageOrder = "overThenDown"  # a wide table's pages side by side before what is under it
    ws.page_margins = PageMargins(left=MARGIN_IN, right=MARGIN_IN, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.print_options.gridLines = False
    ws.print_options.horizontalCentered = True
    page_footer(ws, lang)


def column_widths(cols: list[Col], sample: list[tuple]) -> list[int]:
    widths = []
    for i, col in enumerate(cols):
        if col.width:
            # an English header wraps between words, never inside one
            words = [w for w in col.header.split() if w.isascii()]
            widths.append(max([col.width] + [display_width(w) + 1 for w in words]))
            continue
        width = max([min(display_width(col.header), 24)] + [display_width(r[i]) for r in sample])
        widths.append(min(max(width + 2, 6), MAX_WIDTH))
    return widths


def page_columns(cols: list[Col], widths: list[int], key_cols: int, lang: str) -> list[int]:
    """Where printed pages end (the last column index of each page, 1-based): whole groups of
    columns fill a page after the key columns every page repeats."""
    groups: list[list[int]] = []
    for i in range(key_cols, len(cols)):
        if groups and cols[i].group is not None and cols[i].group == cols[groups[-1][-1]].group:
            groups[-1].append(i)
        else:
            groups.append([i])
    key = sum(widths[:key_cols])
    ends, used = [], key
    for g in groups:
        width = sum(widths[i] for i in g)
        if used > key and used + width > PAGE_WIDTH_UNITS[lang]:
            ends.append(g[0])  # the page ends before this group
            used = key
        used += width
    return ends + [len(cols)]


def title_rows(ws, frame: Frame, title: str, width: int, stacked: bool = False) -> int:
    """The first rows of a sheet: the title merged and centred over `width` columns, then the filer
    (填报单位) on the left and the date it was made (制表日期) on the right, or (`stacked`, for a
    sheet of few wide columns) one under the other. Returns the rows written."""
    fonts, last = frame.fonts, get_column_letter(width)
    ws.row_dimensions[TITLE_ROW].height = 30
    ws.append([cell(ws, title, font=fonts.title, alignment=CENTRE)])
    ws.merged_cells.add(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    zh = frame.lang == "zh"
    filer = cell(ws, f"填报单位：{frame.office}" if zh else f"Filed by: {frame.office}", font=fonts.body)
    made = cell(ws, f"制表日期：{frame.date_text(frame.made_on)}" if zh else f"Made on: {frame.date_text(frame.made_on)}",
                font=fonts.body, alignment=Alignment(horizontal="right"))
    if stacked or width < 2:
        for row, text in enumerate((filer, made), INFO_ROW):
            ws.append([text])
            ws.merged_cells.add(f"A{row}:{last}{row}")
        return INFO_ROW + 1
    half = width // 2
    ws.append([filer] + [None] * (half - 1) + [made])
    if half > 1:
        ws.merged_cells.add(f"A{INFO_ROW}:{get_column_letter(half)}{INFO_ROW}")
    if width > half + 1:
        ws.merged_cells.add(f"{get_column_letter(half + 1)}{INFO_ROW}:{last}{INFO_ROW}")
    return INFO_ROW


def _header(ws, frame: Frame, cols: list[Col], title: str, page1: int) -> None:
    """Title, filer and date, and the two header rows, with their merges."""
    fonts = frame.fonts
    title_rows(ws, frame, title, page1)
    top, sub = HEADER_ROWS - 1, HEADER_ROWS
    ws.row_dimensions[sub].height = 30  # headers wrap onto two lines where they must
    head = lambda v: cell(ws, v, font=fonts.bold, fill=HEADER_FILL, alignment=HEADER_ALIGN, border=BORDER)  # noqa: E731
    upper, lower = [], []
    i = 0
    while i < len(cols):
        j = i
        while j + 1 < len(cols) and cols[i].group is not None and cols[j + 1].group == cols[i].group:
            j += 1
        if cols[i].group is None:
            upper.append(head(cols[i].header))
            lower.append(head(None))
            ws.merged_cells.add(f"{get_column_letter(i + 1)}{top}:{get_column_letter(i + 1)}{sub}")
        else:
            upper += [head(cols[i].group)] + [head(None) for _ in range(i, j)]
            lower += [head(cols[k].header) for k in range(i, j + 1)]
            if j > i:
                ws.merged_cells.add(f"{get_column_letter(i + 1)}{top}:{get_column_letter(j + 1)}{top}")
        i = j + 1
    ws.append(upper)
    ws.append(lower)


def write_table(wb: Workbook, frame: Frame, base: str, title: str, cols: list[Col], rows: list[tuple],
                sample: list[tuple] | None = None, n_rows: int | None = None, key_cols: int = 2,
                totals: list[tuple] = (), notes: list[str] = (), signatures: bool = False) -> Written:
    """Write `rows` under the title, filer line and header, splitting into `base`, `base(2)`, …
    whenever a sheet would pass EXCEL_MAX_ROWS. With `n_rows` instead, the sheets are laid out
    empty for that many rows, which sheetrows.splice puts in after saving. Under the rows of the
    last sheet come `totals` (合计, 平均: bold), the `notes` (注) and, for a summary, the lines
    where its maker, checker and head sign. Widths are measured on `sample` (all rows if None);
    printed, the first `key_cols` columns repeat on every page a wide table is split over."""
    per_sheet = rows_per_sheet()
    total = len(rows) if n_rows is None else n_rows
    counts = [min(per_sheet, total - first) for first in range(0, total, per_sheet)] or [0]
    out = Written(names=sheet_names(base, len(counts)), rows=total)
    widths = column_widths(cols, rows if sample is None else sample)
    ends = page_columns(cols, widths, key_cols, frame.lang)
    fonts = frame.fonts
    for k, (name, n) in enumerate(zip(out.names, counts)):
        ws = wb.create_sheet(name)
        for i, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = f"{get_column_letter(key_cols + 1)}{HEADER_ROWS + 1}"
        print_setup(ws, frame.lang)
        ws.print_title_rows = f"{HEADER_ROWS - 1}:{HEADER_ROWS}"
        if len(ends) > 1:
            ws.print_title_cols = f"A:{get_column_letter(key_cols)}"
            for end in ends[:-1]:
                ws.col_breaks.append(Break(id=end))
        _header(ws, frame, cols, title, ends[0])
        wrapped = [i for i, c in enumerate(cols) if c.wrap]
        for r, row in enumerate(rows[k * per_sheet:(k + 1) * per_sheet], HEADER_ROWS + 1):
            lines = max([1] + [text_lines(row[i], widths[i]) for i in wrapped])
            if lines > 1:  # a written row does not grow to fit its text by itself (LibreOffice)
                ws.row_dimensions[r].height = line_height(lines)
            ws.append([_data_cell(ws, v, c, i) for i, (v, c) in enumerate(zip(row, cols))])
        last = HEADER_ROWS + n
        ws.auto_filter.ref = f"A{HEADER_ROWS}:{get_column_letter(len(cols))}{max(last, HEADER_ROWS + 1)}"
        if k == len(counts) - 1:
            for row in totals:
                last += 1
                ws.append([cell(ws, v, None if isinstance(v, str) else c.fmt, font=fonts.bold, border=BORDER,
                                alignment=CENTRE if isinstance(v, str) else None) for v, c in zip(row, cols)])
                if key_cols > 1 and row[1] is None:  # 合计 over 序号 and the name
                    ws.merged_cells.add(f"A{last}:{get_column_letter(key_cols)}{last}")
            last = _notes(ws, frame, notes, signatures, last, ends[0], widths)
        out.sheets.append([ws, n])
        if k == 0:
            out.last_row = last
    return out


def text_lines(value, width: int) -> int:
    """Lines `value` wraps onto in a column `width` units wide."""
    return max(1, math.ceil(display_width(value) / max(width - 1, 1)))


def line_height(lines: int) -> float:
    """Row height in points for `lines` lines of the body face."""
    return round(BODY_PT * 1.45 * lines + 3, 1)


def _data_cell(ws, value, col: Col, i: int):
    """A bordered cell: 序号 and a word in a column of numbers (不适用, —) centred, long text wrapped."""
    word = isinstance(value, str)
    align = WRAP if col.wrap else TOP_CENTRE if i == 0 or (col.fmt and word) else TOP
    return cell(ws, value, None if word else col.fmt, alignment=align, border=BORDER)


def _notes(ws, frame: Frame, notes: list[str], signatures: bool, last: int, page1: int, widths: list[int]) -> int:
    """注 lines under a table, each merged over the first page's width; then the signature line."""
    room = sum(widths[:page1]) - 2
    letter = get_column_letter(page1)
    lines = list(notes)
    if signatures:
        blank = "\u3000" * 6
        lines.append("")
        lines.append(f"制表人：{blank}　　审核人：{blank}　　负责人：{blank}" if frame.lang == "zh"
                     else f"Prepared by: {'_' * 14}    Checked by: {'_' * 14}    Approved by: {'_' * 14}")
    for text in lines:
        last += 1
        ws.row_dimensions[last].height = line_height(text_lines(text, room))
        ws.append([cell(ws, text, font=frame.fonts.body, alignment=WRAP)])
        ws.merged_cells.add(f"A{last}:{letter}{last}")
    return last


def flag_low_rates(ws, frame: Frame, col_idx: list[int], first: int, last: int) -> None:
    """Red fill for rates below frame.rate_red over at least MIN_JUDGED judged items, grey for a rate
    over fewer (text, 不适用 or —, stays white). Each rate's judged items are two columns to its left
    (rate_group: 判定事项数, 违规数, 合规率)."""
    for i in col_idx:
        letter, judged = get_column_letter(i), get_column_letter(i - 2)
        rate, n = f"{letter}{first}", f"{judged}{first}"
        cells = f"{letter}{first}:{letter}{last}"
        ws.conditional_formatting.add(cells, FormulaRule(
            formula=[f"AND(ISNUMBER({rate}),ISNUMBER({n}),{n}<{MIN_JUDGED})"],
            font=Font(name=frame.fonts.body.name, size=BODY_PT, italic=True, color=FEW_FONT_COLOR), stopIfTrue=True))
        ws.conditional_formatting.add(cells, FormulaRule(
            formula=[f"AND(ISNUMBER({rate}),{rate}<{frame.rate_red})"], fill=BAD_FILL, font=frame.fonts.bad))


def chart_below(ws, chart, last_row: int) -> None:
    """`chart` under the table, on a page of its own: the table and its notes (ending at
    `last_row`) print whole, and the chart is not cut by a page's end."""
    ws.row_breaks.append(Break(id=last_row))
    ws.add_chart(chart, f"A{last_row + 2}")


def bar_chart(ws, title: str, values_col: int, names_col: int, first: int, last: int, low: float, high: float,
              fmt: str, step: float):
    """Horizontal bars of a column already sorted best first, the best at the top as in the table;
    the axis starts a `step` below the lowest value rounded down to a step, so that the spread shows
    (86.8 and 91.1 must not look alike on a 0–100 axis), and each bar says its value."""
    chart = BarChart()
    chart.type = "bar"
    chart.title = title
    chart.y_axis.scaling.min = max(0, math.floor(round(low / step, 9)) * step - step)
    chart.y_axis.scaling.max = high
    chart.y_axis.number_format = fmt.replace(".0", "")
    chart.y_axis.majorGridlines = None
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    chart.legend = None
    chart.x_axis.scaling.orientation = "maxMin"
    chart.add_data(Reference(ws, min_col=values_col, min_row=first, max_row=last), titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=names_col, min_row=first, max_row=last))
    chart.series[0].graphicalProperties.solidFill = "4472C4"
    # every flag said: LibreOffice takes one left out as shown, naming the series and category too
    chart.dataLabels = DataLabelList(showVal=True, showCatName=False, showSerName=False, showLegendKey=False,
                                     showPercent=False, showLeaderLines=False)
    chart.dataLabels.numFmt = fmt
    chart.width, chart.height = 22, max(7.5, 1.5 + 0.7 * (last - first + 1))
    return chart
