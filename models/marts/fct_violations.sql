-- one row per violation: a failed check of a rule that is a violation (not an indicator) under
-- the unit's profile, with its severity and citation (rules.md: every finding names its article)
-- partitioned by day: partition_day
with checks as (
    -- the checks of the days this build recomputes, and those of the checks without days
    select * from int_rule_checks_of_run_days
),

units as (
    select * from int_units
),

levels as (
    select * from rules_rule_profile
),

final as (
    select
        checks.rule_id || ':' || checks.entity_key as violation_id,
        checks.rule_id,
        levels.severity,
        checks.unit_id,
        checks.officer_id,
        checks.case_id,
        checks.act_id,
        checks.media_id,
        checks.device_id,
        checks.occurred_at,
        checks.detail_zh,
        checks.detail_en,
        units.regulation_short_zh
            || coalesce(nullif(checks.article_zh, ''), nullif(levels.article_zh, ''), '（未规定，按设置值）') as citation,
        units.profile_id,
        coalesce(nullif(checks.article_zh, ''), levels.article_zh) as article_zh,
        levels.basis,
        -- the day of the check's own partition (null for checks recomputed whole)
        cast(checks.partition_at as date) as partition_day
    from checks
    inner join units using (unit_id)
    inner join levels on levels.profile_id = units.profile_id and levels.rule_id = checks.rule_id
    where checks.is_compliant = false and levels.level = 'violation'
)

-- by the check's day first: a daily build appends its days after the days it keeps, in this order,
-- instead of sorting every violation again (consumers order by what they show)
select * from final
order by partition_day, violation_id
