-- the days (of acts' starts) to recompute: those of acts loaded or replaced since the last build, of
-- the acts of cases loaded or replaced since (their unit), and those as_of moved over
select cast(started_at as date) as day from changed_acts
union
select cast(started_at as date) from stg_acts where case_id in (select case_id from changed_cases)
union
select unnest(getvariable('as_of_days'))
