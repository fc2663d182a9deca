-- one row per access to a recording (查看/复制/导出/公开), current version
with source as (
    select * from raw_media_access
),

current_version as (
    select * from source
    qualify row_number() over (partition by access_id order by _file_id desc, _row_number desc) = 1
),

final as (
    select
        access_id,
        media_id,
        officer_id,
        accessed_at,
        action,
        approval_ref,
        _file_id as loaded_file_id
    from current_version
)

select * from final
