"""Every dashboard UI string, keyed by message id, as (zh, en). Enum and column labels come from
core.i18n / the snapshot's `labels` table; rule and family names from the rule tables."""

from __future__ import annotations

from core.glossary import expand
from core.i18n import pick

# {term:…} is a core.glossary term, filled in once here
UI: dict[str, tuple[str, str]] = expand({
    "app_title": ("行政执法全过程记录监督", "Whole-process recording oversight"),
    "lang": ("语言", "Language"),
    "period_type": ("{term:period}类型", "{Term:period} type"),
    "period": ("{term:period}", "{Term:period}"),
    "unit": ("{term:unit}", "{Term:unit}"),
    "all_units": ("全部{term:unit}", "All {term:unit}s"),
    "units_below": ("（含{term:subordinate_units} {n} 个）", " (and {n} {term:subordinate_units})"),
    "profile": ("{term:profile}", "{Term:profile}"),
    "all_profiles": ("全部{term:profile}", "All {term:profile}s"),
    "month": ("月", "Month"),
    "quarter": ("季度", "Quarter"),
    "year": ("年", "Year"),
    # pages
    "page_overview": ("总览", "Overview"),
    "page_units": ("{term:unit}排名", "{Term:unit}s"),
    "page_rules": ("{term:rule}明细", "{Term:rule}s"),
    "page_retention": ("保存期限", "Retention"),
    "page_devices": ("设备", "Devices"),
    "page_quality": ("数据质量", "Data quality"),
    # overview
    "headline": ("主要{term:compliance_rate}（{period}，对比 {previous}）", "Headline {term:compliance_rate}s ({period} against {previous})"),
    "family": ("{term:rule_family}", "{Term:rule_family}"),
    "rate": ("{term:compliance_rate}", "{Term:compliance_rate}"),
    "previous_rate": ("{term:previous}", "{Term:previous}"),
    "change": ("{term:change}", "{Term:change}"),
    "judged": ("{term:judged}数", "{Term:judged}"),
    "violations": ("{term:violations}数", "{Term:violations}"),
    "overall": ("总体", "Overall"),
    "data_as_of": ("数据截至 {as_of}（发布于 {published}）", "Data as of {as_of} (published {published})"),
    "data_changed": ("数据已更新于 {published}：本页仍是更新前的数据，请刷新页面查看最新数据。",
                     "The data was updated at {published}: this page still shows the data before it; reload the page for the latest."),
    # Dash's own words: its dropdowns and table filters speak the page's language
    "dd_search": ("搜索", "Search"),
    "dd_clear_search": ("清除搜索", "Clear search"),
    "dd_clear_selection": ("清除选择", "Clear selection"),
    "dd_no_options": ("没有匹配的选项", "No options found"),
    "dd_select_all": ("全选", "Select all"),
    "dd_deselect_all": ("全不选", "Deselect all"),
    "dd_selected_count": ("已选 {num_selected} 项", "{num_selected} selected"),
    "table_filter": ("输入筛选条件…", "Filter…"),
    "overall_note": ("“总体”为全部{term:judged}中合规的比例，不加权；{term:unit}{term:score}按各{term:rule_family}的计分{term:weight}加权（见{term:unit}排名）。卡片按{term:weight}由高到低排列。",
                     "'Overall' is the share of all {term:judged} that complied, unweighted; a {term:unit}'s {term:score} weighs each {term:rule_family} by its scoring {term:weight} (see Units). Cards are in order of {term:weight}, heaviest first."),
    "change_points": ("{change} 个百分点", "{change} pts"),
    "status_green": ("绿：≥ {at}", "Green: ≥ {at}"),
    "status_yellow": ("黄：{low}–{high}", "Yellow: {low}–{high}"),
    "status_red": ("红：< {at}", "Red: < {at}"),
    "score_trend": ("月度{term:score}趋势", "{Term:score} by month"),
    "score": ("{term:score}", "{Term:score}"),
    "month_axis": ("月份", "Month"),
    "violations_by_rule": ("各{term:rule}{term:violations}数（{period}）", "{Term:violations} by {term:rule} ({period})"),
    "rule": ("{term:rule}", "{Term:rule}"),
    "count": ("数量", "Count"),
    "warnings": ("{term:warning}（红色：已逾期；黄色：即将到期）", "{Term:warning}s (red: overdue; yellow: due soon)"),
    "warning_counts": ("红色 {red} 条，黄色 {yellow} 条（显示前 {shown} 条）",
                       "{red} red, {yellow} yellow (first {shown} shown)"),
    "level": ("等级", "Level"),
    "kind": ("类型", "Kind"),
    "due_at": ("期限", "Due"),
    "hours_left": ("剩余小时", "Hours left"),
    "detail": ("说明", "Detail"),
    "no_data": ("所选期间和单位没有数据", "No data for the chosen period and unit"),
    # units
    "scorecard": ("{term:unit}{term:score}排名（{period}）", "{Term:unit} scorecard ({period})"),
    "units_hint": ("点击表格中的单位或柱形，即在所有页面按该单位筛选。",
                   "Click a unit in the table or a bar to filter every page to it."),
    "rank": ("{term:rank}", "{Term:rank}"),
    "order": ("{term:place}", "{Term:place}"),
    "previous_score": ("{term:previous}{term:score}", "{Term:previous} {term:score}"),
    "score_change": ("{term:score}{term:change}", "{Term:score} {term:change}"),
    "appraisal_score": ("{term:appraisal_score}（{term:frozen}值）", "{Term:appraisal_score} ({term:frozen})"),
    "unit_id": ("{term:unit}编码", "{Term:unit} id"),
    # rules
    "rules_title": ("{term:violations}明细：{family}（{period}）", "{Term:violations}: {family} ({period})"),
    "rules_total": ("共 {total} 条", "{total} in all"),
    "download_csv": ("下载当前视图（CSV）", "Download current view (CSV)"),
    "download_xlsx": ("下载当前视图（Excel）", "Download current view (Excel)"),
    "export_hint": ("CSV 为全部行；Excel 最多 {limit} 行，超出部分请用 CSV。",
                    "CSV has every row; Excel stops at {limit} rows, use CSV for more."),
    "export_notes": ("说明", "Notes"),
    "export_cut": ("本视图超过 {limit} 行，Excel 只含前 {limit} 行；全部行请下载 CSV。",
                   "The view has more than {limit} rows; this workbook holds the first {limit}. Download CSV for all."),
    "filter": ("筛选条件", "Filter"),
    "masked": ("{term:masked}（当事人姓名只保留首字）", "{Term:masked} (party names keep their first character only)"),
    "unmasked": ("{term:unmasked}（已记录日志）", "{Term:unmasked} (logged)"),
    "unmask": ("显示当事人姓名（将记录日志）", "Show party names (logged)"),
    "unmask_banner": ("当事人姓名{term:unmasked}：本次查看和导出已记录日志。",
                      "Party names are shown {term:unmasked}: this view and its exports are logged."),
    "severity": ("{term:severity}", "{Term:severity}"),
    "case_id": ("案件编号", "Case"),
    "act_id": ("执法环节编号", "Act"),
    "media_id": ("{term:recording}编号", "{Term:recording}"),
    "device_id": ("设备编号", "Device"),
    "officer_id": ("执法人员编号", "Officer"),
    "party_name": ("当事人", "Party"),
    "occurred_at": ("发生时间", "Occurred at"),
    "citation": ("{term:citation}", "{Term:citation}"),
    # retention
    "retention_title": ("{term:recording}保存情况（截至 {as_of}）", "{Term:recording}s held and retained (as of {as_of})"),
    "status": ("状态", "Status"),
    "recordings": ("{term:recording}数", "{Term:recording}s"),
    "due_30": ("30日内到期可销毁（需审核）", "Eligible for disposal within 30 days (review)"),
    # devices
    "devices_title": ("设备情况（{period}）", "Devices ({period})"),
    "devices": ("设备数", "Devices"),
    "device_days": ("使用天数", "Days in use"),
    "checked_rate": ("出勤前检查率", "Pre-duty check rate"),
    "faults": ("故障次数", "Faults"),
    "battery_low": ("低电量次数", "Low battery"),
    "storage_full": ("存储满次数", "Storage full"),
    "interrupts": ("录制中断", "Interruptions"),
    "files_deleted": ("设备端删除文件（全部）", "Files deleted on device (all)"),
    "files_lost": ("已录制未入库（丢失）", "Recorded but never stored (lost)"),
    "deleted_unuploaded": ("入库前在设备端删除", "Deleted on device before upload"),
    # data quality
    "quality_title": ("数据质量", "Data quality"),
    "not_judged": ("{term:not_judged}（导出未提供所需信息，不计入{term:compliance_rate}）",
                   "{Term:not_judged} (the exports lack what the {term:rule} needs; left out of the {term:compliance_rate}s)"),
    "not_judged_none": ("本{term:period}所选{term:unit}的事项均可依据导出数据判定。",
                        "Everything in the {term:period} could be judged from the exports."),
    "things": ("件数", "Items"),
    "reason": ("原因", "Reason"),
    "freshness": ("{term:as_of} {as_of}；最近一次{term:load}完成于 {finished}；快照生成于 {published}",
                  "{Term:as_of} {as_of}; last {term:load} finished {finished}; snapshot published {published}"),
    "load_batches": ("{term:load}{term:batch}", "{Term:load} {term:batch}es"),
    "quarantine_reasons": ("{term:quarantine}原因", "{Term:quarantine} reasons"),
    "batch_id": ("{term:batch}", "{Term:batch}"),
    "outcome": ("结果", "Outcome"),
    "started_at": ("开始", "Started"),
    "finished_at": ("结束", "Finished"),
    "files_loaded": ("已{term:load}文件", "Files {term:load}ed"),
    "files_rejected": ("{term:rejected}文件", "Files {term:rejected}"),
    "rows_in": ("输入行数", "Rows in"),
    "rows_loaded": ("已{term:load}行数", "Rows {term:load}ed"),
    "rows_quarantined": ("{term:quarantine}行数", "Rows {term:quarantine}d"),
    "source": ("{term:source}", "{Term:source}"),
    "reason_code": ("原因代码", "Reason code"),
    "example": ("示例", "Example"),
    "rows": ("行数", "Rows"),
    "rejected_files": ("{term:rejected}文件", "{Term:rejected} files"),
    "file_name": ("文件", "File"),
    "message": ("原因", "Reason"),
    "quality_scoped": ("{term:load}{term:batch}、{term:quarantine}记录和{term:rejected}文件属于全部{term:unit}，只向可查看全部{term:unit}的用户显示。",
                       "{Term:load} {term:batch}es, {term:quarantine}d rows and {term:rejected} files cover every {term:unit}, so only "
                       "users who may see every {term:unit} are shown them."),
    # access (dashboards.access): what a refused request is told
    "scope": ("查看范围：{unit}", "Showing: {unit}"),
    "query_timeout": ("查询超过 {seconds} 秒仍未完成，已停止：请缩小期间或单位范围后重试。",
                      "The query ran past {seconds} s and was stopped: narrow the period or the units and try again."),
    "bad_parameter": ("参数 {name} 的值无效：{value}", "Invalid value for {name}: {value}"),
    "out_of_scope": ("单位 {unit} 不存在或不在您的查看范围内，已拒绝并记录。",
                     "Unit {unit} does not exist or is outside what you may see; refused and logged."),
    "not_via_proxy": ("请通过统一身份认证入口访问本看板（来自 {peer} 的请求未经认证代理）。",
                      "Use the dashboard through its authenticating proxy (the request from {peer} did not come "
                      "through it)."),
    "no_proxy_user": ("认证代理未提供用户名（{peer}）。", "The authenticating proxy named no user ({peer})."),
    "unknown_user": ("用户 {user} 未获授权查看本看板，请联系管理员。",
                     "User {user} has no access to this dashboard; ask the administrator."),
    "unknown_mapped_unit": ("用户 {user} 的授权单位 {unit} 不存在，请联系管理员。",
                            "User {user} is given unit {unit}, which does not exist; ask the administrator."),
    "outside_server_scope": ("用户 {user} 的授权单位 {unit} 不在本服务器的范围内，请联系管理员。",
                             "User {user}'s unit {unit} is outside this server's scope; ask the administrator."),
    "not_admitted": ("请求未经准入检查（{peer}），已拒绝。", "The request ({peer}) was not admitted; refused."),
    # officers page
    "page_officers": ("执法人员", "Officers"),
    "officers_title": ("执法人员情况（{period}）", "Officers ({period})"),
    "officers_hint": ("排名依据：每百项{term:judged}中的{term:violations}数（只计{term:violations}级{term:rule}），"
                      "在本人所在{term:unit}内由少到多排列，相同者并列。执法人员参与的执法环节未按要求音像记录的，"
                      "计入每一位参与人员。点击柱形或表格中的人员，查看其{term:violations}明细。",
                      "Ranked by {term:violations} per 100 {term:judged} (rules that are {term:violations}, not "
                      "{term:indicator}s), fewest first, within the officer's own {term:unit}; equal figures share a "
                      "{term:place}. An act that was not recorded as required counts for every officer who took part. "
                      "Click a bar or an officer in the table to see their {term:violations}."),
    "officer_name": ("姓名", "Name"),
    "unit_place": ("{term:unit}内{term:place}", "{Term:place} in {term:unit}"),
    "upload_rate": ("按时入库率", "Stored on time"),
    "av_rate": ("参与环节音像记录率", "Acts recorded"),
    "labelling_rate": ("标注率", "Labelled"),
    "device_check_rate": ("出勤前检查率", "Pre-duty checks"),
    "per_100": ("每百项{term:judged}{term:violations}数", "{Term:violations} per 100 {term:judged}"),
    "officers_chart": ("每百项{term:judged}{term:violations}数（{period}）",
                       "{Term:violations} per 100 {term:judged} ({period})"),
    "officers_chart_top": ("每百项{term:judged}{term:violations}数最多的 {shown} 名执法人员（共 {total} 名，{period}）",
                           "The {shown} officers with the most {term:violations} per 100 {term:judged} "
                           "(of {total}, {period})"),
    "officers_median": ("中位数 {value}", "median {value}"),
    "officer_pick": ("点击上方柱形或表格中的执法人员，查看其{term:violations}明细。",
                     "Click an officer above to see their {term:violations}."),
    "officer_title": ("{name}（{officer}，{unit}）的{term:violations}（{period}）",
                      "{Term:violations} of {name} ({officer}, {unit}), {period}"),
    "officer_by_rule": ("各{term:rule}{term:violations}", "{Term:violations} by {term:rule}"),
    "officer_list": ("{term:violations}明细：共 {total} 条，按发生时间由近及远{shown}",
                     "Each violation: {total} in all, latest first{shown}"),
    "officer_list_cut": ("，显示前 {shown} 条", "; the first {shown} shown"),
    "officer_none": ("该执法人员在所选{term:period}和{term:unit}没有{term:violations}。",
                     "This officer has no {term:violations} in the chosen {term:period} and {term:unit}s."),
    "party_masked": ("当事人（{term:masked}）", "Party ({term:masked})"),
})


def t(key: str, lang: str, **args) -> str:
    return pick(UI[key], lang, **args)


def dropdown_labels(lang: str) -> dict[str, str]:
    """Words of Dash's dropdowns (its English by default) in `lang`; {num_selected} is Dash's to fill."""
    keys = {"search": "dd_search", "clear_search": "dd_clear_search", "clear_selection": "dd_clear_selection",
            "no_options_found": "dd_no_options", "select_all": "dd_select_all", "deselect_all": "dd_deselect_all",
            "selected_count": "dd_selected_count"}
    return {name: UI[key][0 if lang == "zh" else 1] for name, key in keys.items()}


def table_filter(lang: str) -> dict[str, str]:
    """A DataTable's filter_options: the filter cells' placeholder (Dash's 'filter data...')."""
    return {"placeholder_text": t("table_filter", lang)}
