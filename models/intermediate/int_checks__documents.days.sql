-- the days (of cases' openings) to recompute: those of the cases loaded or replaced since the last
-- build (both versions), of the cases of acts and documents loaded or replaced since, of the cases
-- decided or closed, documents signed or acts begun on a day as_of moved over, and the days it moved
-- over (the cases opened then)
with touched_cases as (
    select case_id from changed_acts
    union all
    select case_id from changed_documents
    union all
    select case_id from stg_acts where act_id in (select act_id from changed_documents)
    union all
    select case_id from stg_cases
    where (decided_at >= getvariable('last_as_of_end_at') and decided_at < getvariable('as_of_end_at'))
        or (closed_at >= getvariable('last_as_of_end_at') and closed_at < getvariable('as_of_end_at'))
    union all
    select case_id from stg_documents
    where signed_at >= getvariable('last_as_of_end_at') and signed_at < getvariable('as_of_end_at')
    union all
    select case_id from int_acts where started_at >= getvariable('last_as_of_end_at')
)

select cast(opened_at as date) as day from changed_cases
union
select cast(opened_at as date) from stg_cases where case_id in (select case_id from touched_cases)
union
select unnest(getvariable('as_of_days'))
