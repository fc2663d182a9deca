-- one row per rule: its names and description in both languages, its family and the family's place
-- in the order readers list families in
with rules as (
    select * from rules_rules
),

families as (
    select * from dim_rule_families
),

final as (
    select
        rules.rule_id,
        rules.family,
        rules.name_zh,
        rules.name_en,
        rules.description_zh,
        rules.description_en,
        rules.default_severity,
        families.name_zh as family_name_zh,
        families.name_en as family_name_en,
        families.sort_order as family_sort_order
    from rules
    left join families using (family)
)

select * from final
order by family_sort_order, rule_id
