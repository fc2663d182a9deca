"""Words of the appraisal workbook and the rectification notices (zh / en) that the shared
catalogue does not already hold.

Column names of delivered data come from `core.contract.SOURCES` (via `source_column`),
enum values from `core.i18n.enum_label`, rule-family names from `dim_rule_families` and period
names from `dim_periods`: only the workbook's and the notices' own words live here.
"""

from __future__ import annotations

from core.contract import SOURCES
from core.glossary import expand
from core.i18n import pick

# {term:…} is a core.glossary term, filled in once here
WORKBOOK_LABELS: dict[str, tuple[str, str]] = expand({
    # sheet names (Excel: at most 31 characters, none of []:*?/\)
    "sheet_cover": ("说明", "Cover"),
    "sheet_scorecard": ("汇总", "Scorecard"),
    "sheet_family_rates": ("分类{term:compliance_rate}", "Rates by family"),
    "sheet_findings": ("{term:findings}清单", "{Term:findings}"),
    "sheet_ledger": ("{term:spot_check}台账", "{Term:spot_check} ledger"),
    # titles
    "title_workbook": ("行政执法全过程记录考核表（{period}）", "Whole-process recording appraisal ({period})"),
    "title_scorecard": ("考核汇总：{period}", "Scorecard: {period}"),
    "title_family": ("{family}：各单位按月{term:compliance_rate}（{period}）", "{family}: {term:compliance_rate} by unit and month ({period})"),
    "title_family_month": ("{family}：各单位{term:compliance_rate}（{period}）", "{family}: {term:compliance_rate} by unit ({period})"),
    "title_family_rates": ("各{term:unit}分类{term:compliance_rate}（{period}）", "{Term:compliance_rate} by {term:unit} and {term:rule_family} ({period})"),
    "title_findings": ("问题清单：{period}", "Findings: {period}"),
    "title_ledger": ("案卷评查{term:spot_check}台账：{period}（每单位抽取 {n} 件已办结案件，{term:seed} {seed}）",
                     "{Term:spot_check} ledger (case-file review): {period} ({n} closed cases drawn per unit, {term:seed} {seed})"),
    # cover
    "cover_item": ("项目", "Item"),
    "cover_value": ("内容", "Value"),
    "cover_scope": ("考核范围", "Scope"),
    "cover_scope_all": ("全部{term:unit}（{n} 个）", "All {term:unit}s ({n})"),
    "cover_scope_unit": ("{unit_name}（{unit_id}）及其{term:subordinate_units}（共 {n} 个）",
                         "{unit_name} ({unit_id}) and its {term:subordinate_units} ({n} in all)"),
    "cover_scope_leaf": ("{unit_name}（{unit_id}）", "{unit_name} ({unit_id})"),
    "cover_period": ("考核{term:period}", "{Term:period}"),
    "cover_period_range": ("{label}（{start}至{end}）", "{label} ({start} to {end})"),
    "cover_as_of": ("{term:as_of}", "{Term:as_of}"),
    "cover_as_of_value": ("{as_of}（各项状态按该日 24 时判定）", "{as_of} (every status as it stood at the end of that day)"),
    "cover_freshness": ("数据截至（最近一次{term:load}完成）", "Data as of (the last {term:load} finished)"),
    "cover_freshness_value": ("{finished_at}（第 {batch_id} {term:batch}，{outcome}）",
                              "{finished_at} ({term:batch} {batch_id}: {outcome})"),
    "cover_findings": ("发现{term:findings}", "{Term:findings}"),
    "cover_findings_value": ("{n} 项，涉及 {units} 个{term:unit}，按{term:unit}列于“{term:findings}清单”",
                             "{n}, at {n_units}, listed by {term:unit} on the {Term:findings} sheet"),
    "cover_profile_value": ("适用{term:unit} {n} 个；计分{term:weight}：{weights}", "{n_units}; scoring {term:weight}s: {weights}"),
    "cover_profile_indicators": ("；仅作{term:indicator}：{families}", "; {term:indicator}s only: {families}"),
    "cover_freshness_none": ("无{term:load}记录", "No {term:load} recorded"),
    "cover_frozen": ("数据{term:frozen}状态", "{Term:frozen} figures"),
    "cover_frozen_yes": ("已{term:frozen}：{term:period}结束后 {days} 天宽限期已过，{term:appraisal_score}为{term:frozen}值；此后的数据{term:change}列为修订（{revisions} 项）",
                         "{Term:frozen}: the {days}-day grace window after the {term:period} has passed; the {term:appraisal_score} is the {term:frozen} figure; later changes are listed as revisions ({revisions})"),
    "cover_frozen_no": ("未{term:frozen}：实时计算，{term:period}结束后 {days} 天{term:frozen}，数字仍可能因迟到数据而{term:change}",
                        "Not {term:frozen}: computed live until {days} days after the {term:period} ends; figures may still move as late data arrives"),
    "cover_masking": ("个人信息", "Personal data"),
    "cover_masked": ("{term:masked}（当事人姓名只保留首字）", "{Term:masked} (party names keep their first character only)"),
    "cover_unmasked": ("{term:unmasked}：本工作簿含当事人完整姓名，依显式开关导出并已记录日志，请按规定保管",
                       "{Term:unmasked}: this workbook holds full party names, exported on an explicit switch that was logged; keep it accordingly"),
    "cover_split": ("分表说明", "Split sheets"),
    "cover_split_value": ("“{sheet}”超过 Excel 行数上限，拆分为 {n} 张：{names}",
                          "'{sheet}' passes Excel's row limit and is split into {n} sheets: {names}"),
    "cover_reviews": ("{term:review}", "{Term:review}"),
    "cover_reviews_value": ("不合格案卷的整改期限未填的，以评查之日起 {days} 日为限；{term:review_pass_rate}{weighed}",
                            "a failed case file with no deadline set is to be put right within {days} days of its review; the {term:review_pass_rate} is {weighed}"),
    "cover_ledger_period": ("{term:spot_check}{term:period}", "{Term:spot_check} {term:period}"),
    "cover_not_judged": ("{term:not_judged}事项", "{Term:not_judged}"),
    "cover_office_unset": ("（未设置：在设置文件中填写 office_name）", "(not set: office_name in the settings file)"),
    "cover_not_judged_item": ("{rule} {n} 件：{reason}", "{rule}: {n}; {reason}"),
    "cover_not_judged_none": ("无（所有事项均可依据导出数据判定）", "None (everything could be judged from the exports)"),
    "cover_ledger_value": ("{period}，每{term:unit}抽取 {n} 件已办结案件，{term:seed} {seed}（按{term:seed}、{term:period}编码、案件编号以半角冒号连接后的 MD5 值排序，可复现）",
                           "{period}: {n} closed cases per {term:unit}, {term:seed} {seed} (ranked by md5(seed:period:case_id), so anyone can re-draw)"),
    "cover_profiles": ("{term:profile}", "{Term:profile}s applied"),
    "cover_method": ("计分方法", "Scoring method"),
    "cover_method_value": ("{term:unit}{term:score} = 100 × Σ（{term:weight} × {term:rule_family}{term:compliance_rate}）÷ Σ（{term:weight}），只计该{term:period}有{term:judged}的{term:rule_family}，且只计该{term:unit}{term:profile}中属于{term:violations}（非{term:indicator}）的{term:rule}；{term:rank}为同一{term:parent_unit}下的排名；{term:change}为与上一同类{term:period}相比。",
                           "A {term:unit}'s {term:score} = 100 × Σ({term:weight} × {term:rule_family} {term:compliance_rate}) ÷ Σ({term:weight}), over each {term:rule_family} with {term:judged} in the {term:period}, counting only {term:rule}s that are {term:violations} (not {term:indicator}s) under the {term:unit}'s {term:profile}; the {term:rank} compares units with the same {term:parent_unit}; the {term:change} is against the {term:previous} {term:period} of the same kind."),
    "cover_weights": ("计分{term:weight}", "Scoring {term:weight}s"),
    "cover_sheets": ("工作表", "Sheets"),
    "col_profile": ("{term:profile}编码", "{Term:profile} id"),
    "col_regulation": ("{term:regulation}名称", "{Term:regulation}"),
    "col_family": ("{term:rule_family}", "{Term:rule_family}"),
    "col_weight": ("{term:weight}", "{Term:weight}"),
    "col_weight_of": ("{family}{term:weight}", "{family} {term:weight}"),
    "col_units": ("适用{term:unit}数", "{Term:unit}s"),
    # every table
    "col_seq": ("序号", "No."),
    "row_total": ("合计", "Total"),
    "row_mean": ("平均", "Mean"),
    "not_applicable": ("不适用", "n/a"),
    "nothing_judged": ("—", "—"),
    "col_judged_short": ("{term:judged}数", "{Term:judged}"),
    "col_violations_short": ("{term:violations}数", "{Term:violations}"),
    "col_rate_short": ("{term:compliance_rate}", "Rate"),
    "note_rates": ("注：1. {term:compliance_rate} =（{term:judged}数 − {term:violations}数）÷ {term:judged}数；低于 {threshold} 的以红色底纹标出；{term:judged}数少于 {few} 项的，{term:compliance_rate}仅供参考，以灰色斜体显示、不标红。2. “不适用”：该{term:unit}的{term:profile}中，此类{term:rule}只作{term:indicator}、不判{term:violations}。3. “—”：该{term:period}无{term:judged}。4. 合计行为各{term:unit}之和。",
                   "Notes: 1. Rate = ({term:judged} − {term:violations}) ÷ {term:judged}; a rate below {threshold} is shaded red; a rate over fewer than {few} {term:judged} is only indicative, in grey italics and never red. 2. n/a: under the {term:unit}'s {term:profile} these {term:rule}s are {term:indicator}s only and judge no {term:violations}. 3. —: nothing was judged in that {term:period}. 4. The total row adds up all {term:unit}s."),
    # scorecard
    "note_scorecard": ("注：1. 按{term:score}由高到低排列；{term:score}按色阶着色（红低绿高），较{term:previous}下降的以红字标出。2. {term:score} = 100 × Σ（{term:weight} × {term:rule_family}{term:compliance_rate}）÷ Σ（{term:weight}），{term:weight}见“说明”，各类{term:compliance_rate}见“分类{term:compliance_rate}”。3. {term:rank}为同一{term:parent_unit}下的排名。4. {term:appraisal_score}为{term:period}结束后 {days} 天{term:frozen}的{term:score}，未{term:frozen}时为空。5. 合计行为各{term:unit}之和，平均行为各{term:unit}的算术平均。",
                       "Notes: 1. Highest {term:score} first; {term:score}s are shaded from red (low) to green (high), a fall since the {term:previous} {term:period} is in red. 2. {Term:score} = 100 × Σ({term:weight} × {term:rule_family} {term:compliance_rate}) ÷ Σ({term:weight}), {term:weight}s on the cover, the rates on 'Rates by family'. 3. The {term:rank} compares {term:unit}s with the same {term:parent_unit}. 4. The {term:appraisal_score} is the {term:score} {term:frozen} {days} days after the {term:period} ends, empty until then. 5. The total row adds up all {term:unit}s, the mean row averages them."),
    "note_scorecard_reviews": ("6. {term:review_pass_rate}（季度、年度）=（合格 + 基本合格）÷ 已评查案卷，见“{ledger}”；作为{term:indicator}列示，{weighed}。",
                               " 6. The {term:review_pass_rate} (quarters and years) = (passed + basically passed) ÷ reviewed case files, on '{ledger}'; an {term:indicator}, {weighed}."),
    "review_not_weighed": ("不计入{term:score}", "not in the {term:score}"),
    "review_weighed": ("以{term:weight} {weight} 计入{term:score}", "in the {term:score} with {term:weight} {weight}"),
    "col_rate": ("{family}{term:compliance_rate}", "{family} {term:compliance_rate}"),
    "col_judged": ("{term:judged}数", "{Term:judged}"),
    "col_violations": ("{term:violations}数", "{Term:violations}"),
    "col_score": ("{term:score}", "{Term:score}"),
    "col_rank": ("{term:rank}", "{Term:rank}"),
    "col_rank_of": ("{term:siblings}数", "{Term:siblings}"),
    "col_previous_score": ("{term:previous}{term:score}", "{Term:previous} {term:score}"),
    "col_score_change": ("{term:score}{term:change}", "{Term:score} {term:change}"),
    "col_frozen": ("是否{term:frozen}", "{Term:frozen}"),
    "col_appraisal_score": ("{term:appraisal_score}（{term:frozen}值）", "{Term:appraisal_score} ({term:frozen})"),
    "col_parent": ("{term:parent_unit}", "{Term:parent_unit}"),
    "chart_scores": ("各{term:unit}{term:score}", "{Term:score} by {term:unit}"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # family sheets
    "col_period_total": ("{term:period}合计", "{Term:period} total"),
    "chart_family": ("{family}{term:compliance_rate}", "{family} {term:compliance_rate}"),
    # findings
    "findings_heading": ("{unit_name}（{unit_id}）：{term:findings} {n} 项（{by}）", "{unit_name} ({unit_id}): {n_findings} ({by})"),
    "findings_rule_heading": ("【{severity}】{rule}：{n} 项　{term:citation}：{citation}", "[{severity}] {rule}: {n}; {term:citation}: {citation}"),
    "col_records": ("涉及记录", "Records"),
    "ref_case": ("案件", "case"),
    "ref_act": ("执法行为", "act"),
    "ref_media": ("{term:recording}", "{term:recording}"),
    "ref_device": ("设备", "device"),
    "ref_officer": ("执法人员", "officer"),
    "ref_separator": ("；", "; "),
    "col_violation_id": ("{term:findings}编号", "Finding id"),
    "col_rule_id": ("{term:rule_id}", "{Term:rule_id}"),
    "col_rule_name": ("{term:rule}名称", "{Term:rule} name"),
    "col_severity": ("{term:severity}", "{Term:severity}"),
    "col_occurred_at": ("发生时间", "Occurred at"),
    "col_detail": ("{term:findings}描述", "Detail"),
    "col_citation": ("{term:citation}", "{Term:citation}"),
    # ledger
    "notes_numbered": ("注：", "Notes: "),
    "note_ledger": ("抽取方法：每{term:unit}已办结案件按{term:seed}、{term:period}编码、案件编号以半角冒号连接后的 MD5 值由小到大排序，取前若干件，{term:seed} {seed}；任何人可据此复核抽取结果。右侧未打印各列为抽取依据。",
                    "each {term:unit}'s cases are ranked by md5(seed:period:case_id), smallest first, {term:seed} {seed}, so anyone can re-draw them. The columns after the reviewer's, not printed, hold what the draw rests on."),
    "col_period": ("{term:period}", "{Term:period}"),
    "col_draw_rank": ("抽取序号", "Draw rank"),
    "col_closed_cases": ("{term:period}办结案件数", "Closed cases in {term:period}"),
    "col_seed": ("{term:seed}", "{Term:seed}"),
    "col_draw_key": ("抽取键（MD5 值）", "Draw key md5(seed:period:case_id)"),
    "col_rectification_status": ("{term:rectification}情况", "{Term:rectification}"),
    "note_ledger_return": ("本表即{term:review}结果的填报表：{term:review}后在“评查结论”一栏选择合格、基本合格或不合格，填写存在问题、评查人、评查时间；不合格的，填写整改期限（未填的，以评查之日起 {rectify_days} 日为限）和整改完成时间。保存后将本工作簿放入收件目录的 spot_check_reviews 文件夹，系统即读取本表；“{term:rectification}情况”一栏由系统填写。",
                           "this sheet is also the form for the {term:review}'s results: pick passed, basically passed or failed under Conclusion, and fill in the problems, the reviewer and the date; for a failed case, the day it is to be put right by (if left empty, {rectify_days} days after the review) and the day it was. Save the workbook into the inbox's spot_check_reviews folder and recwatch reads this sheet; it fills in the {term:rectification} column itself."),
    "ledger_pick_conclusion": ("请从列表中选择：合格、基本合格或不合格", "Pick one of the list: passed, basically passed or failed"),
    # review summary
    "sheet_review_summary": ("评查汇总", "Review summary"),
    "title_review_summary": ("{term:review}结果汇总：{period}", "{Term:review} results: {period}"),
    "note_ledger_not_drawn": ("{period}至{day}结束，结束后方从其已办结案件中抽取（期间未结束时，其后办结的案件可能改变抽取结果）。",
                              "{period} ends on {day}; its closed cases are drawn once it has ended (until then a case closing later could change the draw)."),
    "note_reviews_outside_draw": ("另有 {n} 份评查结果所评案卷不在本期抽取之列（其后补报的案件改变了抽取结果），未计入上表。",
                                  "Besides, {n} returned reviews are of cases this ledger does not draw (cases delivered later changed the draw); they are not counted above."),
    "col_drawn": ("抽取件数", "Drawn"),
    "col_reviewed": ("已评查", "Reviewed"),
    "col_review_pass_rate": ("{term:review_pass_rate}", "{Term:review_pass_rate}"),
    "col_rectifications": ("需{term:rectification}", "To put right"),
    "col_group_rectification": ("{term:rectification}", "{Term:rectification}"),
    "note_review_summary": ("{term:review_pass_rate} =（合格 + 基本合格）÷ 已评查件数。不合格的案件须{term:rectification}，基本合格而定有整改期限的亦同；整改期限未填的，以评查之日起 {rectify_days} 日为限。截至{as_of}：评查时间或整改完成时间在其后的，尚不计入。",
                            "{term:review_pass_rate} = (passed + basically passed) ÷ reviewed. A failed case is to be put right, and so is one basically passed with a deadline set; with none set, the deadline is {rectify_days} days after the review. As of {as_of}: a review or a rectification dated later is not counted yet."),
})


def wl(key: str, lang: str, **args) -> str:
    return pick(WORKBOOK_LABELS[key], lang, **args)


def counted(n: int, noun: str) -> str:
    """An English count with its noun: 1 finding, 1,542 findings."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def units_text(n: int, lang: str) -> str:
    """How many units, as a count in a sentence: 7 个单位, 1 unit, 7 units."""
    return f"{n} 个单位" if lang == "zh" else f"{n} unit" + ("" if n == 1 else "s")


# The rectification notice (整改通知书, reports.notices): written as a county office writes one.
NOTICE_LABELS: dict[str, tuple[str, str]] = expand({
    "file": ("整改通知书", "rectification-notice"),
    "title": ("关于对{unit}行政执法全过程记录问题进行整改的通知",
              "Notice to {unit} to rectify problems in its whole-process recording of law enforcement"),
    "addressee": ("{unit}：", "To {unit}:"),
    "opening": ("根据{regulation}的规定，经对你单位{period}（{start}至{end}）行政执法全过程记录情况进行考核"
                "（以{as_of}为判定基准日），发现问题{n}项（按严重程度分：{by}），"
                "具体见附件{reviews}。现将整改要求通知如下：",
                "Under {regulation}, the whole-process recording of your unit's law enforcement during {period} "
                "({start} to {end}) has been appraised, every status as it stood at the end of {as_of}. Problems found: {n} "
                "(by severity: {by}), listed in the annex{reviews}. You are required "
                "to rectify them as follows."),
    "opening_reviews": ("；另经{term:review}（{ledger}{term:spot_check}台账），{m}件案卷需{term:rectification}",
                        "; and in the {term:review} of {ledger}'s {term:spot_check} ledger, {m} case files are to be put right"),
    "opening_reviews_only": ("根据{regulation}的规定，经对你单位{ledger}{term:spot_check}台账抽取的案卷进行{term:review}"
                             "（以{as_of}为判定基准日），{m}件案卷需{term:rectification}。现将整改要求通知如下：",
                             "Under {regulation}, the case files of your unit drawn for {ledger}'s {term:spot_check} ledger have "
                             "been through {term:review}, every status as it stood at the end of {as_of}: {m} are "
                             "to be put right. You are required to rectify them as follows."),
    "review_problems": ("{term:review}需{term:rectification}的案卷：{m}件。", "Case files to put right after {term:review}: {m}."),
    "review_case": ("案件{case}，评查结论为{conclusion}。存在问题：{problems}。整改期限{due}，{status}。",
                    " Case {case}, reviewed as {conclusion}. Problems: {problems}. To be put right by {due}: {status}."),
    "review_no_problems": ("评查未写明问题", "no problem written down"),
    "review_no_due": ("未定", "no date set"),
    "severity_count": ("{severity}{n}项", "{n} {severity}"),
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
    "annex_subtitle": ("{period}　共{n}项", "{period}: {n_problems}"),
    "col_no": ("序号", "No."),
    "col_ids": ("记录标识", "Record ids"),
    "col_occurred_at": ("发生时间", "Occurred"),
    "col_detail": ("问题描述", "Problem"),
    "group": ("{rule}（依据：{citation}；{n}项）", "{rule} (contrary to {citation}; {n})"),
    "id_line": ("{label}：{value}", "{label}: {value}"),
    "office_unset": ("（填报单位）", "(oversight office)"),
    "list_sep": ("、", ", "),
})


def nl(key: str, lang: str, **args) -> str:
    return pick(NOTICE_LABELS[key], lang, **args)


def source_column(source: str, column: str, lang: str) -> str:
    """A delivered column's name as the contract gives it (Chinese), or the column name in English
    in sentence case, as every other heading (Party name)."""
    return SOURCES[source].column(column).zh if lang == "zh" else column.replace("_", " ").capitalize()
