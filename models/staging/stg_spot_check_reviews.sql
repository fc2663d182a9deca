-- one row per returned review of a drawn case (案卷评查 result), current version: a reviewer who
-- returns the ledger again replaces the earlier rows (latest file wins)
-- materialized: view
with source as (
    select * from raw_spot_check_reviews
),

-- every version a later delivery replaced, as the loader recorded it (latest file wins)
replaced as (
    select replaced_file_id as _file_id, replaced_row_number as _row_number
    from load_replacements
    where source = 'spot_check_reviews'
),

current_version as (
    select source.*
    from source
    anti join replaced using (_file_id, _row_number)
),

final as (
    select
        review_id,
        case_id,
        period,
        ledger_period(period) as ledger_period,
        reviewer,
        reviewed_at,
        conclusion,
        problems,
        rectify_by,
        rectified_at,
        _file_id as loaded_file_id
    from current_version
)

select * from final
