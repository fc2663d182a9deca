-- one row per file a device stopped recording (a record_stop naming it, as of the run) of which no
-- version ever reached the evidence store: the files R-UPL-LOST finds lost or still pending.
-- Kept apart from the check so that the join of every record_stop with every recording's id is
-- done once per build, not by each model that reads the check (at a province's scale 40 M with
-- 40 M, about 20 s each time).
with events as (
    select * from stg_device_events
),

media_versions as (
    select * from raw_media
),

-- every version ever delivered counts as arrival: a later replacement must not make a file "lost"
-- (the current versions, stg_media, are among them)
stored_files as (
    select media_id from media_versions
),

recorded_files as (
    select events.file_id
    from events
    where events.event_type = 'record_stop'
        and events.file_id is not null
        and events.event_at < getvariable('as_of_end_at')
),

final as (
    select distinct recorded_files.file_id
    from recorded_files
    anti join stored_files on stored_files.media_id = recorded_files.file_id
)

select * from final
