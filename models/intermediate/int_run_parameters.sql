-- one row: the run's parameters. as_of is judged at the end of that day (contract §3), so every
-- deadline at or before as_of_end_at has passed.
with final as (
    select
        cast(getvariable('as_of') as date) as as_of,
        cast(getvariable('as_of_end_at') as timestamp) as as_of_end_at,
        cast(getvariable('default_profile') as varchar) as default_profile,
        cast(getvariable('freeze_grace_days') as integer) as freeze_grace_days,
        cast(getvariable('spot_check_per_unit') as integer) as spot_check_per_unit,
        cast(getvariable('spot_check_seed') as bigint) as spot_check_seed,
        cast(getvariable('review_rectify_days') as integer) as review_rectify_days,
        cast(getvariable('review_warn_days') as integer) as review_warn_days,
        cast(getvariable('review_weight') as double) as review_weight
)

select * from final
