-- the days (of recordings' ends) to recompute: those whose recordings or acts changed or came to
-- exist (int_media_act_links recomputed them); those of the recordings of cases loaded or replaced
-- since the last build, or archived since the end of its as_of; and of recordings deleted since
with touched_cases as (
    select case_id from changed_cases
    union
    select case_id from stg_cases
    where archived_at >= getvariable('last_as_of_end_at') and archived_at < getvariable('as_of_end_at')
)

select day from recomputed_int_media_act_links
union
select cast(recorded_end_at as date) from int_media_cases where case_id in (select case_id from touched_cases)
union
select cast(recorded_end_at as date) from stg_media
where deleted_at >= getvariable('last_as_of_end_at') and deleted_at < getvariable('as_of_end_at')
