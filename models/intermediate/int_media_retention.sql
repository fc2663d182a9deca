-- one row per recording: which retention class its profile gives it, until when it must be kept,
-- and whether it is still kept, due for disposal review, or was deleted early or without
-- approval (R-RET, rules.md §4), as of the run's date (int_run_parameters, so that the view reads
-- the same outside a build)
-- materialized: view
with periods as (
    select * from int_media_retention_periods
),

run as (
    select * from int_run_parameters
),

final as (
    select
        periods.media_id,
        periods.unit_id,
        periods.officer_id,
        periods.device_id,
        periods.profile_id,
        periods.recorded_end_at,
        periods.retention_class,
        periods.retention_reason,
        periods.period_months,
        periods.retain_until,
        periods.deleted_at,
        periods.delete_approval_ref,
        case
            when periods.deleted_at is null and periods.is_held then 'hold'
            when periods.deleted_at is null and run.as_of_end_at <= periods.retain_until then 'retained'
            when periods.deleted_at is null then 'eligible_for_disposal'
            when periods.is_held or periods.deleted_at < periods.retain_until then 'deleted_early'
            when periods.delete_approval_ref is null then 'deleted_unapproved'
            else 'disposed'
        end as status,
        'R-RET' as rule_id
    from periods
    cross join run
)

select * from final
