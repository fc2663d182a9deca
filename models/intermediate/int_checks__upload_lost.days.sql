-- the days (of record_stop events) to recompute: those of device logs loaded or replaced since the
-- last build and those as_of moved over; those of the stops of files delivered since (stored now);
-- and those of the stops of files still not stored whose deadline may have passed since
with files_delivered as (
    select media_id as file_id from changed_media
),

longest_deadline as (
    select max(lost_deadline_hours) as hours from int_profile_parameters
)

select cast(event_time as date) as day from changed_device_events
union
select unnest(getvariable('as_of_days'))
union
select cast(event_at as date) from int_file_stops where file_id in (select file_id from files_delivered)
union
select cast(stops.event_at as date)
from int_file_stops as stops
cross join longest_deadline
where stops.file_id in (select file_id from int_unstored_recorded_files)
    and stops.event_at >= getvariable('last_as_of_end_at') - to_microseconds(cast(longest_deadline.hours * 3600e6 as bigint))
