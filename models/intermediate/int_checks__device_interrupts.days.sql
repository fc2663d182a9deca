-- the days (of interruptions) to recompute: those of device logs loaded or replaced since the last
-- build and those as_of moved over; those of the interruptions as last built that a recording
-- loaded or replaced since (or ended on a day as_of moved over) may now follow first on their device
-- (it starts no later than the one that did, or is it); and those of the interruptions during an
-- act loaded or replaced since, of a case loaded or replaced since, or with a document loaded,
-- replaced or signed since (a written statement for it)
with recordings as (
    select media_id, device_id, recorded_start as recorded_start_at from changed_media
    union all
    select media_id, device_id, recorded_start_at from int_media
    where recorded_end_at >= getvariable('last_as_of_end_at')
),

documents as (
    select act_id, case_id from changed_documents
    union all
    select act_id, case_id from stg_documents
    where signed_at >= getvariable('last_as_of_end_at') and signed_at < getvariable('as_of_end_at')
),

acts as (
    select started_at, ended_at from changed_acts
    union all
    select started_at, ended_at from int_acts
    where act_id in (select act_id from documents)
        or case_id in (select case_id from documents where act_id is null)
        or case_id in (select case_id from changed_cases)
),

-- the recording that followed each first (its start looked up for the few, not every one hashed)
next_recordings as (
    select media_id, recorded_start_at from stg_media
    where media_id in (select media_id from int_checks__device_interrupts)
),

interrupts as (
    select interrupts.media_id, interrupts.device_id, interrupts.occurred_at, next.recorded_start_at as next_start_at
    from int_checks__device_interrupts as interrupts
    left join next_recordings as next on next.media_id = interrupts.media_id
)

select cast(event_time as date) as day from changed_device_events
union
select unnest(getvariable('as_of_days'))
union
select cast(interrupts.occurred_at as date)
from interrupts
inner join recordings
    on recordings.device_id = interrupts.device_id and recordings.recorded_start_at >= interrupts.occurred_at
where interrupts.media_id is null
    or interrupts.media_id = recordings.media_id
    or interrupts.next_start_at >= recordings.recorded_start_at
union
select cast(interrupts.occurred_at as date)
from interrupts
inner join acts on interrupts.occurred_at between acts.started_at and acts.ended_at
