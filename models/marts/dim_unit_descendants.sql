-- one row per unit and each unit at or below it in the unit tree, itself included: how a reader
-- takes "this unit and every unit under it" (a filter, a workbook for one bureau, a user's scope)
-- without walking the tree itself
with recursive units as (
    select * from int_units
),

below as (
    select unit_id as ancestor_unit_id, unit_id
    from units
    -- union, not union all: a cycle in the parent links ends when no new pair appears
    union
    select below.ancestor_unit_id, units.unit_id
    from units
    inner join below on units.parent_unit_id = below.unit_id
),

final as (
    select * from below
)

select * from final
order by ancestor_unit_id, unit_id
