-- one row per device and day with any logged event (the dashboard's device page): how much the
-- device recorded, whether it was checked before its first recording, and its maintenance events
-- partitioned by day: day
with events as (
    select * from stg_device_events
),

devices as (
    select * from stg_devices
),

-- the pre-duty check verdict has one home: the R-DEV-CHECK check model
day_checks as (
    select * from int_checks__device_days
),

device_days as (
    select
        events.device_id,
        cast(events.event_at as date) as day,
        count(*) filter (where events.event_type = 'record_start') as record_starts,
        count(*) filter (where events.event_type = 'pre_duty_check') as pre_duty_checks,
        count(*) filter (where events.event_type = 'fault') as faults,
        count(*) filter (where events.event_type = 'battery_low') as battery_low_events,
        count(*) filter (where events.event_type = 'storage_full') as storage_full_events,
        count(*) filter (where events.event_type = 'record_interrupt') as record_interrupts,
        count(*) filter (where events.event_type = 'upload_done') as uploads_done,
        count(*) filter (where events.event_type = 'file_deleted') as files_deleted,
        count(*) as events,
        min(events.event_at) filter (where events.event_type = 'record_start') as first_record_start_at,
        min(events.event_at) filter (where events.event_type = 'pre_duty_check') as first_pre_duty_check_at,
        min(events.battery_pct) as min_battery_pct,
        min(events.storage_free_pct) as min_storage_free_pct
    from events
    where events.event_at < getvariable('as_of_end_at')
        -- the days this build recomputes (null: all); a list, not a join, keeps the planner's row estimates
        and in_run_days(events.event_at)
    group by events.device_id, cast(events.event_at as date)
),

final as (
    select
        device_days.device_id,
        devices.device_type,
        devices.unit_id,
        devices.officer_id,
        device_days.day,
        device_days.record_starts,
        device_days.pre_duty_checks,
        device_days.faults,
        device_days.battery_low_events,
        device_days.storage_full_events,
        device_days.record_interrupts,
        device_days.uploads_done,
        device_days.files_deleted,
        device_days.events,
        device_days.first_record_start_at,
        device_days.first_pre_duty_check_at,
        day_checks.is_compliant as is_checked_before_recording,
        device_days.min_battery_pct,
        device_days.min_storage_free_pct
    from device_days
    left join devices using (device_id)
    left join day_checks
        on cast(day_checks.occurred_at as date) = device_days.day
        and day_checks.device_id = device_days.device_id
        and day_checks.entity_key = device_days.device_id || '@' || key_day(device_days.day)
)

select * from final
order by day, device_id
