-- the days to recompute: those of device logs loaded or replaced since the last build, and those
-- as_of moved over
select cast(event_time as date) as day from changed_device_events
union
select unnest(getvariable('as_of_days'))
