-- one row per unit × rule × period (month, quarter, year) × reason: how many things the rule could
-- not judge from what was delivered, and why (not_judged_reason, a code of the label catalogue):
-- e.g. a lien service's receipt from an export without the witness column (rules.md §5 R-DOC).
-- They are left out of the rates, never counted compliant; readers say how many and why.
with check_months as (
    select * from int_rule_check_months
    where not_judged > 0
),

calendar as (
    select * from dim_periods
),

rules as (
    select * from rules_rules
),

final as (
    select
        check_months.unit_id,
        calendar.period_type,
        calendar.period,
        check_months.rule_id,
        rules.family,
        check_months.not_judged_reason,
        cast(sum(check_months.not_judged) as bigint) as not_judged
    from check_months
    inner join calendar
        on check_months.month_start >= calendar.period_start and check_months.month_start < calendar.period_end
    inner join rules using (rule_id)
    group by all
)

select * from final
order by unit_id, period_type, period, rule_id, not_judged_reason
