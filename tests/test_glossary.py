"""One word per idea (Glossary issue): a clerk reading the workbook, the dashboard and the CLI side
by side met 评判数 and 判定事项数, 装载 and 加载, 已遮蔽 and 已脱敏 for the same things, and half-width
brackets in Chinese text. core/glossary.py holds the words; these tests keep every front end on them."""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import click
import duckdb
import pytest

from core import glossary, i18n
from core.contract import ENUMS, SOURCES
from dashboards.labels import UI
from orchestration.cli import main
from reports.labels import WORKBOOK_LABELS

ROOT = Path(__file__).resolve().parents[1]

LABEL_DICTS = {"core.i18n.MESSAGES": i18n.MESSAGES, "reports.labels": WORKBOOK_LABELS, "dashboards.labels": UI,
               **{f"core.i18n.CODES[{kind}]": codes for kind, codes in i18n.CODES.items()}}


def label_texts() -> dict[str, tuple[str, str]]:
    """Every (zh, en) label and message of the shared catalogue, the workbook and the dashboard."""
    return {f"{name}:{key}": pair for name, labels in LABEL_DICTS.items() for key, pair in labels.items()}


def cli_help() -> dict[str, str]:
    """The help of every command and option of `recwatch`."""
    out = {"recwatch": main.help or ""}
    for name, command in main.commands.items():
        out[name] = command.help or ""
        out |= {f"{name} {p.name}": p.help or "" for p in command.params if isinstance(p, click.Option)}
    return out


# modules whose string literals a person reads: what the CLI prints, pages, sheets
MESSAGE_MODULES = ["orchestration/cli.py", "orchestration/load.py", "orchestration/runner.py",
                   "orchestration/publish.py", "orchestration/rulespage.py", "orchestration/validate.py",
                   *[p.relative_to(ROOT).as_posix() for d in ("dashboards", "reports")
                     for p in sorted((ROOT / d).rglob("*.py"))]]


def string_literals(path: Path) -> list[str]:
    """The string constants of a module (f-strings' literal parts too), not its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    # an f-string as one text, its values as {}: a Chinese gloss in an English sentence stays in it
    joined = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
    whole = ["".join(p.value if isinstance(p, ast.Constant) else "{}" for p in node.values)
             for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)]
    return whole + [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
                    and isinstance(node.value, str) and id(node) not in docs and id(node) not in joined]


def rule_table_texts() -> dict[str, str]:
    out = {}
    for path in sorted((ROOT / "models" / "rules").rglob("*.csv")):
        with open(path, encoding="utf-8", newline="") as fh:
            for i, row in enumerate(csv.DictReader(fh), 2):
                out |= {f"{path.relative_to(ROOT)}:{i}:{col}": v for col, v in row.items() if v}
    return out


def everything_read() -> dict[str, str]:
    """Where → text, for all a person reads: labels, CLI help and messages, the rule tables, the
    models' detail texts, the contract's Chinese names, and the docs (but the glossary page, which
    lists the words to avoid)."""
    out = {f"{where} [{lang}]": text for where, pair in label_texts().items() for lang, text in zip(("zh", "en"), pair)}
    out |= {f"recwatch {where} --help": text for where, text in cli_help().items()}
    for module in MESSAGE_MODULES:
        out |= {f"{module}: {text[:40]!r}": text for text in string_literals(ROOT / module)}
    out |= rule_table_texts()
    out |= {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in sorted((ROOT / "models").rglob("*.sql"))}
    out |= {f"contract {s.name}.{c.name}": c.zh for s in SOURCES.values() for c in s.columns}
    out |= {f"contract enum {e}.{code}": zh for e, values in ENUMS.items() for code, zh in values.items()}
    docs = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "README.md"]
    out |= {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in docs if p.name != "glossary.md"}
    return out


def test_no_idea_goes_by_a_word_the_glossary_avoids():
    texts = everything_read()
    assert len(texts) > 1000 and any("已脱敏" in t for t in texts.values())  # the scan sees the labels
    # a word avoided for one idea may be part of another's term (合格率 in 案卷评查合格率): not a synonym there
    words = {w for pair in glossary.TERMS.values() for w in pair}

    def outside_terms(word: str, text: str) -> str:
        for longer in sorted((w for w in words if word in w), key=len, reverse=True):
            text = text.replace(longer, "\x00")
        return text

    found = sorted(f"{where}: {word!r} (say {glossary.TERMS[key][0]!r} / {glossary.TERMS[key][1]!r})"
                   for where, text in texts.items() for key, avoided in glossary.AVOID.items()
                   for word in avoided if word in text and word in outside_terms(word, text))
    assert not found, "\n".join(found)


def test_every_term_and_avoided_word_is_of_a_term():
    assert set(glossary.AVOID) <= set(glossary.TERMS)
    for zh, en in glossary.TERMS.values():
        assert zh and en and en[0].islower(), en  # a label capitalises it where it starts one
    words = {w for pair in glossary.TERMS.values() for w in pair}
    assert not {w for ws in glossary.AVOID.values() for w in ws} & words


def test_the_labels_draw_on_the_glossary():
    """A label names a term by reference, so changing the term changes every label that uses it."""
    assert glossary.fill("{term:judged}数 / {Term:judged}", "zh") == "判定事项数 / 判定事项"
    assert glossary.fill("{Term:judged} of {term:unit}", "en") == "Judged items of unit"
    with pytest.raises(KeyError):
        glossary.expand({"x": ("{term:no_such_term}", "")})
    for labels, source in ((WORKBOOK_LABELS, "reports/labels.py"), (UI, "dashboards/labels.py")):
        assert "{term:" not in str(labels) and "{Term:" not in str(labels)  # every reference filled
        assert (ROOT / source).read_text(encoding="utf-8").count("erm:") >= 20, source


CJK = "[\u3400-\u9fff]"
HALF_WIDTH_BY_CJK = re.compile(f"{CJK}[(),:;]|[(),:;]{CJK}")
FULL_WIDTH = re.compile("[（）：，；。、“”]")


def chinese_texts() -> dict[str, str]:
    out = {where: zh for where, (zh, _) in label_texts().items()}
    out |= {f"contract {s.name}.{c.name}": c.zh for s in SOURCES.values() for c in s.columns}
    out |= {f"contract enum {e}.{code}": zh for e, values in ENUMS.items() for code, zh in values.items()}
    out |= {where: text for where, text in rule_table_texts().items() if where.endswith("_zh")}
    # what the models write into detail_zh, and what pages and sheets write themselves
    for path in sorted((ROOT / "models").rglob("*.sql")):
        sql = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        out |= {f"{path.relative_to(ROOT)}: {lit!r}": lit for lit in re.findall(r"'([^']*)'", sql) if is_chinese(lit)}
    for module in MESSAGE_MODULES:
        out |= {f"{module}: {lit[:40]!r}": lit for lit in string_literals(ROOT / module) if is_chinese(lit)}
    return out


def is_chinese(text: str) -> bool:
    """Chinese text, not English glossing a Chinese word (appraisal workbook (年度考核))."""
    return len(re.findall(CJK, text)) > len(re.findall("[A-Za-z]", text))


def test_chinese_text_uses_full_width_punctuation():
    """（）：，； in Chinese: a half-width bracket, colon or comma next to a Chinese character is a slip."""
    assert HALF_WIDTH_BY_CJK.search("名次(同级)") and not HALF_WIDTH_BY_CJK.search("名次（同级） md5(seed:x)")
    bad = sorted(f"{where}: {text[:60]!r}" for where, text in chinese_texts().items() if HALF_WIDTH_BY_CJK.search(text))
    assert not bad, "\n".join(bad)


def test_english_text_uses_half_width_punctuation():
    english = {where: en for where, (_, en) in label_texts().items()}
    english |= {where: text for where, text in rule_table_texts().items() if where.endswith("_en")}
    english |= {f"recwatch {where} --help": text for where, text in cli_help().items()}
    bad = sorted(f"{where}: {text[:60]!r}" for where, text in english.items() if FULL_WIDTH.search(text))
    assert not bad, "\n".join(bad)


def test_the_glossary_page_says_what_the_glossary_says(tmp_path):
    from click.testing import CliRunner

    page = ROOT / "docs" / "glossary.md"
    assert page.read_text(encoding="utf-8") == glossary.render(), "docs/glossary.md is stale: run `recwatch glossary-page`"
    assert "| `judged` | 判定事项 | judged items | `评判数`" in page.read_text(encoding="utf-8")
    out = tmp_path / "page.md"
    result = CliRunner().invoke(main, ["glossary-page", "-o", str(out)])
    assert result.exit_code == 0 and out.read_text(encoding="utf-8") == glossary.render()


def test_dates_in_finding_details_carry_their_year(samples):
    """A finding is read long after it happened: 2025年6月9日 and 9 June 2025, never 6月9日 (which
    year?) nor 2025-06-09 in English text."""
    with duckdb.connect(str(samples.published(11)), read_only=True) as con:
        rules = con.execute("select count(distinct rule_id) from fct_violations").fetchall()[0][0]
        bad = con.execute("""
            select rule_id, any_value(detail_zh), any_value(detail_en) from fct_violations
            where regexp_matches(detail_zh, '(^|[^年0-9])[0-9]{1,2}月[0-9]{1,2}日')
                or regexp_matches(detail_en, '[0-9]{4}-[0-9]{2}')
            group by rule_id""").fetchall()
    assert rules >= 10 and not bad, bad
