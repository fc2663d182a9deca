-- one row per recording device in the register, current version
with source as (
    select * from raw_devices
),

current_version as (
    select * from source
    qualify row_number() over (partition by device_id order by _file_id desc, _row_number desc) = 1
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
