-- one row per act whose type has an AV level under its unit's profile (R-AV, rules.md §3): how
-- much of it the recordings that belong to it cover, the gaps longer than the profile's limit,
-- and which of those gaps nothing explains (int_act_av_coverage judges it, for this view and the
-- R-AV check alike). Partitioned as that table is, so that publishing copies the days it recomputed.
-- materialized: view
-- partitioned by day: cast(started_at as date)
with coverage as (
    select * from int_act_av_coverage
),

final as (
    select * from coverage
)

select * from final
order by cast(started_at as date), act_id
