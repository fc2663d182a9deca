-- one row per record_stop device event naming a file, as of the run (what R-UPL-LOST judges)
-- materialized: view
with events as (
    select * from stg_device_events
),

final as (
    select events.device_id, events.file_id, events.event_at
    from events
    where events.event_type = 'record_stop'
        and events.file_id is not null
        and events.event_at < getvariable('as_of_end_at')
)

select * from final
