-- one row per file_deleted device event naming a file, as of the run (what R-DEV-DEL judges)
-- materialized: view
with events as (
    select * from stg_device_events
),

final as (
    select events.device_id, events.file_id, events.event_at
    from events
    where events.event_type = 'file_deleted'
        and events.file_id is not null
        and events.event_at < getvariable('as_of_end_at')
)

select * from final
