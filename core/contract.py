"""The input side of the data contract (shared/docs/contract.md §1–2), as data.

This module is the one place that knows source names, column names, their Chinese headers,
types, enum values and keys. Readers, the loader, the generator and the models' column lists
all take them from here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Column types the loader knows how to parse (orchestration/load.py turns each into SQL).
TEXT, TIMESTAMP, DATE, BOOL, INT, NUMBER, ENUM, LIST, HASH, PERIOD = (
    "text", "timestamp", "date", "bool", "int", "number", "enum", "list", "hash", "period",
)
SQL_TYPES = {
    TEXT: "varchar", TIMESTAMP: "timestamp", DATE: "date", BOOL: "boolean", INT: "bigint",
    NUMBER: "double", ENUM: "varchar", LIST: "varchar[]", HASH: "varchar", PERIOD: "varchar",
}


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    type: str = TEXT
    required: bool = False
    enum: str | None = None  # key into ENUMS
    fk: str | None = None  # source whose primary key this column references
    min_value: float | None = None
    required_when: str | None = None  # a bool column that makes this one required
    not_before: str | None = None  # a column this one must not be earlier than
    aliases: tuple[str, ...] = ()
    # a yes/no that may be unknown: left empty (or absent from an older export) it stays null, "not
    # stated", where any other empty yes/no is no
    nullable: bool = False
    # a case id that the spot-check ledger must have drawn for the period in this other column
    # (contract: a review of a case not drawn is quarantined)
    drawn_in: str | None = None
    # a timestamp a person types (a review's date) may be a date alone: that day at 00:00
    date_alone: bool = False


@dataclass(frozen=True)
class Source:
    name: str
    zh: str
    key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)
    # Worksheets recwatch itself writes for this source to be filled in and returned (the appraisal
    # workbook's spot-check ledger): a workbook with one of them is read there, its header found
    # below the sheet's title rows, and the table ends where its notes begin (readers/xlsx.py).
    sheets: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def upstream(self) -> set[str]:
        """The other sources its foreign keys point to: they load before it."""
        return {c.fk for c in self.columns if c.fk and c.fk != self.name}


# Enum values with their Chinese labels. Exports may carry either; the loader stores the code.
ENUMS: dict[str, dict[str, str]] = {
    "device_type": {
        "body_camera": "执法记录仪", "camera": "照相机", "video_camera": "摄像机",
        "audio_recorder": "录音笔", "cctv": "视频监控",
    },
    "case_type": {
        "penalty": "行政处罚", "license": "行政许可", "coercion": "行政强制",
        "inspection": "行政检查", "levy": "行政征收征用", "other": "其他",
    },
    "procedure": {"general": "一般程序", "simple": "简易程序"},
    "case_source": {
        "ex_officio": "依职权", "application": "依申请", "complaint": "投诉举报",
        "random_inspection": "双随机抽查", "referral": "移送",
    },
    "act_type": {
        "on_site_inspection": "现场检查（勘验）", "questioning": "询问", "sampling": "抽样取证",
        "evidence_preservation": "先行登记保存", "seizure": "扣押", "sealing": "查封",
        "restriction_of_liberty": "限制人身自由", "forced_demolition": "强制拆除",
        "removal_restoration": "排除妨碍/恢复原状", "hearing": "听证", "random_draw": "双随机抽取",
        "confiscation_disposal": "收缴/没收/销毁罚没物品", "lien_service": "留置送达",
        "public_notice_service": "公告送达", "direct_service": "直接送达", "mail_service": "邮寄送达",
        "electronic_service": "电子送达", "summary_penalty": "当场处罚", "other": "其他",
    },
    "doc_type": {
        "initiation_approval": "立案（启动）审批表", "inspection_record": "现场检查（勘验）笔录",
        "questioning_record": "询问笔录", "sampling_record": "抽样取证笔录",
        "preservation_list": "证据登记保存清单", "coercive_measure_decision": "强制措施决定书",
        "rights_notice": "权利告知书", "penalty_prior_notice": "行政处罚事先告知书",
        "statement_defense_record": "陈述申辩笔录", "hearing_notice": "听证通知书",
        "hearing_record": "听证笔录", "legal_review_opinion": "法制审核意见书",
        "collective_discussion": "集体讨论记录", "case_approval": "案件审批表",
        "decision": "行政执法决定书", "service_receipt": "送达回证", "public_notice": "公告",
        "demand_notice": "催告书", "closing_review": "结案审查表",
        "interruption_statement": "中断情况说明", "av_explanation": "音像证据文字说明", "other": "其他",
    },
    "event_type": {
        "power_on": "开机", "power_off": "关机", "pre_duty_check": "出勤前检查",
        "record_start": "开始录制", "record_stop": "停止录制", "record_interrupt": "录制中断",
        "battery_low": "电量低", "storage_full": "存储已满", "fault": "故障", "dock": "接入采集站",
        "upload_done": "上传完成", "file_deleted": "设备端删除", "time_sync": "校时",
        "maintenance": "维护保养",
    },
    "access_action": {"view": "查看", "copy": "复制", "export": "导出", "publish": "公开"},
    # device_events.reason is free text; these are the codes exports use for interruptions
    "interrupt_reason": {
        "device_fault": "设备故障", "battery": "电量不足", "storage": "存储空间不足", "weather": "天气原因",
        "obstruction": "阻碍执法", "other": "其他",
    },
    # 案卷评查 grades, as review forms write them
    "review_conclusion": {"passed": "合格", "basically_passed": "基本合格", "failed": "不合格"},
}
# Profile ids are data (models/rules/profiles.csv), checked by the loader against that table.

C = Column
SOURCES: dict[str, Source] = {s.name: s for s in (
    Source("units", "执法单位", ("unit_id",), (
        C("unit_id", "单位编码", required=True),
        C("unit_name", "单位名称", required=True),
        C("parent_unit_id", "上级单位编码", fk="units"),
        C("rule_profile", "适用规则", ENUM, enum="profile"),
    )),
    Source("officers", "执法人员", ("officer_id",), (
        C("officer_id", "人员编号", required=True),
        C("name", "姓名", required=True),
        C("cert_no", "执法证号"),
        C("unit_id", "单位编码", required=True, fk="units"),
    )),
    Source("devices", "设备台账", ("device_id",), (
        C("device_id", "设备编号", required=True),
        C("device_type", "设备类型", ENUM, required=True, enum="device_type"),
        C("unit_id", "单位编码", required=True, fk="units"),
        C("officer_id", "使用人编号", fk="officers"),
        C("in_service_from", "启用日期", DATE, required=True),
        C("in_service_to", "停用日期", DATE, not_before="in_service_from"),
    )),
    Source("cases", "案件", ("case_id",), (
        C("case_id", "案件编号", required=True),
        C("unit_id", "承办单位编码", required=True, fk="units", aliases=("单位编码",)),
        C("case_type", "执法类别", ENUM, required=True, enum="case_type"),
        C("procedure", "程序类型", ENUM, required=True, enum="procedure"),
        C("source", "案件来源", ENUM, required=True, enum="case_source"),
        C("party_name", "当事人"),
        C("opened_at", "启动时间", TIMESTAMP, required=True),
        C("emergency_start", "紧急先行启动", BOOL),
        C("start_approved_at", "启动审批时间", TIMESTAMP),
        C("decided_at", "决定时间", TIMESTAMP),
        C("closed_at", "办结时间", TIMESTAMP, aliases=("办结时间(执法行为终结)",)),
        C("archived_at", "归档时间", TIMESTAMP),
        C("evidence_used", "作为证据使用", BOOL),
        C("reconsideration_or_litigation", "复议诉讼", BOOL),
        C("complaint_or_objection", "投诉异议", BOOL),
        C("obstruction_or_violence", "阻碍执法/暴力抗法", BOOL),
        C("emergency_or_mass_incident", "突发/群体性事件", BOOL),
        C("major_or_complex", "重大复杂疑难", BOOL),
    )),
    Source("acts", "执法环节", ("act_id",), (
        C("act_id", "环节编号", required=True),
        C("case_id", "案件编号", required=True, fk="cases"),
        C("act_type", "环节类型", ENUM, required=True, enum="act_type"),
        C("started_at", "开始时间", TIMESTAMP, required=True),
        C("ended_at", "结束时间", TIMESTAMP, required=True, not_before="started_at"),
        C("officer_ids", "执法人员", LIST, required=True, fk="officers"),
        C("location", "地点"),
        C("remote_duty", "异地/连续/边远执法", BOOL),
        C("returned_at", "返回单位时间", TIMESTAMP, required_when="remote_duty"),
        C("av_exempt_reason", "不宜音像记录原因"),
    )),
    Source("documents", "文字记录", ("doc_id",), (
        C("doc_id", "文书编号", required=True),
        C("case_id", "案件编号", required=True, fk="cases"),
        C("act_id", "环节编号", fk="acts"),
        C("doc_type", "文书类型", ENUM, required=True, enum="doc_type"),
        C("signed_at", "签署时间", TIMESTAMP),
        C("party_signed", "当事人签字", BOOL),
        C("refusal_noted", "拒签已注明", BOOL),
        C("officer_signatures", "执法人员签名数", INT, required=True, min_value=0),
        C("witness_signed", "见证人签名", BOOL, nullable=True),
    )),
    Source("media", "音像记录", ("media_id",), (
        C("media_id", "文件编号", required=True),
        C("device_id", "设备编号", required=True, fk="devices"),
        C("officer_id", "拍摄人编号", required=True, fk="officers"),
        C("recorded_start", "开始录制", TIMESTAMP, required=True),
        C("recorded_end", "结束录制", TIMESTAMP, required=True, not_before="recorded_start"),
        C("uploaded_at", "入库时间", TIMESTAMP),
        C("case_id", "标注案号", fk="cases"),
        C("party_label", "标注当事人"),
        C("handler_label", "标注承办人"),
        C("sha256", "文件哈希", HASH, required=True),
        C("size_bytes", "文件大小", INT, required=True, min_value=0),
        C("is_evidence", "作为证据", BOOL),
        C("disc_archived_at", "刻录光盘时间", TIMESTAMP),
        C("interruption_note", "中断语音说明", BOOL),
        C("deleted_at", "删除时间", TIMESTAMP),
        C("delete_approval_ref", "删除审批文号"),
    )),
    Source("device_events", "设备日志", ("device_id", "event_time", "event_type", "file_id"), (
        C("device_id", "设备编号", required=True, fk="devices"),
        C("event_time", "事件时间", TIMESTAMP, required=True),
        C("event_type", "事件类型", ENUM, required=True, enum="event_type"),
        C("file_id", "文件编号"),
        C("reason", "原因"),
        C("battery_pct", "电量", NUMBER, min_value=0, aliases=("电量百分比",)),
        C("storage_free_pct", "剩余存储", NUMBER, min_value=0, aliases=("剩余存储百分比",)),
    )),
    Source("media_access", "调阅记录", ("access_id",), (
        C("access_id", "调阅编号", required=True, aliases=("记录编号",)),
        C("media_id", "文件编号", required=True, fk="media"),
        C("officer_id", "人员编号", required=True, fk="officers", aliases=("操作人编号",)),
        C("accessed_at", "调阅时间", TIMESTAMP, required=True, aliases=("操作时间",)),
        C("action", "操作类型", ENUM, required=True, enum="access_action"),
        C("approval_ref", "审批文号"),
    )),
    # the reviewers' filled-in spot-check ledger, returned (contract §2); a row without a conclusion
    # is a drawn case not reviewed yet
    Source("spot_check_reviews", "评查结果", ("review_id",), (
        C("review_id", "评查编号", required=True),
        C("case_id", "案件编号", required=True, fk="cases", drawn_in="period"),
        C("period", "抽查期间", PERIOD, required=True, aliases=("期间",)),
        C("reviewer", "评查人"),
        C("reviewed_at", "评查时间", TIMESTAMP, aliases=("评查日期",), date_alone=True),
        C("conclusion", "评查结论", ENUM, enum="review_conclusion"),
        C("problems", "存在问题", aliases=("问题描述",)),
        C("rectify_by", "整改期限", DATE),
        C("rectified_at", "整改完成时间", TIMESTAMP, not_before="reviewed_at", date_alone=True),
    ), sheets=("抽查台账", "Spot-check ledger")),
)}
del C

LOAD_ORDER: tuple[str, ...] = tuple(SOURCES)
FORMATS: tuple[str, ...] = ("csv", "xlsx", "jsonl", "parquet")


def normalize_header(header: object) -> str:
    """Fold the ways the same header is written: width, case, spaces, bracket style, BOM."""
    text = unicodedata.normalize("NFKC", str(header if header is not None else ""))
    text = text.replace("\ufeff", "").strip().lower()
    return re.sub(r"[\s_]+", "_", text)


def header_aliases(source: str) -> dict[str, str]:
    """Normalised header (English, Chinese or an alias) → canonical column name."""
    out: dict[str, str] = {}
    for col in SOURCES[source].columns:
        for spelling in (col.name, col.zh, *col.aliases):
            out[normalize_header(spelling)] = col.name
    return out
