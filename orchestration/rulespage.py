"""docs/rule-tables.md, written from the rule tables: how each rule is judged under each profile
(level, severity, article, parameters), so an oversight office can check recwatch's reading of its
own regulation without reading SQL. `recwatch rules-page` writes it; a test fails when the page no
longer says what the tables say."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

from core.i18n import code_label, enum_label
from models import RULES_DIR

PAGE = Path(__file__).resolve().parents[1] / "docs" / "rule-tables.md"
LEVEL = {"violation": "违规 violation", "indicator": "指标 indicator"}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _cell(text: str) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ").strip()


def _source(basis: str, article: str) -> str:
    """Where a value comes from: the profile's article, or a setting recwatch chose."""
    return "setting" if basis == "setting" else _cell(article)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(header) + " |", "|" + "---|" * len(header),
            *("| " + " | ".join(_cell(c) for c in row) + " |" for row in rows), ""]


def render(rules_dir: Path = RULES_DIR) -> str:
    profiles = _rows(rules_dir / "profiles.csv")
    ids = [p["profile_id"] for p in profiles]
    per = {name: {pid: _rows(rules_dir / pid / f"{name}.csv") for pid in ids}
           for name in ("rule_profile", "rule_parameters", "av_requirements", "retention_classes",
                        "doc_requirements", "party_facing_docs")}
    out = ["# How each rule is judged, profile by profile", "",
           "<!-- written by `recwatch rules-page` from models/rules/; do not edit by hand -->", "",
           "Every figure below is read from the rule tables in `models/rules/`, the same tables the "
           "models judge with. A value marked *setting* is recwatch's choice where the regulation "
           "gives none; anything else cites the profile's article. What each rule means is in "
           "[rules.md](rules.md).", "",
           "| profile | regulation |", "|---|---|",
           *(f"| `{p['profile_id']}` | {_cell(p['short_zh'])} {_cell(p['regulation_en'])} |" for p in profiles), ""]
    for rule in _rows(rules_dir / "rules.csv"):
        rid = rule["rule_id"]
        out += [f"## {rid} {_cell(rule['name_zh'])} · {_cell(rule['name_en'])}", "",
                _cell(rule["description_zh"]), "", _cell(rule["description_en"]), ""]
        levels = []
        for pid in ids:
            found = [r for r in per["rule_profile"][pid] if r["rule_id"] == rid]
            for r in found:
                levels.append([f"`{pid}`", LEVEL.get(r["level"], r["level"]),
                               f"{code_label('severity', r['severity'], 'zh')} {r['severity']}" if r["severity"] else "",
                               _source(r["basis"], r["article_zh"]), r.get("note_zh", "")])
            if not found:
                levels.append([f"`{pid}`", "not judged", "", "", ""])
        out += _table(["profile", "level", "severity", "article", "note"], levels)
        params = defaultdict(list)
        for pid in ids:
            for r in per["rule_parameters"][pid]:
                if r["rule_id"] == rid:
                    value = f"{r['value']} {r['unit']}".strip() if r["value"] else "(none)"
                    params[r["parameter"]].append(f"`{pid}`: {value} · {_source(r['basis'], r['article_zh'])}")
        if params:
            out += _table(["parameter", "value by profile · source"],
                          [[f"`{name}`", "<br>".join(values)] for name, values in params.items()])
        out += _extra_tables(rid, ids, per)
    return "\n".join(out).rstrip() + "\n"


def _extra_tables(rid: str, ids: list[str], per: dict) -> list[str]:
    """The tables a rule reads beyond its parameters: AV levels (R-AV), retention classes (R-RET),
    required documents (R-DOC)."""
    if rid == "R-AV":
        acts = sorted({r["act_type"] for pid in ids for r in per["av_requirements"][pid]})
        level = {(pid, r["act_type"]): f"{r['requirement']} · {_source('citation', r['article_zh'])}"
                 for pid in ids for r in per["av_requirements"][pid]}
        return ["AV level of each act type (empty: no AV level, not judged):", "",
                *_table(["act type", *(f"`{pid}`" for pid in ids)],
                        [[f"{enum_label('act_type', a, 'zh')} `{a}`", *(level.get((pid, a), "") for pid in ids)]
                         for a in acts])]
    if rid == "R-RET":
        rows = [[f"`{pid}`", r["retention_class"], r["applies_when"],
                 f"{r['period_months']} months" if r["period_months"] else "long-term", r["period_from"],
                 r["precedence"], _source(r["basis"], r["article_zh"])]
                for pid in ids for r in per["retention_classes"][pid]]
        return ["Retention classes (where several apply, the lowest precedence wins):", "",
                *_table(["profile", "class", "applies when", "period", "from", "precedence", "source"], rows)]
    if rid == "R-DOC":
        rows = [[f"`{pid}`", f"{r['trigger_zh']} `{r['trigger']}`", r["doc_type"], _source(r["basis"], r["article_zh"])]
                for pid in ids for r in per["doc_requirements"][pid]]
        party = [[f"`{pid}`", r["doc_type"], r["refusal_noted_required"], r["min_officer_signatures_when_refused"],
                  _source(r["basis"], r["article_zh"])]
                 for pid in ids for r in per["party_facing_docs"][pid]]
        return ["Documents each case and act must have:", "",
                *_table(["profile", "when", "document", "source"], rows),
                "A party-facing document the party did not sign:", "",
                *_table(["profile", "document", "refusal noted", "officer signatures", "source"], party)]
    return []


def write(path: Path = PAGE) -> Path:
    path.write_text(render(), encoding="utf-8")
    return path
