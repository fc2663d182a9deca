-- one row per act that has started as of the run date, with its case's unit and profile
-- partitioned by day: cast(started_at as date)
with acts as (
    select * from stg_acts
    -- the days this build recomputes (null: all)
    where in_run_days(started_at)
),

cases as (
    select * from stg_cases
),

units as (
    select * from int_units
),

final as (
    select
        acts.act_id,
        acts.case_id,
        cases.unit_id,
        units.profile_id,
        acts.act_type,
        acts.started_at,
        acts.ended_at,
        acts.officer_ids,
        acts.location,
        acts.is_remote_duty,
        acts.returned_at,
        acts.av_exempt_reason
    from acts
    inner join cases on cases.case_id = acts.case_id
    left join units on units.unit_id = cases.unit_id
    where acts.started_at < getvariable('as_of_end_at')
)

select * from final
