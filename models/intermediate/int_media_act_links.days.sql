-- the days (of recordings' ends) to recompute: those of recordings loaded or replaced since the last
-- build or ended on a day as_of moved over, and those of every recording that an act loaded,
-- replaced or begun since, or an act of a case loaded or replaced since, may overlap: from the
-- act's start to its end plus the longest recording
with acts as (
    select started_at, ended_at from changed_acts
    union all
    select started_at, ended_at from stg_acts
    where started_at >= getvariable('last_as_of_end_at') and started_at < getvariable('as_of_end_at')
    union all
    select started_at, ended_at from stg_acts where case_id in (select case_id from changed_cases)
),

longest as (
    select max(recorded_end - recorded_start) as duration from raw_media
)

select cast(recorded_end as date) as day from changed_media
union
select unnest(getvariable('as_of_days'))
union
select cast(unnest(generate_series(cast(acts.started_at as date), cast(acts.ended_at + longest.duration as date),
    interval 1 day)) as date)
from acts
cross join longest
