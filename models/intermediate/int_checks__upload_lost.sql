-- one row per record_stop device event naming a file (R-UPL-LOST): a file the device recorded
-- must reach the evidence store by the deadline; pending while the deadline is ahead
-- (a view: computed where it is read, so only the few failed checks build their detail text)
-- materialized: view
-- partitioned by day: cast(partition_at as date)
with file_stops as (
    select * from int_file_stops
),

unstored_files as (
    select * from int_unstored_recorded_files
),

devices as (
    select * from stg_devices
),

units as (
    select * from int_units
),

params as (
    select * from int_profile_parameters
),

stops as (
    select
        file_stops.device_id,
        file_stops.file_id,
        file_stops.event_at,
        devices.unit_id,
        devices.officer_id,
        plus_hours(file_stops.event_at, params.lost_deadline_hours) as deadline_at,
        unstored_files.file_id is null as is_stored
    from file_stops
    left join devices on devices.device_id = file_stops.device_id
    left join units on units.unit_id = devices.unit_id
    left join params on params.profile_id = units.profile_id
    left join unstored_files
        on unstored_files.file_id = file_stops.file_id and unstored_files.stopped_on = cast(file_stops.event_at as date)
),

final as (
    select
        'R-UPL-LOST' as rule_id,
        unit_id,
        officer_id,
        file_id as media_id,
        device_id,
        event_at as occurred_at,
        device_id || '/' || file_id || '@' || cast(event_at as varchar) as entity_key,
        case when is_stored then true when deadline_at <= getvariable('as_of_end_at') then false end as is_compliant,
        case when not is_stored and deadline_at <= getvariable('as_of_end_at') then
            '设备 ' || device_id || ' 于 ' || zh_minute(event_at) || ' 停止录制的文件 ' || file_id
            || '，至时限 ' || zh_minute(deadline_at) || ' 仍无入库记录（记录丢失）'
        end as detail_zh,
        case when not is_stored and deadline_at <= getvariable('as_of_end_at') then
            'file ' || file_id || ' stopped recording on device ' || device_id || ' at '
            || en_minute(event_at) || ', still not in the store at the deadline '
            || en_minute(deadline_at) || ' (lost)'
        end as detail_en,
        event_at as partition_at
    from stops
)

select * from final
