-- one row per enforcement officer, current version
with source as (
    select * from raw_officers
),

current_version as (
    select * from source
    qualify row_number() over (partition by officer_id order by _file_id desc, _row_number desc) = 1
),

final as (
    select
        officer_id,
        name as officer_name,
        cert_no,
        unit_id,
        _file_id as loaded_file_id
    from current_version
)

select * from final
