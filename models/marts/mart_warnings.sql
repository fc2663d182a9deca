-- one row per open deadline that has passed (red) or falls within the profile's warning horizon
-- after the end of as_of (yellow): uploads, archiving, emergency-start approval, and recordings
-- whose retention ends soon and need review before disposal (rules.md §6 预警), and the
-- rectifications a failed case-file review asked for (案卷评查 整改). What each one says
-- is written where it is shown (the dashboard lists the first 200), not for the 100,000s there are.
with uploads as (
    select * from int_media_upload
),

archiving as (
    select * from int_case_archiving
),

retention as (
    select * from int_media_retention
),

cases as (
    select * from stg_cases
),

units as (
    select * from int_units
),

params as (
    select * from int_profile_parameters
),

ledger as (
    select * from mart_spot_check_ledger
),

run as (
    select * from int_run_parameters
),

upload_warnings as (
    select
        'upload' as kind, uploads.unit_id, uploads.officer_id, cast(null as varchar) as case_id,
        uploads.media_id, uploads.device_id, cast(null as varchar) as review_id, uploads.deadline_at as due_at
    from uploads
    inner join params using (profile_id)
    where uploads.upload_status = 'overdue_missing'
        or (uploads.upload_status = 'pending'
            and uploads.deadline_at <= plus_hours(getvariable('as_of_end_at'), params.upload_warn_hours))
),

archive_warnings as (
    select
        'archive' as kind, archiving.unit_id, cast(null as varchar) as officer_id, archiving.case_id,
        cast(null as varchar) as media_id, cast(null as varchar) as device_id, cast(null as varchar) as review_id,
        archiving.archive_due_at as due_at
    from archiving
    inner join params using (profile_id)
    where archiving.status = 'overdue'
        or (archiving.status = 'pending' and archiving.archive_due_at <= getvariable('as_of_end_at') + to_days(params.archive_warn_days))
),

start_warnings as (
    select
        'start_approval' as kind, cases.unit_id, cast(null as varchar) as officer_id, cases.case_id,
        cast(null as varchar) as media_id, cast(null as varchar) as device_id, cast(null as varchar) as review_id,
        plus_hours(cases.opened_at, params.start_approval_hours) as due_at
    from cases
    inner join units using (unit_id)
    inner join params using (profile_id)
    where cases.is_emergency_start
        and cases.opened_at < getvariable('as_of_end_at')
        and (cases.start_approved_at is null or cases.start_approved_at >= getvariable('as_of_end_at'))
        and plus_hours(cases.opened_at, params.start_approval_hours)
            <= plus_hours(getvariable('as_of_end_at'), params.start_warn_hours)
),

disposal_reviews as (
    select
        'disposal_review' as kind, retention.unit_id, retention.officer_id, cast(null as varchar) as case_id,
        retention.media_id, retention.device_id, cast(null as varchar) as review_id, retention.retain_until as due_at
    from retention
    inner join params using (profile_id)
    where retention.status = 'retained'
        and retention.retain_until <= getvariable('as_of_end_at') + to_days(params.retention_review_days)
),

rectification_warnings as (
    select
        'rectification' as kind, ledger.unit_id, cast(null as varchar) as officer_id, ledger.case_id,
        cast(null as varchar) as media_id, cast(null as varchar) as device_id, ledger.review_id,
        ledger.rectify_due_at as due_at
    from ledger
    cross join run
    where ledger.rectification_status = 'overdue'
        or (ledger.rectification_status = 'pending'
            and ledger.rectify_due_at <= getvariable('as_of_end_at') + to_days(run.review_warn_days))
),

warnings as (
    select * from upload_warnings
    union all select * from archive_warnings
    union all select * from start_warnings
    union all select * from disposal_reviews
    union all select * from rectification_warnings
),

final as (
    select
        warnings.kind || ':' || coalesce(warnings.review_id, warnings.media_id, warnings.case_id) as warning_id,
        warnings.kind,
        case when warnings.due_at <= getvariable('as_of_end_at') and warnings.kind <> 'disposal_review' then 'red' else 'yellow' end
            as level,
        warnings.unit_id,
        warnings.officer_id,
        warnings.case_id,
        warnings.media_id,
        warnings.device_id,
        warnings.review_id,
        warnings.due_at,
        round(seconds_between(getvariable('as_of_end_at'), warnings.due_at) / 3600, 1) as hours_left
    from warnings
)

select * from final
order by level, due_at, warning_id
