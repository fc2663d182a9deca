-- the days (of file_deleted events) to recompute: those of device logs loaded or replaced since the
-- last build and those as_of moved over; those of the deletions as last built (no upload_done at or
-- before them) of files whose upload_done was logged since (it may predate the deletion, or be the
-- first); and those of every deletion of a file whose upload_done a new export replaced (the old
-- version may have been what explained it)
with uploads as (
    select file_id, _batch_id from changed_device_events where event_type = 'upload_done'
)

select cast(event_time as date) as day from changed_device_events
union
select unnest(getvariable('as_of_days'))
union
select cast(event_at as date) from int_deletions_before_upload
where file_id in (select file_id from uploads)
union
select cast(event_at as date) from int_file_deletions
where file_id in (select file_id from uploads where _batch_id <= getvariable('since_batch'))
