-- one row per enforcement officer, current version
-- materialized: view
with source as (
    select * from raw_officers
),

-- every version a later delivery replaced, as the loader recorded it (latest file wins)
replaced as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number
    from load_replacements
    where source = 'officers'
),

current_version as (
    select source.*
    from source
    anti join replaced using (_file_id, _row_number)
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
