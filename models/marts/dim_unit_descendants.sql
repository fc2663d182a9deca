-- one row per unit and each unit at or below it in the unit tree, itself included: how a reader
-- takes "this unit and every unit under it" (a filter, a workbook for one bureau, a user's scope)
-- without walking the tree itself
with recursive units as (
    select * from int_units
),

-- each unit is reached from an ancestor by one path only (a unit has one parent), which a walk
-- carries so that a cycle in the parent links ends where it comes back to a unit on it. (A union
-- that ends when no new pair appears would do too, but Spark's recursive CTEs take only union all.)
below as (
    select unit_id as ancestor_unit_id, unit_id, [unit_id] as path
    from units
    union all
    select below.ancestor_unit_id, units.unit_id, list_append(below.path, units.unit_id)
    from units
    inner join below on units.parent_unit_id = below.unit_id
    where not list_contains(below.path, units.unit_id)
),

final as (
    select distinct ancestor_unit_id, unit_id from below
)

select * from final
order by ancestor_unit_id, unit_id
