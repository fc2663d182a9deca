-- one row per case closed as of the run date: was its file archived within the due days after
-- the end of the enforcement act (R-ARC, rules.md §2)? (int_case_archiving judges it, for this
-- table and the R-ARC check alike)
-- materialized: view
with archiving as (
    select * from int_case_archiving
),

final as (
    select * from archiving
)

select * from final
order by case_id
