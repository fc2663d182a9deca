-- the months (by their first days) to recompute: those of device logs loaded or replaced since the
-- last build, and those of the days as_of moved over (a month is judged once it has ended)
select cast(date_trunc('month', event_time) as date) as day from changed_device_events
union
select cast(date_trunc('month', unnest(getvariable('as_of_days'))) as date)
