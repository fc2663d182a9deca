-- one row per recording: which retention class its profile gives it, until when it must be kept,
-- and whether it is still kept, due for disposal review, or was deleted early or without
-- approval (R-RET, rules.md §4), as of the run's date (int_media_retention judges it, for this
-- view and the R-RET check alike)
-- materialized: view
with retention as (
    select * from int_media_retention
),

final as (
    -- the contract's name for the recording's end
    select * rename (recorded_end_at as recorded_end) from retention
)

select * from final
