-- the days (of accesses) to recompute: those of accesses loaded or replaced since the last build and
-- those as_of moved over, and those of the accesses to recordings loaded or replaced since (their
-- unit, profile and case) or ended on a day as_of moved over
with recordings as (
    select media_id from changed_media
    union all
    select media_id from int_media where recorded_end_at >= getvariable('last_as_of_end_at')
)

select cast(accessed_at as date) as day from changed_media_access
union
select unnest(getvariable('as_of_days'))
union
select cast(accessed_at as date) from stg_media_access where media_id in (select media_id from recordings)
