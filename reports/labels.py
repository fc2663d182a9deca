"""Words of the appraisal workbook and the rectification notices (zh / en) that the shared
catalogue does not already hold.

Column names of delivered data come from `core.contract.SOURCES` (via `source_column`),
enum values from `core.i18n.enum_label`, rule-family names from `dim_rule_families` and period
names from `dim_periods`: only the workbook's and the notices' own words live here.
"""

from __future__ import annotations

from core.contract import SOURCES
from core.i18n import pick

WORKBOOK_LABELS: dict[str, tuple[str, str]] = {
    # sheet names (Excel: at most 31 characters, none of []:*?/\)
    "sheet_cover": ("说明", "Cover"),
    "sheet_scorecard": ("汇总", "Scorecard"),
    "sheet_findings": ("问题清单", "Findings"),
    "sheet_ledger": ("抽查台账", "Spot-check ledger"),
    # titles
    "title_workbook": ("行政执法全过程记录考核表", "Whole-process recording appraisal"),
    "title_scorecard": ("考核汇总：{period}", "Scorecard: {period}"),
    "title_family": ("{family}：各单位按月合规率（{period}）", "{family}: compliance rate by unit and month ({period})"),
    "title_findings": ("问题清单：{period}", "Findings: {period}"),
    "title_ledger": ("案卷评查抽查台账：{period}（每单位抽取 {n} 件已办结案件，随机种子 {seed}）",
                     "Spot-check ledger (case-file review): {period} ({n} closed cases drawn per unit, seed {seed})"),
    # cover
    "cover_item": ("项目", "Item"),
    "cover_value": ("内容", "Value"),
    "cover_scope": ("考核范围", "Scope"),
    "cover_scope_all": ("全部单位（{n} 个）", "all units ({n})"),
    "cover_scope_unit": ("{unit_id} {unit_name} 及其下属单位（共 {n} 个）", "{unit_id} {unit_name} and its subordinate units ({n} in all)"),
    "cover_period": ("考核期间", "Period"),
    "cover_period_range": ("{label}（{start} 至 {end}）", "{label} ({start} to {end})"),
    "cover_as_of": ("判定基准日（as_of）", "Judged as of (as_of)"),
    "cover_as_of_value": ("{as_of}（各项状态按该日 24:00 判定）", "{as_of} (every status as of the end of that day)"),
    "cover_freshness": ("数据新鲜度（最近一次装载完成）", "Data freshness (last load finished)"),
    "cover_freshness_value": ("{finished_at}（批次 {batch_id}，结果 {outcome}）", "{finished_at} (batch {batch_id}, {outcome})"),
    "cover_freshness_none": ("无装载记录", "no load recorded"),
    "cover_frozen": ("数据冻结状态", "Frozen figures"),
    "cover_frozen_yes": ("已冻结：期间结束后 {days} 天宽限期已过，考核分为冻结值；此后的变动列为修订（{revisions} 项）",
                         "frozen: the {days}-day grace window after the period has passed; the appraisal score is the frozen figure; later changes are listed as revisions ({revisions})"),
    "cover_frozen_no": ("未冻结：实时计算，期间结束后 {days} 天冻结，数字仍可能因迟到数据而变动",
                        "not frozen: computed live until {days} days after the period ends; figures may still move as late data arrives"),
    "cover_masking": ("个人信息", "Personal data"),
    "cover_masked": ("已脱敏（当事人姓名只保留首字）", "masked (party names keep their first character only)"),
    "cover_unmasked": ("未脱敏：本工作簿含当事人完整姓名，依显式开关导出并已记录日志，请按规定保管",
                       "UNMASKED: this workbook holds full party names, exported on an explicit switch that was logged; keep it accordingly"),
    "cover_split": ("分表说明", "Split sheets"),
    "cover_split_value": ("“{sheet}”超过 Excel 行数上限，拆分为 {n} 张：{names}",
                          "'{sheet}' passes Excel's row limit and is split into {n} sheets: {names}"),
    "cover_split_none": ("无（各表均未超过 Excel 行数上限）", "none (no sheet passes Excel's row limit)"),
    "cover_ledger_period": ("抽查期间", "Spot-check period"),
    "cover_not_judged": ("未判定事项", "Not judged"),
    "cover_office": ("填报单位", "Filed by"),
    "cover_office_unset": ("（未设置：在设置文件中填写 office_name）", "(not set: office_name in the settings file)"),
    "cover_not_judged_item": ("{rule} {n} 件：{reason}", "{rule}: {n}; {reason}"),
    "cover_not_judged_none": ("无（所有事项均可依据导出数据判定）", "none (everything could be judged from the exports)"),
    "cover_ledger_value": ("{period}，每单位抽取 {n} 件已办结案件，随机种子 {seed}（按 md5(种子:期间:案件编号) 排序，可复现）",
                           "{period}: {n} closed cases per unit, seed {seed} (ranked by md5(seed:period:case_id), so anyone can re-draw)"),
    "cover_profiles": ("适用规则", "Rule profiles applied"),
    "cover_method": ("计分方法", "Scoring method"),
    "cover_method_value": ("单位得分 = 100 × Σ(权重 × 类别合规率) ÷ Σ(权重)，只计该期间有判定事项的类别，且只计该单位适用规则中属于违规（非指标）的规则；名次为同一上级单位下的同级排名；变动为与上一同类期间相比。",
                           "A unit's score = 100 × Σ(weight × family rate) ÷ Σ(weight), over the rule families with something judged in the period, counting only rules that are violations (not indicators) under the unit's profile; rank is among sibling units (same parent); change is against the previous period of the same kind."),
    "cover_weights": ("计分权重", "Scoring weights"),
    "cover_generated": ("生成时间", "Generated at"),
    "cover_sheets": ("工作表", "Sheets"),
    "col_profile": ("规则编码", "Profile"),
    "col_regulation": ("依据", "Regulation"),
    "col_family": ("类别", "Rule family"),
    "col_weight": ("权重", "Weight"),
    "col_weight_of": ("{family}权重", "{family} weight"),
    "col_units": ("适用单位数", "Units"),
    # scorecard
    "col_rate": ("{family}合规率", "{family} rate"),
    "col_judged": ("判定事项数", "Judged"),
    "col_violations": ("违规数", "Violations"),
    "col_score": ("得分", "Score"),
    "col_rank": ("名次(同级)", "Rank (among siblings)"),
    "col_rank_of": ("同级单位数", "Of"),
    "col_previous_score": ("上期得分", "Previous score"),
    "col_score_change": ("较上期变动", "Change"),
    "col_frozen": ("是否冻结", "Frozen"),
    "col_appraisal_score": ("考核分(冻结值)", "Appraisal score (frozen)"),
    "col_parent": ("上级单位编码", "Parent unit"),
    "chart_scores": ("各单位得分", "Score by unit"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # family sheets
    "col_period_total": ("期间合计", "Period total"),
    "chart_family": ("{family}合规率", "{family} compliance rate"),
    # findings
    "col_violation_id": ("问题编号", "Finding id"),
    "col_rule_id": ("规则编号", "Rule id"),
    "col_rule_name": ("规则名称", "Rule"),
    "col_severity": ("严重程度", "Severity"),
    "col_occurred_at": ("发生时间", "Occurred at"),
    "col_detail": ("问题描述", "Detail"),
    "col_citation": ("依据条款", "Citation"),
    # ledger
    "col_period": ("期间", "Period"),
    "col_draw_rank": ("抽取序号", "Draw rank"),
    "col_closed_cases": ("期间办结案件数", "Closed cases in period"),
    "col_seed": ("随机种子", "Seed"),
    "col_draw_key": ("抽取键 md5(种子:期间:案件编号)", "Draw key md5(seed:period:case_id)"),
    "col_review_conclusion": ("评查结论", "Review conclusion"),
    "col_review_issues": ("问题描述", "Issues found"),
    "col_reviewer": ("评查人", "Reviewer"),
    "col_review_date": ("评查日期", "Review date"),
}


def wl(key: str, lang: str, **args) -> str:
    return pick(WORKBOOK_LABELS[key], lang, **args)


# The rectification notice (整改通知书, reports.notices): written as a county office writes one.
NOTICE_LABELS: dict[str, tuple[str, str]] = {
    "file": ("整改通知书", "rectification-notice"),
    "title": ("关于对{unit}行政执法全过程记录问题进行整改的通知",
              "Notice to {unit} to rectify problems in its whole-process recording of law enforcement"),
    "addressee": ("{unit}：", "To {unit}:"),
    "opening": ("根据{regulation}的规定，经对你单位{period}（{start}至{end}）行政执法全过程记录情况进行考核"
                "（数据截至{as_of}），发现问题{n}项，按严重程度分，高{high}项、中{medium}项、低{low}项，"
                "具体见附件。现将整改要求通知如下：",
                "Under {regulation}, the whole-process recording of your unit's law enforcement during {period} "
                "({start} to {end}) has been appraised on the data as of {as_of}. Problems found: {n} "
                "({high} of high severity, {medium} medium, {low} low), listed in the annex. You are required "
                "to rectify them as follows."),
    "problems": ("存在的问题", "Problems found"),
    "rule": ("{rule}：{n}项。", "{rule}: {n}."),
    "rule_basis": ("违反{citations}的规定，严重程度为{severities}。", " Contrary to {citations}; severity {severities}."),
    "requirements": ("整改要求", "What you must do"),
    "check": ("逐项核查整改。", "Check and correct each problem."),
    "check_text": ("对附件所列问题逐项核实、查明原因：能够补正的，依法依规及时补正（如补充存储音像记录、补办审批手续、"
                   "补齐执法文书、立卷归档）；不能补正的，逐项说明原因。",
                   " Verify every problem listed in the annex and find its cause. Correct what can still be "
                   "corrected, as the rules allow (store the missing recordings, obtain the missing approvals, "
                   "complete the documents, archive the case files); where a problem cannot be corrected, say why."),
    "duty": ("落实整改责任。", "Assign responsibility."),
    "duty_text": ("明确每项问题的整改责任人和完成时限，对问题较多的执法人员和执法记录设备重点检查，防止同类问题再次发生。",
                  " Name who corrects each problem and by when, and look closely at the officers and recording "
                  "devices with the most problems, so that the same problems do not recur."),
    "reply": ("按时书面报告。", "Reply in writing."),
    "reply_text": ("请于{deadline}前将整改情况书面报送{office}，逐项写明整改结果；未能整改的，写明原因和下一步措施。",
                   " Send {office} a written report of the rectification by {deadline}, stating the outcome "
                   "for each problem; where a problem could not be corrected, say why and what will be done next."),
    "annex_note": ("附件：{annex}", "Annex: {annex}"),
    "annex": ("附件", "Annex"),
    "annex_name": ("问题清单", "List of problems"),
    "annex_subtitle": ("{unit}　{period}　共{n}项", "{unit}, {period}: {n} problems"),
    "col_no": ("序号", "No."),
    "col_ids": ("记录标识", "Record ids"),
    "col_occurred_at": ("发生时间", "Occurred"),
    "col_detail": ("问题描述", "Problem"),
    "group": ("{rule}（依据：{citation}；{n}项）", "{rule} (contrary to {citation}; {n})"),
    "id_line": ("{label}：{value}", "{label}: {value}"),
    "office_unset": ("（填报单位）", "(oversight office)"),
    "list_sep": ("、", ", "),
}


def nl(key: str, lang: str, **args) -> str:
    return pick(NOTICE_LABELS[key], lang, **args)


def source_column(source: str, column: str, lang: str) -> str:
    """A delivered column's name as the contract gives it (Chinese), or the column name in English."""
    return SOURCES[source].column(column).zh if lang == "zh" else column.replace("_", " ")
