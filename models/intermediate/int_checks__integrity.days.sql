-- the days (of recordings' ends) to recompute: those of recordings delivered again (or first) since
-- the last build, and those of recordings that ended on a day as_of moved over
select cast(recorded_end as date) as day from changed_media
union
select unnest(getvariable('as_of_days'))
