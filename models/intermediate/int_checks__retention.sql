-- one row per recording judged by R-RET: kept, or deleted only after its period with approval
-- (a view: computed where it is read, so only the few failed checks build their detail text)
-- materialized: view
-- partitioned by day: cast(partition_at as date)
with retention as (
    select * from int_media_retention
),

final as (
    select
        rule_id,
        unit_id,
        officer_id,
        media_id,
        device_id,
        coalesce(deleted_at, recorded_end_at) as occurred_at,
        media_id as entity_key,
        status not in ('deleted_early', 'deleted_unapproved') as is_compliant,
        case status
            when 'deleted_early' then '录像于 ' || zh_day(deleted_at) || ' 删除，'
                || case when retain_until is null then '按规定应' || case retention_class when 'long_term' then '长期保存'
                        else '随案卷保存' end
                   else '保存期至 ' || zh_day(retain_until) end
            when 'deleted_unapproved' then '录像于 ' || zh_day(deleted_at) || ' 删除，无删除审批'
        end as detail_zh,
        case status
            when 'deleted_early' then 'deleted ' || en_day(deleted_at) || ', '
                || case when retain_until is null then 'must be kept ' || case retention_class when 'long_term' then 'long-term'
                        else 'with its case file' end
                   else 'to be kept until ' || en_day(retain_until) end
            when 'deleted_unapproved' then 'deleted ' || en_day(deleted_at) || ' without a deletion approval'
        end as detail_en,
        recorded_end_at as partition_at
    from retention
)

select * from final
