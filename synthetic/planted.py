"""Assemble `_planted.json`: what was planted, counted from the generated arrays themselves."""

from __future__ import annotations

import numpy as np

from core.contract import ENUMS

from .params import AV_LEVELS, LEVELS, PROFILES, REMOTE_EXCEPTION, VIOLATION_IN
from .util import Stats

INTERPRETATION = {
    "as_of": "statuses (pending / overdue, deadlines passed) are as of the end of as_of; nothing in the "
             "exports happens after export_time",
    "profile": "a unit's rule_profile, else default_profile; counts by_profile use that effective profile "
               "(of the unit of the case, of the recording's officer, of the device)",
    "belongs_to_act": "act recordings overlap their act and are made by one of its officers; patrol "
                      "recordings never overlap an act of their officer; a mislabelled case_id points to "
                      "a case of the same unit with no act within a day of the recording",
    "R-UPL": "deadline = basis + 24 h; basis recorded_end, the act's ended_at in dalian_jinpu, and "
             "max(basis, returned_at) for remote-duty acts in " + ", ".join(sorted(REMOTE_EXCEPTION)),
    "R-AV": "coverage by media rows only (deleted or not yet uploaded rows count); gaps of explained acts "
            "are 90 s to 4 % of the act; unexplained gaps are at least 120 s",
    "R-DEV-INT": "an interrupt is followed when the next recording on that device (same day) has "
                 "interruption_note, or an interruption_statement exists for the act it interrupted; at "
                 "most one interrupt per device-day",
    "R-RET": "deleted_early = deleted within 10–60 days of upload, or (while_held) 200–240 days after "
             "recording where the recording's case keeps it (cele, zhuhui, dalian_jinpu); disposed / "
             "unapproved = patrol recordings in 6-month profiles deleted 199–260 days after recording",
    "reviews": "spot_check_reviews are of the cases mart_spot_check_ledger draws with the default seed and size "
               "(reviews.seed, reviews.per_unit); the fourth quarter is not reviewed yet; statuses as of the end "
               "of as_of: due at the end of rectify_by, or rectify_days after the review's day; warnings: red = "
               "overdue, yellow = due within review_warn_days after as_of; not_drawn: the one review of a case "
               "not drawn (also in malformed_rows, kind not_drawn)",
    "row_numbers": "malformed rows: 1-based data row (first row after the header; JSONL line)",
}


def _d(arr) -> dict[str, int]:
    return {p: int(v) for p, v in zip(PROFILES, np.asarray(arr))}


def _level(rule: str) -> dict[str, str]:
    where = VIOLATION_IN[rule]
    return {p: "violation" if where == "all" or p in where else "indicator" for p in PROFILES}


def build(meta: dict, stats: Stats) -> dict:
    c = stats.c
    z = np.zeros(len(PROFILES), dtype=np.int64)
    g = lambda k: c.get(k, z)  # noqa: E731
    tot = lambda k: int(np.sum(g(k)))  # noqa: E731

    def block(keys: dict[str, str]) -> dict:
        return {"total": {name: tot(k) for name, k in keys.items()},
                "by_profile": {p: {name: int(g(k)[i]) for name, k in keys.items()} for i, p in enumerate(PROFILES)}}

    media = tot("media")
    rules: dict[str, dict] = {}
    upl = block({"media": "media", "on_time": "upl_on_time", "late": "upl_late",
                 "overdue_missing": "upl_overdue_missing", "pending": "upl_pending"})
    upl["late_share"] = round(tot("upl_late") / max(media, 1), 6)
    upl["late_naive_uploaded_after_recorded_end_plus_24h"] = tot("upl_late_naive")
    upl["remote_duty"] = block({"recordings": "remote_recordings",
                                "late_legit_by_exception": "remote_legit_by_exception",
                                "late_no_exception": "remote_late"})
    upl["remote_duty"]["exception_profiles"] = sorted(REMOTE_EXCEPTION)
    rules["R-UPL"] = upl
    lost = block({"lost_on_device": "lost_on_device", "deleted_on_device": "deleted_on_device"})
    lost["total"]["violations"] = lost["total"]["lost_on_device"] + lost["total"]["deleted_on_device"]
    lost["note"] = "record_stop file_ids with no media row: lost_on_device + deleted_on_device"
    rules["R-UPL-LOST"] = lost
    rules["R-ARC"] = block({"closed": "arc_closed", "on_time": "arc_on_time", "late": "arc_late",
                            "overdue": "arc_overdue", "pending": "arc_pending"})
    # R-AV
    av = {"by_profile": {}, "total": {}}
    needing = missing = 0
    for i, p in enumerate(PROFILES):
        av["by_profile"][p] = {}
        for lvl in LEVELS:
            d = {s: int(g(f"av:{lvl}:{s}")[i]) for s in ("total", "ok", "missing", "partial", "exempt_with_reason")}
            if d["total"]:
                av["by_profile"][p][lvl] = d
    for lvl in LEVELS:
        av["total"][lvl] = {s: tot(f"av:{lvl}:{s}") for s in ("total", "ok", "missing", "partial",
                                                              "exempt_with_reason")}
        needing += av["total"][lvl]["total"]
        missing += av["total"][lvl]["missing"]
    av["missing_share"] = round(missing / max(needing, 1), 6)
    av["full_level_plans"] = {k.split(":", 1)[1]: _d(v) for k, v in sorted(c.items()) if k.startswith("av_plan:")}
    av["levels"] = {"recommended": "indicator", "required": "violation", "full": "violation"}
    av["table"] = AV_LEVELS
    rules["R-AV"] = av
    ret = block({"deleted_early": "ret_deleted_early", "deleted_while_held": "ret_deleted_while_held",
                 "deleted_unapproved": "ret_deleted_unapproved", "disposed": "ret_disposed",
                 "early_but_with_approval_ref": "ret_early_with_approval_ref"})
    ret["note"] = "status deleted_early = deleted_early + deleted_while_held"
    rules["R-RET"] = ret
    start = block({"emergency_starts": "start_emergency", "approved_within_24h": "start_ok",
                   "approved_late": "start_late", "approval_missing": "start_missing"})
    start["level"] = _level("R-START")
    rules["R-START"] = start
    lbl = block({"act_recordings": "act_recordings", "unlabelled": "lbl_unlabelled", "no_case_id": "lbl_no_case_id",
                 "no_party": "lbl_no_party", "no_handler": "lbl_no_handler", "wrong_case_id": "lbl_wrong_case_id"})
    bad = sum(lbl["total"][k] for k in ("unlabelled", "no_case_id", "no_party", "no_handler", "wrong_case_id"))
    lbl["total"]["mislabelled"] = bad
    lbl["mislabelled_share"] = round(bad / max(lbl["total"]["act_recordings"], 1), 6)
    lbl["level"] = _level("R-LBL")
    rules["R-LBL"] = lbl
    evd = block({"evidence_cases": "evd_cases", "evidence_recordings": "evidence_recordings",
                 "recordings_disc_due_passed": "evd_disc_due_passed", "disc_missing": "evd_disc_missing",
                 "disc_late": "evd_disc_late", "cases_without_av_explanation": "evd_cases_without_av_explanation"})
    evd["level"] = _level("R-EVD")
    rules["R-EVD"] = evd
    rules["R-DEV-DEL"] = block({"files_deleted_before_upload": "deleted_on_device"}) | {"level": _level("R-DEV-DEL")}
    rules["R-DEV-INT"] = block({"interrupts": "int_events", "not_followed": "int_unexplained",
                                "without_reason": "int_without_reason", "during_patrol": "int_patrol"}) \
        | {"level": _level("R-DEV-INT")}
    rules["R-DEV-CHECK"] = block({"device_days_with_recording": "check_device_days", "no_check": "check_missing",
                                  "check_after_first_record_start": "check_late"}) | {"level": _level("R-DEV-CHECK")}
    acc = block({"accesses": "acc_total", **{a: f"acc_{a}" for a in ENUMS["access_action"]},
                 "without_approval": "acc_without_approval"})
    acc["level"] = _level("R-ACC")
    rules["R-ACC"] = acc
    rules["R-INTEG"] = block({"sha256_changed": "integ_sha_changed"}) | {"level": _level("R-INTEG")}
    doc = block({"documents": "doc_total", "required_expected": "doc_required_expected",
                 "cases_missing_a_required_record": "doc_cases_missing_one",
                 "party_facing": "doc_party_facing", "refused_properly": "doc_refused_properly",
                 "unsigned_no_refusal": "doc_unsigned_no_refusal",
                 "refused_one_signature": "doc_refused_one_signature",
                 "unsigned_no_refusal_one_signature": "doc_unsigned_no_refusal_one_signature",
                 "lien_service_receipts": "doc_lien_receipts",
                 "witness_not_stated_old_format": "doc_witness_not_stated",
                 "witness_unsigned": "doc_witness_unsigned"})
    doc["missing_by_type"] = {k.split(":", 1)[1]: tot(k) for k in sorted(c) if k.startswith("doc_missing:")}
    doc["total"]["bad_signatures"] = sum(doc["total"][k] for k in (
        "unsigned_no_refusal", "refused_one_signature", "unsigned_no_refusal_one_signature"))
    doc["level"] = _level("R-DOC")
    rules["R-DOC"] = doc
    rules["indicators"] = block({"fault": "ind_fault", "battery_low": "ind_battery_low",
                                 "storage_full": "ind_storage_full"})
    triggers = {k.split("_", 1)[1]: tot(k) for k in c if k.startswith("trigger_")}

    coverage = {
        "act_types": {k.split(":", 1)[1]: tot(k) for k in sorted(c) if k.startswith("act_type:")},
        "event_types": {name: int(v) for name, v in zip(ENUMS["event_type"], g("events_by_type"))},
        "long_term_triggers": triggers,
        "cases_by_profile": _d(g("cases")),
        "acts_by_profile": _d(g("acts")),
        "media_by_profile": _d(g("media")),
        "remote_duty_acts": tot("acts_remote"),
        "acts_with_av_exempt_reason": tot("acts_exempt_reason"),
    }
    return {**meta, "interpretation": INTERPRETATION, "coverage": coverage, "rules": rules}
