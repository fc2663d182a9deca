-- one row per maintenance indicator × device-month with any logged event (R-DEV-FAULT,
-- R-DEV-BATTERY, R-DEV-STORAGE: every rule the profile counts per device_month): not compliant when
-- the month had the rule's event type or a reading below the rule's threshold. A month still
-- running at as_of with nothing so far cannot be judged yet.
-- partitioned by day: cast(partition_at as date)

-- Inputs of millions of rows that are read more than once are `not materialized`: DuckDB would
-- otherwise copy them whole to read them again, which spills gigabytes at a province's scale.
with events as not materialized (
    select * from stg_device_events
),

devices as (
    select * from stg_devices
),

units as (
    select * from int_units
),

parameters as (
    select * from rules_rule_parameters
),

monthly_rules as (
    select
        profile_id,
        rule_id,
        max(case when parameter = 'event_type' then value end) as event_type,
        max(case when parameter = 'low_battery_pct' then cast(value as double) end) as low_battery_pct,
        max(case when parameter = 'low_storage_free_pct' then cast(value as double) end) as low_storage_free_pct
    from parameters
    group by profile_id, rule_id
    having bool_or(parameter = 'per' and value = 'device_month')
),

-- how an event type is named in the detail text
event_names as (
    select code as event_type, label_zh as name_zh from labels where kind = 'event_type'
),

month_events as not materialized (
    select
        events.device_id,
        date_trunc('month', events.event_at) as month_start,
        events.event_type,
        events.battery_pct,
        events.storage_free_pct
    from events
    where events.event_at < getvariable('as_of_end_at')
        -- the months this build recomputes, by their first days (null: all); the range lets the
        -- scan skip the months before
        and (getvariable('run_days') is null or (events.event_at >= list_min(getvariable('run_days'))
            and list_contains(getvariable('run_days'), cast(date_trunc('month', events.event_at) as date))))
),

device_months as (
    select
        month_events.device_id,
        month_events.month_start,
        devices.unit_id,
        devices.officer_id,
        units.profile_id
    from (select distinct device_id, month_start from month_events) as month_events
    left join devices on devices.device_id = month_events.device_id
    left join units on units.unit_id = devices.unit_id
),

-- only events that can count against some rule: the rest of the log is routine
candidate_events as (
    select *
    from month_events
    where event_type in (select event_type from monthly_rules)
        or battery_pct < (select max(low_battery_pct) from monthly_rules)
        or storage_free_pct < (select max(low_storage_free_pct) from monthly_rules)
),

counted as (
    select
        device_months.device_id,
        device_months.month_start,
        device_months.unit_id,
        device_months.officer_id,
        monthly_rules.rule_id,
        monthly_rules.event_type,
        monthly_rules.low_battery_pct,
        monthly_rules.low_storage_free_pct,
        count(*) filter (where candidate_events.event_type = monthly_rules.event_type) as typed_events,
        count(*) filter (where candidate_events.event_type is distinct from monthly_rules.event_type
            and candidate_events.battery_pct < monthly_rules.low_battery_pct) as low_battery_readings,
        count(*) filter (where candidate_events.event_type is distinct from monthly_rules.event_type
            and candidate_events.storage_free_pct < monthly_rules.low_storage_free_pct) as low_storage_readings
    from device_months
    inner join monthly_rules using (profile_id)
    left join candidate_events
        on candidate_events.device_id = device_months.device_id
        and candidate_events.month_start = device_months.month_start
    group by all
),

judged as (
    select
        counted.*,
        coalesce(event_names.name_zh, counted.event_type) as event_name_zh,
        case
            when typed_events + low_battery_readings + low_storage_readings > 0 then false
            when month_start + interval 1 month <= getvariable('as_of_end_at') then true
        end as is_compliant
    from counted
    left join event_names using (event_type)
),

final as (
    select
        rule_id,
        unit_id,
        officer_id,
        device_id,
        month_start as occurred_at,
        device_id || '@' || key_month(month_start) as entity_key,
        is_compliant,
        case when not is_compliant then
            '设备 ' || device_id || ' ' || zh_month(month_start) || '：' || concat_ws('，',
                case when typed_events > 0 then event_name_zh || '事件 ' || typed_events || ' 次' end,
                case when low_battery_readings > 0 then '电量低于 '
                    || number_text(low_battery_pct) || '% 的记录 '
                    || low_battery_readings || ' 次' end,
                case when low_storage_readings > 0 then '剩余存储低于 '
                    || number_text(low_storage_free_pct) || '% 的记录 '
                    || low_storage_readings || ' 次' end)
        end as detail_zh,
        case when not is_compliant then
            'device ' || device_id || ' in ' || en_month(month_start) || ': ' || concat_ws(', ',
                case when typed_events > 0 then typed_events || ' ' || event_type || ' event(s)' end,
                case when low_battery_readings > 0 then low_battery_readings || ' reading(s) below '
                    || number_text(low_battery_pct) || '% battery' end,
                case when low_storage_readings > 0 then low_storage_readings || ' reading(s) below '
                    || number_text(low_storage_free_pct) || '% free storage' end)
        end as detail_en,
        month_start as partition_at
    from judged
)

select * from final
