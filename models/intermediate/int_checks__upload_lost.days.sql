-- the days (of record_stop events) to recompute: those int_unstored_recorded_files recomputed (device
-- logs loaded or replaced since the last build, days as_of moved over, files delivered since) and
-- those of the stops of files still not stored whose deadline may have passed since
with longest_deadline as (
    select max(lost_deadline_hours) as hours from int_profile_parameters
)

select day from recomputed_int_unstored_recorded_files
union
select unstored.stopped_on
from int_unstored_recorded_files as unstored
cross join longest_deadline
where unstored.stopped_on
    >= cast(plus_hours(getvariable('last_as_of_end_at'), -longest_deadline.hours) as date)
