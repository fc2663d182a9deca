"""Rectification notices (整改通知书): one Word document for each unit with findings in a period,
telling it what the appraisal found, what it must do and by when it must reply, with its findings
listed in an annex (附件：问题清单) grouped by rule and the article broken.

Reads the published snapshot only, the same period and scope as the workbook (reports.context), a
unit's findings in one query. Laid out by GB/T 9704-2012 (reports.gongwen). A unit's annex may run
to thousands of rows, which DuckDB writes as XML rather than python-docx cell by cell.
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import duckdb
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Mm

from core.i18n import CODES, code_label
from core.output import safe_filename
from core.privacy import mask_sql, mask_within_sql
from core.settings import load_settings
from core.sql import lit

from . import gongwen, sheetrows
from .citations import ITEM, article_order, citation_order, pieces as article_pieces
from .context import FINDINGS_WHERE, Period, find_period, find_scope, parse_period
from .labels import NOTICE_LABELS, counted, nl, source_column

# The ids that find a finding's record, as (column, the source whose column it is), each shown on a
# line of its own where it is set.
IDS = (("case_id", "cases"), ("party_name", "cases"), ("act_id", "acts"),
       ("media_id", "media"), ("device_id", "devices"), ("officer_id", "officers"))
# The annex's columns: number, record ids, when, what (156 mm, the type area's width). In 5号 type
# the ids column holds a recording's id with its label on one line (文件编号：DSJ-0094_20250701_101802),
# the number column five figures, the time column a date.
ANNEX_WIDTHS = (Mm(12), Mm(70), Mm(22), Mm(52))


@dataclass
class RuleGroup:
    """A unit's findings under one rule and one article of it."""
    rule_id: str
    rule_name: str
    citation: str
    severities: Counter  # severity code → findings
    rows: bytes  # the annex's rows of the findings, as XML in UTF-8, numbered on from the group before

    @property
    def n(self) -> int:
        return sum(self.severities.values())


@dataclass(frozen=True)
class ReviewProblem:
    """A drawn case whose case-file review asked for it to be put right (mart_spot_check_ledger)."""
    case_id: str
    conclusion: str  # in the notice's language
    problems: str  # party names masked
    due: dt.date | None  # the last day to put it right
    status: str  # where the rectification stands, in the notice's language


@dataclass
class UnitFindings:
    unit_id: str
    unit_name: str
    regulation: str  # the unit's profile's regulation, as dim_units names it
    groups: list[RuleGroup] = field(default_factory=list)
    reviews: list[ReviewProblem] = field(default_factory=list)

    @property
    def n(self) -> int:
        return sum(g.n for g in self.groups)

    def rules(self) -> list[list[RuleGroup]]:
        """The groups of each rule, in the order they come."""
        return [list(groups) for _, groups in itertools.groupby(self.groups, lambda g: g.rule_id)]


@dataclass(frozen=True)
class Issue:
    """What every notice of one run shares."""
    lang: str
    period: Period
    as_of: dt.date
    date: dt.date  # the notice's date (成文日期)
    reply_by: dt.date  # date + setting notice_reply_days
    office: str  # setting office_name, or the placeholder a clerk fills in


def write_notices(snapshot: Path, period: str, out_dir: Path, unit: str | None = None, lang: str = "zh",
                  unmask: bool = False, date: dt.date | None = None) -> dict:
    """Write a notice to each unit in scope (`unit` and those under it, or all) with findings in
    `period` into `out_dir`; returns {dir, paths, notices, findings, units, seconds, unmasked}.
    A unit without findings gets none. `date` is the notices' date, today unless given; a date before
    the snapshot's as-of date is a ValueError."""
    t0 = time.perf_counter()
    if lang not in ("zh", "en"):
        raise ValueError(f"invalid lang {lang!r}: expected 'zh' or 'en'")
    parse_period(period)
    snapshot, out_dir = Path(snapshot), Path(out_dir)
    if not snapshot.exists():
        raise FileNotFoundError(f"snapshot {snapshot} does not exist (run `recwatch run` first)")
    settings = load_settings()
    date = date or dt.date.today()
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        per = find_period(con, period, lang)
        units, _ = find_scope(con, unit)
        as_of = con.execute("select as_of from mart_run").fetchone()[0]
        if date < as_of:
            raise ValueError(f"the notices' date {date} is before {as_of}, the day the findings are judged as of: "
                             "a notice cannot report an appraisal made after it (give --date on or after it)")
        issue = Issue(lang, per, as_of, date, date + dt.timedelta(days=settings.notice_reply_days),
                      settings.office_name.strip() or nl("office_unset", lang))
        out_dir.mkdir(parents=True, exist_ok=True)
        paths, taken, findings = [], set(), 0
        purpose = f"rectification notices in {out_dir} ({per.code})"
        for uf in unit_findings(con, per, units, lang, unmask, purpose):
            paths.append(write_notice(uf, issue, out_dir / file_name(uf, per.code, lang, taken)))
            findings += uf.n
    finally:
        con.close()
    return {"dir": str(out_dir), "paths": [str(p) for p in paths], "notices": len(paths), "findings": findings,
            "units": len(units), "unmasked": unmask, "seconds": round(time.perf_counter() - t0, 2)}


def unit_findings(con: duckdb.DuckDBPyConnection, period: Period, units: list[str], lang: str, unmask: bool,
                  purpose: str) -> Iterator[UnitFindings]:
    """The findings of the period of each unit of `units` that has any, by rule (in the order every
    reader lists them) and article, and the cases its case-file review of the period's ledger asked it
    to put right (review_problems); a unit with neither is left out. DuckDB writes the annex's rows, in its threads: Python took
    three times as long as all the rest for a city's year (scale M). One query a unit: for all units
    at once, DuckDB held every row while it ordered them: 1.8 GB of memory for a city's year, against
    0.4 GB this way for a second more."""
    regulation = "regulation_short_zh" if lang == "zh" else "regulation_en"
    # the articles in the regulation's order (第九条 before 第十条), not the characters'
    order = "family_sort_order, rule_id, list_position($cites, citation), occurred_at, violation_id"
    # each id's line is its label and the value
    ids = [f"case when {column} <> '' then {lit(nl('id_line', lang, label=source_column(source, column, lang), value=''))}"
           f" || {column} end as id_{column}" for column, source in IDS]
    lines = ["number", *(f"id_{column}" for column, _ in IDS), "day", "time", "detail"]
    severities = ", ".join(f"count(*) filter (where severity = {lit(code)})" for code in CODES["severity"])
    sql = f"""
        with found as (
            select unit_id, u.unit_name, u.{regulation} as regulation, r.family_sort_order,
                   rule_id, f.rule_name_{lang} as rule_name, coalesce(f.citation, '') as citation, f.severity,
                   f.occurred_at, f.violation_id, f.case_id,
                   {mask_sql("f.party_name", unmask, purpose)} as party_name,
                   f.act_id, f.media_id, f.device_id, f.officer_id, f.detail_{lang} as detail
            from mart_findings f
            join dim_units u using (unit_id)
            join dim_rules r using (rule_id)
            where {FINDINGS_WHERE}
        ),
        numbered as (
            select *, row_number() over (order by {order}) as n,
                   n::varchar as number, {", ".join(ids)},
                   strftime(occurred_at, '%Y-%m-%d') as day, strftime(occurred_at, '%H:%M') as time
            from found
        ),
        safe as (select * {sheetrows.safe_columns(lines)} from numbered)
        select unit_id, unit_name, regulation, rule_id, rule_name, citation, {severities},
               encode(string_agg({gongwen.row_sql([["number"], lines[1:-3], ["day", "time"], ["detail"]])}, ''
                                 order by n))
        from safe
        group by all
        order by any_value(family_sort_order), rule_id, any_value(list_position($cites, citation))"""
    cites = sorted((c for (c,) in con.execute(f"select distinct coalesce(citation, '') from mart_findings "
                                              f"where {FINDINGS_WHERE}", {"units": units, "start": period.start,
                                                                          "end": period.end}).fetchall()),
                   key=citation_order)
    reviews = review_problems(con, period, units, lang, unmask, purpose)
    named = {u: (n, r) for u, n, r in con.execute(f"select unit_id, unit_name, {regulation} from dim_units").fetchall()}
    for unit in units:
        groups = con.execute(sql, {"units": [unit], "start": period.start, "end": period.end,
                                   "cites": cites}).fetchall()
        if not groups and unit not in reviews:
            continue
        uf = (UnitFindings(unit, groups[0][1] or "", groups[0][2] or "", reviews=reviews.get(unit, [])) if groups
              else UnitFindings(unit, named[unit][0] or "", named[unit][1] or "", reviews=reviews[unit]))
        for _, _, _, rule_id, rule_name, citation, *counts, rows in groups:
            uf.groups.append(RuleGroup(rule_id, rule_name or rule_id, citation,
                                       Counter(dict(zip(CODES["severity"], counts))), rows))
        yield uf


def review_problems(con: duckdb.DuckDBPyConnection, period: Period, units: list[str], lang: str, unmask: bool,
                    purpose: str) -> dict[str, list[ReviewProblem]]:
    """Each unit's drawn cases of the period's ledger (its quarter's, for a month) whose review asked
    for a rectification, in draw order, the problems with the party's name masked (shown unmasked,
    the notices' findings have logged it once)."""
    found: dict[str, list[ReviewProblem]] = {}
    for unit, case_id, conclusion, problems, due, status in con.execute(f"""
            select l.unit_id, l.case_id, l.conclusion,
                   {mask_within_sql("coalesce(l.problems, '')", "c.party_name", unmask, purpose) if not unmask
                    else "coalesce(l.problems, '')"},
                   cast(l.rectify_due_at - interval 1 day as date), l.rectification_status
            from mart_spot_check_ledger l
            left join dim_cases c using (case_id)
            where l.period_type = $kind and l.period = $code and list_contains($units, l.unit_id)
                and l.rectification_status not in ('not_required')
            order by l.unit_id, l.draw_rank""",
            {"kind": period.ledger_kind, "code": period.ledger_code, "units": units}).fetchall():
        found.setdefault(unit, []).append(ReviewProblem(case_id, code_label("review_status", conclusion, lang),
                                                        problems, due, code_label("rectification_status", status, lang)))
    return found


def file_name(uf: UnitFindings, period: str, lang: str, taken: set[str]) -> str:
    """`<unit id>_<unit name>_整改通知书_<period>.docx`, one plain name however hostile the unit's id
    and name (no folder, no traversal, short enough for any file system); a name another unit's
    already has gets a number after the id."""
    for k in itertools.count(1):
        name = safe_filename(f"{uf.unit_id}{f'_{k}' if k > 1 else ''}_{uf.unit_name}_{nl('file', lang)}_{period}.docx")
        if name.lower() not in taken:  # a file system that ignores case would make them one file
            taken.add(name.lower())
            return name


def count(n: int, lang: str) -> str:
    """A number of problems: 1542 in Chinese, as a 公文 writes four figures; 1,542 in English."""
    return str(n) if lang == "zh" else f"{n:,}"


def citations_text(citations: list[str], lang: str) -> str:
    """The articles of a rule broken, each regulation named once and each article once, in the
    order of the regulation (第八条 before 第十条), the items of one article after it without
    naming it again: 《办法》第九条第（一）项、第（三）项、第十条."""
    sep = nl("list_sep", lang)
    by_regulation: dict[str, list[tuple[str, str]]] = {}
    for citation in citations:
        regulation, mark, articles = citation.rpartition("》")
        pieces = by_regulation.setdefault(regulation + mark, [])
        pieces += [p for p in article_pieces(articles) if p not in pieces]
    out = []
    for regulation, pieces in by_regulation.items():
        said, last = [], None
        for article, rest in sorted(pieces, key=article_order):
            # the next item of the article just named: 第九条第（一）项、第（三）项
            item = ITEM.match(rest) is not None
            said.append(rest if item and last == article and said else article + rest)
            last = article if item else None
        out.append(regulation + "、".join(said))  # Chinese articles, in Chinese punctuation in either language
    return sep.join(out)


def severity_counts(groups: list[RuleGroup]) -> dict[str, int]:
    """{high, medium, low}: how many findings of each the groups have, none left out."""
    counts = sum((g.severities for g in groups), Counter())
    return {code: counts.get(code, 0) for code in CODES["severity"]}


def write_notice(uf: UnitFindings, issue: Issue, out: Path) -> Path:
    """The notice to one unit, written to `out`."""
    gongwen.save(render(uf, issue), annex_rows(uf, issue.lang) if uf.n else [], out)
    return out


def render(uf: UnitFindings, issue: Issue) -> DocxDocument:
    """The notice to one unit: title, addressee, body, signature, and the annex on a page of its own
    with the table its rows (annex_rows) go into."""
    lang = issue.lang
    doc = gongwen.new_document(lang)
    per = issue.period
    title(doc, uf.unit_name, lang)
    gongwen.paragraph(doc, "", gongwen.PLAIN)
    gongwen.paragraph(doc, nl("addressee", lang, unit=uf.unit_name), gongwen.PLAIN)
    dates = {"start": gongwen.date_text(per.start, lang), "end": gongwen.date_text(per.end - dt.timedelta(days=1), lang),
             "as_of": gongwen.date_text(issue.as_of, lang)}
    reviewed = nl("opening_reviews", lang, ledger=per.ledger_label, m=count(len(uf.reviews), lang)) if uf.reviews else ""
    if uf.n:
        opening = nl("opening", lang, regulation=uf.regulation, period=per.label, **dates, n=count(uf.n, lang),
                     by=nl("list_sep", lang).join(  # a severity with no finding is left unsaid
                         nl("severity_count", lang, severity=code_label("severity", code, lang), n=count(n, lang))
                         for code, n in severity_counts(uf.groups).items() if n), reviews=reviewed)
    else:  # a unit whose recording broke no rule, but whose reviewed case files did not pass
        opening = nl("opening_reviews_only", lang, regulation=uf.regulation, ledger=per.ledger_label,
                     as_of=dates["as_of"], m=count(len(uf.reviews), lang))
    gongwen.paragraph(doc, opening)

    heading(doc, 1, nl("problems", lang), lang)
    k = 0
    for k, groups in enumerate(uf.rules(), 1):
        severities = nl("list_sep", lang).join(code_label("severity", code, lang)
                                                for code, n in severity_counts(groups).items() if n)
        p = subheading(doc, k, nl("rule", lang, rule=groups[0].rule_name, n=count(sum(g.n for g in groups), lang)), lang)
        citations = [g.citation for g in groups if g.citation] or [uf.regulation]  # a finding without an article
        gongwen.run(p, nl("rule_basis", lang, citations=citations_text(citations, lang), severities=severities))
    if uf.reviews:
        p = subheading(doc, k + 1, nl("review_problems", lang, ledger=per.ledger_label, m=count(len(uf.reviews), lang)),
                       lang)
        for n, r in enumerate(uf.reviews, 1):  # GB/T 9704 7.3.3: the third level of a body's headings is 1.
            p = gongwen.paragraph(doc, f"{n}." + nl("review_case", lang, case=r.case_id, conclusion=r.conclusion,
                                                   problems=r.problems or nl("review_no_problems", lang),
                                                   due=gongwen.date_text(r.due, lang) if r.due else nl("review_no_due", lang),
                                                   status=r.status))

    heading(doc, 2, nl("requirements", lang), lang)
    for k, (head, text) in enumerate((("check", "check_text"), ("duty", "duty_text"), ("reply", "reply_text")), 1):
        p = subheading(doc, k, nl(head, lang), lang)
        gongwen.run(p, nl(text, lang, office=issue.office, deadline=gongwen.date_text(issue.reply_by, lang)))

    # GB/T 9704-2012 7.3.4 and 7.3.5: a line under the body the annex's name, a line under that the signature;
    # 7.3.5.4: the signature and date never on a page without the body's text, so the body's last
    # paragraph, the annex's name and the signature are kept on one page
    p.paragraph_format.keep_with_next = True
    for text in ("", nl("annex_note", lang, annex=nl("annex_name", lang)), "") if uf.n else ("",):
        gongwen.paragraph(doc, text).paragraph_format.keep_with_next = True
    gongwen.signature(doc, issue.office, gongwen.date_text(issue.date, lang))
    if uf.n:  # the annex lists findings; a case-file review's problems are in the body
        annex(doc, uf, issue)
    return doc


def title(doc: DocxDocument, unit: str, lang: str) -> None:
    """The title; one longer than a line breaks after the unit's name (GB/T 9704-2012 7.3.1: a title
    breaks where the sense allows, not inside 全过程记录), the shorter line on top."""
    text = nl("title", lang, unit=unit)
    first = NOTICE_LABELS["title"][0].split("{unit}")[0] + unit
    if lang != "zh" or gongwen.width_in_chars(text) <= gongwen.TITLE_CHARS or not text.startswith(first):
        gongwen.paragraph(doc, text, gongwen.TITLE)
        return
    p = gongwen.paragraph(doc, first, gongwen.TITLE)
    p.add_run().add_break(WD_BREAK.LINE)
    gongwen.run(p, text[len(first):])


def heading(doc: DocxDocument, k: int, text: str, lang: str) -> None:
    number = f"{gongwen.chinese_numeral(k)}、" if lang == "zh" else f"{k}. "
    gongwen.paragraph(doc, number + text, gongwen.HEADING1)


def subheading(doc: DocxDocument, k: int, text: str, lang: str):
    """A paragraph opening with a second-level heading, which the paragraph's text runs on from."""
    number = f"（{gongwen.chinese_numeral(k)}）" if lang == "zh" else f"({k}) "
    p = gongwen.paragraph(doc)
    gongwen.run(p, number + text, gongwen.HEADING2)
    return p


def annex(doc: DocxDocument, uf: UnitFindings, issue: Issue) -> None:
    """GB/T 9704-2012 8: the annex on a page of its own, 附件 at the top left, its name centred on
    the third line, then the table of findings."""
    lang = issue.lang
    gongwen.page_break(doc)
    gongwen.paragraph(doc, nl("annex", lang), gongwen.ANNEX_LABEL)
    gongwen.paragraph(doc, "", gongwen.PLAIN)
    gongwen.paragraph(doc, nl("annex_name", lang), gongwen.TITLE)
    # the unit on a line of its own: a long name with the period and count would wrap mid-phrase
    gongwen.paragraph(doc, uf.unit_name, gongwen.PLAIN, align=WD_ALIGN_PARAGRAPH.CENTER)
    gongwen.paragraph(doc, nl("annex_subtitle", lang, period=issue.period.label, n=count(uf.n, lang),
                                        n_problems=counted(uf.n, "problem")),
                      gongwen.PLAIN, align=WD_ALIGN_PARAGRAPH.CENTER)
    gongwen.add_table(doc, list(ANNEX_WIDTHS), [nl(c, lang) for c in ("col_no", "col_ids", "col_occurred_at",
                                                                      "col_detail")], nl("annex_name", lang))


def annex_rows(uf: UnitFindings, lang: str) -> list[bytes]:
    """The annex's rows as XML: each rule and article's heading row, then its findings."""
    rows = []
    for group in uf.groups:
        rows.append(gongwen.group_row_xml(nl("group", lang, rule=group.rule_name,
                                             citation=group.citation or uf.regulation, n=count(group.n, lang)),
                                          len(ANNEX_WIDTHS)).encode())
        rows.append(group.rows)
    return rows
