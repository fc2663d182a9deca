-- one row per enforcement act (执法环节), current version
with source as (
    select * from raw_acts
),

current_version as (
    select * from source
    qualify row_number() over (partition by act_id order by _file_id desc, _row_number desc) = 1
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
