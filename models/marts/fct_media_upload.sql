-- one row per recording: was it in the evidence store within the deadline? (R-UPL, rules.md §1;
-- int_media_upload judges it, for this view and the R-UPL check alike)
-- materialized: view
with uploads as (
    select * from int_media_upload
),

final as (
    -- the contract's name for the recording's end
    select * rename (recorded_end_at as recorded_end) from uploads
)

select * from final
