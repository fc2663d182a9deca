"""The appraisal workbook (年度考核表) in Excel: rules.md §6, contract §4 `recwatch report`.

Reads the published snapshot only (orchestration.publish), never the warehouse the ETL writes, and
of it only the published marts and dimensions (tests/test_layout.py). Sheets, in order: cover (说明),
scorecard (汇总), one sheet per rule family with its rate by unit and month, findings (问题清单,
split when it would pass Excel's row limit) and the spot-check ledger (抽查台账), each written by its
module in reports.sheets from one Context. The whole workbook is written in openpyxl's write-only
mode; the findings rows, too many for openpyxl's per-cell Python, are built by DuckDB and spliced
into their sheets once the package is saved (reports.sheetrows).
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from .context import Context, parse_period
from .sheets.cover import write_cover
from .sheets.families import write_family_sheets
from .sheets.findings import write_findings
from .sheets.ledger import write_ledger
from .sheets.scorecard import write_scorecard
from .tables import new_workbook


def write_workbook(snapshot: Path, period: str, out: Path, unit: str | None = None, lang: str = "zh",
                   unmask: bool = False) -> dict:
    """Write the appraisal workbook for `period` ('2025', '2025Q3', '2025-07') from the published
    snapshot to `out`; returns {path, sheets, rows (per sheet), split, seconds, bytes}. A period the
    snapshot does not cover (dim_periods), like a malformed one or an unknown unit, is a ValueError."""
    t0 = time.perf_counter()
    if lang not in ("zh", "en"):
        raise ValueError(f"invalid lang {lang!r}: expected 'zh' or 'en'")
    parse_period(period)  # a malformed period is refused before the snapshot is looked for
    snapshot, out = Path(snapshot), Path(out)
    if not snapshot.exists():
        raise FileNotFoundError(f"snapshot {snapshot} does not exist (run `recwatch run` first)")
    con = duckdb.connect(str(snapshot), read_only=True)
    try:
        ctx = Context.build(con, new_workbook(lang), period, unit, lang, unmask, out.name)
        summary = _write(ctx, out)
    finally:
        con.close()
    summary["seconds"] = round(time.perf_counter() - t0, 2)
    summary["bytes"] = out.stat().st_size
    return summary


def _write(ctx: Context, out: Path) -> dict:
    write_cover(ctx)
    rows = write_scorecard(ctx) | write_family_sheets(ctx)
    findings = write_findings(ctx)
    rows |= findings.rows | write_ledger(ctx)

    out.parent.mkdir(parents=True, exist_ok=True)
    package, tmp = out.with_name(out.name + ".openpyxl.tmp"), out.with_name(out.name + ".tmp")
    try:
        ctx.wb.save(package)
        findings.splice(ctx.con, package, tmp)
        tmp.replace(out)
    finally:
        package.unlink(missing_ok=True)
        tmp.unlink(missing_ok=True)
    parts = ctx.findings_sheets
    split = {parts[0]: parts} if len(parts) > 1 else {}
    return {"path": str(out), "sheets": ctx.wb.sheetnames, "rows": rows, "split": split, "findings": ctx.findings,
            "frozen": ctx.frozen, "unmasked": ctx.unmask}
