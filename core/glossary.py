"""The words for ideas that more than one front end names (the workbook, the dashboard, the CLI):
one word per idea, in each language.

A label dict writes a term as `{term:judged}` (or `{Term:judged}` to start an English sentence)
and passes its dict through `expand` once, at import: the workbook and the dashboard then cannot
call one idea by two names. AVOID lists the other words each idea was (or could be) called by;
tests/test_glossary.py fails where one of them turns up in a label, a message, the rule tables or
the docs. docs/glossary.md is written from both (`recwatch glossary-page`).
"""

from __future__ import annotations

import re

from .i18n import pick

# key: (zh, en). English terms are lower case: a label capitalises one with {Term:…}.
TERMS: dict[str, tuple[str, str]] = {
    # what is judged and how it scores
    "judged": ("判定事项", "judged items"),
    "not_judged": ("未判定", "not judged"),
    "violations": ("违规", "violations"),
    "indicator": ("指标", "indicator"),
    "findings": ("问题", "findings"),
    "compliance_rate": ("合规率", "compliance rate"),
    "score": ("得分", "score"),
    "previous": ("上期", "previous"),
    "change": ("变化", "change"),
    "rank": ("同级排名", "rank among siblings"),
    "siblings": ("同级单位", "sibling units"),
    "place": ("名次", "place"),
    "appraisal_score": ("考核得分", "appraisal score"),
    "frozen": ("冻结", "frozen"),
    "weight": ("权重", "weight"),
    # who is judged and by what
    "unit": ("单位", "unit"),
    "parent_unit": ("上级单位", "parent unit"),
    "subordinate_units": ("下级单位", "subordinate units"),
    "profile": ("适用规则", "rule profile"),
    "regulation": ("规定", "regulation"),
    "citation": ("依据条款", "citation"),
    "rule": ("规则", "rule"),
    "rule_id": ("规则编号", "rule id"),
    "rule_family": ("规则类别", "rule family"),
    "severity": ("严重程度", "severity"),
    "period": ("期间", "period"),
    "as_of": ("判定基准日", "as-of date"),
    "spot_check": ("抽查", "spot-check"),
    "review": ("案卷评查", "case-file review"),
    "review_pass_rate": ("案卷评查合格率", "review pass rate"),
    "rectification": ("整改", "rectification"),
    "seed": ("随机种子", "seed"),
    "warning": ("预警", "warning"),
    "disposal_review": ("销毁前审核", "review before disposal"),
    "recording": ("音像记录", "recording"),
    # loading
    "source": ("数据来源", "source"),
    "load": ("加载", "load"),
    "batch": ("批次", "batch"),
    "quarantine": ("隔离", "quarantine"),
    "rejected": ("拒收", "rejected"),
    "skipped": ("已跳过", "skipped"),
    # personal data
    "masked": ("已脱敏", "masked"),
    "unmasked": ("未脱敏", "unmasked"),
}

# key: words that must not stand for the term anywhere a person reads (substrings, case-sensitive).
AVOID: dict[str, tuple[str, ...]] = {
    "judged": ("评判数", "评判事项", "判定数"),
    "not_judged": ("未能判定",),
    "violations": ("违章",),
    "compliance_rate": ("合格率", "达标率"),
    "score": ("分数",),
    "change": ("变动",),
    "rank": ("名次(同级)", "名次（同级）", "Rank (among siblings)"),
    "siblings": ("同级数",),
    "appraisal_score": ("考核分(", "考核分（", "考核分值"),
    "subordinate_units": ("下属单位",),
    "profile": ("适用规定", "全部规定", "Regulation profile"),
    "as_of": ("Judged as of", "（as_of）"),
    "load": ("装载", "导入批次"),
    "masked": ("遮蔽", "屏蔽", "NOT masked"),
    "disposal_review": ("到期销毁审查",),
    "unmasked": ("UNMASKED",),
}

_REF = re.compile(r"\{([Tt])erm:(\w+)\}")


def term(key: str, lang: str) -> str:
    return pick(TERMS[key], lang)


def fill(text: str, lang: str) -> str:
    """`text` with each {term:key} replaced by the term ({Term:key}: its first letter capitalised)."""
    def one(ref: re.Match) -> str:
        word = term(ref.group(2), lang)
        return word[:1].upper() + word[1:] if ref.group(1) == "T" else word
    return _REF.sub(one, text)


def expand(labels: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """A label dict with its terms filled in; an unknown term fails at import."""
    return {key: (fill(zh, "zh"), fill(en, "en")) for key, (zh, en) in labels.items()}


def render() -> str:
    """docs/glossary.md."""
    out = ["# Glossary: one word per idea", "",
           "<!-- written by `recwatch glossary-page` from core/glossary.py; do not edit by hand -->", "",
           "The workbook, the dashboard and the CLI call each idea below by this word and no other "
           "(labels take it from `core.glossary.TERMS`). The last column lists words a test refuses "
           "in labels, messages, rule tables and docs. Chinese text uses full-width punctuation "
           "（）：，；, English text half-width.", "",
           "| key | 中文 | English | not |", "|---|---|---|---|"]
    for key, (zh, en) in TERMS.items():
        avoid = ", ".join(f"`{w}`" for w in AVOID.get(key, ()))
        out.append(f"| `{key}` | {zh} | {en} | {avoid} |")
    return "\n".join(out) + "\n"
