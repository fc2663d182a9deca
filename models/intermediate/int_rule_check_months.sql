-- one row per check day × unit × rule × month: how many things the rule judged and how many
-- complied (checks not judged yet left out). The day is the check's own partition (null for checks
-- recomputed whole), so that a build recounts only what the checks recomputed; the rates add these up.
-- partitioned by day: partition_day
with checks as (
    select * from int_rule_checks
    where is_compliant is not null
        -- the days this build recomputes (null: all), and the checks that have no days (as in
        -- fct_violations: a filter on the check's own column reaches the scans under its joins)
        and (getvariable('run_days') is null or partition_at is null
            or (partition_at >= list_min(getvariable('run_days'))
                and list_contains(getvariable('run_days'), cast(partition_at as date))))
),

final as (
    select
        cast(partition_at as date) as partition_day,
        unit_id,
        rule_id,
        date_trunc('month', occurred_at) as month_start,
        count(*) as judged,
        count(*) filter (where is_compliant) as compliant
    from checks
    group by all
)

select * from final
