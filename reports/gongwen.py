"""The layout of an official document (公文) by GB/T 9704-2012 (党政机关公文格式), in python-docx.

What the standard fixes and python-docx can carry: A4 portrait with the type area (版心) of
156 × 225 mm (margins: top 37, bottom 35, left 28, right 26 mm) and its grid of 22 lines of 28
characters; the title in 2号 小标宋, the body in 3号 仿宋 indented two characters, first-level
headings in 黑体 and second-level in 楷体; the signature (发文机关署名) and date (成文日期) placed to the
right as 7.3.5.2 places them on an unsealed document; the page number in 4号 宋体 between two
一字线 7 mm under the type area, odd pages right and even pages left, each one character in.

The typefaces are those the standard's users have (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312), each
with the face Windows ships as its stand-in (w:altName in the font table), which Word takes where
the first is missing. Every run names its East Asian font (w:eastAsia): Word lays Chinese out in
that one, never in the Latin font a run names.

Every text goes into the document through here, and through core.output.safe_text on its way: an
export's party name with a vertical tab in it must not make a document Word refuses.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt, Twips
from lxml import etree

from core.output import safe_text
from core.sql import ident, lit

from .sheetrows import xml_text


@dataclass(frozen=True)
class Face:
    name: str
    stand_in: str | None = None  # what Word uses where `name` is not installed


TITLE_FACE = Face("方正小标宋简体", "宋体")
BODY_FACE = Face("仿宋_GB2312", "仿宋")
HEADING1_FACE = Face("黑体")
HEADING2_FACE = Face("楷体_GB2312", "楷体")
PAGE_NUMBER_FACE = Face("宋体")
# An English document's letters and figures; its Chinese (unit names, citations) keeps the faces above.
LATIN_FACE = "Times New Roman"

# Chinese type sizes (字号) in points.
SIZE_2, SIZE_3, SIZE_4, SIZE_5 = Pt(22), Pt(16), Pt(14), Pt(10.5)

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TYPE_AREA_WIDTH = Length(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)  # 156 mm
# 22 lines on the type area's 225 mm: 28.95 pt a line, in whole twips so that 22 lines fit.
LINE_PITCH = Twips(579)
# 28 characters on its 156 mm (442.2 pt): 3号 as printers measure it, 15.75 pt, to which Word's
# 16 pt is set closer (a document grid of characters would say so too, but LibreOffice spaces such a
# grid's characters twice as wide). One character of body text: the unit indents are counted in.
CHAR = 15.75
BODY_CONDENSED = Pt(SIZE_3.pt - CHAR)
# characters of the 2号 title on a line of the type area
TITLE_CHARS = int(TYPE_AREA_WIDTH.pt // SIZE_2.pt)
# The page number's 一字线 stand 7 mm under the type area: the footer's foot is that and its
# 4号 line above the sheet's edge.
FOOTER_DISTANCE = Length(Mm(35 - 7) - SIZE_4)

# Paragraph and character styles a document gets (ids as Word writes them).
NORMAL = "Normal"
TITLE = "GongwenTitle"
HEADING1 = "GongwenHeading1"
HEADING2 = "GongwenHeading2"  # a character style: a second-level heading runs on into its paragraph
TABLE_TEXT = "GongwenTableText"
TABLE_HEADING = "GongwenTableHeading"
TABLE_GROUP = "GongwenTableGroup"
PLAIN = "GongwenPlain"  # a line of body type without the indent: the addressee, the signature
ANNEX_LABEL = "GongwenAnnexLabel"  # 附件 at the top left of an annex's first page

_CN_DIGITS = "〇一二三四五六七八九"


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五: heading numbers up to 99."""
    if not 0 < n < 100:
        raise ValueError(f"no heading number for {n}")
    tens, ones = divmod(n, 10)
    return ((_CN_DIGITS[tens] if tens > 1 else "") + ("十" if tens else "") + (_CN_DIGITS[ones] if ones else "")) \
        or _CN_DIGITS[n]


def date_text(day: dt.date, lang: str) -> str:
    """GB/T 9704-2012 7.3.5.1: the year, month and day in Arabic figures, none padded (2026年12月6日)."""
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else f"{day.day} {day:%B} {day.year}"


def width_in_chars(text: str) -> float:
    """How many characters of body type `text` spans: a wide (CJK) character one, any other half."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WF" else 0.5 for ch in text)


def new_document(lang: str) -> DocxDocument:
    """An empty document laid out by the standard, with its styles and page numbers."""
    doc = Document()
    latin = LATIN_FACE if lang == "en" else None
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.footer_distance = FOOTER_DISTANCE
    section._sectPr.find(qn("w:docGrid")).set(qn("w:linePitch"), str(LINE_PITCH.twips))
    _defaults(doc, lang, latin)
    _styles(doc, latin)
    _stand_ins(doc)
    _page_numbers(doc, section)
    return doc


def _defaults(doc: DocxDocument, lang: str, latin: str | None) -> None:
    """The document's defaults: the body's face and size, Chinese as its East Asian language (the
    template says Japanese, which makes Word lay out punctuation the Japanese way), no theme fonts."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_faces(rpr, BODY_FACE, latin)
    rpr.find(qn("w:sz")).set(qn("w:val"), str(int(SIZE_3.pt * 2)))
    rpr.find(qn("w:szCs")).set(qn("w:val"), str(int(SIZE_3.pt * 2)))
    language = rpr.find(qn("w:lang"))
    language.set(qn("w:val"), "zh-CN" if lang == "zh" else "en-GB")
    language.set(qn("w:eastAsia"), "zh-CN")
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _set_faces(rpr, face: Face, latin: str | None) -> None:
    """Name `face` for East Asian text (and for Latin text too, unless `latin` names another), and
    drop the theme's faces, which would win over any named one."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "cs"):
        fonts.set(qn(f"w:{attr}"), latin or face.name)
    fonts.set(qn("w:eastAsia"), face.name)


def _style(doc: DocxDocument, style_id: str, name: str, kind, face: Face, size: Length, latin: str | None,
           bold: bool = False):
    style = doc.styles.add_style(name, kind)
    style.element.set(qn("w:styleId"), style_id)
    if kind == WD_STYLE_TYPE.PARAGRAPH:
        style.base_style = doc.styles[NORMAL]
        style.quick_style = True
    style.font.size = size
    style.font.bold = bold
    _set_faces(style.element.get_or_add_rPr(), face, latin)
    return style


def _exact(fmt, line: Length, indent_chars: float = 0) -> None:
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = line
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.first_line_indent = Pt(CHAR * indent_chars)


def _styles(doc: DocxDocument, latin: str | None) -> None:
    P, C = WD_STYLE_TYPE.PARAGRAPH, WD_STYLE_TYPE.CHARACTER
    normal = doc.styles[NORMAL]
    normal.font.size = SIZE_3
    normal.element.get_or_add_rPr().insert_element_before(
        OxmlElement("w:spacing", {qn("w:val"): str(-round(BODY_CONDENSED.pt * 20))}), *_RPR_AFTER_SPACING)
    _set_faces(normal.element.get_or_add_rPr(), BODY_FACE, latin)
    _exact(normal.paragraph_format, LINE_PITCH, 2)
    normal.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY

    title = _style(doc, TITLE, "公文标题 Title", P, TITLE_FACE, SIZE_2, latin)
    # a 2号 line is taller than the body's grid line; the title's lines keep 1¼ of it apart
    _exact(title.paragraph_format, Twips(LINE_PITCH.twips * 5 // 4))
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.keep_with_next = True

    heading1 = _style(doc, HEADING1, "一级标题 Heading 1", P, HEADING1_FACE, SIZE_3, latin)
    heading1.paragraph_format.keep_with_next = True
    _outline_level(heading1, 0)
    _style(doc, HEADING2, "二级标题 Heading 2", C, HEADING2_FACE, SIZE_3, latin)

    for style_id, name, face in ((PLAIN, "顶格 Flush left", BODY_FACE),
                                 (ANNEX_LABEL, "附件标识 Annex label", HEADING1_FACE)):
        flush = _style(doc, style_id, name, P, face, SIZE_3, latin)
        _exact(flush.paragraph_format, LINE_PITCH)
        flush.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT

    for style_id, name, face, bold, align in (
            (TABLE_TEXT, "表格文字 Table text", BODY_FACE, False, WD_ALIGN_PARAGRAPH.LEFT),
            (TABLE_HEADING, "表格标题 Table heading", HEADING1_FACE, False, WD_ALIGN_PARAGRAPH.CENTER),
            (TABLE_GROUP, "表格分组 Table group", HEADING2_FACE, True, WD_ALIGN_PARAGRAPH.LEFT)):
        style = _style(doc, style_id, name, P, face, SIZE_5, latin, bold=bold)
        fmt = style.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.space_before = fmt.space_after = Pt(1)
        fmt.first_line_indent = Pt(0)
        fmt.alignment = align


# What follows w:spacing in a run's properties (ECMA-376 CT_RPr): Word refuses a document whose
# elements are out of order, and python-docx has no property to place this one by.
_RPR_AFTER_SPACING = ("w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
                      "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                      "w:specVanish", "w:oMath")


def _outline_level(style, level: int) -> None:
    """Listed in Word's navigation pane, as a heading is."""
    style.element.get_or_add_pPr().get_or_add_outlineLvl().val = level


def _stand_ins(doc: DocxDocument) -> None:
    """Name, in the font table, the face Word falls back to for each face a style names (GB2312
    character set, serif or sans as the face is)."""
    part = next(p for p in doc.part.package.iter_parts() if p.partname == "/word/fontTable.xml")
    table = etree.fromstring(part.blob)
    for face, family in ((TITLE_FACE, "roman"), (BODY_FACE, "modern"), (HEADING1_FACE, "modern"),
                         (HEADING2_FACE, "modern"), (PAGE_NUMBER_FACE, "roman")):
        font = etree.SubElement(table, qn("w:font"), {qn("w:name"): face.name})
        if face.stand_in:
            etree.SubElement(font, qn("w:altName"), {qn("w:val"): face.stand_in})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        etree.SubElement(font, qn("w:family"), {qn("w:val"): family})
        etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    # the font table is a part python-docx keeps as bytes, with no API to change it
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _page_numbers(doc: DocxDocument, section) -> None:
    """— 1 —: 4号 宋体, odd pages right and even pages left, one character in from the edge of the
    type area."""
    doc.settings.odd_and_even_pages_header_footer = True
    inset = Pt(SIZE_4.pt)
    for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0]
        fmt = p.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = Pt(0)
        fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
        fmt.left_indent, fmt.right_indent = (Pt(0), inset) if align == WD_ALIGN_PARAGRAPH.RIGHT else (inset, Pt(0))
        _page_number_run(p, "— ")
        field = OxmlElement("w:fldSimple", {qn("w:instr"): " PAGE "})
        field.append(_page_number_run(None, "1"))
        p._p.append(field)
        _page_number_run(p, " —")


def _page_number_run(paragraph, text: str):
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    _set_faces(rpr, PAGE_NUMBER_FACE, None)
    # the 一字线 is a character of ambiguous width: laid out in the East Asian face it is a full one
    rpr.find(qn("w:rFonts")).set(qn("w:hint"), "eastAsia")
    for tag in ("w:sz", "w:szCs"):
        rpr.append(OxmlElement(tag, {qn("w:val"): str(int(SIZE_4.pt * 2))}))
    run.append(rpr)
    t = OxmlElement("w:t", {qn("xml:space"): "preserve"})
    t.text = text
    run.append(t)
    if paragraph is not None:
        paragraph._p.append(run)
    return run


def paragraph(doc: DocxDocument, text: str = "", style: str = NORMAL, *, align=None):
    """A paragraph of `text` (made safe) in `style`."""
    p = doc.add_paragraph(safe_text(text), style=doc.styles.get_by_id(style, WD_STYLE_TYPE.PARAGRAPH))
    if align is not None:
        p.paragraph_format.alignment = align
    return p


def run(p, text: str, char_style: str | None = None):
    """A run of `text` (made safe) at the end of paragraph `p`, in character style `char_style`."""
    r = p.add_run(safe_text(text))
    if char_style:
        r.style = p.part.document.styles.get_by_id(char_style, WD_STYLE_TYPE.CHARACTER)
    return r


def page_break(doc: DocxDocument) -> None:
    p = doc.paragraphs[-1] if doc.paragraphs else doc.add_paragraph()
    p.add_run().add_break(WD_BREAK.PAGE)


def signature(doc: DocxDocument, office: str, date: str) -> None:
    """The sender's name and the date under it, right, as GB/T 9704-2012 7.3.5.2 places them on an
    unsealed document: the name two characters in from the right, the date starting two characters
    right of the name's start; a date longer than that ends two characters in, and the name moves
    left to keep its start two characters before the date's."""
    name_w, date_w = width_in_chars(safe_text(office)), width_in_chars(date)
    date_in = max(2.0, name_w - date_w)
    name_in = date_in + date_w + 2 - name_w
    for k, (text, inset) in enumerate(((office, name_in), (date, date_in))):
        p = paragraph(doc, text, PLAIN, align=WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(CHAR * inset)
        p.paragraph_format.keep_with_next = k == 0  # the date on the name's page


def add_table(doc: DocxDocument, widths: list[Length], headings: list[str], caption: str):
    """A bordered table of fixed column widths with a heading row repeated on every page. Its other
    rows are XML (row_sql, group_row_xml) put in when the document is saved (save): python-docx
    takes some 100 µs a cell, and a unit may have fifteen thousand findings."""
    table = doc.add_table(rows=1, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    table.autofit = False
    # 1 mm either side of a cell's text, not Word's 1.9 mm: a column more for the text in a narrow table
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(OxmlElement(f"w:{side}", {qn("w:w"): str(Mm(1).twips), qn("w:type"): "dxa"}))
    table._tbl.tblPr.insert_element_before(margins, "w:tblLook", "w:tblCaption", "w:tblDescription")
    table._tbl.tblPr.append(OxmlElement("w:tblCaption", {qn("w:val"): safe_text(caption)}))
    for column, width in zip(table.columns, widths):
        column.width = width
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, text, width in zip(header.cells, headings, widths):
        cell.width = width
        p = cell.paragraphs[0]
        p.style = doc.styles.get_by_id(TABLE_HEADING, WD_STYLE_TYPE.PARAGRAPH)
        p.add_run(safe_text(text))
    header._tr.addnext(etree.Comment(_ROWS_MARK))
    return table


# Where a table's rows go in the saved document.xml: a comment after its heading row.
_ROWS_MARK = "recwatch: rows"
_CELL = f'<w:tc><w:p><w:pPr><w:pStyle w:val="{TABLE_TEXT}"/></w:pPr><w:r>'
_CELL_CENTRED = f'<w:tc><w:p><w:pPr><w:pStyle w:val="{TABLE_TEXT}"/><w:jc w:val="center"/></w:pPr><w:r>'
_END_CELL = "</w:r></w:p></w:tc>"
_ROW = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"  # a row is never split over two pages


def row_sql(cells: list[list[str]]) -> str:
    """SQL for a table row, for rows DuckDB writes: its cells hold lines, each a text column already
    made safe (sheetrows.safe_columns), broken by line breaks; an empty or null line is left out.
    The first cell (a number) is centred; the row is in the table text style."""
    def lines(columns: list[str]) -> str:
        runs = ", ".join(f"case when {c} <> '' then concat('<w:t xml:space=\"preserve\">', {xml_text(c)}, '</w:t>') end"
                         for c in map(ident, columns))
        return f"concat_ws('<w:br/>', {runs})"

    first, *rest = cells
    parts = [lit(_ROW + _CELL_CENTRED), lines(first), lit(_END_CELL)]
    for columns in rest:
        parts += [lit(_CELL), lines(columns), lit(_END_CELL)]
    return f"concat({', '.join(parts)}, '</w:tr>')"


def group_row_xml(text: str, span: int) -> str:
    """A shaded row across `span` columns heading the rows under it (text made safe), kept on the
    page of the first."""
    return (f'{_ROW}<w:tc><w:tcPr><w:gridSpan w:val="{span}"/><w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>'
            f'</w:tcPr><w:p><w:pPr><w:pStyle w:val="{TABLE_GROUP}"/><w:keepNext/></w:pPr>'
            f'<w:r><w:t xml:space="preserve">{escape(safe_text(text))}</w:t></w:r></w:p></w:tc></w:tr>')


def save(doc: DocxDocument, rows: list[bytes], out: Path) -> None:
    """Save `doc` to `out` with `rows` (row_sql, group_row_xml; in UTF-8) in its table made by add_table
    (a document with no such table has no rows), written whole or not at all."""
    package = io.BytesIO()
    doc.save(package)
    mark = f"<!--{_ROWS_MARK}-->".encode()
    tmp = out.with_name(out.name + ".tmp")
    try:
        with zipfile.ZipFile(package) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "word/document.xml":
                    marks = data.count(mark)
                    if marks > 1 or (rows and marks != 1):
                        raise ValueError("the document has no one table to put rows in (add_table)")
                    data = data.replace(mark, b"".join(rows))
                dst.writestr(info, data)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
