-- one row per recording judged by R-UPL (pending ones are not judged yet)
-- (a view: computed where it is read, so only the few failed checks build their detail text)
-- materialized: view
-- partitioned by day: cast(partition_at as date)
with uploads as (
    select * from int_media_upload
),

final as (
    select
        rule_id,
        unit_id,
        officer_id,
        media_id,
        device_id,
        recorded_end_at as occurred_at,
        media_id as entity_key,
        case upload_status when 'on_time' then true when 'pending' then null else false end as is_compliant,
        case upload_status
            when 'late' then '录像于 ' || zh_minute(uploaded_at) || ' 入库，超过时限 '
                || number_text(round(late_hours, 1)) || ' 小时'
            when 'overdue_missing' then '录像 ' || zh_minute(recorded_end_at) || ' 录制结束，至时限 '
                || zh_minute(deadline_at) || ' 仍未入库'
        end as detail_zh,
        case upload_status
            when 'late' then 'stored at ' || en_minute(uploaded_at) || ', '
                || number_text(round(late_hours, 1)) || ' h after the deadline'
            when 'overdue_missing' then 'recorded until ' || en_minute(recorded_end_at)
                || ', still not stored at the deadline ' || en_minute(deadline_at)
        end as detail_en,
        recorded_end_at as partition_at
    from uploads
)

select * from final
