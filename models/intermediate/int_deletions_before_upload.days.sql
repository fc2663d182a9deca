-- the days (of file_deleted events) to recompute: those of device logs loaded or replaced since the
-- last build and those as_of moved over, and those of the deletions of files whose upload_done was
-- logged since (it may predate the deletion)
select cast(event_time as date) as day from changed_device_events
union
select unnest(getvariable('as_of_days'))
union
select cast(event_at as date) from int_file_deletions
where file_id in (select file_id from changed_device_events where event_type = 'upload_done')
