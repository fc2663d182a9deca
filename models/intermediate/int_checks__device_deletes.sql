-- one row per file_deleted device event naming a file (R-DEV-DEL): deleting on the device is only
-- allowed once the file was uploaded (int_deletions_before_upload finds those that were not).
-- (a view: computed where it is read, so only the few failed checks build their detail text)
-- materialized: view
-- partitioned by day: cast(partition_at as date)
with deletions as (
    select * from int_file_deletions
),

devices as (
    select * from stg_devices
),

early_deletions as (
    select * from int_deletions_before_upload
),

judged as (
    select
        deletions.*,
        early_deletions.first_upload_done_at,
        early_deletions.file_id is null as is_compliant
    from deletions
    left join early_deletions
        on early_deletions.device_id = deletions.device_id
        and early_deletions.file_id = deletions.file_id
        and early_deletions.event_at = deletions.event_at
),

final as (
    select
        'R-DEV-DEL' as rule_id,
        devices.unit_id,
        devices.officer_id,
        judged.file_id as media_id,
        judged.device_id,
        judged.event_at as occurred_at,
        judged.device_id || '/' || judged.file_id || '@' || cast(judged.event_at as varchar) as entity_key,
        judged.is_compliant,
        case when not judged.is_compliant then
            '文件 ' || judged.file_id || ' 于 ' || zh_minute(judged.event_at) || ' 在设备 '
            || judged.device_id || ' 上被删除，此前没有上传完成记录'
            || coalesce('（上传完成在 ' || zh_minute(judged.first_upload_done_at) || '）', '')
        end as detail_zh,
        case when not judged.is_compliant then
            'file ' || judged.file_id || ' deleted on device ' || judged.device_id || ' at '
            || en_minute(judged.event_at) || ' with no upload_done before'
            || coalesce(' (upload_done only at ' || en_minute(judged.first_upload_done_at) || ')', '')
        end as detail_en,
        judged.event_at as partition_at
    from judged
    left join devices on devices.device_id = judged.device_id
)

select * from final
