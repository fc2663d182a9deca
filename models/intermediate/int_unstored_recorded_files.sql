-- one row per file a device stopped recording (a record_stop naming it, as of the run) of which no
-- version ever reached the evidence store: the files R-UPL-LOST finds lost or still pending.
-- Kept apart from the check so that the join of every record_stop with every recording's id is
-- done once per build, not by each model that reads the check (at a province's scale 40 M with
-- 40 M, about 20 s each time).
with stops as (
    select * from int_file_stops
),

media_versions as (
    select * from raw_media
),

-- every version ever delivered counts as arrival: a later replacement must not make a file "lost"
-- (the current versions, stg_media, are among them)
stored_files as (
    select media_id from media_versions
),

final as (
    select distinct stops.file_id
    from stops
    anti join stored_files on stored_files.media_id = stops.file_id
)

select * from final
