-- one row per rule family: its names, the order every reader lists families in (the scorecard's rate
-- columns, the workbook's sheets, the dashboard's cards) and the scorecard column holding its rate
with families as (
    select * from rules_families
),

final as (
    select
        family,
        name_zh,
        name_en,
        cast(sort_order as integer) as sort_order,
        family || '_rate' as rate_column
    from families
)

select * from final
order by sort_order
