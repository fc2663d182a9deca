-- one row per recording judged by R-UPL (pending ones are not judged yet)
-- (a view: computed where it is read, so only the few failed checks build their detail text)
-- materialized: view
-- partitioned by day: cast(partition_at as date)
with uploads as (
    select * from fct_media_upload
),

final as (
    select
        rule_id,
        unit_id,
        officer_id,
        cast(null as varchar) as case_id,
        cast(null as varchar) as act_id,
        media_id,
        device_id,
        recorded_end as occurred_at,
        media_id as entity_key,
        case upload_status when 'on_time' then true when 'pending' then null else false end as is_compliant,
        case upload_status
            when 'late' then '录像于 ' || strftime(uploaded_at, '%-m月%-d日 %H:%M') || ' 入库，超过时限 '
                || regexp_replace(cast(round(late_hours, 1) as varchar), '\.0$', '') || ' 小时'
            when 'overdue_missing' then '录像 ' || strftime(recorded_end, '%-m月%-d日 %H:%M') || ' 录制结束，至时限 '
                || strftime(deadline_at, '%-m月%-d日 %H:%M') || ' 仍未入库'
        end as detail_zh,
        case upload_status
            when 'late' then 'stored at ' || strftime(uploaded_at, '%Y-%m-%d %H:%M') || ', '
                || regexp_replace(cast(round(late_hours, 1) as varchar), '\.0$', '') || ' h after the deadline'
            when 'overdue_missing' then 'recorded until ' || strftime(recorded_end, '%Y-%m-%d %H:%M')
                || ', still not stored at the deadline ' || strftime(deadline_at, '%Y-%m-%d %H:%M')
        end as detail_en,
        recorded_end as partition_at
    from uploads
)

select * from final
