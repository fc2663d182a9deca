-- one row per device log event; a re-delivered event (same device, time, type and file) counts once
-- materialized: view
with source as (
    select * from raw_device_events
),

-- every version a later delivery replaced, as the loader recorded it (latest file wins)
replaced as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number
    from load_replacements
    where source = 'device_events'
),

current_version as (
    select source.*
    from source
    anti join replaced using (_file_id, _row_number)
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
