"""Words of the appraisal workbook (zh / en) that the shared catalogue does not already hold.

Column names of delivered data come from `core.contract.SOURCES` (via `source_column`),
enum values from `core.i18n.enum_label`, rule-family names from `dim_rule_families` and period
names from `dim_periods`: only the workbook's own words live here.
"""

from __future__ import annotations

from core.contract import SOURCES
from core.i18n import pick

WORKBOOK_LABELS: dict[str, tuple[str, str]] = {
    # sheet names (Excel: at most 31 characters, none of []:*?/\)
    "sheet_cover": ("说明", "Cover"),
    "sheet_scorecard": ("汇总", "Scorecard"),
    "sheet_family_rates": ("分类合规率", "Rates by family"),
    "sheet_findings": ("问题清单", "Findings"),
    "sheet_ledger": ("抽查台账", "Spot-check ledger"),
    # titles
    "title_workbook": ("行政执法全过程记录考核表（{period}）", "Whole-process recording appraisal ({period})"),
    "title_scorecard": ("考核汇总：{period}", "Scorecard: {period}"),
    "title_family": ("{family}：各单位按月合规率（{period}）", "{family}: compliance rate by unit and month ({period})"),
    "title_family_rates": ("各单位分类合规率（{period}）", "Compliance rate by unit and rule family ({period})"),
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
    "cover_as_of": ("判定基准日", "Judged as of"),
    "cover_as_of_value": ("{as_of}（各项状态按该日 24 时判定）", "{as_of} (every status as it stood at the end of that day)"),
    "cover_freshness": ("数据截至（最近一次加载完成）", "Data as of (the last load finished)"),
    "cover_freshness_value": ("{finished_at}（第 {batch_id} 批，{outcome}）", "{finished_at} (load {batch_id}: {outcome})"),
    "cover_findings": ("发现问题", "Findings"),
    "cover_findings_value": ("{n} 项，涉及 {units} 个单位，按单位列于“问题清单”", "{n}, at {units} units, listed by unit on the Findings sheet"),
    "cover_profile_value": ("适用单位 {n} 个；计分权重：{weights}", "{n} units; scoring weights: {weights}"),
    "cover_profile_indicators": ("；仅作指标：{families}", "; indicators only: {families}"),
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
    "cover_ledger_period": ("抽查期间", "Spot-check period"),
    "cover_not_judged": ("未判定事项", "Not judged"),
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
    "cover_sheets": ("工作表", "Sheets"),
    "col_profile": ("规则编码", "Profile"),
    "col_regulation": ("依据", "Regulation"),
    "col_family": ("类别", "Rule family"),
    "col_weight": ("权重", "Weight"),
    "col_weight_of": ("{family}权重", "{family} weight"),
    "col_units": ("适用单位数", "Units"),
    # every table
    "col_seq": ("序号", "No."),
    "row_total": ("合计", "Total"),
    "row_mean": ("平均", "Mean"),
    "not_applicable": ("不适用", "n/a"),
    "nothing_judged": ("—", "—"),
    "col_judged_short": ("判定数", "Judged"),
    "col_violations_short": ("违规数", "Violations"),
    "col_rate_short": ("合规率", "Rate"),
    "note_rates": ("注：1. 合规率 =（判定数 − 违规数）÷ 判定数；低于 {threshold} 的以红色底纹标出。2. “不适用”：该单位适用的规定中，此类规则只作指标、不判违规。3. “—”：该期间无判定事项。4. 合计行为各单位之和。",
                   "Notes: 1. Rate = (judged − violations) ÷ judged; a rate below {threshold} is shaded red. 2. n/a: under the unit's regulation these rules are indicators only and judge no violation. 3. —: nothing was judged in that period. 4. The total row adds up all units."),
    # scorecard
    "note_scorecard": ("注：1. 按得分由高到低排列；得分按色阶着色（红低绿高），较上期下降的以红字标出。2. 得分 = 100 × Σ(权重 × 类别合规率) ÷ Σ(权重)，权重见“说明”；各类别合规率见“分类合规率”。3. 名次为同一上级单位下的同级排名。4. 考核分为期间结束后 {days} 天冻结的得分，未冻结时为空。5. 合计行为各单位之和，平均行为各单位的算术平均。",
                       "Notes: 1. Highest score first; scores are shaded from red (low) to green (high), a fall since the previous period is in red. 2. Score = 100 × Σ(weight × family rate) ÷ Σ(weight), weights on the cover; the rates are on 'Rates by family'. 3. Rank is among units with the same parent. 4. The appraisal score is the score frozen {days} days after the period ends, empty until then. 5. The total row adds up all units, the mean row averages them."),
    "col_rate": ("{family}合规率", "{family} rate"),
    "col_judged": ("判定事项数", "Judged"),
    "col_violations": ("违规数", "Violations"),
    "col_score": ("得分", "Score"),
    "col_rank": ("名次（同级）", "Rank (among siblings)"),
    "col_rank_of": ("同级单位数", "Of"),
    "col_previous_score": ("上期得分", "Previous score"),
    "col_score_change": ("较上期变动", "Change"),
    "col_frozen": ("是否冻结", "Frozen"),
    "col_appraisal_score": ("考核分（冻结值）", "Appraisal score (frozen)"),
    "col_parent": ("上级单位", "Parent unit"),
    "chart_scores": ("各单位得分", "Score by unit"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # family sheets
    "col_period_total": ("期间合计", "Period total"),
    "chart_family": ("{family}合规率", "{family} compliance rate"),
    # findings
    "findings_heading": ("{unit_name}（{unit_id}）：问题 {n} 项（{by}）", "{unit_name} ({unit_id}): {n} findings ({by})"),
    "findings_rule_heading": ("【{severity}】{rule}：{n} 项　依据：{citation}", "[{severity}] {rule}: {n}; breaks {citation}"),
    "col_records": ("涉及记录", "Records"),
    "ref_case": ("案件", "case"),
    "ref_act": ("执法行为", "act"),
    "ref_media": ("音视频", "recording"),
    "ref_device": ("设备", "device"),
    "ref_officer": ("执法人员", "officer"),
    "ref_separator": ("；", "; "),
    "col_violation_id": ("问题编号", "Finding id"),
    "col_rule_id": ("规则编号", "Rule id"),
    "col_rule_name": ("规则名称", "Rule"),
    "col_severity": ("严重程度", "Severity"),
    "col_occurred_at": ("发生时间", "Occurred at"),
    "col_detail": ("问题描述", "Detail"),
    "col_citation": ("依据条款", "Citation"),
    # ledger
    "note_ledger": ("注：抽取方法：每单位按 md5(随机种子:期间:案件编号) 由小到大取前若干件，随机种子 {seed}；任何人可据此复核抽取结果。右侧未打印各列为抽取依据。",
                    "Notes: each unit's cases are ranked by md5(seed:period:case id), smallest first, seed {seed}, so anyone can re-draw them. The columns after the reviewer's, not printed, hold what the draw rests on."),
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


def source_column(source: str, column: str, lang: str) -> str:
    """A delivered column's name as the contract gives it (Chinese), or the column name in English."""
    return SOURCES[source].column(column).zh if lang == "zh" else column.replace("_", " ").capitalize()
