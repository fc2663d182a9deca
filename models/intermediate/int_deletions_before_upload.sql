-- one row per file_deleted device event naming a file (as of the run) with no upload_done of that
-- file at or before it: the deletions R-DEV-DEL finds, with the file's first upload_done if any.
-- Kept apart from the check so that the first upload of every file (at a province's scale 40 M
-- groups, about 20 s) is found once per build, not by each model that reads the check.
-- An upload_done logged on any device (a card moved to another docking station) counts; the same
-- second counts as before, since device logs have one-second resolution.
-- partitioned by day: cast(event_at as date)
with events as (
    select * from stg_device_events
),

deletions as (
    select * from int_file_deletions
    -- the days this build recomputes (null: all)
    where in_run_days(event_at)
),

-- a full build groups every upload (at a province's scale cheaper than a join from 40 M deletions);
-- a daily build looks up only its deletions' files. Two branches, one empty: with an OR between the
-- two conditions the full build paid for the lookup too.
uploads as (
    select file_id, min(event_at) as first_upload_done_at
    from events
    where event_type = 'upload_done' and file_id is not null and getvariable('run_days') is null
    group by file_id

    union all

    select file_id, min(event_at) as first_upload_done_at
    from events
    where event_type = 'upload_done' and getvariable('run_days') is not null
        and file_id in (select file_id from deletions)
    group by file_id
),

final as (
    select distinct
        deletions.device_id,
        deletions.file_id,
        deletions.event_at,
        uploads.first_upload_done_at
    from deletions
    left join uploads on uploads.file_id = deletions.file_id
    where not coalesce(uploads.first_upload_done_at <= deletions.event_at, false)
)

select * from final
