-- one row per recording device in the register, current version
-- materialized: view
with source as (
    select * from raw_devices
),

-- every version a later delivery replaced, as the loader recorded it (latest file wins)
replaced as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number
    from load_replacements
    where source = 'devices'
),

current_version as (
    select source.*
    from source
    anti join replaced using (_file_id, _row_number)
),

final as (
    select
        device_id,
        device_type,
        unit_id,
        officer_id,
        in_service_from,
        in_service_to,
        _file_id as loaded_file_id
    from current_version
)

select * from final
