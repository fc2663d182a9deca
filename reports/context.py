"""What the sheets of one workbook read: the period, the units in scope, the run the figures were
judged with, the rule families, the language and whether party names are shown. Built once; the
figures two sheets show (the cover lists the sheets that follow it, and says whether the period is
frozen) are read from the snapshot once, when first asked for.

Everything comes from the published dimensions and marts: the period's bounds, months and names
from dim_periods, the scope from dim_unit_descendants, the families from dim_rule_families.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from functools import cached_property

import duckdb
from openpyxl import Workbook

from core.i18n import CODES
from core.settings import load_settings

from . import tables
from .citations import citation_order
from .labels import wl
from .tables import Fonts, Frame

# The findings of the period and the scope, in fct_violations or mart_findings (the same rows).
FINDINGS_WHERE = "occurred_at >= $start and occurred_at < $end and list_contains($units, unit_id)"

_KINDS = (("year", re.compile(r"\d{4}")), ("quarter", re.compile(r"\d{4}Q[1-4]")),
          ("month", re.compile(r"\d{4}-(0[1-9]|1[0-2])")))


def parse_period(period: str) -> tuple[str, str]:
    """(period_type, period) as dim_periods writes them, for '2025' (year), '2025Q3' (quarter) or
    '2025-07' (month); anything else is a ValueError."""
    text = str(period).strip().upper()
    for kind, pattern in _KINDS:
        if pattern.fullmatch(text):
            return kind, text
    raise ValueError(f"invalid period {period!r}: expected a year (2025), a quarter (2025Q3) or a month (2025-07)")


@dataclass(frozen=True)
class Period:
    kind: str  # year | quarter | month (dim_periods.period_type)
    code: str  # '2025' | '2025Q3' | '2025-07'
    start: dt.date
    end: dt.date  # exclusive
    months: tuple[str, ...]  # the months of dim_periods inside it
    label: str  # in the workbook's language
    ledger_kind: str  # the spot-check ledger has quarters and years: a month uses its quarter
    ledger_code: str
    ledger_label: str


def find_period(con: duckdb.DuckDBPyConnection, period: str, lang: str) -> Period:
    """The period of dim_periods the text names; one the snapshot does not cover is a ValueError
    that says which periods it covers."""
    kind, code = parse_period(period)
    found = con.execute(f"""
        select p.period_type, p.period, p.period_start, p.period_end,
               (select list(m.period order by m.period_start) from dim_periods m
                where m.period_type = 'month' and m.period_start >= p.period_start
                  and m.period_start < p.period_end),
               p.label_{lang}, p.spot_check_period_type, p.spot_check_period, ledger.label_{lang}
        from dim_periods p
        left join dim_periods ledger
            on ledger.period_type = p.spot_check_period_type and ledger.period = p.spot_check_period
        where p.period_type = $kind and p.period = $code""", {"kind": kind, "code": code}).fetchone()
    if found is None:
        spans = con.execute("""
            select period_type, min(period), max(period) from dim_periods
            group by period_type order by list_position(['year', 'quarter', 'month'], period_type)""").fetchall()
        covered = ", ".join(f"{kind}s {first}" + (f" to {last}" if last != first else "")
                            for kind, first, last in spans)
        raise ValueError(f"period {code!r} is not in the snapshot, which covers "
                         + (covered or "no period (nothing has been judged)"))
    return Period(*found[:4], tuple(found[4] or ()), *found[5:])


def find_scope(con: duckdb.DuckDBPyConnection, unit: str | None) -> tuple[list[str], tuple[str, str] | None]:
    """The units the workbook covers (`unit` and every unit under it, or all) and `unit` with its name."""
    if unit is None:
        return [r[0] for r in con.execute("select unit_id from dim_units order by unit_id").fetchall()], None
    found = con.execute("select unit_id, unit_name from dim_units where unit_id = ?", [unit]).fetchone()
    if found is None:
        raise ValueError(f"unknown unit {unit!r}: not a unit of the snapshot (dim_units)")
    units = con.execute("select unit_id from dim_unit_descendants where ancestor_unit_id = ? order by unit_id",
                        [unit]).fetchall()
    return [r[0] for r in units], found


@dataclass(frozen=True)
class Run:
    """mart_run: what the published figures were judged with."""
    as_of: dt.date
    as_of_end_at: dt.datetime
    freeze_grace_days: int
    spot_check_per_unit: int
    spot_check_seed: int
    review_rectify_days: int
    review_weight: float


@dataclass(frozen=True)
class Family:
    family: str
    name: str  # in the workbook's language
    rate_column: str  # in mart_unit_period_scorecard


@dataclass
class Context:
    con: duckdb.DuckDBPyConnection  # the published snapshot, read-only
    wb: Workbook  # write-only: sheets appear in the order they are created
    lang: str  # zh | en
    unmask: bool  # party names shown in full
    purpose: str  # what the privacy log says party names were shown for
    period: Period
    units: list[str]
    root: tuple[str, str] | None  # the unit asked for (id, name); None for all units
    run: Run
    families: tuple[Family, ...]  # in the order every reader lists them
    office: str  # the oversight office filing it (填报单位; setting office_name), empty if not set
    made_on: dt.date  # 制表日期
    rate_red: float  # a rate below it is shaded red (setting rate_red, the dashboard's red too)

    @classmethod
    def build(cls, con, wb: Workbook, period: str, unit: str | None, lang: str, unmask: bool,
              name: str) -> Context:
        """The context of the workbook file `name` for the text of `period` and `unit` a user gave."""
        per = find_period(con, period, lang)
        units, root = find_scope(con, unit)
        run = Run(*con.execute("select as_of, as_of_end_at, freeze_grace_days, spot_check_per_unit, "
                               "spot_check_seed, review_rectify_days, review_weight from mart_run").fetchone())
        families = con.execute(f"select family, name_{lang}, rate_column from dim_rule_families "
                               "order by sort_order").fetchall()
        settings = load_settings()
        return cls(con, wb, lang, unmask, f"workbook {name} ({per.code})", per, units, root, run,
                   tuple(Family(*f) for f in families), settings.office_name.strip(), dt.date.today(),
                   settings.rate_red)

    @cached_property
    def frame(self) -> Frame:
        return Frame(self.lang, self.office or wl("cover_office_unset", self.lang), self.made_on, Fonts.of(self.lang),
                     self.rate_red)

    def params(self, *names: str) -> dict:
        """Query parameters by name (DuckDB refuses one a query does not use): the scope ($units), the
        period ($kind, $code), its bounds ($start, $end) and its months ($months)."""
        p = self.period
        known = {"units": self.units, "kind": p.kind, "code": p.code, "start": p.start, "end": p.end,
                 "months": list(p.months)}
        return {name: known[name] for name in names}

    def family_name(self, family: str) -> str:
        return next((f.name for f in self.families if f.family == family), family)

    @cached_property
    def scorecard(self) -> list[dict]:
        """mart_unit_period_scorecard's rows of the period, the highest score first, as the
        dashboard lists them; every sheet with a row per unit keeps this order."""
        cur = self.con.execute("""
            select * from mart_unit_period_scorecard
            where period_type = $kind and period = $code and list_contains($units, unit_id)
            order by score desc nulls last, unit_id""", self.params("units", "kind", "code"))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    @property
    def frozen(self) -> bool:
        """Whether the period's figures are frozen: each unit's row says so, and with no row the
        grace days after the period's end tell."""
        if self.scorecard:
            return all(r["is_frozen"] for r in self.scorecard)
        return (dt.datetime.combine(self.period.end, dt.time()) + dt.timedelta(days=self.run.freeze_grace_days)
                <= self.run.as_of_end_at)

    @cached_property
    def applies(self) -> set[tuple[str, str]]:
        """(unit_id, family) where the unit's profile weighs the family: a family weighed 0 is only
        an indicator there, its rules judge no violation, and the workbook says 不适用."""
        return set(self.con.execute("""
            select u.unit_id, w.family from dim_units u join dim_profile_family_weights w using (profile_id)
            where w.weight > 0 and list_contains($units, u.unit_id)""", self.params("units")).fetchall())

    @cached_property
    def units_in_order(self) -> list[tuple[str, str]]:
        """(unit_id, unit_name) of every unit in scope, in the scorecard's order, then any unit
        without a scorecard row."""
        named = dict(self.con.execute("select unit_id, unit_name from dim_units where list_contains($units, unit_id)",
                                      self.params("units")).fetchall())
        first = [r["unit_id"] for r in self.scorecard]
        return [(u, named[u]) for u in first + sorted(set(named) - set(first))]

    @cached_property
    def family_rates(self) -> list[tuple]:
        """(family, unit_id, unit_name, period_type, period, rate, judged, violations) of the
        violation rules, for each month of the period and the period itself, where anything was
        judged."""
        return self.con.execute("""
            select r.family, r.unit_id, u.unit_name, r.period_type, r.period,
                   sum(r.compliant) / sum(r.judged) as rate, sum(r.judged) as judged,
                   sum(r.judged) - sum(r.compliant) as violations
            from mart_unit_rule_period_rates r join dim_units u using (unit_id)
            where r.level = 'violation' and list_contains($units, r.unit_id)
              and ((r.period_type = 'month' and list_contains($months, r.period))
                   or (r.period_type = $kind and r.period = $code))
            group by all having sum(r.judged) > 0""", self.params("units", "months", "kind", "code")).fetchall()

    @property
    def judged_families(self) -> list[Family]:
        """The families with a sheet of their own: those with anything judged."""
        judged = {r[0] for r in self.family_rates}
        return [f for f in self.families if f.family in judged]

    @cached_property
    def findings_by_unit(self) -> list[tuple[str, str, list[tuple]]]:
        """Each unit with findings in the period, in the scorecard's order, with its groups of
        findings: (severity, rule_id, rule name, citation, findings), the most severe first."""
        groups: dict[str, list[tuple]] = {}
        for unit, *group in self.con.execute(f"""
                select unit_id, severity, rule_id, rule_name_{self.lang}, citation, count(*)
                from mart_findings where {FINDINGS_WHERE}
                group by all""", self.params("units", "start", "end")).fetchall():
            groups.setdefault(unit, []).append(tuple(group))
        severities = list(CODES["severity"])
        return [(u, name, sorted(groups[u], key=lambda g: (severities.index(g[0]), g[1], citation_order(g[3]))))
                for u, name in self.units_in_order if u in groups]

    @property
    def citations(self) -> list[str]:
        """The citations of the findings in the regulation's order (第九条 before 第十条)."""
        return sorted({g[3] for _, _, groups in self.findings_by_unit for g in groups if g[3] is not None},
                      key=citation_order)

    @property
    def findings(self) -> int:
        return sum(g[-1] for _, _, groups in self.findings_by_unit for g in groups)

    @property
    def findings_rows(self) -> int:
        """Rows of the findings sheets: a heading per unit, and one per rule over its findings."""
        return self.findings + sum(1 + len(groups) for _, _, groups in self.findings_by_unit)

    @property
    def findings_sheets(self) -> list[str]:
        return tables.sheet_names(wl("sheet_findings", self.lang),
                                  max(1, math.ceil(self.findings_rows / tables.rows_per_sheet())))

    @property
    def sheets(self) -> list[str]:
        """Every table sheet's name, in order."""
        return [wl("sheet_scorecard", self.lang), wl("sheet_family_rates", self.lang), *(f.name for f in self.judged_families), *self.findings_sheets,
                wl("sheet_review_summary", self.lang), wl("sheet_ledger", self.lang)]
