-- one row per enforcement act (执法环节), current version
-- materialized: view
with source as (
    select * from raw_acts
),

-- every version a later delivery replaced, as the loader recorded it (latest file wins)
replaced as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number
    from load_replacements
    where source = 'acts'
),

current_version as (
    select source.*
    from source
    anti join replaced using (_file_id, _row_number)
),

final as (
    select
        act_id,
        case_id,
        act_type,
        started_at,
        ended_at,
        officer_ids,
        location,
        remote_duty as is_remote_duty,
        returned_at,
        av_exempt_reason,
        _file_id as loaded_file_id
    from current_version
)

select * from final
