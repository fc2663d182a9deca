-- one row per case closed as of the run date: was its file archived within the due days after
-- the end of the enforcement act (R-ARC, rules.md §2)? days_late counts whole days started past
-- the due time: for a late case up to archiving, for an overdue one up to the end of as_of.
with cases as (
    select * from stg_cases
),

units as (
    select * from int_units
),

params as (
    select * from int_profile_parameters
),

closed as (
    select
        cases.case_id,
        cases.unit_id,
        units.profile_id,
        cases.closed_at,
        cases.closed_at + to_days(params.archive_due_days) as archive_due_at,
        case when cases.archived_at < getvariable('as_of_end_at') then cases.archived_at end as archived_at,
        params.archive_due_days
    from cases
    inner join units using (unit_id)
    left join params using (profile_id)
    where cases.closed_at < getvariable('as_of_end_at')
),

final as (
    select
        case_id,
        unit_id,
        profile_id,
        closed_at,
        archive_due_at,
        archived_at,
        case
            when archived_at > archive_due_at then cast(ceil(seconds_between(archive_due_at, archived_at) / 86400) as integer)
            when archived_at is null and archive_due_at <= getvariable('as_of_end_at')
                then cast(ceil(seconds_between(archive_due_at, getvariable('as_of_end_at')) / 86400) as integer)
        end as days_late,
        case
            when archived_at is null and archive_due_at <= getvariable('as_of_end_at') then 'overdue'
            when archived_at is null then 'pending'
            when archived_at > archive_due_at then 'late'
            else 'on_time'
        end as status,
        archive_due_days,
        'R-ARC' as rule_id
    from closed
)

select * from final
