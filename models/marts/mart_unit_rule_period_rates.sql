-- one row per unit × rule × period (month, quarter, year): how many things the rule judged and how
-- many complied, at the rule's level (violation or indicator) under the unit's profile
with check_months as (
    select * from int_rule_check_months
),

units as (
    select * from int_units
),

levels as (
    select * from rules_rule_profile
),

rules as (
    select * from rules_rules
),

calendar as (
    select * from dim_periods
),

-- counts add up, so months are counted once from the checks (int_rule_check_months) and quarters and
-- years from the months; a month is placed in its periods once per group, not per check (formatting
-- ten million dates took a second)
months as (
    select
        unit_id,
        rule_id,
        month_start,
        sum(judged) as judged,
        sum(compliant) as compliant
    from check_months
    group by all
    -- what could not be judged is counted apart (mart_unit_rule_period_not_judged)
    having sum(judged) > 0
),

periods as (
    select months.* exclude (month_start), calendar.period_type, calendar.period
    from months
    inner join calendar
        on months.month_start >= calendar.period_start and months.month_start < calendar.period_end
),

final as (
    select
        periods.unit_id,
        periods.period_type,
        periods.period,
        periods.rule_id,
        rules.family,
        levels.level,
        cast(sum(periods.judged) as bigint) as judged,
        cast(sum(periods.compliant) as bigint) as compliant,
        round(sum(periods.compliant) / sum(periods.judged), 4) as rate
    from periods
    inner join units using (unit_id)
    inner join levels on levels.profile_id = units.profile_id and levels.rule_id = periods.rule_id
    inner join rules on rules.rule_id = periods.rule_id
    group by all
)

select * from final
order by unit_id, period_type, period, rule_id
