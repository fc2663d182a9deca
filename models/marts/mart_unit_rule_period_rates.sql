-- one row per unit × rule × period (month, quarter, year): how many things the rule judged and how
-- many complied, at the rule's level (violation or indicator) under the unit's profile
with checks as (
    select * from int_rule_checks where is_compliant is not null
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

periods as (
    select
        checks.*,
        unnest([
            {'period_type': 'month', 'period': strftime(occurred_at, '%Y-%m')},
            {'period_type': 'quarter', 'period': strftime(occurred_at, '%Y') || 'Q' || quarter(occurred_at)},
            {'period_type': 'year', 'period': strftime(occurred_at, '%Y')}
        ], recursive := true)
    from checks
),

final as (
    select
        periods.unit_id,
        periods.period_type,
        periods.period,
        periods.rule_id,
        rules.family,
        levels.level,
        count(*) as judged,
        count(*) filter (where periods.is_compliant) as compliant,
        round(count(*) filter (where periods.is_compliant) / count(*), 4) as rate
    from periods
    inner join units using (unit_id)
    inner join levels on levels.profile_id = units.profile_id and levels.rule_id = periods.rule_id
    inner join rules on rules.rule_id = periods.rule_id
    group by all
)

select * from final
order by unit_id, period_type, period, rule_id
