-- the checks of the days the partitioned model reading this view recomputes (run_days, null: every
-- day), and those of the checks that are not partitioned, which every build recomputes. Read only
-- by day-partitioned models (fct_violations, int_rule_check_months): run_days is theirs while they build.
-- The check's own column (a moment of its day) is compared, not a day computed from it, and each
-- condition is a branch of its own: a filter that is one conjunction on a column reaches the scans of
-- the device log and the recordings under each check's joins, and the range lets them skip the row
-- groups before the first day (with an OR it stayed above them, and every check was computed whole).
-- materialized: view
with all_days as (
    select * from int_rule_checks
    where getvariable('run_days') is null
),

run_days as (
    select * from int_rule_checks
    where partition_at >= list_min(getvariable('run_days'))
        and list_contains(getvariable('run_days'), cast(partition_at as date))
),

checks_without_days as (
    select * from int_rule_checks
    where partition_at is null and getvariable('run_days') is not null
),

final as (
    select * from all_days
    union all
    select * from run_days
    union all
    select * from checks_without_days
)

select * from final
