"""The one zh-CN / en catalogue: labels and messages used by the loader, dashboard and reports."""

from __future__ import annotations

from .contract import ENUMS, SOURCES

LANGS = ("zh", "en")

MESSAGES: dict[str, tuple[str, str]] = {
    # whole-file rejections
    "file_format": ("不支持的文件格式“{suffix}”（只接受 csv、xlsx、jsonl、parquet）",
                    "unsupported file format '{suffix}' (only csv, xlsx, jsonl, parquet)"),
    "file_encoding": ("文件编码无法识别（只接受 UTF-8 或 GB18030/GBK）",
                      "file encoding not recognised (only UTF-8 or GB18030/GBK)"),
    "file_unreadable": ("文件无法读取：{error}", "file cannot be read: {error}"),
    "file_empty": ("文件为空或没有表头", "file is empty or has no header row"),
    "file_duplicate_header": ("表头重复：{header}", "duplicate header: {header}"),
    "file_too_many_columns": ("文件有 {n} 列，超过上限 {max} 列", "the file has {n} columns, more than the {max} accepted"),
    "file_reserved_header": ("表头“{header}”为系统保留，不能使用", "header '{header}' is reserved by recwatch"),
    "file_missing_columns": ("缺少必需的列：{columns_zh}", "required columns missing: {columns_en}"),
    "file_sheet_too_large": ("工作表解压后或所占单元格范围超过 {mb} MB 的上限（设置 max_sheet_mb），拒收",
                             "the sheet unpacks to, or spans cells for, more than {mb} MB (setting max_sheet_mb): "
                             "rejected"),
    "file_sheet_too_many_rows": ("工作表超过 Excel 的上限（{rows} 行、{columns} 列），不是 Excel 导出的文件，拒收",
                                 "the sheet goes past Excel's limits ({rows} rows, {columns} columns), so Excel did "
                                 "not write it: rejected"),
    "file_sheet_too_large_to_read": ("读取工作表所需内存超过 {mb} MB 的上限（1 GB 加设置 max_sheet_mb 的 2 倍），拒收",
                                     "reading the sheet needs more than {mb} MB of memory (1 GB + 2 × the "
                                     "max_sheet_mb setting): rejected"),
    "file_sheet_too_slow": ("读取工作表超过 {seconds} 秒，拒收", "reading the sheet took longer than {seconds} s: rejected"),
    "file_no_sheet": ("工作簿中没有可见的工作表", "the workbook has no visible worksheet"),
    "file_no_header_row": ("工作表“{sheet}”前 {rows} 行中没有列齐必填列的表头行",
                           "sheet '{sheet}' has no header row naming every required column in its first {rows} rows"),
    "file_no_rows": ("文件只有表头，没有数据行", "file has a header but no rows"),
    # files not read at all (on record with why)
    "file_link_outside": ("链接指向收件目录以外，拒绝读取", "a link leading outside the inbox: refused, not read"),
    "file_link_broken": ("链接指向不存在的文件，拒绝读取", "a link to nothing: refused, not read"),
    "file_link_folder": ("指向目录的链接，不读取（目录中的文件在其所在位置读取）",
                         "a link to a folder: not followed (its files are read where they are)"),
    "file_hidden": ("隐藏文件或 Office 锁定文件（~$），不读取", "a hidden file or an Office lock file (~$): not read"),
    "file_not_regular": ("不是普通文件（管道、设备等），不读取", "not a regular file (a pipe, a device…): not read"),
    "file_changed": ("文件在检查之后被替换或移走（例如换成链接或管道），未读取",
                     "the file was replaced or moved after it was checked (by a link or a pipe, say): not read"),
    "file_bad_name": ("文件名不是有效的 UTF-8 文本，未读取：请重命名", "the file's name is not valid UTF-8: not read (rename it)"),
    "file_too_deep": ("目录层级过深（超过 16 层），未读取", "a folder nested too deep (past 16 levels): not read"),
    "file_outside_source": ("不在任何数据来源目录中（应放在 <收件目录>/<数据来源>/ 下），未读取",
                            "not in a source folder (files go in <inbox>/<source>/): not read"),
    "file_copy": ("与已加载的文件 {of} 内容相同，跳过", "same content as the loaded file {of}: skipped"),
    "file_unknown_source": ("目录“{source}”不是已知的数据来源", "folder '{source}' is not a known source"),
    # the warehouse
    "warehouse_busy": ("仓库文件 {path} 正由另一个进程（{holder}）写入，可能另一次运行尚未结束：请待其结束后再运行",
                       "the warehouse {path} is held for writing by another process ({holder}), most likely another "
                       "run still going: run again when it has finished"),
    # row-level quarantine reasons
    "row_field_count": ("字段个数不符（应为 {expected} 个，实为 {actual} 个）",
                        "wrong number of fields (expected {expected}, got {actual})"),
    "row_encoding": ("此行不是文件编码 {encoding} 的有效文本（原始字节已保留，未加载）",
                     "line is not valid {encoding}, the file's encoding (its bytes are kept, not loaded)"),
    "row_encoding_ambiguous": ("此行在文件编码 {encoding} 下有效，但按 UTF-8 读也是中文，无法确定其编码（原始字节已保留，未加载）",
                               "line is valid {encoding}, the file's encoding, but reads as Chinese in UTF-8 too: "
                               "which it is cannot be told (its bytes are kept, not loaded)"),
    "row_bad_csv": ("无法按 CSV 解析：{error}", "cannot be read as CSV: {error}"),
    "row_bad_json": ("不是有效的 JSON 对象：{error}", "not a valid JSON object: {error}"),
    "missing": ("{col}：必填值缺失", "{col}: missing required value"),
    "missing_when": ("{col}：{flag}为“是”时必填", "{col}: required when {flag} is true"),
    "bad_timestamp": ("{col}：无法解析的时间“{value}”", "{col}: unparseable timestamp '{value}'"),
    "bad_date": ("{col}：无法解析的日期“{value}”", "{col}: unparseable date '{value}'"),
    "bad_bool": ("{col}：不是是/否值“{value}”", "{col}: not a boolean '{value}'"),
    "bad_int": ("{col}：不是整数“{value}”", "{col}: not an integer '{value}'"),
    "bad_number": ("{col}：不是数字“{value}”", "{col}: not a number '{value}'"),
    "bad_enum": ("{col}：未知取值“{value}”", "{col}: unknown value '{value}'"),
    "bad_hash": ("{col}：不是 64 位十六进制哈希“{value}”", "{col}: not a 64-hex-digit hash '{value}'"),
    "below_min": ("{col}：不得小于 {min}（实为 {value}）", "{col}: must be at least {min} (got {value})"),
    "before": ("{col} 早于 {other}（结束早于开始）", "{col} is before {other} (end before start)"),
    "fk": ("{col}：“{value}”在{target}中不存在", "{col}: '{value}' does not exist in {target}"),
    "list_empty": ("{col}：至少需要一项", "{col}: needs at least one entry"),
    "warehouse_too_new": ("该仓库由更新版本的 recwatch（{release}，仓库结构第 {schema} 版）写入，本程序只识别到第 {ours} 版：请安装 {release} 或更新的版本后再运行，仓库未作任何改动",
                          "this warehouse was written by a newer recwatch ({release}, warehouse schema {schema}); this one knows "
                          "schema {ours} at most: install {release} or later and run again. Nothing in the warehouse was changed"),
    "backup_no_warehouse": ("仓库 {path} 不存在", "warehouse {path} does not exist"),
    "backup_exists": ("备份 {folder} 已存在", "backup {folder} already exists"),
    "backup_no_manifest": ("{folder} 中没有 manifest.json：不是 recwatch 的备份", "{folder} has no manifest.json: not a recwatch backup"),
    "backup_bad_manifest": ("{folder} 的 manifest.json 无法读取：{error}", "{folder}'s manifest.json cannot be read: {error}"),
    "backup_no_copy": ("备份 {folder} 中缺少仓库文件 {file}", "backup {folder} lacks the warehouse file {file}"),
    "backup_damaged": ("备份文件 {file} 已损坏：大小或 SHA-256 与 manifest 不符，未恢复",
                       "backup file {file} is damaged: its size or SHA-256 differs from the manifest; nothing restored"),
    "backup_other_duckdb": ("备份由 DuckDB {version} 写成，本机为 {ours}：请用写成它的 recwatch 版本恢复，再按运维手册升级",
                            "the backup was written by DuckDB {version}, this is {ours}: restore it with the recwatch "
                            "release that wrote it, then upgrade as the operations guide says"),
    "backup_tables_differ": ("备份中各表行数与 manifest 不符（{tables}），未恢复", "the backup's table rows differ from its manifest ({tables}); nothing restored"),
    "restore_exists": ("仓库 {path} 已存在：确认覆盖请加 --force", "warehouse {path} exists: add --force to overwrite it"),
    "export_office_needed": ("仓库有多个顶层单位（{roots}）：请用 --office 指明本机关的名称",
                             "the warehouse has several top units ({roots}): name this office with --office"),
    "export_bad_office": ("机关名称“{office}”不可用作文件夹名：只可用字母、数字和 _ . -，且以字母或数字开头",
                          "office name '{office}' cannot name a folder: use letters, digits and _ . - only, "
                          "beginning with a letter or digit"),
    "bad_period": ("{col}：不是期间“{value}”（应写作 2025、2025Q3 或 2025-07）",
                   "{col}: not a period '{value}' (write 2025, 2025Q3 or 2025-07)"),
    "not_drawn": ("{col}：案件“{value}”未被抽中（该{period}的抽查台账未抽取此案）",
                  "{col}: case '{value}' was not drawn (the spot-check ledger of that {period} did not draw it)"),
}


class BilingualError(RuntimeError):
    """An error said in both languages, from a message of MESSAGES: `.zh` and `.en` for a reader that
    shows one, both (zh first) as its text."""

    def __init__(self, key: str, **args):
        self.zh, self.en = (text(key, lang, **args) for lang in ("zh", "en"))
        super().__init__(f"{self.zh}\n{self.en}")


def pick(pair: tuple[str, str], lang: str, **args) -> str:
    """The text of a (zh, en) pair in `lang`, filled with `args`: every catalogue looks up this way."""
    text = pair[0] if lang == "zh" else pair[1]
    return text.format(**args) if args else text


def text(key: str, lang: str, **args) -> str:
    return pick(MESSAGES[key], lang, **args)


def column_label(source: str, column: str, lang: str) -> str:
    col = SOURCES[source].column(column)
    return f"{col.zh}（{col.name}）" if lang == "zh" else col.name


def source_label(source: str, lang: str) -> str:
    return SOURCES[source].zh if lang == "zh" else source


def enum_label(enum: str, value: str, lang: str) -> str:
    return ENUMS[enum].get(value, value) if lang == "zh" else value


# Code values the models and the loader produce (not delivered in exports, so not in ENUMS), as
# (zh, en): what tables shown to people say instead of the code.
CODES: dict[str, dict[str, tuple[str, str]]] = {
    "severity": {"high": ("高", "high"), "medium": ("中", "medium"), "low": ("低", "low")},
    "batch_outcome": {"running": ("进行中", "running"), "success": ("成功", "success"),
                      "partial": ("部分拒收", "partly rejected"), "nothing_new": ("无新文件", "nothing new"),
                      "failed": ("失败（已撤销）", "failed (undone)")},
    "file_outcome": {"loaded": ("已加载", "loaded"), "rejected": ("拒收", "rejected"),
                     "skipped": ("已跳过（重复或不读取）", "skipped (already loaded, or not read)")},
    "retention_status": {"retained": ("保存中", "retained"), "hold": ("延长保存", "on hold"),
                         "eligible_for_disposal": ("已到期可销毁", "eligible for disposal"),
                         "disposed": ("已按期销毁", "disposed"), "deleted_early": ("提前删除", "deleted early"),
                         "deleted_unapproved": ("未经批准删除", "deleted without approval")},
    "warning_level": {"red": ("红色", "red"), "yellow": ("黄色", "yellow")},
    "warning_kind": {"upload": ("入库", "upload"), "archive": ("归档", "archiving"),
                     "start_approval": ("紧急启动补批", "emergency-start approval"),
                     "disposal_review": ("销毁前审核", "review before disposal"),
                     "rectification": ("案卷评查整改", "rectification after case-file review")},
    # a drawn case's review and its rectification (mart_spot_check_ledger)
    "review_status": {"not_reviewed": ("未评查", "not reviewed"), "passed": ("合格", "passed"),
                      "basically_passed": ("基本合格", "basically passed"), "failed": ("不合格", "failed")},
    "rectification_status": {"not_required": ("无需整改", "none needed"), "pending": ("整改中", "under way"),
                             "overdue": ("逾期未整改", "overdue, not done"),
                             "on_time": ("按期完成整改", "done on time"), "late": ("逾期完成整改", "done late")},
    # the facts' statuses (contract §9), as the case page shows them beside each deadline
    "upload_status": {"on_time": ("按时入库", "stored on time"), "late": ("逾期入库", "stored late"),
                      "overdue_missing": ("逾期未入库", "overdue, not stored"), "pending": ("未到期", "not yet due")},
    "deadline_status": {"on_time": ("按期", "on time"), "late": ("逾期办理", "done late"),
                        "overdue": ("逾期未办", "overdue, not done"), "pending": ("未到期", "not yet due")},
    "av_status": {"ok": ("已覆盖", "covered"), "missing": ("无音像记录", "not recorded"),
                  "partial": ("部分覆盖", "partly covered"),
                  "exempt_with_reason": ("不宜录制（已说明原因）", "exempt, reason written")},
    "av_requirement": {"recommended": ("宜录制", "recording recommended"), "required": ("应录制", "recording required"),
                       "full": ("全程录制", "recorded throughout")},
    "retention_class": {"standard": ("一般保存", "standard"), "long_term": ("长期保存", "long-term"),
                        "case_file": ("随案卷保存", "kept with the case file")},
    # why a check could not judge a thing from what was delivered (int_rule_checks.not_judged_reason)
    # a quarantined row's reason, named (the row's own message, in MESSAGES, says the column and value)
    "quarantine_reason": {
        "row_field_count": ("字段个数不符", "wrong number of fields"),
        "row_encoding": ("编码无效", "not valid in the file's encoding"),
        "row_encoding_ambiguous": ("编码无法确定", "encoding cannot be told"),
        "row_bad_csv": ("无法按 CSV 解析", "not readable as CSV"),
        "row_bad_json": ("不是有效的 JSON", "not valid JSON"),
        "missing": ("必填值缺失", "missing required value"),
        "missing_when": ("条件必填值缺失", "missing value required by another"),
        "bad_timestamp": ("时间无法解析", "unreadable time"),
        "bad_date": ("日期无法解析", "unreadable date"),
        "bad_bool": ("不是是/否值", "not yes or no"),
        "bad_int": ("不是整数", "not a whole number"),
        "bad_number": ("不是数字", "not a number"),
        "bad_enum": ("未知取值", "unknown value"),
        "bad_hash": ("哈希值无效", "not a valid hash"),
        "below_min": ("小于下限", "below the minimum"),
        "before": ("结束早于开始", "ends before it starts"),
        "fk": ("引用的记录不存在", "refers to no known record"),
        "list_empty": ("列表为空", "empty list"),
        "bad_period": ("期间无法解析", "unreadable period"),
        "not_drawn": ("案件未被抽中", "case not drawn"),
    },
    "not_judged_reason": {"witness_not_stated": (
        "留置送达回证未载明见证人是否签名（导出无“见证人签名”列或为空，多为旧格式导出），无法判定",
        "a lien service's receipt does not state whether the witness signed (no witness column in the "
        "export, or empty: mostly older exports), so it cannot be judged")},
}


def code_label(kind: str, code: str | None, lang: str) -> str | None:
    """The label of a code value; an unknown code (or None) is returned as it is."""
    labels = CODES[kind].get(code) if code is not None else None
    return code if labels is None else pick(labels, lang)


def label_rows() -> list[tuple[str, str, int, str, str]]:
    """(kind, code, ord, label_zh, label_en) for every enum value and every column, so SQL models
    name things in the same words as the dashboard and the workbook (table `labels`)."""
    rows = []
    for enum, values in ENUMS.items():
        rows += [(enum, code, i, zh, code.replace("_", " ")) for i, (code, zh) in enumerate(values.items(), 1)]
    for kind, values in CODES.items():
        rows += [(kind, code, i, zh, en) for i, (code, (zh, en)) in enumerate(values.items(), 1)]
    for source, src in SOURCES.items():
        rows += [(f"column:{source}", c.name, i, c.zh, c.name.replace("_", " ")) for i, c in enumerate(src.columns, 1)]
    return rows
