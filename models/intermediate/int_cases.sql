-- one row per case opened as of the run date, with its unit's profile; a decision or closing dated
-- after as_of has not happened yet
-- materialized: view
with cases as (
    select * from stg_cases
),

units as (
    select * from int_units
),

final as (
    select
        cases.case_id,
        cases.unit_id,
        units.profile_id,
        cases.procedure,
        cases.case_type,
        cases.is_major_or_complex,
        cases.opened_at,
        case when cases.decided_at < getvariable('as_of_end_at') then cases.decided_at end as decided_at,
        case when cases.closed_at < getvariable('as_of_end_at') then cases.closed_at end as closed_at
    from cases
    left join units on units.unit_id = cases.unit_id
    where cases.opened_at < getvariable('as_of_end_at')
)

select * from final
