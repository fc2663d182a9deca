-- one row per device-day with recording (R-DEV-CHECK): a pre-duty check logged that day no later
-- than the first recording start (the same second counts: one-second device logs)
-- partitioned by day: cast(partition_at as date)
with events as (
    select * from stg_device_events
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

-- the event types the profiles' check compares (the recording start and the check itself)
compared_types as (
    select devcheck_before_event_type as event_type from params
    union
    select devcheck_event_type from params
),

-- each device's first event of those types per day, found before the device's unit and profile are
-- joined: joined first, every event of the log (250 M at a province's scale) went through three
-- lookups on its way to being grouped, 35 of the model's 53 s of operator time
first_events as (
    select
        events.device_id,
        cast(events.event_at as date) as day,
        events.event_type,
        min(events.event_at) as first_at
    from events
    where events.event_at < getvariable('as_of_end_at')
        -- the days this build recomputes (null: all); a list, not a join, keeps the planner's row estimates
        and in_run_days(events.event_at)
        and events.event_type in (select event_type from compared_types)
    group by all
),

device_day_events as (
    select
        first_events.device_id,
        devices.unit_id,
        devices.officer_id,
        first_events.day,
        min(case when first_events.event_type = params.devcheck_before_event_type then first_events.first_at end)
            as first_start_at,
        min(case when first_events.event_type = params.devcheck_event_type then first_events.first_at end)
            as first_check_at
    from first_events
    left join devices on devices.device_id = first_events.device_id
    left join units on units.unit_id = devices.unit_id
    left join params on params.profile_id = units.profile_id
    group by all
),

judged as (
    select *, coalesce(first_check_at <= first_start_at, false) as is_compliant
    from device_day_events
    where first_start_at is not null
),

final as (
    select
        'R-DEV-CHECK' as rule_id,
        unit_id,
        officer_id,
        device_id,
        first_start_at as occurred_at,
        device_id || '@' || key_day(day) as entity_key,
        is_compliant,
        case when not is_compliant then
            '设备 ' || device_id || ' ' || zh_day(day) || ' 首次开始录制于 '
            || hh_mm(first_start_at) || '，此前没有出勤前检查'
            || coalesce('（当日检查在 ' || hh_mm(first_check_at) || '）', '')
        end as detail_zh,
        case when not is_compliant then
            'device ' || device_id || ' first started recording on ' || en_day(day) || ' at '
            || hh_mm(first_start_at) || ' with no pre-duty check before it'
            || coalesce(' (checked only at ' || hh_mm(first_check_at) || ')', '')
        end as detail_en,
        cast(day as timestamp) as partition_at
    from judged
)

select * from final
