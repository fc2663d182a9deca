-- one row per enforcement unit, current version (latest delivered file wins)
with source as (
    select * from raw_units
),

current_version as (
    select * from source
    qualify row_number() over (partition by unit_id order by _file_id desc, _row_number desc) = 1
),

final as (
    select
        unit_id,
        unit_name,
        parent_unit_id,
        rule_profile,
        _file_id as loaded_file_id
    from current_version
)

select * from final
