-- one row per device log event; a re-delivered event (same device, time, type and file) counts once
with source as (
    select * from raw_device_events
),

current_version as (
    select * from source
    qualify row_number() over (
        partition by device_id, event_time, event_type, file_id order by _file_id desc, _row_number desc
    ) = 1
),

final as (
    select
        device_id,
        event_time as event_at,
        event_type,
        file_id,
        reason,
        battery_pct,
        storage_free_pct,
        _file_id as loaded_file_id
    from current_version
)

select * from final
