-- one row per violation, ready to show: the finding with its rule's names and family, its unit's
-- name and its case's party (masked by the reader). A view: it adds names to fct_violations, which
-- is large, and every reader filters it to a period and a scope first.
-- materialized: view
with violations as (
    select * from fct_violations
),

rules as (
    select * from dim_rules
),

units as (
    select * from dim_units
),

cases as (
    select * from dim_cases
),

final as (
    select
        violations.*,
        rules.name_zh as rule_name_zh,
        rules.name_en as rule_name_en,
        rules.family,
        units.unit_name,
        cases.party_name
    from violations
    left join rules using (rule_id)
    left join units on units.unit_id = violations.unit_id
    left join cases on cases.case_id = violations.case_id
)

select * from final
