-- one row per check day × unit × rule × month (× why not judged, for what could not be): how many things the rule judged and how many
-- complied (checks not judged yet left out), and how many could not be judged from what was
-- delivered (counted apart: int_rule_checks.not_judged_reason). The day is the check's own partition (null for checks
-- recomputed whole), so that a build recounts only what the checks recomputed; the rates add these up.
-- partitioned by day: partition_day
with checks as (
    -- the checks of the days this build recomputes, and those of the checks without days
    select * from int_rule_checks_of_run_days
    where is_compliant is not null or not_judged_reason is not null
),

final as (
    select
        cast(partition_at as date) as partition_day,
        unit_id,
        rule_id,
        date_trunc('month', occurred_at) as month_start,
        not_judged_reason,
        count(*) filter (where is_compliant is not null) as judged,
        count(*) filter (where is_compliant) as compliant,
        count(*) filter (where not_judged_reason is not null) as not_judged
    from checks
    group by all
)

select * from final
