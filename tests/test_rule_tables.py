"""The rule tables (models/rules/*.csv and models/rules/<profile>/*.csv) are data the SQL models
read: check them as data.

Each table is loaded exactly as the runner loads it (read_csv, header, all_varchar) and checked
against the contract's enum codes, against rules.md (§3 table, §5 levels) and for internal
consistency, so that adding a profile or changing a period stays a row change that this file
either accepts or explains.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from functools import cache

import duckdb
import pytest

from core.contract import ENUMS
from orchestration.runner import load_rule_table, rule_tables

TABLES = rule_tables()
PROFILE_TABLES = ("rule_profile", "rule_parameters", "av_requirements", "retention_classes",
                  "doc_requirements", "party_facing_docs", "scoring_weights")
BASIS_TABLES = ("rule_profile", "rule_parameters", "retention_classes", "doc_requirements", "party_facing_docs")
FAMILIES = {"upload", "av_coverage", "retention", "archiving", "documents", "devices", "access",
            "integrity", "start", "labelling", "evidence", "security"}
N = "[一二三四五六七八九十]+"
ONE_ARTICLE = rf"第{N}条(第{N}款)?(第（{N}）项)?"
ARTICLE = re.compile(rf"^({ONE_ARTICLE}(、({ONE_ARTICLE}|第（{N}）项))*|第{N}条至第{N}条)$")


@cache
def table(name: str) -> tuple[dict, ...]:
    con = duckdb.connect()
    load_rule_table(con, "t", TABLES[f"rules_{name}"])
    cur = con.execute("select * from t")
    cols = [d[0] for d in cur.description]
    return tuple(dict(zip(cols, row)) for row in cur.fetchall())


def profiles() -> list[str]:
    return [r["profile_id"] for r in table("profiles")]


def rule_ids() -> list[str]:
    return [r["rule_id"] for r in table("rules")]


def params(profile: str, rule: str, parameter: str) -> list[str]:
    return [r["value"] for r in table("rule_parameters")
            if (r["profile_id"], r["rule_id"], r["parameter"]) == (profile, rule, parameter)]


def param(profile: str, rule: str, parameter: str) -> str | None:
    values = params(profile, rule, parameter)
    assert len(values) == 1, (profile, rule, parameter, values)
    return values[0]


# ---------------------------------------------------------------- files


def test_every_expected_table_is_there():
    expected = {"profiles", "rules", *PROFILE_TABLES}
    assert expected <= {name.removeprefix("rules_") for name in TABLES}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_file_is_utf8_without_bom_and_loads_as_the_runner_loads_it(name):
    rows = 0
    for path in TABLES[name].files:
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), path
        header, *body = list(csv.reader(raw.decode("utf-8").splitlines()))
        assert all(len(row) == len(header) for row in body), path
        rows += len(body)
    loaded = table(name.removeprefix("rules_"))
    assert loaded and list(loaded[0]) == (["profile_id", *header] if TABLES[name].per_profile else header)
    assert len(loaded) == rows


@pytest.mark.parametrize("name", sorted(PROFILE_TABLES))
def test_each_profile_has_its_own_folder_of_rules(name):
    assert TABLES[f"rules_{name}"].per_profile
    folders = sorted(p.parent.name for p in TABLES[f"rules_{name}"].files)
    assert folders == sorted(profiles())


# ---------------------------------------------------------------- rules and profiles


def test_rules_are_unique_with_known_family_and_severity():
    rows = table("rules")
    assert len(rule_ids()) == len(set(rule_ids()))
    for r in rows:
        assert r["family"] in FAMILIES, r
        assert r["default_severity"] in {"high", "medium", "low"}, r
        assert r["name_zh"] and r["name_en"] and r["description_zh"] and r["description_en"], r
    assert {"R-UPL", "R-UPL-LOST", "R-ARC", "R-AV", "R-RET", "R-START", "R-LBL", "R-EVD", "R-DEV-DEL",
            "R-DEV-INT", "R-DEV-CHECK", "R-ACC", "R-INTEG", "R-DOC", "R-SEC"} <= set(rule_ids())


def test_profiles_keep_their_original_columns():
    cols = list(table("profiles")[0])
    assert cols[:4] == ["profile_id", "regulation_zh", "issuer_level", "seed_file"]
    assert profiles() == ["cele", "zhuhui", "longjiang", "hebei", "dalian_jinpu"]


@pytest.mark.parametrize("name", PROFILE_TABLES)
def test_every_profile_has_rows_and_no_unknown_profile(name):
    seen = {r["profile_id"] for r in table(name)}
    assert seen == set(profiles())


def test_every_profile_rule_pair_is_present_exactly_once():
    pairs = Counter((r["profile_id"], r["rule_id"]) for r in table("rule_profile"))
    assert set(pairs) == {(p, r) for p in profiles() for r in rule_ids()}
    assert set(pairs.values()) == {1}
    for r in table("rule_profile"):
        assert r["level"] in {"violation", "indicator"}, r
        assert r["severity"] in {"high", "medium", "low"}, r


def test_levels_follow_rules_md_section_5():
    level = {(r["profile_id"], r["rule_id"]): r["level"] for r in table("rule_profile")}
    violation_in = {  # rules.md §5: named profiles are violations, the others indicators
        "R-START": {"zhuhui", "dalian_jinpu"},
        "R-LBL": {"cele", "longjiang"},
        "R-EVD": {"cele", "hebei", "dalian_jinpu"},
        "R-DEV-INT": {"cele", "longjiang", "hebei"},
        "R-DEV-CHECK": {"longjiang"},
    }
    everywhere = {"R-DEV-DEL", "R-ACC", "R-INTEG", "R-DOC", "R-UPL", "R-UPL-LOST", "R-ARC", "R-AV", "R-RET"}
    for p in profiles():
        for rule, named in violation_in.items():
            assert level[p, rule] == ("violation" if p in named else "indicator"), (p, rule)
        for rule in everywhere:
            assert level[p, rule] == "violation", (p, rule)
        for rule in ("R-DEV-FAULT", "R-DEV-BATTERY", "R-DEV-STORAGE", "R-SEC"):
            assert level[p, rule] == "indicator", (p, rule)


# ---------------------------------------------------------------- basis and citations


@pytest.mark.parametrize("name", BASIS_TABLES)
def test_basis_is_citation_or_setting_and_only_citations_carry_an_article(name):
    for r in table(name):
        assert r["basis"] in {"citation", "setting"}, r
        if r["basis"] == "citation":
            assert r["article_zh"], r
        else:
            assert r["article_zh"] is None, r  # a setting is never shown with an article


@pytest.mark.parametrize("name", [*BASIS_TABLES, "av_requirements"])
def test_articles_are_written_the_one_way(name):
    for r in table(name):
        for col in ("article_zh", "refusal_article_zh"):
            if r.get(col):
                assert ARTICLE.match(r[col]), (col, r)


# ---------------------------------------------------------------- enum codes


def test_act_and_doc_types_are_contract_codes():
    acts, docs = ENUMS["act_type"], ENUMS["doc_type"]
    for r in table("av_requirements"):
        assert r["act_type"] in acts, r
        assert r["requirement"] in {"recommended", "required", "full"}, r
    for r in table("doc_requirements"):
        assert r["doc_type"] in docs, r
        trigger = r["trigger"]
        if trigger.startswith("act:"):
            assert trigger[4:] in acts, r
        else:
            assert trigger in {"case_general", "case_decided", "case_penalty_decided", "case_major", "case_closed"}, r
    for r in table("party_facing_docs"):
        assert r["doc_type"] in docs, r
        assert r["refusal_noted_required"] in {"true", "false"}, r
        assert int(r["min_officer_signatures_when_refused"]) >= 0, r


def test_coded_parameter_values_are_contract_codes():
    enum_of = {"statement_doc_type": "doc_type", "explanation_doc_type": "doc_type",
               "event_type": "event_type", "check_event_type": "event_type", "before_event_type": "event_type",
               "approval_required_action": "access_action"}
    for r in table("rule_parameters"):
        if r["parameter"] in enum_of:
            assert r["value"] in ENUMS[enum_of[r["parameter"]]], r


def test_parameters_belong_to_known_rules_and_single_valued_ones_appear_once():
    known = set(rule_ids())
    multi = {"long_term_trigger", "required_label", "approval_required_action"}
    counts = Counter((r["profile_id"], r["rule_id"], r["parameter"]) for r in table("rule_parameters"))
    for (p, rule, parameter), n in counts.items():
        assert rule in known
        assert n == 1 or parameter in multi, (p, rule, parameter)


def test_every_profile_has_the_core_parameters():
    core = [("R-UPL", "deadline_hours"), ("R-UPL", "deadline_from"), ("R-UPL", "remote_duty_exception"),
            ("R-ARC", "due_days"), ("R-AV", "full_min_ratio"), ("R-AV", "max_unexplained_gap_seconds"),
            ("R-AV", "statement_min_signatures"), ("R-RET", "standard_months"), ("R-RET", "case_file_years"),
            ("R-RET", "all_long_term"), ("R-START", "approval_hours"), ("R-DEV-INT", "statement_min_signatures")]
    for p in profiles():
        for rule, parameter in core:
            param(p, rule, parameter)


# ---------------------------------------------------------------- rules.md figures


def test_upload_parameters():
    assert {p: param(p, "R-UPL", "remote_duty_exception") for p in ("cele", "hebei", "dalian_jinpu", "zhuhui")} == {
        "cele": "true", "hebei": "true", "dalian_jinpu": "true", "zhuhui": "false"}
    for p in profiles():
        assert param(p, "R-UPL", "deadline_hours") == "24"
        assert param(p, "R-UPL", "deadline_from") in {"recorded_end", "act_end"}
        assert param(p, "R-UPL", "remote_duty_exception") in {"true", "false"}
    assert param("dalian_jinpu", "R-UPL", "deadline_from") == "act_end"
    assert param("hebei", "R-UPL", "deadline_from") == "recorded_end"


def test_deadlines_and_av_thresholds():
    for p in profiles():
        assert param(p, "R-ARC", "due_days") == "30"
        assert param(p, "R-START", "approval_hours") == "24"
        assert param(p, "R-AV", "full_min_ratio") == "0.95"
        assert param(p, "R-AV", "max_unexplained_gap_seconds") == "60"
        assert param(p, "R-RET", "case_file_years") == "30"
    assert param("hebei", "R-AV", "statement_min_signatures") == "2"
    assert param("hebei", "R-DEV-INT", "statement_min_signatures") == "2"
    assert {p: param(p, "R-RET", "standard_months") for p in profiles()} == {
        "cele": None, "zhuhui": "6", "longjiang": "6", "hebei": "6", "dalian_jinpu": "36"}
    assert param("cele", "R-RET", "all_long_term") == "true"


# rules.md §3, transcribed: (profile, act_type) -> (requirement, articles)
AV_EXPECTED = {
    ("zhuhui", "on_site_inspection"): ("required", "第十一条"),
    ("longjiang", "on_site_inspection"): ("required", "第九条第（一）项"),
    ("hebei", "on_site_inspection"): ("recommended", "第二十条"),
    ("dalian_jinpu", "on_site_inspection"): ("required", "第十五条"),
    ("longjiang", "questioning"): ("required", "第九条第（二）项"),
    ("hebei", "questioning"): ("recommended", "第二十条"),
    ("zhuhui", "sampling"): ("required", "第十一条"),
    ("hebei", "sampling"): ("recommended", "第二十条"),
    ("dalian_jinpu", "sampling"): ("required", "第十五条"),
    ("longjiang", "evidence_preservation"): ("required", "第九条第（三）项"),
    ("longjiang", "seizure"): ("required", "第九条第（四）项"),
    ("hebei", "seizure"): ("full", "第二十条"),
    ("dalian_jinpu", "seizure"): ("full", "第二十六条、第十七条"),
    ("zhuhui", "sealing"): ("required", "第十一条"),
    ("longjiang", "sealing"): ("required", "第九条第（五）项"),
    ("hebei", "sealing"): ("full", "第二十条"),
    ("dalian_jinpu", "sealing"): ("full", "第二十六条、第十七条"),
    ("hebei", "restriction_of_liberty"): ("full", "第二十条"),
    ("dalian_jinpu", "restriction_of_liberty"): ("required", "第十七条"),
    ("longjiang", "forced_demolition"): ("full", "第九条第（七）项、第十条第（五）项、第十二条"),
    ("hebei", "forced_demolition"): ("full", "第二十条"),
    ("cele", "removal_restoration"): ("required", "第十九条"),
    ("hebei", "removal_restoration"): ("full", "第二十条"),
    ("zhuhui", "hearing"): ("required", "第十一条"),
    ("longjiang", "hearing"): ("full", "第九条第（六）项、第十条第（四）项"),
    ("hebei", "hearing"): ("recommended", "第二十条"),
    ("dalian_jinpu", "hearing"): ("required", "第十五条"),
    ("longjiang", "confiscation_disposal"): ("required", "第十条第（七）项"),
    ("hebei", "confiscation_disposal"): ("full", "第二十条"),
    ("dalian_jinpu", "confiscation_disposal"): ("full", "第二十六条"),
    ("zhuhui", "random_draw"): ("required", "第八条"),
    ("cele", "lien_service"): ("recommended", "第十六条第（二）项"),
    ("zhuhui", "lien_service"): ("required", "第十九条"),
    ("longjiang", "lien_service"): ("required", "第九条第（八）项"),
    ("hebei", "lien_service"): ("recommended", "第二十条"),
    ("dalian_jinpu", "lien_service"): ("required", "第二十一条"),
    ("cele", "public_notice_service"): ("recommended", "第十六条第（六）项"),
    ("zhuhui", "public_notice_service"): ("required", "第二十一条"),
    ("longjiang", "public_notice_service"): ("required", "第九条第（八）项"),
    ("hebei", "public_notice_service"): ("recommended", "第二十条"),
    ("dalian_jinpu", "public_notice_service"): ("required", "第二十一条"),
}


def test_av_requirements_are_exactly_the_rules_md_table():
    rows = table("av_requirements")
    got = Counter((r["profile_id"], r["act_type"]) for r in rows)
    assert set(got.values()) == {1}
    assert {(r["profile_id"], r["act_type"]): (r["requirement"], r["article_zh"]) for r in rows} == AV_EXPECTED


def test_retention_classes_are_complete_and_agree_with_the_parameters():
    by_profile = defaultdict(list)
    for r in table("retention_classes"):
        assert r["retention_class"] in {"standard", "long_term", "case_file"}, r
        assert r["applies_when"] in {"default", "all", "long_term_trigger", "evidence", "in_case"}, r
        assert r["period_from"] in {"recorded_end", "archived_at"}, r
        assert int(r["precedence"]) >= 1, r
        by_profile[r["profile_id"]].append(r)
    for p, rows in by_profile.items():
        # every recording falls into some class
        assert {r["applies_when"] for r in rows} & {"default", "all"}, p
        for r in rows:
            if r["retention_class"] == "long_term":
                assert r["period_months"] is None, r
            elif r["retention_class"] == "case_file":
                assert r["period_from"] == "archived_at", r
                assert int(r["period_months"]) == 12 * int(param(p, "R-RET", "case_file_years")), r
            else:
                assert r["period_months"] == param(p, "R-RET", "standard_months"), r
            if r["applies_when"] == "long_term_trigger":
                assert params(p, "R-RET", "long_term_trigger"), p
        # the longer keeping wins: long-term before case file before standard
        rank = {r["retention_class"]: int(r["precedence"]) for r in rows}
        order = ["long_term", "case_file", "standard"]
        present = [c for c in order if c in rank]
        assert [rank[c] for c in present] == sorted(rank[c] for c in present), p
    assert {r["applies_when"] for r in by_profile["cele"]} >= {"all"}
    assert param("cele", "R-RET", "all_long_term") == "true"
    assert [(r["retention_class"], r["period_months"]) for r in by_profile["dalian_jinpu"]
            if r["applies_when"] == "default"] == [("standard", "36")]
    for code in params("longjiang", "R-RET", "long_term_trigger"):
        source, column = code.split(".")
        assert source in {"cases", "media"} and column, code


def test_doc_requirements_cover_the_same_triggers_in_every_profile():
    per_profile = defaultdict(set)
    for r in table("doc_requirements"):
        per_profile[r["profile_id"]].add((r["trigger"], r["doc_type"]))
    first = per_profile[profiles()[0]]
    assert all(per_profile[p] == first for p in profiles())
    assert {("act:seizure", "coercive_measure_decision"), ("act:hearing", "hearing_notice"),
            ("act:hearing", "hearing_record"), ("case_closed", "closing_review"),
            ("act:public_notice_service", "public_notice")} <= first
    assert len(table("doc_requirements")) == sum(len(s) for s in per_profile.values())


def test_party_facing_docs():
    rows = table("party_facing_docs")
    pairs = Counter((r["profile_id"], r["doc_type"]) for r in rows)
    assert set(pairs.values()) == {1}
    expected_docs = {"inspection_record", "questioning_record", "sampling_record", "preservation_list",
                     "hearing_record", "service_receipt"}
    assert set(pairs) == {(p, d) for p in profiles() for d in expected_docs}
    hebei = {r["doc_type"]: r for r in rows if r["profile_id"] == "hebei"}
    assert hebei["questioning_record"]["min_officer_signatures_when_refused"] == "2"
    assert hebei["questioning_record"]["article_zh"] == "第十五条"


def test_scoring_weights_sum_to_100_and_score_only_violation_families():
    rows = table("scoring_weights")
    family_of = {r["rule_id"]: r["family"] for r in table("rules")}
    scored = defaultdict(set)
    for r in table("rule_profile"):
        if r["level"] == "violation":
            scored[r["profile_id"]].add(family_of[r["rule_id"]])
    per_profile = defaultdict(dict)
    for r in rows:
        assert r["note_zh"], r
        assert r["family"] not in per_profile[r["profile_id"]], r
        per_profile[r["profile_id"]][r["family"]] = (int(r["base_weight"]), int(r["weight"]))
    for p in profiles():
        weights = per_profile[p]
        assert set(weights) == FAMILIES, p
        assert sum(w for _, w in weights.values()) == 100, p
        assert sum(b for b, _ in weights.values()) == 100, p
        assert {f for f, (_, w) in weights.items() if w > 0} == scored[p], p


def test_the_page_of_how_each_rule_is_judged_says_what_the_rule_tables_say(tmp_path):
    """docs/rule-tables.md is written from models/rules/ by `recwatch rules-page`: an office checks
    recwatch's reading of its regulation there, so it may never lag behind the tables."""
    from click.testing import CliRunner

    from orchestration.cli import main
    from orchestration.rulespage import PAGE, render

    assert PAGE.read_text(encoding="utf-8") == render(), "docs/rule-tables.md is stale: run `recwatch rules-page`"
    page = render()
    # each rule under each profile, with the article its level rests on
    assert "## R-LBL " in page and "| `longjiang` | 违规 violation | 低 low | 第十八条 |" in page
    assert "`dalian_jinpu`: 36 months · 第二十九条" in page  # R-RET's standard period, cited
    out = tmp_path / "page.md"
    result = CliRunner().invoke(main, ["rules-page", "-o", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8") == page
