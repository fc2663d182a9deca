-- one row per check day × officer × unit × rule × month: how many things the rule looked at that
-- are an officer's (pending ones included), how many it judged and how many complied. A check is
-- the officer's its own row names (the recording's, the device's user, who accessed); an act that
-- must be recorded (R-AV) is every one of its officers', since each of them had to record it. Checks
-- that name no officer (a case's archiving, its documents) are nobody's here. The day is the check's
-- own partition, as in int_rule_check_months, so that a build recounts only what the checks recomputed.
-- partitioned by day: partition_day
with checks as (
    -- the checks of the days this build recomputes, and those of the checks without days
    select * from int_rule_checks_of_run_days
),

acts as (
    -- the R-AV check's rows are partitioned by the act's start, as these are
    select * from int_act_av_coverage
    where in_run_days(started_at)
),

act_officers as (
    select act_id, unnest(list_distinct(officer_ids)) as officer_id
    from acts
),

-- the checks are read once (a second read computes every check again): an R-AV row becomes one row
-- per officer of its act, any other row stays as it is
attributed as (
    select
        checks.partition_at,
        coalesce(act_officers.officer_id, checks.officer_id) as officer_id,
        checks.unit_id,
        checks.rule_id,
        checks.occurred_at,
        checks.is_compliant
    from checks
    left join act_officers on checks.rule_id = 'R-AV' and act_officers.act_id = checks.act_id
    where (checks.rule_id <> 'R-AV' and checks.officer_id is not null)
        or act_officers.officer_id is not null
),

final as (
    select
        cast(partition_at as date) as partition_day,
        officer_id,
        unit_id,
        rule_id,
        date_trunc('month', occurred_at) as month_start,
        count(*) as checked,
        count(*) filter (where is_compliant is not null) as judged,
        count(*) filter (where is_compliant) as compliant
    from attributed
    group by all
)

select * from final
