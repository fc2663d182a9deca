-- one row per access to a recording (查看/复制/导出/公开), current version
-- materialized: view
with source as (
    select * from raw_media_access
),

-- every version a later delivery replaced, as the loader recorded it (latest file wins)
replaced as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number
    from load_replacements
    where source = 'media_access'
),

current_version as (
    select source.*
    from source
    anti join replaced using (_file_id, _row_number)
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
