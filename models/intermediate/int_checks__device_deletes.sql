-- one row per file_deleted device event naming a file (R-DEV-DEL): deleting on the device is only
-- allowed once the file was uploaded. An upload_done logged on any device (a card moved to another
-- docking station) at or before the deletion counts; the same second counts as before, since
-- device logs have one-second resolution.
-- (a view: computed where it is read, so only the few failed checks build their detail text)
-- materialized: view

-- Inputs of millions of rows that are read more than once are `not materialized`: DuckDB would
-- otherwise copy them whole to read them again, which spills gigabytes at a province's scale.
with events as not materialized (
    select * from stg_device_events
),

devices as (
    select * from stg_devices
),

deletions as (
    select events.device_id, events.file_id, events.event_at
    from events
    where events.event_type = 'file_deleted'
        and events.file_id is not null
        and events.event_at < getvariable('as_of_end_at')
),

uploads as (
    select file_id, min(event_at) as first_upload_done_at
    from events
    where event_type = 'upload_done' and file_id is not null
    group by file_id
),

final as (
    select
        'R-DEV-DEL' as rule_id,
        devices.unit_id,
        devices.officer_id,
        cast(null as varchar) as case_id,
        cast(null as varchar) as act_id,
        deletions.file_id as media_id,
        deletions.device_id,
        deletions.event_at as occurred_at,
        deletions.device_id || '/' || deletions.file_id || '@' || cast(deletions.event_at as varchar) as entity_key,
        coalesce(uploads.first_upload_done_at <= deletions.event_at, false) as is_compliant,
        case when not coalesce(uploads.first_upload_done_at <= deletions.event_at, false) then
            '文件 ' || deletions.file_id || ' 于 ' || strftime(deletions.event_at, '%-m月%-d日 %H:%M') || ' 在设备 '
            || deletions.device_id || ' 上被删除，此前没有上传完成记录'
            || coalesce('（上传完成在 ' || strftime(uploads.first_upload_done_at, '%-m月%-d日 %H:%M') || '）', '')
        end as detail_zh,
        case when not coalesce(uploads.first_upload_done_at <= deletions.event_at, false) then
            'file ' || deletions.file_id || ' deleted on device ' || deletions.device_id || ' at '
            || strftime(deletions.event_at, '%Y-%m-%d %H:%M') || ' with no upload_done before'
            || coalesce(' (upload_done only at ' || strftime(uploads.first_upload_done_at, '%Y-%m-%d %H:%M') || ')', '')
        end as detail_en
    from deletions
    left join devices on devices.device_id = deletions.device_id
    left join uploads on uploads.file_id = deletions.file_id
)

select * from final
