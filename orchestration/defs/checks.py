"""Asset checks that make a bad load or a stale mart visible in the Dagster UI."""

import dagster as dg

from core.contract import SOURCES

from .resources import WarehouseResource

# Above this share of quarantined rows in a source's latest load, the check warns.
QUARANTINE_WARN_SHARE = 0.02


def load_checks(source: str) -> list[dg.AssetChecksDefinition]:
    asset = f"raw_{source}"

    @dg.asset_check(asset=asset, name="counts_add_up", blocking=True,
                    description="Every row that came in was loaded or quarantined, and raw holds what was loaded.")
    def counts_add_up(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        con = warehouse.connect()
        try:
            rows_in, loaded, quarantined, in_quarantine, in_raw = con.execute(f"""
                select coalesce(sum(rows_in), 0), coalesce(sum(rows_loaded), 0), coalesce(sum(rows_quarantined), 0),
                       (select count(*) from quarantine where source = ?),
                       (select count(*) from raw_{source})
                from load_files where source = ?""", [source, source]).fetchall()[0]
        finally:
            con.close()
        return dg.AssetCheckResult(
            passed=bool(rows_in == loaded + quarantined and in_quarantine == quarantined and in_raw == loaded),
            metadata={"rows_in": rows_in, "rows_loaded": loaded, "rows_quarantined": quarantined,
                      "quarantine_rows": in_quarantine, "raw_rows": in_raw})

    @dg.asset_check(asset=asset, name="quarantine_share",
                    description=f"Warns when more than {QUARANTINE_WARN_SHARE:.0%} of the latest load's rows were "
                                f"quarantined, or when a file was rejected whole.")
    def quarantine_share(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        con = warehouse.connect()
        try:
            rows_in, quarantined, rejected = con.execute("""
                select coalesce(sum(rows_in), 0), coalesce(sum(rows_quarantined), 0),
                       count(*) filter (where outcome = 'rejected')
                from load_files where source = ? and batch_id = (select max(batch_id) from load_files where source = ?)
                """, [source, source]).fetchall()[0]
        finally:
            con.close()
        share = quarantined / rows_in if rows_in else 0.0
        return dg.AssetCheckResult(
            passed=share <= QUARANTINE_WARN_SHARE and rejected == 0,
            severity=dg.AssetCheckSeverity.WARN,
            metadata={"quarantine_share": share, "rows_in": rows_in, "files_rejected": rejected})

    return [counts_add_up, quarantine_share]


source_checks = [check for source in SOURCES for check in load_checks(source)]

# Each finding's unit, case, act, recording and device must exist in staging. A recording the
# store never got (R-UPL-LOST, R-DEV-DEL) is known by its file id in the device logs.
ORPHANS = {"unit_id": "select unit_id from stg_units", "case_id": "select case_id from stg_cases",
           "act_id": "select act_id from stg_acts",
           "media_id": "select media_id from stg_media union all select file_id from stg_device_events",
           "device_id": "select device_id from stg_devices"}


@dg.asset_check(asset="fct_violations", name="no_orphan_keys", blocking=True,
                description="Every id a finding names exists in the staging tables.")
def no_orphan_keys(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    con = warehouse.connect()
    try:
        orphans = {col: con.execute(f"select count(*) from fct_violations where {col} is not null "
                                    f"and {col} not in ({known})").fetchall()[0][0]
                   for col, known in ORPHANS.items()}
    finally:
        con.close()
    return dg.AssetCheckResult(passed=not any(orphans.values()), metadata=orphans)


@dg.asset_check(asset="stg_device_events", name="no_missing_log_days",
                description="Every day an active device made a recording, its log has events.")
def no_missing_log_days(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    con = warehouse.connect()
    try:
        missing, sample = con.execute("""
            with recording_days as (
                select distinct device_id, cast(recorded_start_at as date) as day from stg_media
            ),
            log_days as (
                select distinct device_id, cast(event_at as date) as day from stg_device_events
            )
            select count(*), list(device_id || ' ' || day order by device_id, day)[1:10]
            from recording_days anti join log_days using (device_id, day)""").fetchall()[0]
    finally:
        con.close()
    return dg.AssetCheckResult(passed=missing == 0, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"device_days_without_log": missing, "sample": ", ".join(sample or [])})


@dg.asset_check(asset="mart_spot_check_ledger", name="rectifications_on_time",
                description="No drawn case's rectification after 案卷评查 is overdue (a red warning): a warning "
                            "to the office, not a fault of the run.")
def rectifications_on_time(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    con = warehouse.connect()
    try:
        overdue, reviewed, sample = con.execute("""
            select count(*) filter (where rectification_status = 'overdue'), count(conclusion),
                   list(case_id order by unit_id, period, draw_rank) filter (where rectification_status = 'overdue')[1:10]
            from mart_spot_check_ledger""").fetchall()[0]
    finally:
        con.close()
    return dg.AssetCheckResult(passed=overdue == 0, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"overdue": overdue, "reviewed": reviewed, "sample": ", ".join(sample or [])})


@dg.asset_check(asset="mart_unit_period_scorecard", name="marts_fresh",
                description="The marts were built after the latest successful load.")
def marts_fresh(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    instance = context.instance
    latest = {key: instance.get_latest_materialization_event(dg.AssetKey(key))
              for key in ["mart_unit_period_scorecard"] + [f"raw_{s}" for s in SOURCES]}
    mart = latest.pop("mart_unit_period_scorecard")
    loads = [e.timestamp for e in latest.values() if e is not None]
    passed = mart is not None and (not loads or mart.timestamp >= max(loads))
    return dg.AssetCheckResult(passed=passed, metadata={"mart_built": mart.timestamp if mart else None,
                                                        "latest_load": max(loads) if loads else None})
