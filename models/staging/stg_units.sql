-- one row per enforcement unit, current version (latest delivered file wins)
-- materialized: view
with source as (
    select * from raw_units
),

-- every version a later delivery replaced, as the loader recorded it (latest file wins)
replaced as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number
    from load_replacements
    where source = 'units'
),

current_version as (
    select source.*
    from source
    anti join replaced using (_file_id, _row_number)
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
