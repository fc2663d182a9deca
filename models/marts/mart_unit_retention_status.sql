-- one row per unit × retention status (R-RET) as of the run: how many recordings, and of those still
-- kept, how many reach the end of their retention in the 30 days after as_of, from which moment on
-- (the dashboard's retention page: it reads this instead of one row per recording, 40 M at a
-- province's scale, which the snapshot then need not copy)
with retention as (
    select * from int_media_retention
),

flagged as (
    select
        unit_id,
        status,
        retain_until,
        deleted_at is null
            and retain_until > getvariable('as_of_end_at')
            and retain_until <= getvariable('as_of_end_at') + to_days(30) as is_due_within_30_days
    from retention
),

final as (
    select
        unit_id,
        status,
        count(*) as recordings,
        count(*) filter (where is_due_within_30_days) as due_within_30_days,
        min(retain_until) filter (where is_due_within_30_days) as first_due_at
    from flagged
    group by unit_id, status
)

select * from final
order by unit_id, status
