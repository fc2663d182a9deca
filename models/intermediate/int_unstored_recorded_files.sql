-- one row per file a device stopped recording (a record_stop naming it, as of the run) of which no
-- version ever reached the evidence store, and per day it was stopped on: the files R-UPL-LOST finds
-- lost or still pending.
-- Kept apart from the check so that the join of every record_stop with every recording's id is
-- done once per build, not by each model that reads the check (at a province's scale 40 M with
-- 40 M, about 20 s each time).
-- partitioned by day: stopped_on
with stops as (
    select * from int_file_stops
    -- the days this build recomputes (null: all)
    where in_run_days(event_at)
),

media_versions as (
    select * from raw_media
),

-- every version ever delivered counts as arrival: a later replacement must not make a file "lost"
-- (the current versions, stg_media, are among them). A full build hashes every recording's id; a
-- daily build only those of its stops' files. Two branches, one empty: with an OR between the
-- two conditions the full build paid for the lookup too.
stored_files as (
    select media_id from media_versions
    where getvariable('run_days') is null

    union all

    select media_id from media_versions
    where getvariable('run_days') is not null and media_id in (select file_id from stops)
),

final as (
    select distinct stops.file_id, cast(stops.event_at as date) as stopped_on
    from stops
    anti join stored_files on stored_files.media_id = stops.file_id
)

select * from final
