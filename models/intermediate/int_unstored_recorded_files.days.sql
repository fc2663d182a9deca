-- the days (of record_stop events) to recompute: those of device logs loaded or replaced since the
-- last build and those as_of moved over, and those of the stops of files not stored as last built
-- that were delivered since (every version delivered is kept, so a stored file never turns unstored)
select cast(event_time as date) as day from changed_device_events
union
select unnest(getvariable('as_of_days'))
union
select stopped_on from int_unstored_recorded_files
where file_id in (select media_id from changed_media)
